"""The command-line oracle as another language's test suite drives it: one long
running process, fed random lines, answering each with exactly one line."""

from __future__ import annotations

import atexit
import json
import select
import subprocess
import sys
from typing import IO, Any, cast

from hypothesis import given
from hypothesis import strategies as st

from metadata_semantics.__main__ import oracle_answer
from metadata_semantics.strategies import json_values

_ANSWER_TIMEOUT = 60.0


class _Oracle:
    """One ``metadata-semantics oracle`` process, shared by every example."""

    process: subprocess.Popen[bytes] | None = None

    @classmethod
    def pipes(cls) -> tuple[IO[bytes], IO[bytes]]:
        if cls.process is None or cls.process.poll() is not None:
            cls.process = subprocess.Popen(
                [sys.executable, "-m", "metadata_semantics", "oracle"],
                # Unbuffered, so that nothing is read ahead of what select sees.
                bufsize=0,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
            )
            atexit.register(cls.close)
        assert cls.process.stdin is not None
        assert cls.process.stdout is not None
        return cls.process.stdin, cls.process.stdout

    @classmethod
    def close(cls) -> None:
        if cls.process is not None:
            process, cls.process = cls.process, None
            process.kill()
            process.communicate()


def _read_answer(stdout: IO[bytes]) -> bytes:
    ready, _, _ = select.select([stdout], [], [], _ANSWER_TIMEOUT)
    assert ready, "the oracle did not answer"
    line = stdout.readline()
    assert line.endswith(b"\n"), "the oracle stopped answering"
    return line


_REQUEST_PARTS: dict[str, st.SearchStrategy[Any]] = {
    "op": st.sampled_from(["replace", "merge", "merge_patch", "parse", "explain", 7]),
    "stored": st.one_of(json_values(max_leaves=6), st.just({"public_metadata": {}})),
    "body": st.one_of(json_values(max_leaves=6), st.text(max_size=20)),
    "naming": st.sampled_from(["snake", "camel", "kebab"]),
}
_REQUESTS: st.SearchStrategy[dict[str, Any]] = st.fixed_dictionaries({}, optional=_REQUEST_PARTS)


def _encoded(request: dict[str, Any]) -> bytes:
    return json.dumps(request).encode()


def _one_line(data: bytes) -> bytes:
    return data.replace(b"\n", b" ")


_LINES = st.one_of(
    st.binary(max_size=80).map(_one_line),
    _REQUESTS.map(_encoded),
    st.text(max_size=40).map(lambda text: text.encode("utf-8", "surrogatepass")).map(_one_line),
).filter(lambda line: line.strip() != b"")


@given(st.lists(_LINES, min_size=1, max_size=8))
def test_the_oracle_process_answers_every_line_as_the_library_does(lines: list[bytes]) -> None:
    """Each non-blank line gets exactly one answer line: a result or an error
    code and path, the same answer ``oracle_answer`` gives in process, and the
    process carries on after a bad line."""
    stdin, stdout = _Oracle.pipes()
    try:
        stdin.write(b"".join(line + b"\n" for line in lines))
        stdin.flush()
        for line in lines:
            answer: object = json.loads(_read_answer(stdout))
            assert isinstance(answer, dict)
            assert set(cast("dict[str, object]", answer)) in ({"result"}, {"error"})
            assert answer == json.loads(oracle_answer(line))
    except BaseException:
        # Answers still in the pipe would be read by the next example.
        _Oracle.close()
        raise

"""Law: the command line never shows a traceback, whatever its streams do.

Ctrl-C exits 130; a reader who leaves early gives 141 and nothing on stderr;
output is UTF-8 bytes whatever the locale; a closed or failing stream is an
I/O failure (3), not invalid input. Real processes prove the signals and the
pipes; in-process runs prove each branch.
"""

from __future__ import annotations

import contextlib
import errno
import io
import json
import os
import select
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import IO

import pytest

from metadata_semantics import json_equal
from metadata_semantics.__main__ import main
from metadata_semantics.conformance import vector_text

from clitools import (
    STORED,
    STORED_TEXT,
    TIMEOUT,
    TOOL,
    FailingInput,
    Sink,
    main_status,
    run,
    text_stream,
)

ORACLE_LINE = b'{"op": "parse", "body": ""}\n'
POSIX = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals and descriptors")


def _read_line(stream: IO[bytes]) -> bytes:
    ready, _, _ = select.select([stream], [], [], TIMEOUT)
    assert ready, "the tool did not answer"
    return stream.readline()


def _finish(process: subprocess.Popen[bytes]) -> tuple[int, bytes]:
    """Wait for ``process`` without closing its stdin; return its status and stderr."""
    try:
        status = process.wait(timeout=TIMEOUT)
    finally:
        process.kill()
    assert process.stderr is not None
    error = process.stderr.read()
    for stream in (process.stdin, process.stdout, process.stderr):
        if stream is not None:
            stream.close()
    return status, error


def _writer_if_read(fifo: Path) -> int | None:
    try:
        return os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
    except OSError as error:
        if error.errno != errno.ENXIO:  # ENXIO: no reader yet
            raise
        return None


def _open_for_writing(fifo: Path) -> int:
    # Opening a FIFO's writing end succeeds once a reader has it open: the
    # tool is then inside main. Bounded, so that a broken tool cannot hang us.
    deadline = time.monotonic() + TIMEOUT
    while (writer := _writer_if_read(fifo)) is None:
        assert time.monotonic() < deadline, "the tool never opened the stored record"
        time.sleep(0.01)
    return writer


# -- Ctrl-C ----------------------------------------------------------------


@POSIX
def test_ctrl_c_while_the_oracle_waits_exits_130_without_a_traceback() -> None:
    process = subprocess.Popen(
        [*TOOL, "oracle"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert process.stdin is not None
    assert process.stdout is not None
    process.stdin.write(ORACLE_LINE)
    process.stdin.flush()
    # One answer back: the oracle now waits for the next line.
    assert json.loads(_read_line(process.stdout)) == {"result": {}}
    process.send_signal(signal.SIGINT)
    status, error = _finish(process)
    assert status == 130
    assert error == b""


@POSIX
def test_ctrl_c_while_merge_waits_for_the_body_exits_130_without_a_traceback(
    tmp_path: Path,
) -> None:
    fifo = tmp_path / "user.json"
    os.mkfifo(fifo)
    process = subprocess.Popen(
        [*TOOL, "merge", "--stored", str(fifo), "--body", "-"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    writer = _open_for_writing(fifo)
    os.write(writer, STORED_TEXT.encode())
    os.close(writer)
    # The stored record is read; the body on stdin never ends.
    process.send_signal(signal.SIGINT)
    status, error = _finish(process)
    assert status == 130
    assert error == b""


def test_ctrl_c_in_process_is_status_130(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(
        sys, "stdin", io.TextIOWrapper(io.BufferedReader(FailingInput(KeyboardInterrupt())))
    )
    assert main_status(["oracle"]) == 130
    assert capsys.readouterr() == ("", "")


# -- a reader who leaves early ---------------------------------------------


@POSIX
def test_an_oracle_whose_reader_left_exits_141_silently() -> None:
    process = subprocess.Popen(
        [*TOOL, "oracle"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert process.stdin is not None
    assert process.stdout is not None
    process.stdin.write(ORACLE_LINE)
    process.stdin.flush()
    assert _read_line(process.stdout).startswith(b'{"result"')
    process.stdout.close()  # as `head -n 1` does
    process.stdin.write(ORACLE_LINE * 3)
    process.stdin.close()
    status, error = _finish(process)
    assert status == 141
    # Not even "Exception ignored ... BrokenPipeError" at exit.
    assert error == b""


@POSIX
def test_a_single_large_write_whose_reader_left_is_not_success(tmp_path: Path) -> None:
    # Far more than a pipe holds, so the tool is still writing when the reader leaves.
    big = {f"k{index}": "x" * 100 for index in range(20_000)}
    stored = {**STORED, "unsafe_metadata": big}
    (tmp_path / "user.json").write_text(json.dumps(stored), "utf-8")
    (tmp_path / "body.json").write_text("{}", "utf-8")
    process = subprocess.Popen(
        [
            *TOOL,
            "merge",
            "--stored",
            str(tmp_path / "user.json"),
            "--body",
            str(tmp_path / "body.json"),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdout is not None
    assert os.read(process.stdout.fileno(), 10) == b'{\n  "publi'  # as `head -c 10` does
    process.stdout.close()
    status, error = _finish(process)
    assert status == 141
    assert error == b""


def test_a_short_write_is_continued_not_lost(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    sink = Sink(at_most=4096)
    monkeypatch.setattr(sys, "stdout", text_stream(sink))
    assert main(["vectors"]) == 0
    assert sink.data.decode("utf-8") == vector_text()
    assert sink.calls > 1
    assert capsys.readouterr().err == ""


def test_a_write_that_makes_no_progress_is_an_io_failure(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "stdout", text_stream(Sink(at_most=0)))
    assert main(["vectors"]) == 3
    assert capsys.readouterr().err == (
        "metadata-semantics: cannot write to stdout: the write made no progress\n"
    )


def test_after_a_broken_pipe_stdout_points_at_the_null_device(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # Whatever is still buffered goes nowhere at exit, instead of failing again.
    target = tmp_path / "stdout"
    descriptor = os.open(target, os.O_WRONLY | os.O_CREAT)
    try:
        broken = Sink(fail=BrokenPipeError(errno.EPIPE, "Broken pipe"), descriptor=descriptor)
        monkeypatch.setattr(sys, "stdout", text_stream(broken))
        assert main(["vectors"]) == 141
        os.write(descriptor, b"flushed at exit")
    finally:
        os.close(descriptor)
    assert target.read_bytes() == b""
    assert capsys.readouterr().err == ""


# -- UTF-8 whatever the locale ---------------------------------------------


@pytest.mark.parametrize(("encoding", "key"), [("ascii", "é"), ("latin-1", "€"), ("utf-8", "😀")])
def test_output_is_utf8_whatever_pythonioencoding_says(encoding: str, key: str) -> None:
    line = json.dumps({"op": "merge_patch", "stored": {}, "body": {key: 1}}, ensure_ascii=False)
    done = run("oracle", stdin=line.encode() + b"\n", environment={"PYTHONIOENCODING": encoding})
    assert (done.returncode, done.stderr) == (0, b"")
    assert done.stdout == ('{"result":{"' + key + '":1}}\n').encode()


def test_pretty_output_is_utf8_bytes_under_an_ascii_stdout(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "old.json").write_text("{}", "utf-8")
    (tmp_path / "new.json").write_text('{"café": "crème"}', "utf-8")
    sink = Sink()
    monkeypatch.setattr(sys, "stdout", text_stream(sink, "ascii"))
    assert main(["diff", str(tmp_path / "old.json"), str(tmp_path / "new.json")]) == 0
    assert json_equal(json.loads(sink.data.decode("utf-8")), {"café": "crème"})


# -- closed and failing streams ----------------------------------------------


@POSIX
@pytest.mark.parametrize(
    ("redirect", "arguments", "message"),
    [
        ("<&-", ["oracle"], "cannot read requests from stdin: stdin is closed"),
        (
            "<&-",
            ["merge", "--stored", "user.json", "--body", "-"],
            "cannot read --body from stdin: stdin is closed",
        ),
        (
            ">&-",
            ["merge", "--stored", "user.json", "--body", "user.json"],
            "cannot write to stdout: stdout is closed",
        ),
        (">&-", ["vectors"], "cannot write to stdout: stdout is closed"),
    ],
)
def test_a_closed_stream_is_an_io_failure(
    tmp_path: Path, redirect: str, arguments: list[str], message: str
) -> None:
    bash = shutil.which("bash")
    assert bash is not None
    (tmp_path / "user.json").write_text(STORED_TEXT, "utf-8")
    done = subprocess.run(
        [bash, "-c", f'exec "$@" {redirect}', "bash", *TOOL, *arguments],
        cwd=tmp_path,
        capture_output=True,
        check=False,
        timeout=TIMEOUT,
    )
    assert done.returncode == 3
    assert done.stderr.decode() == f"metadata-semantics: {message}\n"


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
@pytest.mark.parametrize("arguments", [["vectors"], ["--help"], ["demo"]])
def test_a_full_disk_under_stdout_is_an_io_failure(arguments: list[str]) -> None:
    with Path("/dev/full").open("wb") as full:
        done = subprocess.run(
            [*TOOL, *arguments], stdout=full, stderr=subprocess.PIPE, check=False, timeout=TIMEOUT
        )
    assert done.returncode == 3
    assert done.stderr == b"metadata-semantics: cannot write to stdout: No space left on device\n"


def test_a_failing_flush_is_an_io_failure(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    full = OSError(errno.ENOSPC, "No space left on device")
    monkeypatch.setattr(sys, "stdout", text_stream(Sink(fail_flush=full)))
    assert main(["demo"]) == 3
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(ORACLE_LINE)))
    assert main(["oracle"]) == 3
    expected = "metadata-semantics: cannot write to stdout: No space left on device\n"
    assert capsys.readouterr().err == expected * 2


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["oracle"], "cannot read requests from stdin: Input/output error"),
        (["diff", "-", "{}"], "cannot read OLD from stdin: Input/output error"),
    ],
)
def test_a_failing_stdin_is_an_io_failure(
    arguments: list[str],
    message: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    failing = FailingInput(OSError(errno.EIO, "Input/output error"))
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BufferedReader(failing)))
    assert main(arguments) == 3
    assert capsys.readouterr().err == f"metadata-semantics: {message}\n"


def test_with_no_stderr_the_status_still_tells(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "stderr", None)
    assert main(["upsert"]) == 2
    assert capsys.readouterr().out == ""


def test_a_failing_stderr_does_not_change_the_status(monkeypatch: pytest.MonkeyPatch) -> None:
    sink = Sink(fail=OSError(errno.EIO, "Input/output error"))
    monkeypatch.setattr(sys, "stderr", text_stream(sink))
    assert main(["diff", "-", "-"]) == 2
    assert sink.calls == 1


def test_text_streams_in_memory_take_the_text_as_it_is() -> None:
    out, error = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(error):
        assert main(["diff", "-", "-"]) == 2
        assert main(["vectors"]) == 0
    assert error.getvalue() == ("metadata-semantics: OLD and NEW cannot both be read from stdin\n")
    assert out.getvalue() == vector_text()

"""The command-line tool, end to end through a real process and in-process."""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
from typing import TYPE_CHECKING, Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from metadata_semantics import ERROR_CODES, json_equal
from metadata_semantics.__main__ import main, oracle_answer
from metadata_semantics.conformance import load_vectors, vector_text
from metadata_semantics.strategies import json_values

from depths import HALF_DEEP
from strict import same

if TYPE_CHECKING:
    from pathlib import Path

STORED = {
    "public_metadata": {"role": "member", "plan": {"tier": "pro", "seats": 5}},
    "private_metadata": {"stripe_id": "cus_123"},
    "unsafe_metadata": None,
}
BODY = (
    '{"public_metadata": {"plan": {"seats": 10}, "role": null, "tags": ["a"]}, '
    '"private_metadata": {}}'
)
COMMANDS = ["replace", "merge", "explain", "diff", "vectors", "oracle", "demo"]


def run(*arguments: str, stdin: str | bytes = b"") -> subprocess.CompletedProcess[bytes]:
    environment = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    return subprocess.run(
        [sys.executable, "-m", "metadata_semantics", *arguments],
        input=stdin.encode() if isinstance(stdin, str) else stdin,
        capture_output=True,
        check=False,
        timeout=120,
        env=environment,
    )


@pytest.fixture
def files(tmp_path: Path) -> Path:
    (tmp_path / "user.json").write_text(json.dumps(STORED), "utf-8")
    (tmp_path / "body.json").write_text(BODY, "utf-8")
    return tmp_path


def feed(monkeypatch: pytest.MonkeyPatch, data: bytes) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))


# -- through a real process ---------------------------------------------------


def test_demo_shows_both_writes_side_by_side_and_the_explanation() -> None:
    done = run("demo")
    assert done.returncode == 0, done.stderr
    out = done.stdout.decode()
    lines = out.splitlines()
    header = next(line for line in lines if "replace (PUT)" in line)
    assert "merge (PATCH)" in header
    public = next(
        line
        for line in lines
        if line.strip().startswith("public_metadata") and '{"plan":{"seats":10}}' in line
    )
    assert '{"role":"member","plan":{"tier":"pro","seats":10}}' in public
    assert "what merge (PATCH) does" in out
    assert "~ /plan/seats  5 -> 10" in out
    assert "\x1b[" not in out  # not a terminal: no colour
    assert done.stderr == b""


def test_merge_reads_the_body_from_stdin_in_a_real_process(files: Path) -> None:
    done = run("merge", "--stored", str(files / "user.json"), "--body", "-", stdin=BODY)
    assert done.returncode == 0, done.stderr
    assert json_equal(
        json.loads(done.stdout),
        {
            "public_metadata": {"plan": {"tier": "pro", "seats": 10}, "tags": ["a"]},
            "private_metadata": {"stripe_id": "cus_123"},
            "unsafe_metadata": None,
        },
    )


def test_invalid_input_exits_1_with_one_line_code_and_path(files: Path) -> None:
    done = run(
        "replace",
        "--stored",
        str(files / "user.json"),
        "--body",
        "-",
        stdin='{"unsafe_metadata": [1]}',
    )
    assert done.returncode == 1
    assert done.stdout == b""
    message = done.stderr.decode()
    assert message.count("\n") == 1
    assert "invalid_field at '/unsafe_metadata'" in message
    assert "Traceback" not in message


def testoracle_answers_line_by_line_and_survives_bad_lines() -> None:
    lines = [
        b'{"op": "merge_patch", "stored": {"a": 1}, "body": {"a": null, "b": [null]}}',
        b"not json",
        b"\xff\xfe",
        (
            b'{"op": "replace", "stored": {"public_metadata": {}, "private_metadata": {}, '
            b'"unsafe_metadata": {}}, "body": {"public_metadata": 5}}'
        ),
        b"[1]",
        b'{"op": "parse", "body": ""}',
    ]
    done = run("oracle", stdin=b"\n".join(lines) + b"\n")
    assert done.returncode == 0, done.stderr
    answers = [json.loads(line) for line in done.stdout.splitlines()]
    assert len(answers) == len(lines)
    assert answers[0] == {"result": {"b": [None]}}
    assert "error" in answers[1]
    assert "error" in answers[2]
    assert answers[3] == {"error": {"code": "invalid_field", "path": "/public_metadata"}}
    assert answers[4]["error"]["code"] == "invalid_argument"
    assert answers[5] == {"result": {}}


@pytest.mark.parametrize("command", COMMANDS)
def test_every_subcommand_has_help_with_an_example(command: str) -> None:
    done = run(command, "--help")
    assert done.returncode == 0
    assert "example:" in done.stdout.decode()


def test_no_command_and_bad_options_are_usage_errors() -> None:
    for arguments in [(), ("frobnicate",), ("merge",), ("explain", "upsert")]:
        done = run(*arguments)
        assert done.returncode == 2, arguments
        assert b"usage:" in done.stderr
        assert b"Traceback" not in done.stderr


def test_the_console_script_is_declared() -> None:
    done = run("--help")
    assert b"metadata-semantics" in done.stdout
    assert b"exit statuses" in done.stdout


# -- in-process, for every branch -------------------------------------------


def test_replace_prints_the_record(files: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(
        ["replace", "--stored", str(files / "user.json"), "--body", str(files / "body.json")]
    )
    assert code == 0
    assert json_equal(
        json.loads(capsys.readouterr().out),
        {
            "public_metadata": {"plan": {"seats": 10}, "role": None, "tags": ["a"]},
            "private_metadata": {},
            "unsafe_metadata": None,
        },
    )


def test_camel_naming_reads_sdk_bodies(
    files: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    feed(monkeypatch, b'{"unsafeMetadata": {"x": 1}}')
    args = ["merge", "--stored", str(files / "user.json"), "--body", "-", "--naming", "camel"]
    assert main(args) == 0
    assert json.loads(capsys.readouterr().out)["unsafe_metadata"] == {"x": 1}


def test_explain_text_lists_each_field_and_its_keys(
    files: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["--stored", str(files / "user.json"), "--body", str(files / "body.json")]
    assert main(["explain", "replace", *args]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].split() == ["public_metadata", "replaced"]
    assert '  ~ /role  "member" -> null' in out
    assert '  - /plan/tier  (was "pro")' in out
    assert "private_metadata  cleared" in out
    assert "unsafe_metadata   kept" in out
    assert main(["explain", "merge", *args]) == 0
    merged = capsys.readouterr().out
    assert '  + /tags  ["a"]' in merged
    assert '  - /role  (was "member")' in merged


def test_explain_json_is_for_machines(
    files: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    args = ["--stored", str(files / "user.json"), "--body", "-", "--json"]
    feed(monkeypatch, b'{"unsafe_metadata": {"a": 1}, "private_metadata": {"stripe_id": null}}')
    assert main(["explain", "merge", *args]) == 0
    changes = json.loads(capsys.readouterr().out)
    assert changes[1]["edits"] == [{"kind": "removed", "pointer": "/stripe_id", "old": "cus_123"}]
    assert changes[2] == {
        "field": "unsafe_metadata",
        "action": "merged",
        "unchanged": False,
        "edits": [{"kind": "added", "pointer": "/a", "new": 1}],
    }
    assert changes[0] == {
        "field": "public_metadata",
        "action": "kept",
        "unchanged": True,
        "edits": [],
    }


def test_diff_prints_the_patch(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "old.json").write_text('{"a": 1, "b": {"c": 1, "d": 2}}', "utf-8")
    (tmp_path / "new.json").write_text('{"b": {"c": 1, "d": 3}, "e": [null]}', "utf-8")
    assert main(["diff", str(tmp_path / "old.json"), str(tmp_path / "new.json")]) == 0
    assert json_equal(json.loads(capsys.readouterr().out), {"a": None, "b": {"d": 3}, "e": [None]})


def test_diff_that_needs_replace_exits_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "old.json").write_text('{"a": 1}', "utf-8")
    (tmp_path / "new.json").write_text('{"a": null}', "utf-8")
    assert main(["diff", str(tmp_path / "old.json"), str(tmp_path / "new.json")]) == 1
    error = capsys.readouterr().err
    assert error.startswith("metadata-semantics: unpatchable_null at '/a': ")
    assert "use replace" in error


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["diff", "-", "-"], "cannot both be read from stdin"),
        (["merge", "--stored", "-", "--body", "-"], "cannot both be read from stdin"),
    ],
)
def test_usage_problems_exit_2(
    arguments: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(arguments) == 2
    assert message in capsys.readouterr().err


def test_vectors_print_and_write(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["vectors"]) == 0
    assert capsys.readouterr().out == vector_text()
    assert main(["vectors", "--out", str(tmp_path / "spec")]) == 0
    written = sorted(path.name for path in (tmp_path / "spec").iterdir())
    assert written == ["README.md", "schema.json", "vectors.json"]
    assert (tmp_path / "spec" / "vectors.json").read_text("utf-8") == vector_text()
    (tmp_path / "file").write_text("", "utf-8")
    assert main(["vectors", "--out", str(tmp_path / "file")]) == 3


def oracle_answers(monkeypatch: pytest.MonkeyPatch, capsys: Any, lines: list[str]) -> list[Any]:
    feed(monkeypatch, ("\n".join(lines) + "\n\n").encode())
    assert main(["oracle"]) == 0
    return [json.loads(line) for line in capsys.readouterr().out.splitlines()]


def test_oracle_agrees_with_every_vector(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    vectors = load_vectors()
    lines: list[str] = []
    for vector in vectors:
        request: dict[str, Any] = {"op": vector.op, "body": vector.body, "naming": vector.naming}
        if vector.op != "parse":
            request["stored"] = vector.stored
        lines.append(json.dumps(request))
    answers = oracle_answers(monkeypatch, capsys, lines)
    assert len(answers) == len(vectors)
    for vector, answer in zip(vectors, answers, strict=True):
        if vector.error is not None:
            # The oracle writes strict JSON: U+FFFD stands for a lone surrogate.
            path = re.sub("[\ud800-\udfff]", "\ufffd", vector.error.path)
            assert answer == {"error": {"code": vector.error.code, "path": path}}
        else:
            assert json_equal(answer["result"], vector.result), vector.id


@pytest.mark.parametrize(
    ("line", "path"),
    [
        ('{"op": "merge"}', "/body"),
        ('{"op": "merge", "body": {}}', "/stored"),
        ('{"op": "parse", "body": {}}', "/body"),
        ('{"op": "parse", "body": "", "naming": "kebab"}', "/naming"),
        ('{"op": "merge", "body": {}, "stored": []}', "/stored"),
        ('{"op": "merge", "body": {}, "stored": {"public_metadata": {}}}', "/stored"),
        (
            (
                '{"op": "merge", "body": {"x": 1}, "stored": '
                '{"public_metadata": {}, "private_metadata": {}, "unsafe_metadata": {}}}'
            ),
            "/body",
        ),
        ("7", ""),
        ('{"op": 5}', "/op"),
    ],
)
def test_oracle_names_what_is_wrong_with_a_request(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], line: str, path: str
) -> None:
    (answer,) = oracle_answers(monkeypatch, capsys, [line])
    assert answer == {"error": {"code": "invalid_argument", "path": path}}


def test_demo_in_process(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo"]) == 0
    out = capsys.readouterr().out
    assert "request body" in out
    assert "what replace (PUT) does" in out


def test_help_exits_0_in_process(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--help"]) == 0
    assert "COMMAND" in capsys.readouterr().out


def test_importing_the_package_leaves_the_command_line_unloaded() -> None:
    code = (
        "import sys, metadata_semantics; "
        "print(sorted({'argparse', 'json', 'metadata_semantics.__main__', "
        "'metadata_semantics.conformance'} & set(sys.modules)))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert done.stdout.strip() == "[]"


_REQUEST_PARTS = st.fixed_dictionaries(
    {},
    optional={
        "op": st.sampled_from(["replace", "merge", "merge_patch", "parse", "other", 1]),
        "stored": json_values(max_leaves=6),
        "body": st.one_of(json_values(max_leaves=6), st.text(max_size=20)),
        "naming": st.sampled_from(["snake", "camel", "kebab"]),
    },
)


def _encoded(request: dict[str, Any]) -> bytes:
    return json.dumps(request).encode()


@given(st.one_of(st.binary(max_size=60), _REQUEST_PARTS.map(_encoded)))
def test_theoracle_answers_every_line_with_a_result_or_an_error(line: bytes) -> None:
    """Whatever a line holds, the answer is one JSON object with a result or an error."""
    text = oracle_answer(line)
    assert "\n" not in text
    answer: dict[str, Any] = json.loads(text)
    assert isinstance(answer, dict)
    assert set(answer) in ({"result"}, {"error"})
    if "error" in answer:
        error: dict[str, Any] = answer["error"]
        assert isinstance(error, dict)
        assert set(error) == {"code", "path"}
        assert error["code"] in ERROR_CODES


def test_deep_documents_work_in_every_command(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    depth = HALF_DEEP
    deep = '{"k":' * depth + "1" + "}" * depth
    (tmp_path / "user.json").write_text(json.dumps(STORED), "utf-8")
    (tmp_path / "body.json").write_text('{"unsafe_metadata": ' + deep + "}", "utf-8")
    args = ["--stored", str(tmp_path / "user.json"), "--body", str(tmp_path / "body.json")]
    assert main(["merge", *args]) == 0
    assert '"unsafe_metadata":' + deep in capsys.readouterr().out
    assert main(["explain", "merge", *args]) == 0
    assert f"  + /k  {deep[5:-1]}" in capsys.readouterr().out
    (tmp_path / "deep.json").write_text(deep, "utf-8")
    (tmp_path / "empty.json").write_text("{}", "utf-8")
    assert main(["diff", str(tmp_path / "empty.json"), str(tmp_path / "deep.json")]) == 0
    assert capsys.readouterr().out == deep + "\n"
    feed(monkeypatch, b'{"op": "merge_patch", "stored": {}, "body": ' + deep.encode() + b"}\n")
    assert main(["oracle"]) == 0
    assert capsys.readouterr().out == '{"result":' + deep + "}\n"


def test_an_integer_too_long_to_convert_is_invalid_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "old.json").write_text("{}", "utf-8")
    (tmp_path / "new.json").write_text("[" + "9" * 5000 + "]", "utf-8")
    assert main(["diff", str(tmp_path / "old.json"), str(tmp_path / "new.json")]) == 1
    assert "integer_too_long at '/0'" in capsys.readouterr().err


def test_a_blank_body_file_provides_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "user.json").write_text(json.dumps(STORED), "utf-8")
    (tmp_path / "body.json").write_text(" \r\n", "utf-8")
    args = ["--stored", str(tmp_path / "user.json"), "--body", str(tmp_path / "body.json")]
    assert main(["replace", *args]) == 0
    assert same(json.loads(capsys.readouterr().out), STORED)

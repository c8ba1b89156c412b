"""Law: a message names what failed in the terms of the usage line.

An error in an input names that input as the usage line does (``--stored``,
``--body``, ``OLD``, ``NEW``) and the file it was read from; a file that
cannot be read is said plainly, without Python's ``[Errno N]``.
"""

from __future__ import annotations

import io
import re
import sys
from typing import TYPE_CHECKING

import pytest

from metadata_semantics.__main__ import main

from clitools import STORED_TEXT

if TYPE_CHECKING:
    from pathlib import Path


@pytest.fixture
def good(tmp_path: Path) -> Path:
    (tmp_path / "user.json").write_text(STORED_TEXT, "utf-8")
    (tmp_path / "body.json").write_text('{"unsafe_metadata": {}}', "utf-8")
    (tmp_path / "old.json").write_text("{}", "utf-8")
    (tmp_path / "broken.json").write_text('{"a": 1,}', "utf-8")
    return tmp_path


SYNTAX = "invalid_json at ''"


@pytest.mark.parametrize(
    ("arguments", "named"),
    [
        (["merge", "--stored", "{broken}", "--body", "{body}"], "--stored {broken}"),
        (["replace", "--stored", "{user}", "--body", "{broken}"], "--body {broken}"),
        (["explain", "merge", "--stored", "{broken}", "--body", "{body}"], "--stored {broken}"),
        (["diff", "{broken}", "{old}"], "OLD {broken}"),
        (["diff", "{old}", "{broken}"], "NEW {broken}"),
    ],
)
def test_a_syntax_error_in_a_file_names_the_input_and_the_file(
    good: Path, arguments: list[str], named: str, capsys: pytest.CaptureFixture[str]
) -> None:
    files = {name: str(good / f"{name}.json") for name in ("user", "body", "old", "broken")}
    assert main([argument.format(**files) for argument in arguments]) == 1
    error = capsys.readouterr().err
    assert error.startswith(f"metadata-semantics: {SYNTAX} in {named.format(**files)}: ")
    assert error.count("\n") == 1


@pytest.mark.parametrize(
    ("arguments", "named"),
    [
        (["merge", "--stored", "{user}", "--body", "-"], "--body (stdin)"),
        (["diff", "-", "{old}"], "OLD (stdin)"),
        (["diff", "{old}", "-"], "NEW (stdin)"),
    ],
)
def test_a_syntax_error_on_stdin_names_the_input_and_stdin(
    good: Path,
    arguments: list[str],
    named: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"{,}")))
    files = {"user": str(good / "user.json"), "old": str(good / "old.json")}
    assert main([argument.format(**files) for argument in arguments]) == 1
    assert capsys.readouterr().err.startswith(f"metadata-semantics: {SYNTAX} in {named}: ")


def test_a_bad_field_in_the_stored_record_names_its_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "user.json").write_text('{"public_metadata": [1]}', "utf-8")
    (tmp_path / "body.json").write_text("", "utf-8")
    user = tmp_path / "user.json"
    assert main(["merge", "--stored", str(user), "--body", str(tmp_path / "body.json")]) == 1
    assert capsys.readouterr().err.startswith(
        f"metadata-semantics: invalid_field at '/public_metadata' in --stored {user}: "
    )


@pytest.mark.parametrize(
    ("which", "reason"),
    [("missing.json", "No such file or directory"), (".", "Is a directory")],
)
def test_a_file_that_cannot_be_read_is_said_plainly(
    good: Path, which: str, reason: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = good / which
    assert main(["diff", str(good / "old.json"), str(path)]) == 1
    assert capsys.readouterr().err == f"metadata-semantics: cannot read NEW {path}: {reason}\n"


# -- the usage line's terms ----------------------------------------------------


def _usage_and_complaint(error: str) -> tuple[str, str]:
    usage, _, complaint = error.partition("\nmetadata-semantics")
    return usage, complaint


@pytest.mark.parametrize(
    "arguments",
    [
        ["explain", "--stored", "u.json", "--body", "b.json"],
        ["explain", "upsert", "--stored", "u.json", "--body", "b.json"],
        ["explain", "merge"],
        ["merge", "--body", "b.json"],
        ["diff", "old.json"],
        [],
    ],
)
def test_a_usage_error_names_arguments_as_the_usage_line_does(
    arguments: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(arguments) == 2
    usage, complaint = _usage_and_complaint(capsys.readouterr().err)
    assert usage.startswith("usage: metadata-semantics")
    assert ": error: " in complaint
    named = re.findall(r"required: (.*)$|argument (\S+):", complaint, re.MULTILINE)
    names = [name for pair in named for group in pair for name in group.split(", ") if name]
    assert names, complaint
    for name in names:
        assert re.search(rf"(?<![\w-]){re.escape(name)}(?![\w-])", usage), (name, usage)


def test_explain_without_a_write_asks_for_write(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["explain", "--stored", "u.json", "--body", "b.json"]) == 2
    error = capsys.readouterr().err
    assert error.endswith("error: the following arguments are required: WRITE\n")
    assert " op" not in error

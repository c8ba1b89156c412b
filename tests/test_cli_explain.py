"""Law: `explain` on the command line reads as the write does, in colour only when asked.

A field that the write touches but does not change reads ``unchanged``.
Colour: NO_COLOR (non-empty) turns it off and wins; else FORCE_COLOR
(non-empty) turns it on; else TERM=dumb turns it off; else colour is on
exactly when stdout is a terminal.
"""

from __future__ import annotations

import io
import json
import sys
from typing import TYPE_CHECKING, Any

import pytest

from metadata_semantics.__main__ import main

from clitools import STORED_TEXT, Sink, run, text_stream

if TYPE_CHECKING:
    from pathlib import Path


def _explain(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    op: str,
    body: str,
    *options: str,
) -> str:
    (tmp_path / "user.json").write_text(STORED_TEXT, "utf-8")
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(body.encode())))
    arguments = ["explain", op, "--stored", str(tmp_path / "user.json"), "--body", "-"]
    assert main([*arguments, *options]) == 0
    return capsys.readouterr().out


def _actions(text: str) -> dict[str, str]:
    rows = [line.split(maxsplit=1) for line in text.splitlines() if not line.startswith(" ")]
    return {row[0]: row[1] for row in rows}


@pytest.mark.parametrize(
    ("op", "body", "public", "private", "unsafe"),
    [
        ("merge", '{"private_metadata": {}}', "kept", "unchanged", "kept"),
        ("merge", '{"unsafe_metadata": {}}', "kept", "kept", "merged"),  # null becomes {}
        ("merge", '{"unsafe_metadata": null}', "kept", "kept", "unchanged"),
        ("merge", '{"private_metadata": {"nothing": null}}', "kept", "unchanged", "kept"),
        ("replace", '{"private_metadata": {"stripe_id": "cus_123"}}', "kept", "unchanged", "kept"),
        ("replace", '{"private_metadata": {"stripe_id": "cus_9"}}', "kept", "replaced", "kept"),
        ("replace", '{"unsafe_metadata": {}}', "kept", "kept", "cleared"),  # null becomes {}
    ],
)
def test_a_write_that_changes_nothing_reads_unchanged(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    op: str,
    body: str,
    public: str,
    private: str,
    unsafe: str,
) -> None:
    text = _explain(tmp_path, monkeypatch, capsys, op, body)
    assert _actions(text) == {
        "public_metadata": public,
        "private_metadata": private,
        "unsafe_metadata": unsafe,
    }


def test_json_keeps_the_rule_and_says_unchanged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    text = _explain(tmp_path, monkeypatch, capsys, "merge", '{"private_metadata": {}}', "--json")
    changes: list[dict[str, Any]] = json.loads(text)
    assert [(c["field"], c["action"], c["unchanged"], c["edits"]) for c in changes] == [
        ("public_metadata", "kept", True, []),
        ("private_metadata", "merged", True, []),
        ("unsafe_metadata", "kept", True, []),
    ]
    assert all(type(change["unchanged"]) is bool for change in changes)


# -- colour ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("terminal", "environment", "coloured"),
    [
        (True, {}, True),
        (False, {}, False),
        (False, {"FORCE_COLOR": "1"}, True),
        (False, {"FORCE_COLOR": "0"}, True),  # any non-empty value forces
        (False, {"FORCE_COLOR": ""}, False),
        (True, {"TERM": "dumb"}, False),
        (True, {"TERM": "xterm-256color"}, True),
        (False, {"FORCE_COLOR": "1", "TERM": "dumb"}, True),
        (True, {"NO_COLOR": "1"}, False),
        (True, {"NO_COLOR": ""}, True),
        (True, {"NO_COLOR": "1", "FORCE_COLOR": "1"}, False),
        (False, {"NO_COLOR": "1", "FORCE_COLOR": "1"}, False),
    ],
)
@pytest.mark.parametrize("command", ["explain", "demo"])
def test_colour_follows_no_color_then_force_color_then_term_then_the_terminal(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    command: str,
    terminal: bool,
    environment: dict[str, str],
    coloured: bool,
) -> None:
    for name in ("NO_COLOR", "FORCE_COLOR", "TERM"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    (tmp_path / "user.json").write_text(STORED_TEXT, "utf-8")
    (tmp_path / "body.json").write_text('{"public_metadata": {}}', "utf-8")
    sink = Sink(terminal=terminal)
    monkeypatch.setattr(sys, "stdout", text_stream(sink))
    files = ["--stored", str(tmp_path / "user.json"), "--body", str(tmp_path / "body.json")]
    arguments = ["explain", "replace", *files] if command == "explain" else ["demo"]
    assert main(arguments) == 0
    out = sink.data.decode("utf-8")
    assert ("\x1b[31m  - /role  (was " in out) is coloured
    assert ("\x1b[" in out) is coloured


def test_force_color_colours_a_pipe_in_a_real_process(tmp_path: Path) -> None:
    (tmp_path / "user.json").write_text(STORED_TEXT, "utf-8")
    arguments = ["explain", "replace", "--stored", str(tmp_path / "user.json"), "--body", "-"]
    body = b'{"public_metadata": {}}'
    forced = run(*arguments, stdin=body, environment={"FORCE_COLOR": "1", "NO_COLOR": ""})
    assert forced.returncode == 0
    assert b"\x1b[31m  - /role" in forced.stdout
    plain = run(*arguments, stdin=body, environment={"FORCE_COLOR": "1", "NO_COLOR": "1"})
    assert plain.returncode == 0
    assert b"\x1b[" not in plain.stdout

"""Law: the exit status follows one rule, and every row of its table happens.

The status says what to fix: 1 the input, 2 the command line, 3 the streams
or the disk; 128 + N, the signal N that stopped the tool.
"""

from __future__ import annotations

import errno
import io
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from metadata_semantics.__main__ import EXIT_STATUSES, main

from clitools import STORED_TEXT, FailingInput, Sink, main_status, text_stream

if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import TypeAlias

    Scenario: TypeAlias = tuple[int, str, Callable[[Path, pytest.MonkeyPatch], list[str]]]

ROOT = Path(__file__).parent.parent


def _files(tmp_path: Path) -> list[str]:
    (tmp_path / "user.json").write_text(STORED_TEXT, "utf-8")
    (tmp_path / "body.json").write_text('{"unsafe_metadata": {"a": 1}}', "utf-8")
    return ["--stored", str(tmp_path / "user.json"), "--body", str(tmp_path / "body.json")]


def _stdin(monkeypatch: pytest.MonkeyPatch, stream: io.RawIOBase | None) -> None:
    wrapped = None if stream is None else io.TextIOWrapper(io.BufferedReader(stream))
    monkeypatch.setattr(sys, "stdin", wrapped)


def _stdout(monkeypatch: pytest.MonkeyPatch, sink: Sink | None) -> None:
    monkeypatch.setattr(sys, "stdout", None if sink is None else text_stream(sink))


def _success(tmp_path: Path, _monkeypatch: pytest.MonkeyPatch) -> list[str]:
    return ["merge", *_files(tmp_path)]


def _missing_file(tmp_path: Path, _monkeypatch: pytest.MonkeyPatch) -> list[str]:
    return ["merge", *_files(tmp_path)[:2], "--body", str(tmp_path / "nowhere.json")]


def _unreadable_file(tmp_path: Path, _monkeypatch: pytest.MonkeyPatch) -> list[str]:
    return ["diff", str(tmp_path), str(tmp_path)]  # a folder cannot be read as a file


def _invalid_content(tmp_path: Path, _monkeypatch: pytest.MonkeyPatch) -> list[str]:
    (tmp_path / "old.json").write_text("{", "utf-8")
    return ["diff", str(tmp_path / "old.json"), str(tmp_path / "old.json")]


def _unknown_command(_tmp_path: Path, _monkeypatch: pytest.MonkeyPatch) -> list[str]:
    return ["upsert"]


def _stdin_twice(_tmp_path: Path, _monkeypatch: pytest.MonkeyPatch) -> list[str]:
    return ["diff", "-", "-"]


def _stdout_closed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    _stdout(monkeypatch, None)
    return ["merge", *_files(tmp_path)]


def _stdin_closed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    _stdin(monkeypatch, None)
    return ["merge", *_files(tmp_path)[:2], "--body", "-"]


def _disk_full(_tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    _stdout(monkeypatch, Sink(fail=OSError(errno.ENOSPC, "No space left on device")))
    return ["vectors"]


def _out_not_a_folder(tmp_path: Path, _monkeypatch: pytest.MonkeyPatch) -> list[str]:
    (tmp_path / "file").write_text("", "utf-8")
    return ["vectors", "--out", str(tmp_path / "file")]


def _ctrl_c(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    _stdin(monkeypatch, FailingInput(KeyboardInterrupt()))
    return ["merge", *_files(tmp_path)[:2], "--body", "-"]


def _reader_gone(_tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    _stdout(monkeypatch, Sink(fail=BrokenPipeError(errno.EPIPE, "Broken pipe")))
    return ["vectors"]


SCENARIOS: list[Scenario] = [
    (0, "success", _success),
    (1, "a missing input file", _missing_file),
    (1, "an input file that cannot be read", _unreadable_file),
    (1, "an input that is not valid", _invalid_content),
    (2, "an unknown command", _unknown_command),
    (2, "stdin named twice", _stdin_twice),
    (3, "stdout closed", _stdout_closed),
    (3, "stdin closed", _stdin_closed),
    (3, "a full disk under stdout", _disk_full),
    (3, "an --out folder that cannot be written", _out_not_a_folder),
    (130, "Ctrl-C", _ctrl_c),
    (141, "a broken pipe", _reader_gone),
]


def test_the_scenarios_cover_every_row_of_the_table() -> None:
    assert {status for status, _, _ in SCENARIOS} == set(EXIT_STATUSES)


@pytest.mark.parametrize(
    ("status", "case", "scenario"), SCENARIOS, ids=[c for _, c, _ in SCENARIOS]
)
def test_each_failure_exits_with_the_status_its_row_names(
    status: int,
    case: str,
    scenario: Callable[[Path, pytest.MonkeyPatch], list[str]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    argv = scenario(tmp_path, monkeypatch)
    assert main_status(argv) == status, case
    error = capsys.readouterr().err
    assert "Traceback" not in error
    assert "[Errno" not in error
    # One line says what went wrong, except where no one is to be told.
    if status in (0, 130, 141):
        assert error == ""
    else:
        assert error.endswith("\n")
        assert error.splitlines()[-1].startswith("metadata-semantics")


def test_a_missing_input_file_is_bad_input_and_says_so_plainly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(_missing_file(tmp_path, monkeypatch)) == 1
    missing = tmp_path / "nowhere.json"
    assert capsys.readouterr().err == (
        f"metadata-semantics: cannot read --body {missing}: No such file or directory\n"
    )


def render_statuses() -> str:
    lines = ["| status | meaning |", "|---|---|"]
    lines.extend(f"| {status} | {meaning} |" for status, meaning in EXIT_STATUSES.items())
    return "\n".join(lines) + "\n"


def _documented_tables() -> list[str]:
    # Wherever the command line's page lives: the README, or a page under docs/.
    pages = [ROOT / "README.md", *sorted((ROOT / "docs").glob("**/*.md"))]
    pattern = r"<!-- exit-statuses:start -->\n(.*?)<!-- exit-statuses:end -->"
    return [
        table
        for page in pages
        if page.is_file()
        for table in re.findall(pattern, page.read_text("utf-8"), re.DOTALL)
    ]


def test_the_documented_table_is_the_exit_status_data() -> None:
    assert _documented_tables() == [render_statuses()]


def test_help_lists_every_exit_status(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    listed = out.split("exit statuses:\n", 1)[1]
    for status, meaning in EXIT_STATUSES.items():
        assert re.search(rf"^  {status} +{meaning.split()[0]}", listed, re.MULTILINE), status
    assert " ".join(listed.split()).count("(SIGINT)") == 1

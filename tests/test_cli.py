"""The command-line tool, end to end through a real process and in-process."""

from __future__ import annotations

import subprocess
import sys
from typing import TYPE_CHECKING

from metadata_semantics.__main__ import main

if TYPE_CHECKING:
    import pytest


def run(*arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "metadata_semantics", *arguments],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )


def test_demo_shows_both_writes_side_by_side() -> None:
    done = run("demo")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    header = next(line for line in lines if "replace (PUT)" in line)
    assert "merge (PATCH)" in header
    public = next(
        line
        for line in lines
        if line.strip().startswith("public_metadata")
        and "seats" in line
        and "role" in line
        and '{"plan":{"seats":10}}' in line
    )
    assert '{"role":"member","plan":{"tier":"pro","seats":10}}' in public
    assert done.stderr == ""


def test_demo_in_process(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo"]) == 0
    assert "request body" in capsys.readouterr().out


def test_no_command_is_a_usage_error() -> None:
    done = run()
    assert done.returncode == 2
    assert "usage:" in done.stderr
    assert "Traceback" not in done.stderr

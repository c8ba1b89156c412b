"""The shell sessions in the README and docs/ are real: each command is run and its output
compared.

A ``$ cat FILE`` in a session defines FILE with the text shown, so the files
a page shows are the files its commands read. Each page runs in a folder of
its own, so a page's sessions stand alone; a new page under docs/ is picked
up without editing this file.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent
PAGES = (ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md")))


def sessions(page: Path) -> list[list[tuple[str, str]]]:
    """Each ```console block of a page as (command, expected output) pairs."""
    blocks = re.findall(r"```console\n(.*?)```", page.read_text("utf-8"), re.DOTALL)
    found: list[list[tuple[str, str]]] = []
    for block in blocks:
        steps: list[tuple[str, str]] = []
        for line in block.splitlines(keepends=True):
            if line.startswith("$ "):
                steps.append((line[2:].rstrip("\n"), ""))
            else:
                command, output = steps[-1]
                steps[-1] = (command, output + line)
        found.append(steps)
    return found


@pytest.fixture
def shell(tmp_path: Path) -> Path:
    tools = tmp_path / "bin"
    tools.mkdir()
    script = tools / "metadata-semantics"
    script.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m metadata_semantics "$@"\n', "utf-8")
    script.chmod(0o755)
    return tmp_path


def test_the_pages_have_console_sessions() -> None:
    commands = [command for page in PAGES for steps in sessions(page) for command, _ in steps]
    assert any(command.startswith("metadata-semantics oracle") for command in commands)
    assert any(command.startswith("metadata-semantics explain") for command in commands)


@pytest.mark.parametrize(
    "page", [page for page in PAGES if sessions(page)], ids=lambda page: page.name
)
def test_every_command_on_a_page_prints_what_the_page_shows(shell: Path, page: Path) -> None:
    bash = shutil.which("bash")
    assert bash is not None
    environment = {
        **os.environ,
        "PATH": f"{shell / 'bin'}{os.pathsep}{os.environ['PATH']}",
        "NO_COLOR": "1",
        "PYTHONIOENCODING": "utf-8",
    }
    for steps in sessions(page):
        for command, expected in steps:
            if command.startswith("cat "):
                (shell / command.removeprefix("cat ")).write_text(expected, "utf-8")
                continue
            done = subprocess.run(
                [bash, "-c", command],
                cwd=shell,
                env=environment,
                capture_output=True,
                text=True,
                check=False,
                timeout=120,
            )
            assert done.stdout + done.stderr == expected, command

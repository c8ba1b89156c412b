"""The README's shell sessions are real: each command is run and its output compared.

A ``$ cat FILE`` in a session defines FILE with the text shown, so the files
the README shows are the files the commands read.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

README = Path(__file__).parent.parent / "README.md"


def sessions() -> list[list[tuple[str, str]]]:
    """Each ```console block as (command, expected output) pairs."""
    blocks = re.findall(r"```console\n(.*?)```", README.read_text("utf-8"), re.DOTALL)
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


def test_the_readme_has_console_sessions() -> None:
    commands = [command for steps in sessions() for command, _ in steps]
    assert any(command.startswith("metadata-semantics oracle") for command in commands)
    assert any(command.startswith("metadata-semantics explain") for command in commands)


def test_every_command_in_the_readme_prints_what_the_readme_shows(shell: Path) -> None:
    bash = shutil.which("bash")
    assert bash is not None
    environment = {
        **os.environ,
        "PATH": f"{shell / 'bin'}{os.pathsep}{os.environ['PATH']}",
        "NO_COLOR": "1",
        "PYTHONIOENCODING": "utf-8",
    }
    for steps in sessions():
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

"""The HTML API reference builds from the docstrings, and a broken cross-reference fails it.

Needs Sphinx (the docs extra, part of dev); skipped without it.
"""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
from pathlib import Path

import pytest

from scripts import load_script

ROOT = Path(__file__).parent.parent
builder = load_script(ROOT / "tools" / "build_api_docs.py", "build_api_docs")

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("sphinx") is None, reason="Sphinx is in the docs extra"
)


def build(source: Path, output: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        builder.command(output, source),
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )


def test_the_reference_builds_with_every_reference_resolved(tmp_path: Path) -> None:
    done = build(builder.SOURCE, tmp_path / "html")
    assert done.returncode == 0, done.stdout + done.stderr
    page = (tmp_path / "html" / "index.html").read_text("utf-8")
    for name in ("apply_request", "MetadataError", "conformance.check", "RULES", "JSONValue"):
        assert f'id="metadata_semantics.{name}"' in page, name


def test_a_broken_cross_reference_fails_the_build(tmp_path: Path) -> None:
    source = tmp_path / "source"
    shutil.copytree(builder.SOURCE, source)
    with (source / "index.rst").open("a", encoding="utf-8") as index:
        index.write("\nSee :func:`metadata_semantics.no_such_function`.\n")
    done = build(source, tmp_path / "html")
    assert done.returncode != 0
    assert "no_such_function" in done.stdout + done.stderr

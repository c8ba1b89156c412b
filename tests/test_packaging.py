"""The sdist holds everything the README and docs/ tell a reader to run or read, and the
project's URLs are real addresses."""

from __future__ import annotations

import importlib
import importlib.util
import re
import sys
import tarfile
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).parent.parent
PAGES = (ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md")))

# A path into the repository, as the pages write one: `python benchmarks/run.py`.
_REPO_PATH = re.compile(
    r"(?<![\w/.])((?:benchmarks|docs|tests|tools|\.ci|metadata_semantics)/[\w./-]*\w)"
)


def named_paths() -> set[str]:
    """Every file of the repository that a page names."""
    found: set[str] = set()
    for page in PAGES:
        for path in _REPO_PATH.findall(page.read_text("utf-8")):
            if (ROOT / path).is_file():
                found.add(path)
    return found


def project() -> dict[str, Any]:
    if sys.version_info < (3, 11):
        pytest.skip("tomllib is in the standard library from Python 3.11")
    # Imported by name: the type checkers read this file as Python 3.10's.
    tomllib: Any = importlib.import_module("tomllib")
    with (ROOT / "pyproject.toml").open("rb") as file:
        document: dict[str, Any] = tomllib.load(file)
    return document


def test_the_pages_name_the_scripts_a_reader_runs() -> None:
    paths = named_paths()
    for script in ("benchmarks/run.py", "tools/build_api_docs.py", "tests/fuzz/run.py", ".ci/run"):
        assert script in paths


def test_the_sdist_include_list_covers_every_path_the_pages_name() -> None:
    include = project()["tool"]["hatch"]["build"]["targets"]["sdist"]["include"]
    for path in named_paths():
        assert path.split("/")[0] in include, path


def test_the_project_urls_are_web_addresses() -> None:
    urls: dict[str, str] = project()["project"]["urls"]
    assert urls
    for url in urls.values():
        assert re.fullmatch(r"https://[a-z0-9.-]+\.[a-z]+/\S*", url), url
        assert "OWNER" not in url
        assert "example" not in url


@pytest.mark.skipif(
    importlib.util.find_spec("hatchling") is None, reason="hatchling is in the dev extra"
)
def test_the_built_sdist_holds_every_path_the_pages_name(tmp_path: Path) -> None:
    # The build backend, as pip runs it; it ships no type information.
    sdist: Any = importlib.import_module("hatchling.builders.sdist")
    builder: Any = sdist.SdistBuilder(str(ROOT))
    built: list[str] = list(builder.build(directory=str(tmp_path), versions=["standard"]))
    assert len(built) == 1
    with tarfile.open(built[0]) as archive:
        names = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}
    for path in (*named_paths(), "README.md", "LICENSE", "pyproject.toml"):
        assert path in names, path
    assert not any(name.startswith(("build/", ".venv")) for name in names)

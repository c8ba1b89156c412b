"""The checker sits above the library: it uses only the public face, and loads only on demand."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

import metadata_semantics
from metadata_semantics import conformance

from layers import core_public_names

PACKAGE = Path(metadata_semantics.__file__).parent
CHECK = PACKAGE / "check"


def imported_names(path: Path) -> list[tuple[str, int, list[str]]]:
    found: list[tuple[str, int, list[str]]] = []
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.ImportFrom):
            found.append((node.module or "", node.level, [alias.name for alias in node.names]))
        elif isinstance(node, ast.Import):
            found.extend((alias.name, 0, []) for alias in node.names)
    return found


def test_the_checker_imports_only_public_names_of_the_library() -> None:
    modules = sorted(CHECK.glob("*.py"))
    assert len(modules) == 8
    for path in modules:
        for module, level, names in imported_names(path):
            if level:
                # Within the checker itself.
                assert level == 1, (path.name, module)
            elif module == "metadata_semantics":
                assert set(names) <= core_public_names(), (path.name, names)
            elif module == "metadata_semantics.conformance":
                assert set(names) <= set(conformance.__all__), (path.name, names)
            else:
                assert not module.startswith("metadata_semantics"), (path.name, module)


def test_importing_the_library_does_not_import_the_checker() -> None:
    code = (
        "import sys, metadata_semantics, metadata_semantics.__main__\n"
        "assert not [m for m in sys.modules if m.startswith('metadata_semantics.check')]\n"
        "metadata_semantics.__main__._parser()\n"
        "loaded = sorted(m for m in sys.modules if m.startswith('metadata_semantics.check'))\n"
        "assert loaded == ['metadata_semantics.check', 'metadata_semantics.check._cli'], loaded\n"
        "assert 'http.client' not in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_every_public_name_of_the_checker_loads() -> None:
    from metadata_semantics import check

    for name in check.__all__:
        assert getattr(check, name) is not None
    with pytest.raises(AttributeError, match="no_such_name"):
        _ = check.no_such_name

"""The import graph: the core never loads the server, and the server uses only public names.

Public names are those of the core and of :mod:`metadata_semantics.sql`, the
SQL text the stores run.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

import metadata_semantics
import metadata_semantics.server as server_package
import metadata_semantics.sql as sql_package

from layers import core_public_names

_SERVER = Path(metadata_semantics.__file__).parent / "server"


def _loaded_after(code: str, names: list[str]) -> list[str]:
    program = f"import sys; {code}; print(sorted(set({names!r}) & set(sys.modules)))"
    done = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, check=True, timeout=60
    )
    return list(ast.literal_eval(done.stdout.strip()))


_HEAVY = [
    "metadata_semantics.server",
    "metadata_semantics.server._app",
    "metadata_semantics.server._http",
    "metadata_semantics.server._sqlite",
    "metadata_semantics.server._postgres",
    "sqlite3",
    "psycopg",
    "http.server",
]


def test_importing_the_core_imports_no_server() -> None:
    assert _loaded_after("import metadata_semantics", _HEAVY) == []


def test_importing_the_server_package_loads_no_http_or_sqlite() -> None:
    assert _loaded_after("import metadata_semantics.server", _HEAVY) == [
        "metadata_semantics.server"
    ]


def test_building_the_command_line_loads_only_the_serve_options() -> None:
    code = "from metadata_semantics.__main__ import _parser; _parser()"
    assert _loaded_after(code, _HEAVY) == ["metadata_semantics.server"]


def _imports(path: Path) -> list[ast.ImportFrom | ast.Import]:
    tree = ast.parse(path.read_text("utf-8"))
    return [node for node in ast.walk(tree) if isinstance(node, (ast.Import, ast.ImportFrom))]


def test_the_core_re_exports_names_beyond_all() -> None:
    assert core_public_names() > set(metadata_semantics.__all__)


@pytest.mark.parametrize("path", sorted(_SERVER.glob("*.py")), ids=lambda path: path.name)
def test_the_server_imports_only_public_names_of_the_core(path: Path) -> None:
    public = core_public_names()
    for node in _imports(path):
        if isinstance(node, ast.Import):
            assert all(not alias.name.startswith("metadata_semantics") for alias in node.names)
            continue
        module = node.module or ""
        if node.level:
            assert node.level == 1, "the server never reaches above its package"
            continue
        if module == "metadata_semantics":
            for alias in node.names:
                assert alias.name in public, alias.name
        elif module == "metadata_semantics.sql":
            for alias in node.names:
                assert alias.name in sql_package.__all__, alias.name
        else:
            assert not module.startswith("metadata_semantics"), module


def test_every_public_name_of_the_server_loads() -> None:
    for name in server_package.__all__:
        assert getattr(server_package, name) is not None
    with pytest.raises(AttributeError, match="no attribute 'nothing'"):
        _ = server_package.nothing

"""What the layers above the core may import from it."""

from __future__ import annotations

import ast
from pathlib import Path

import metadata_semantics


def core_public_names() -> frozenset[str]:
    """``__all__``, and every name the package re-exports as itself (``X as X``).

    The second kind is public to type checkers and documented in the API
    reference, but kept out of ``help()`` and star-imports.
    """
    tree = ast.parse(Path(metadata_semantics.__file__).read_text("utf-8"))
    names = set(metadata_semantics.__all__)
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            names.update(alias.name for alias in node.names if alias.asname == alias.name)
    return frozenset(names)

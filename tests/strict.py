"""A type-strict view of JSON values for assertions, written apart from the library.

``canonical(True) != canonical(1)`` and ``canonical(1) != canonical(1.0)``, so
comparing canonical forms catches the bugs that Python's ``==`` hides. It is
recursive and meant for the modest values that tests generate.
"""

from __future__ import annotations

import math
from typing import Any, cast

Canonical = tuple[Any, ...]


def canonical(value: object) -> Canonical:  # noqa: PLR0911 - one return per JSON type
    if value is None:
        return ("null",)
    if type(value) is bool:
        return ("bool", value)
    if type(value) is int:
        return ("int", value)
    if type(value) is float:
        return ("float", value, math.copysign(1.0, value))
    if type(value) is str:
        return ("str", value)
    if isinstance(value, list):
        items = cast("list[object]", value)
        return ("array", tuple(canonical(item) for item in items))
    if isinstance(value, dict):
        members = cast("dict[str, object]", value)
        return ("object", frozenset((key, canonical(member)) for key, member in members.items()))
    raise TypeError(f"not a JSON value: {value!r}")


def same(left: object, right: object) -> bool:
    """JSON equality, type-strict, by an implementation independent of the library."""
    return canonical(left) == canonical(right)

"""Type aliases for JSON values and the names of the three metadata fields."""

from __future__ import annotations

from typing import Final, Literal, TypeAlias

__all__ = ["FIELDS", "FieldName", "JSONValue", "Metadata"]

# ``Union`` rather than ``|``: the alias is evaluated at run time, and on
# Python 3.10 a string forward reference cannot be joined with ``|``.
JSONValue: TypeAlias = dict[str, "JSONValue"] | list["JSONValue"] | str | int | float | bool | None
"""Any JSON value, as the standard :mod:`json` module represents it."""

Metadata: TypeAlias = dict[str, JSONValue]
"""A JSON object: the shape every metadata field holds when it is not null."""

FieldName: TypeAlias = Literal["public_metadata", "private_metadata", "unsafe_metadata"]
"""The name of one metadata field, as the HTTP API spells it."""

FIELDS: Final[tuple[FieldName, FieldName, FieldName]] = (
    "public_metadata",
    "private_metadata",
    "unsafe_metadata",
)
"""The three fields, in the order the API documents them."""

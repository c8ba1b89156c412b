"""Type aliases for JSON values, and the three metadata fields' names in code and on the wire."""

from __future__ import annotations

from types import MappingProxyType
from typing import TYPE_CHECKING, Final, Literal, TypeAlias

if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = ["FIELDS", "WIRE_NAMES", "FieldName", "JSONValue", "Metadata", "Naming"]

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

Naming: TypeAlias = Literal["snake", "camel"]
"""How a body spells the fields.

``snake`` (``public_metadata``) is the wire format: every request body of
the HTTP API, including every body that the official JavaScript and Python
SDKs send. ``camel`` (``publicMetadata``) is how the JavaScript SDK's params
object spells the fields in code, before the SDK converts it to a request
body; no request body on the wire uses it.
"""

WIRE_NAMES: Final[Mapping[Naming, tuple[str, str, str]]] = MappingProxyType(
    {
        "snake": FIELDS,
        "camel": ("publicMetadata", "privateMetadata", "unsafeMetadata"),
    }
)
"""For each naming, the three fields' names in a body, in the order of :data:`FIELDS`."""

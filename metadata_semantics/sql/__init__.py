"""The two writes where the data lives: one SQL statement each, for SQLite and PostgreSQL.

This module holds SQL text and the small functions that prepare its
parameters and read its results. It imports no database driver: run the
statements through any DB-API connection of the dialect.

A write takes three steps, and only the middle one runs in the database:

1. :func:`metadata_semantics.read_request` reads and validates the request
   in Python (method, body, body size), and :func:`check_storable` refuses
   what the dialect could not store exactly;
2. the dialect's write statement applies it to the row, under the row's
   lock, and returns the new fields;
3. :func:`read_fields` reads what came back, and
   :func:`metadata_semantics.check_result` (given the request's params)
   checks the limits on it; the caller rolls back if it raises, so a
   rejected write changes nothing.

The result, or the error's code, path and field, is what
:func:`metadata_semantics.apply_request` gives, outside the differences
that :func:`check_storable` refuses; ``docs/sql.md`` lists them all.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from metadata_semantics import UserMetadata, dump_json, parse_json

from ._storable import FLOAT_CEILING, STORABLE_DEPTH, check_storable
from ._text import DIALECTS, MERGE_FUNCTION, Dialect, Statements, statements

if TYPE_CHECKING:
    from collections.abc import Sequence

    from metadata_semantics import Metadata, UserMetadataParams

__all__ = [
    "DIALECTS",
    "FLOAT_CEILING",
    "MERGE_FUNCTION",
    "STORABLE_DEPTH",
    "Dialect",
    "Statements",
    "check_storable",
    "read_fields",
    "script",
    "statements",
    "write_parameters",
]


def write_parameters(params: UserMetadataParams, user_id: str, now: int, /) -> dict[str, object]:
    """Return the parameters of a write statement: ``body``, ``id`` and ``now``.

    ``body`` is the request as compact JSON text, holding only the fields
    that ``params`` provides, so an omitted field stays out of it.
    """
    return {"body": dump_json(params.to_body()), "id": user_id, "now": now}


def read_fields(texts: Sequence[str], /) -> UserMetadata:
    """Read the three fields a write or select returned, as JSON text, into a record."""
    values = [parse_json(text) for text in texts]
    return UserMetadata(*(cast("Metadata | None", value) for value in values))


def script(dialect: Dialect, /) -> str:
    """Return the setup SQL of ``dialect`` as one text to paste into a migration."""
    return "".join(f"{statement};\n\n" for statement in statements(dialect).setup).rstrip() + "\n"

"""What each dialect cannot hold exactly, as data, and the check that refuses it up front.

Measured on PostgreSQL 15 and SQLite 3.40 (``docs/sql.md`` has the table):

- PostgreSQL's ``jsonb`` refuses U+0000 in a string or key outright;
- it keeps numbers as ``numeric``, so ``-0.0`` comes back ``0.0`` and a
  float of magnitude 1e16 or more, which Python writes with an exponent
  (``1e+16``), comes back as integer text (``10000000000000000``), that is
  as an ``int``; every other finite float and every integer round-trips;
- the merge function recurses once per level of the patch's objects, and
  PostgreSQL stops it near 700 levels with the default 2 MB
  ``max_stack_depth``;
- SQLite's JSON functions refuse text nested more than 2,000 levels (1,000
  in releases from 3.45), and a write parses the whole body, one level more
  than its fields.

The bounds below keep a margin under what was measured, so that the check
holds on other builds and settings too.
"""

from __future__ import annotations

import math
from types import MappingProxyType
from typing import TYPE_CHECKING, Final, Literal, TypeAlias, cast

from metadata_semantics import (
    FIELDS,
    OMITTED,
    WIRE_NAMES,
    InvalidArgumentError,
    InvalidValueError,
    UserMetadata,
    UserMetadataParams,
)

from ._text import DIALECTS

if TYPE_CHECKING:
    from collections.abc import Mapping

    from metadata_semantics import ErrorCode, Naming

    from ._text import Dialect

__all__ = ["FLOAT_CEILING", "STORABLE_DEPTH", "check_storable"]

# Which input held the value, as MetadataError.source spells it.
Source: TypeAlias = Literal["request", "stored"]

STORABLE_DEPTH: Final[Mapping[Dialect, int]] = MappingProxyType({"sqlite": 999, "postgresql": 500})
"""The deepest field value (containers, as ``Limits.max_depth`` counts them) each dialect takes.

SQLite: a body nested 1,000 levels, the bound of current releases (3.40
took 2,000). PostgreSQL: the merge function's recursion, measured at 699
levels under the default ``max_stack_depth``; ``jsonb`` itself parses over
13,000.
"""

FLOAT_CEILING: Final = 1e16
"""The smallest float magnitude PostgreSQL's ``jsonb`` returns as an integer."""


def _refuse(
    detail: str, code: str, segments: tuple[str | int, ...], field: str, source: Source
) -> InvalidValueError:
    return InvalidValueError(
        detail,
        code=cast("ErrorCode", code),
        segments=segments,
        field=field,
        source=source,
    )


def _check_scalar(
    value: object, segments: tuple[str | int, ...], field: str, source: Source
) -> None:
    """Raise for a PostgreSQL string or number that ``jsonb`` would refuse or change."""
    if isinstance(value, str):
        if "\x00" in value:
            raise _refuse(
                "PostgreSQL cannot store U+0000 in a string or key", "unstorable_string",
                segments, field, source,
            )  # fmt: skip
    elif isinstance(value, float) and (
        abs(value) >= FLOAT_CEILING or (value == 0.0 and math.copysign(1.0, value) < 0)
    ):
        raise _refuse(
            f"PostgreSQL would store the float {value!r} as "
            + ("0.0" if value == 0.0 else "an integer"),
            "unstorable_number",
            segments,
            field,
            source,
        )


def _check_value(value: object, dialect: Dialect, key: str, field: str, source: Source) -> None:
    """Walk one field's value in document order; raise for the first thing it cannot hold."""
    bound = STORABLE_DEPTH[dialect]
    strict = dialect == "postgresql"
    # Pending (value, path, depth of the containers above it), last first.
    pending: list[tuple[object, tuple[str | int, ...], int]] = [(value, (key,), 0)]
    while pending:
        item, segments, depth = pending.pop()
        if isinstance(item, (dict, list)):
            if depth + 1 > bound:
                raise _refuse(
                    f"{field} nests deeper than the {bound} levels {dialect} can take",
                    "unstorable_depth",
                    segments,
                    field,
                    source,
                )
            if isinstance(item, dict):
                members = cast("dict[object, object]", item)
                for name in members:
                    if strict:
                        _check_scalar(name, (*segments, cast(str, name)), field, source)
                children = [
                    ((*segments, cast(str, name)), member) for name, member in members.items()
                ]
            else:
                items = cast("list[object]", item)
                children = [((*segments, index), member) for index, member in enumerate(items)]
            pending.extend((member, path, depth + 1) for path, member in reversed(children))
        elif strict:
            _check_scalar(item, segments, field, source)


def check_storable(
    value: UserMetadataParams | UserMetadata,
    dialect: Dialect,
    /,
    *,
    naming: Naming = "snake",
) -> None:
    """Raise :class:`InvalidValueError` if ``dialect`` cannot store ``value`` exactly.

    ``value`` is a request as :func:`metadata_semantics.read_request`
    returns it (call this before the write statement), or a whole record
    about to be inserted. Checks each provided field in field order, and
    inside it in document order: a depth beyond :data:`STORABLE_DEPTH`
    (``unstorable_depth``), and for PostgreSQL a U+0000 in a string or key
    (``unstorable_string``) and a float ``jsonb`` would change
    (``unstorable_number``). The path starts at the body's root, in
    ``naming``. A request is ``source="request"``, a record ``"stored"``.
    Raises :class:`InvalidArgumentError` for another kind of ``value`` or
    naming, and :class:`ValueError` for an unknown dialect. Changes nothing.

    Checking the request is enough for a write: a merge's result holds only
    the stored values and the request's, and the stored ones came out of the
    database; its depth is at most the deeper of the two.
    """
    if dialect not in DIALECTS:
        raise ValueError(f"unknown SQL dialect {dialect!r}; use one of {', '.join(DIALECTS)}")
    if naming not in WIRE_NAMES:
        raise InvalidArgumentError(
            f"naming must be 'snake' or 'camel', not {naming!r}", code="invalid_argument"
        )
    if type(value) is UserMetadataParams:
        source: Source = "request"
    elif type(value) is UserMetadata:
        source = "stored"
    else:
        raise InvalidArgumentError(
            "value must be a UserMetadataParams or a UserMetadata, not "
            + type(value).__qualname__,
            code="invalid_argument",
        )
    for field, key in zip(FIELDS, WIRE_NAMES[naming], strict=True):
        member: object = getattr(value, field)
        if member is not OMITTED:
            _check_value(member, dialect, key, field, source)

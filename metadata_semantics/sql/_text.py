"""The SQL text of each dialect, as data: the table, the merge function and the two writes.

Nothing here imports a database driver. Every statement takes its values as
named parameters in its dialect's style (``:name`` for SQLite,
``%(name)s`` for PostgreSQL), so no value is ever spliced into SQL text.

A write is one ``UPDATE`` that reads the request body from one JSON
parameter, ``body``. A field's key present in the body means the request
provides it (as an object or as JSON null); an absent key means the field
is omitted and the column keeps its value. That is how the three field
states survive the trip to SQL.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import TYPE_CHECKING, Final, Literal, TypeAlias

from metadata_semantics import FIELDS

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from metadata_semantics import Operation

__all__ = ["DIALECTS", "MERGE_FUNCTION", "Dialect", "statements"]

Dialect: TypeAlias = Literal["sqlite", "postgresql"]

DIALECTS: Final[tuple[Dialect, ...]] = ("sqlite", "postgresql")
"""The dialects this module writes SQL for."""

MERGE_FUNCTION: Final = """\
CREATE OR REPLACE FUNCTION metadata_merge_patch(target jsonb, patch jsonb)
RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
AS $$
BEGIN
    -- RFC 7396: a patch that is not an object replaces the target whole.
    IF jsonb_typeof(patch) IS DISTINCT FROM 'object' THEN
        RETURN patch;
    END IF;
    -- A target that is not an object (or is absent) counts as {}.
    IF jsonb_typeof(target) IS DISTINCT FROM 'object' THEN
        target := '{}';
    END IF;
    -- Every key the patch names leaves the target; those with a non-null
    -- value come back, merged recursively with what the target held.
    RETURN (target - ARRAY(SELECT jsonb_object_keys(patch)))
        || coalesce(
            (SELECT jsonb_object_agg(p.key, metadata_merge_patch(target -> p.key, p.value))
             FROM jsonb_each(patch) AS p
             WHERE jsonb_typeof(p.value) <> 'null'),
            '{}');
END
$$"""
"""``metadata_merge_patch(target jsonb, patch jsonb) RETURNS jsonb``: RFC 7396 in PL/pgSQL."""

_COLUMNS: Final = ("id", "created_at", "updated_at", "profile", *FIELDS)


def _table(text: str, integer: str, document: str) -> str:
    metadata = ",\n".join(f"    {name} {document} NOT NULL" for name in FIELDS)
    return (
        "CREATE TABLE IF NOT EXISTS users (\n"
        f"    id {text} PRIMARY KEY NOT NULL,\n"
        f"    created_at {integer} NOT NULL,\n"
        f"    updated_at {integer} NOT NULL,\n"
        f"    profile {document} NOT NULL,\n"
        f"{metadata}\n"
        ")"
    )


class _Style:
    """How one dialect spells what differs: parameters, JSON access, the merge."""

    def __init__(
        self,
        param: Callable[[str], str],
        present: Callable[[str], str],
        member: Callable[[str], str],
        merge: Callable[[str, str], str],
        text: Callable[[str], str],
    ) -> None:
        self.param = param
        self.present = present
        self.member = member
        self.merge = merge
        self.text = text


_STYLES: Final[Mapping[Dialect, _Style]] = MappingProxyType(
    {
        "sqlite": _Style(
            param=lambda name: f":{name}",
            # ``->`` gives a member as JSON text ('null' for JSON null), and
            # SQL NULL only when the key is absent.
            present=lambda field: f":body -> '$.{field}' IS NOT NULL",
            member=lambda field: f":body -> '$.{field}'",
            merge=lambda column, patch: f"json_patch({column}, {patch})",
            text=lambda column: column,
        ),
        "postgresql": _Style(
            param=lambda name: f"%({name})s",
            present=lambda field: f"request.body ? '{field}'",
            member=lambda field: f"request.body -> '{field}'",
            merge=lambda column, patch: f"metadata_merge_patch({column}, {patch})",
            text=lambda column: f"{column}::text",
        ),
    }
)


def _write(dialect: Dialect, operation: Operation) -> str:
    style = _STYLES[dialect]
    assignments = [f"updated_at = {style.param('now')}"]
    for field in FIELDS:
        given = style.member(field)
        new = given if operation == "replace" else style.merge(f"users.{field}", given)
        assignments.append(
            f"{field} = CASE WHEN {style.present(field)} THEN {new} ELSE users.{field} END"
        )
    head = ""
    source = ""
    if dialect == "postgresql":
        head = f"WITH request AS (SELECT {style.param('body')}::jsonb AS body)\n"
        source = "\nFROM request"
    returned = ", ".join(style.text(field) for field in FIELDS)
    body = ",\n    ".join(assignments)
    return (
        f"{head}UPDATE users SET\n    {body}{source}\n"
        f"WHERE users.id = {style.param('id')}\n"
        f"RETURNING {returned}"
    )


class Statements:
    """Every statement one dialect needs, as text with named parameters.

    ``setup`` creates what the statements use (run once, idempotent);
    ``insert`` stores a whole user (parameters ``id``, ``created_at``,
    ``updated_at``, ``profile`` and the three fields, as JSON text);
    ``select`` and ``delete`` take ``id``; ``writes`` maps each operation to
    its one-statement write, which takes ``body`` (the request body as JSON
    text), ``now`` and ``id`` and returns the three new fields as JSON text,
    or no row when there is no such user.
    """

    def __init__(self, dialect: Dialect) -> None:
        style = _STYLES[dialect]
        document = "jsonb" if dialect == "postgresql" else "TEXT"
        integer = "bigint" if dialect == "postgresql" else "INTEGER"
        self.dialect: Final = dialect
        table = _table("text" if dialect == "postgresql" else "TEXT", integer, document)
        if dialect == "sqlite":
            table += " WITHOUT ROWID"
        self.setup: Final[tuple[str, ...]] = (
            (table, MERGE_FUNCTION) if dialect == "postgresql" else (table,)
        )
        cast = "::jsonb" if dialect == "postgresql" else ""
        values = ", ".join(
            style.param(name) + (cast if name in {"profile", *FIELDS} else "") for name in _COLUMNS
        )
        updates = ", ".join(f"{name} = excluded.{name}" for name in _COLUMNS[1:])
        # Only column names and placeholders are joined into the text below;
        # every value travels as a parameter.
        self.insert: Final = (
            f"INSERT INTO users ({', '.join(_COLUMNS)}) VALUES ({values})\n"
            f"ON CONFLICT (id) DO UPDATE SET {updates}"
        )
        selected = ", ".join(
            style.text(name) if name in {"profile", *FIELDS} else name for name in _COLUMNS
        )
        self.select: Final = f"SELECT {selected} FROM users WHERE id = {style.param('id')}"
        self.delete: Final = f"DELETE FROM users WHERE id = {style.param('id')}"
        self.delete_all: Final = "DELETE FROM users"
        self.writes: Final[Mapping[Operation, str]] = MappingProxyType(
            {operation: _write(dialect, operation) for operation in ("replace", "merge")}
        )


def statements(dialect: Dialect, /) -> Statements:
    """Return every statement of ``dialect``; raises :class:`ValueError` for another name."""
    if dialect not in _STYLES:
        raise ValueError(f"unknown SQL dialect {dialect!r}; use one of {', '.join(DIALECTS)}")
    return Statements(dialect)

"""One write as a store runs it, on a real SQLite or PostgreSQL row, for the SQL tests.

A write is the three steps ``metadata_semantics.sql`` prescribes:
``read_request`` and ``check_storable`` in Python, the dialect's one
``UPDATE`` inside a transaction, then ``read_fields`` and ``check_result``
on what it returned, rolling back if anything raises.
"""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING, Any, cast

from metadata_semantics import (
    UPSTREAM_LIMITS,
    Limits,
    UserMetadata,
    check_result,
    dump_json,
    read_request,
)
from metadata_semantics.sql import (
    FLOAT_CEILING,
    Dialect,
    check_storable,
    read_fields,
    statements,
    write_parameters,
)

if TYPE_CHECKING:
    from collections.abc import Iterator

    import pytest
    from typing_extensions import LiteralString

    from postgres import Cluster

USER = "user_1"


def query(text: str) -> LiteralString:
    """Our statements as psycopg's typed API wants them.

    psycopg's stubs accept only ``LiteralString`` queries, to keep values out
    of SQL text; these statements are module constants whose values all
    travel as parameters, so passing them as one loses nothing.
    """
    return text  # pyright: ignore[reportReturnType]


class Database:
    """One connection of one dialect, with the schema installed and one user stored."""

    def __init__(self, dialect: Dialect, connection: Any) -> None:
        self.dialect: Dialect = dialect
        self.connection = connection
        self.statements = statements(dialect)
        for statement in self.statements.setup:
            self._execute(statement, {})
        self.writes = 0

    def _execute(self, text: str, parameters: dict[str, object]) -> list[tuple[Any, ...]]:
        cursor = self.connection.execute(query(text), parameters)
        return list(cursor.fetchall()) if cursor.description is not None else []

    def store(self, record: UserMetadata, user_id: str = USER) -> None:
        """Insert or overwrite the user, with ``record``'s fields as canonical JSON text."""
        fields = {name: dump_json(value) for name, value in record.to_body().items()}
        self._execute(
            self.statements.insert,
            {"id": user_id, "created_at": 0, "updated_at": 0, "profile": "{}", **fields},
        )

    def read(self, user_id: str = USER) -> tuple[int, UserMetadata]:
        """The user's ``updated_at`` and fields, as stored."""
        rows = self._execute(self.statements.select, {"id": user_id})
        (row,) = rows
        return row[2], read_fields(row[4:])

    def write(
        self,
        method: str,
        body: str | None,
        *,
        limits: Limits | None = UPSTREAM_LIMITS,
        user_id: str = USER,
        now: int = 1,
    ) -> UserMetadata | None:
        """Apply one request to the row in one statement; ``None`` if there is no such user.

        Raises what ``read_request``, ``check_storable`` or ``check_result``
        raise; the transaction is then rolled back.
        """
        operation, params = read_request(method, body, limits=limits)
        check_storable(params, self.dialect)
        with self._transaction():
            rows = self._execute(
                self.statements.writes[operation], write_parameters(params, user_id, now)
            )
            if not rows:
                return None
            result = read_fields(rows[0])
            check_result(result, limits, params=params)
        self.writes += 1
        return result

    def _transaction(self) -> Any:
        if self.dialect == "postgresql":
            return self.connection.transaction()
        return _sqlite_transaction(self.connection)


class _sqlite_transaction:  # noqa: N801 - used like a function, as psycopg's transaction()
    def __init__(self, connection: sqlite3.Connection) -> None:
        self.connection = connection

    def __enter__(self) -> None:
        self.connection.execute("BEGIN IMMEDIATE")

    def __exit__(self, kind: object, *_: object) -> None:
        self.connection.execute("COMMIT" if kind is None else "ROLLBACK")


def sqlite_database() -> Database:
    """An in-memory SQLite database in autocommit mode, so transactions are explicit."""
    return Database("sqlite", sqlite3.connect(":memory:", isolation_level=None))


def postgresql_database(dsn: str) -> Iterator[Database]:
    """A connection to ``dsn`` with the schema installed; closed when the generator ends."""
    import psycopg

    with psycopg.connect(dsn, autocommit=True) as connection:
        yield Database("postgresql", connection)


def open_database(dialect: Dialect, request: pytest.FixtureRequest) -> Iterator[Database]:
    """A fresh database of ``dialect`` for a fixture; PostgreSQL's comes from ``postgres``."""
    if dialect == "sqlite":
        database = sqlite_database()
        yield database
        database.connection.close()
        return
    cluster = cast("Cluster", request.getfixturevalue("postgres"))
    yield from postgresql_database(cluster.database())


def storable(value: Any, dialect: Dialect) -> Any:
    """``value`` moved out of the dialect's documented differences, for generators to map through.

    The differential proves equality outside the differences that
    ``check_storable`` refuses, so generated values stay outside them on
    purpose: for PostgreSQL, U+0000 becomes ``"0"``, ``-0.0`` becomes
    ``0.0`` and a float of magnitude 1e16 or more is divided down below it.
    Depth is left alone: the generators stay far above both bounds.
    """
    if dialect == "sqlite":
        return value
    if isinstance(value, dict):
        members = cast("dict[str, Any]", value)
        return {
            key.replace("\x00", "0"): storable(member, dialect) for key, member in members.items()
        }
    if isinstance(value, list):
        return [storable(item, dialect) for item in cast("list[Any]", value)]  # type: ignore[redundant-cast]
    if isinstance(value, str):
        return value.replace("\x00", "0")
    if isinstance(value, float):
        while abs(value) >= FLOAT_CEILING:
            value /= 1e16
        return value + 0.0  # -0.0 + 0.0 is 0.0
    return value

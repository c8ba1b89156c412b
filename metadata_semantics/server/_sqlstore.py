"""What every SQL store shares: the statements of :mod:`metadata_semantics.sql`, run in order.

A store of one dialect supplies two things, how to run one statement on its
own and how to run several in one transaction; everything else (which
statement, with which parameters, and how its rows become users) is here,
once. The request log is kept in this process, in memory, whatever the
database: it is a test aid, and several processes on one database each keep
their own.
"""

from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from collections import deque
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Final, cast

from metadata_semantics import UserMetadata, dump_json, parse_json
from metadata_semantics.sql import check_storable, read_fields, statements, write_parameters

from ._store import StoredUser, valid_user_id

if TYPE_CHECKING:
    from collections.abc import Sequence
    from contextlib import AbstractContextManager

    from metadata_semantics import JSONValue, Operation, UserMetadataParams
    from metadata_semantics.sql import Dialect

__all__ = ["LOG_SIZE", "Rows", "Run", "SQLStore"]

LOG_SIZE: Final = 1000
"""How many requests the log keeps; older ones are dropped first."""

Rows = tuple[list[tuple[object, ...]], int]
"""What one statement gives back: its rows, and how many rows it changed."""

Run = Callable[[str, Mapping[str, object]], Rows]
"""Runs one statement with its parameters, inside a transaction."""


def _checked(user_id: str) -> str:
    # The app validates ids first; this is the store's own guard.
    if not valid_user_id(user_id):
        raise ValueError(f"not a user id: {user_id[:80]!r}")
    return user_id


def _user(row: Sequence[object], metadata: UserMetadata | None = None) -> StoredUser:
    user_id, created_at, updated_at, profile, *fields = row
    return StoredUser(
        cast("str", user_id),
        cast("int", created_at),
        cast("int", updated_at),
        cast("dict[str, JSONValue]", parse_json(cast("str", profile))),
        read_fields(cast("list[str]", fields)) if metadata is None else metadata,
    )


def _insert_parameters(user: StoredUser) -> dict[str, object]:
    metadata = user.metadata
    return {
        "id": _checked(user.id),
        "created_at": user.created_at,
        "updated_at": user.updated_at,
        "profile": dump_json(dict(user.profile)),
        "public_metadata": dump_json(metadata.public_metadata),
        "private_metadata": dump_json(metadata.private_metadata),
        "unsafe_metadata": dump_json(metadata.unsafe_metadata),
    }


class SQLStore(ABC):
    """A :class:`Store` over the statements of one SQL dialect."""

    def __init__(self, dialect: Dialect) -> None:
        """Take the statements of ``dialect``; the subclass opens the database."""
        self.dialect: Final = dialect
        self._sql = statements(dialect)
        self._log: deque[Mapping[str, JSONValue]] = deque(maxlen=LOG_SIZE)
        self._log_lock = threading.Lock()

    @abstractmethod
    def _run(self, statement: str, parameters: Mapping[str, object], /) -> Rows:
        """Run one statement in a transaction of its own; return its rows and row count."""

    @abstractmethod
    def _transaction(self) -> AbstractContextManager[Run]:
        """Open a write transaction; yield a runner of statements inside it.

        Leaving the block commits; an exception rolls back and propagates.
        """

    def create(self, user: StoredUser, /) -> None:
        """Store a new user, or replace the one with the same id."""
        self._run(self._sql.insert, _insert_parameters(user))

    def get(self, user_id: str, /) -> StoredUser | None:
        """Return the user with this id, or ``None``."""
        rows, _ = self._run(self._sql.select, {"id": _checked(user_id)})
        return _user(rows[0]) if rows else None

    def delete(self, user_id: str, /) -> bool:
        """Remove the user with this id; tell whether there was one."""
        _, count = self._run(self._sql.delete, {"id": _checked(user_id)})
        return count > 0

    def write(
        self,
        user_id: str,
        operation: Operation,
        params: UserMetadataParams,
        now: int,
        check: Callable[[UserMetadata], None],
        /,
    ) -> StoredUser | None:
        """Apply one write in the database, in one transaction, and return the new user.

        The dialect's one write statement changes the row under its lock and
        returns the new fields; ``check`` sees them before the commit, and
        if it raises the transaction is rolled back and the error
        propagates. Returns ``None`` if there is no such user. Raises
        :class:`metadata_semantics.MetadataError` before any SQL runs for a
        request value the dialect cannot hold exactly (``check_storable``).
        """
        key = _checked(user_id)
        check_storable(params, self.dialect)
        with self._transaction() as run:
            written, _ = run(self._sql.writes[operation], write_parameters(params, key, now))
            if not written:
                return None
            metadata = read_fields(cast("list[str]", written[0]))
            check(metadata)
            # Read in the same transaction, under the row lock the write took,
            # for the members the write statement does not return.
            rows, _ = run(self._sql.select, {"id": key})
        return _user(rows[0], metadata)

    def reset(self) -> int:
        """Remove every user and empty this process's request log; return how many users."""
        _, removed = self._run(self._sql.delete_all, {})
        with self._log_lock:
            self._log.clear()
        return removed

    def log(self, entry: Mapping[str, JSONValue], /) -> None:
        """Add one entry to the request log (the oldest go once it is full)."""
        with self._log_lock:
            self._log.append(entry)

    def logged(self) -> list[Mapping[str, JSONValue]]:
        """Return the request log, oldest first."""
        with self._log_lock:
            return list(self._log)

    @abstractmethod
    def close(self) -> None:
        """Release the database; the store must not be used afterwards."""

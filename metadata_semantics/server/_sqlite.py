"""The SQLite store: one row per user, one transaction per write, WAL on a file.

Every statement is written once below, with parameters for every value. A
write runs ``BEGIN IMMEDIATE``, reads the row, applies the change, writes the
row and commits, all under one lock, so concurrent writes to one user run
one after another and none is lost. A file database runs in WAL mode with
``synchronous=NORMAL``: a committed write survives the process being killed
at any moment (a power cut may lose the last few commits).
"""

from __future__ import annotations

import sqlite3
import threading
from collections import deque
from typing import TYPE_CHECKING, Final, cast

from metadata_semantics import UserMetadata, dump_json, parse_json

from ._store import StoredUser, valid_user_id

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from metadata_semantics import JSONValue

__all__ = ["LOG_SIZE", "SQLiteStore"]

LOG_SIZE: Final = 1000
"""How many requests the log keeps; older ones are dropped first."""

_SCHEMA: Final = """
CREATE TABLE IF NOT EXISTS users (
    id TEXT PRIMARY KEY NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    profile TEXT NOT NULL,
    public_metadata TEXT NOT NULL,
    private_metadata TEXT NOT NULL,
    unsafe_metadata TEXT NOT NULL
) WITHOUT ROWID
"""
_SELECT: Final = (
    "SELECT id, created_at, updated_at, profile, public_metadata, private_metadata, "
    "unsafe_metadata FROM users WHERE id = ?"
)
_UPSERT: Final = (
    "INSERT OR REPLACE INTO users (id, created_at, updated_at, profile, public_metadata, "
    "private_metadata, unsafe_metadata) VALUES (?, ?, ?, ?, ?, ?, ?)"
)
_UPDATE: Final = (
    "UPDATE users SET updated_at = ?, public_metadata = ?, private_metadata = ?, "
    "unsafe_metadata = ? WHERE id = ?"
)
_DELETE: Final = "DELETE FROM users WHERE id = ?"
_DELETE_ALL: Final = "DELETE FROM users"

_Row = tuple[str, int, int, str, str, str, str]


def _checked(user_id: str) -> str:
    # The app validates ids first; this is the store's own guard.
    if not valid_user_id(user_id):
        raise ValueError(f"not a user id: {user_id[:80]!r}")
    return user_id


def _user(row: _Row) -> StoredUser:
    user_id, created_at, updated_at, profile, public, private, unsafe = row
    return StoredUser(
        user_id,
        created_at,
        updated_at,
        cast("dict[str, JSONValue]", parse_json(profile)),
        UserMetadata(*(_field(text) for text in (public, private, unsafe))),
    )


def _field(text: str) -> dict[str, JSONValue] | None:
    value = parse_json(text)
    return value if isinstance(value, dict) else None


def _texts(metadata: UserMetadata) -> tuple[str, str, str]:
    return (
        dump_json(metadata.public_metadata),
        dump_json(metadata.private_metadata),
        dump_json(metadata.unsafe_metadata),
    )


class SQLiteStore:
    """A :class:`Store` in one SQLite database: a file path, or ``":memory:"``."""

    def __init__(self, database: str, /) -> None:
        """Open (and create if needed) the database; a file is put in WAL mode.

        Raises :class:`sqlite3.Error` if the database cannot be opened or set up.
        """
        # One connection, used under one lock: writes are serialised anyway,
        # and a ":memory:" database exists only inside its connection.
        self._db = sqlite3.connect(database, isolation_level=None, check_same_thread=False)
        self._lock = threading.Lock()
        self._log: deque[Mapping[str, JSONValue]] = deque(maxlen=LOG_SIZE)
        try:
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.execute("PRAGMA busy_timeout=5000")
            self._db.execute(_SCHEMA)
        except sqlite3.Error:  # for example a file that is not a database
            self._db.close()
            raise

    def create(self, user: StoredUser, /) -> None:
        """Store a new user, or replace the one with the same id."""
        row = (
            _checked(user.id),
            user.created_at,
            user.updated_at,
            dump_json(dict(user.profile)),
            *_texts(user.metadata),
        )
        with self._lock:
            self._db.execute(_UPSERT, row)

    def get(self, user_id: str, /) -> StoredUser | None:
        """Return the user with this id, or ``None``."""
        with self._lock:
            row: _Row | None = self._db.execute(_SELECT, (_checked(user_id),)).fetchone()
        return None if row is None else _user(row)

    def delete(self, user_id: str, /) -> bool:
        """Remove the user with this id; tell whether there was one."""
        with self._lock:
            return self._db.execute(_DELETE, (_checked(user_id),)).rowcount > 0

    def update(
        self, user_id: str, change: Callable[[UserMetadata], UserMetadata], now: int, /
    ) -> StoredUser | None:
        """Apply ``change`` to the user's metadata in one transaction and return the new user.

        Returns ``None`` if there is no such user. If ``change`` raises,
        the transaction is rolled back and the error propagates.
        """
        key = _checked(user_id)
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                row: _Row | None = self._db.execute(_SELECT, (key,)).fetchone()
                if row is None:
                    self._db.execute("ROLLBACK")
                    return None
                user = _user(row)
                metadata = change(user.metadata)
                self._db.execute(_UPDATE, (now, *_texts(metadata), key))
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
        return StoredUser(user.id, user.created_at, now, user.profile, metadata)

    def reset(self) -> int:
        """Remove every user and empty the request log; return how many users there were."""
        with self._lock:
            removed = self._db.execute(_DELETE_ALL).rowcount
            self._log.clear()
        return removed

    def log(self, entry: Mapping[str, JSONValue], /) -> None:
        """Add one entry to the request log (the oldest go once it is full)."""
        with self._lock:
            self._log.append(entry)

    def logged(self) -> list[Mapping[str, JSONValue]]:
        """Return the request log, oldest first."""
        with self._lock:
            return list(self._log)

    def close(self) -> None:
        """Close the database; a file database is checkpointed first."""
        with self._lock:
            self._db.close()

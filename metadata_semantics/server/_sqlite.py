"""The SQLite store: one row per user, each write one statement, WAL on a file.

The statements are SQLite's from :mod:`metadata_semantics.sql`. A write runs
``BEGIN IMMEDIATE``, the one write statement (``json_patch`` for a merge),
the check of its result, and ``COMMIT``; one connection under one lock
serves every thread, so writes run one after another and none is lost. A
file database runs in WAL mode with ``synchronous=NORMAL``: a committed write
survives the process being killed at any moment (a power cut may lose the
last few commits). Several processes may share one file; each write holds
SQLite's write lock for its transaction.
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
from typing import TYPE_CHECKING, Final

from ._sqlstore import LOG_SIZE, Rows, Run, SQLStore
from ._store import UnstorableError

if TYPE_CHECKING:
    from collections.abc import Generator, Mapping

__all__ = ["LOG_SIZE", "SQLiteStore"]

_UNSTORABLE: Final = frozenset({"malformed JSON"})
"""What SQLite's JSON functions say of a value nested beyond their limit: every
text they are given is JSON the library wrote, so this is the only cause."""


class SQLiteStore(SQLStore):
    """A :class:`Store` in one SQLite database: a file path, or ``":memory:"``."""

    def __init__(self, database: str, /) -> None:
        """Open (and create if needed) the database; a file is put in WAL mode.

        Raises :class:`sqlite3.Error` if the database cannot be opened or set up.
        """
        super().__init__("sqlite")
        # One connection, used under one lock: writes are serialised anyway,
        # and a ":memory:" database exists only inside its connection.
        self._db = sqlite3.connect(database, isolation_level=None, check_same_thread=False)
        self._lock = threading.Lock()
        try:
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.execute("PRAGMA busy_timeout=5000")
            for statement in self._sql.setup:
                self._db.execute(statement)
        except sqlite3.Error:  # for example a file that is not a database
            self._db.close()
            raise

    def _execute(self, statement: str, parameters: Mapping[str, object]) -> Rows:
        try:
            cursor = self._db.execute(statement, parameters)
        except sqlite3.OperationalError as error:
            if str(error) in _UNSTORABLE:
                raise UnstorableError(f"SQLite cannot hold this value: {error}") from None
            raise
        return cursor.fetchall(), cursor.rowcount

    def _run(self, statement: str, parameters: Mapping[str, object], /) -> Rows:
        """Run one statement in a transaction of its own."""
        with self._lock:
            return self._execute(statement, parameters)

    @contextlib.contextmanager
    def _transaction(self) -> Generator[Run]:
        """Hold the lock and SQLite's write lock (``BEGIN IMMEDIATE``) until the block ends."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._execute
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def close(self) -> None:
        """Close the database; a file database is checkpointed first."""
        with self._lock:
            self._db.close()

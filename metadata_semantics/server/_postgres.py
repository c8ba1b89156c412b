"""The PostgreSQL store: several server processes on one database, each write one statement.

The statements are PostgreSQL's from :mod:`metadata_semantics.sql`; a merge
runs the installed ``metadata_merge_patch`` function. A write is one
``UPDATE ... RETURNING`` in a transaction, so the row lock PostgreSQL takes
for it is the only concurrency control: concurrent writes to one user, from
threads of one process or from several processes, run one after another and
none is lost. The answer goes out only after ``COMMIT`` returns, so an
acknowledged write is as durable as the server's settings make a commit.

The driver, psycopg 3, is the ``postgres`` extra; it is imported only when
this store is opened. Each thread borrows a connection from a small pool.
"""

from __future__ import annotations

import contextlib
import importlib
import threading
from typing import TYPE_CHECKING, Any, Final, cast

from ._sqlstore import Rows, Run, SQLStore
from ._store import StoreError, UnstorableError

if TYPE_CHECKING:
    from collections.abc import Generator, Mapping

    import psycopg

__all__ = ["POOL_SIZE", "SCHEMES", "PostgresStore"]

SCHEMES: Final = ("postgresql://", "postgres://")
"""How a ``--db`` value that names a PostgreSQL database begins."""

POOL_SIZE: Final = 8
"""How many connections one store opens at most; more threads wait for one."""

_SETUP_LOCK: Final = 0x6D657461_64617461
"""The advisory lock key taken around setup, so that two processes starting at
once do not create the table or the function at the same moment."""

_UNSTORABLE: Final = frozenset({"22", "54"})
"""The SQLSTATE classes of a value the database refuses: data exceptions (22,
such as ``untranslatable_character``) and program limits exceeded (54, such
as ``statement_too_complex`` for a value nested too deep)."""

_CONNECT_TIMEOUT: Final = 10
"""Seconds to wait for the database when a connection is opened."""

_MISSING: Final = "PostgreSQL needs the psycopg driver: pip install 'metadata-semantics[postgres]'"


def _driver() -> Any:
    try:
        return importlib.import_module("psycopg")
    except ImportError:
        raise StoreError(_MISSING) from None


def _query(text: str) -> bytes:
    # psycopg's types take a query as a literal string (to keep values out
    # of SQL text) or as bytes. Ours are the fixed statements of
    # metadata_semantics.sql, built from column names and placeholders only,
    # with every value a parameter: they go as their UTF-8 bytes.
    return text.encode("utf-8")


class PostgresStore(SQLStore):
    """A :class:`Store` in one PostgreSQL database, named by a libpq URL or connection string."""

    def __init__(self, url: str, /, *, pool_size: int = POOL_SIZE) -> None:
        """Connect, and create the table and the merge function if they are missing.

        Setup runs under an advisory lock and is idempotent, so any number
        of processes may start on one database at once. Raises
        :class:`StoreError` if the driver is missing or the database cannot
        be reached or set up.
        """
        super().__init__("postgresql")
        self._psycopg = _driver()
        self._url = url
        self._idle: list[psycopg.Connection[tuple[Any, ...]]] = []
        self._slots = threading.BoundedSemaphore(pool_size)
        self._lock = threading.Lock()
        self._closed = False
        try:
            connection = self._connect()
        except self._psycopg.Error as error:
            raise StoreError(_first_line(error)) from None
        try:
            with connection.transaction():
                connection.execute("SELECT pg_advisory_xact_lock(%s)", (_SETUP_LOCK,))
                for statement in self._sql.setup:
                    connection.execute(_query(statement))
        except self._psycopg.Error as error:
            connection.close()
            raise StoreError(_first_line(error)) from None
        self._idle.append(connection)

    def _connect(self) -> psycopg.Connection[tuple[Any, ...]]:
        return cast(
            "psycopg.Connection[tuple[Any, ...]]",
            self._psycopg.connect(self._url, autocommit=True, connect_timeout=_CONNECT_TIMEOUT),
        )

    @contextlib.contextmanager
    def _connection(self) -> Generator[psycopg.Connection[tuple[Any, ...]]]:
        """Lend one connection of the pool (opened if none is idle) for the block."""
        with self._slots:
            with self._lock:
                connection = self._idle.pop() if self._idle else None
            if connection is None or connection.closed:
                # A connection the server closed while it sat idle is dropped.
                connection = self._connect()
            try:
                yield connection
            finally:
                with self._lock:
                    if self._closed or connection.broken:
                        connection.close()
                    else:
                        self._idle.append(connection)

    def _execute(
        self,
        connection: psycopg.Connection[tuple[Any, ...]],
        statement: str,
        parameters: Mapping[str, object],
    ) -> Rows:
        try:
            cursor = connection.execute(_query(statement), parameters)
        except self._psycopg.Error as error:
            # Every text sent is JSON the library wrote: what PostgreSQL
            # refuses in it is a value jsonb cannot hold (a \u0000 in a
            # string), or one nested deeper than its stack allows.
            if str(getattr(error, "sqlstate", None) or "")[:2] not in _UNSTORABLE:
                raise
            raise UnstorableError(
                f"PostgreSQL cannot hold this value: {_first_line(error)}"
            ) from None
        rows = cursor.fetchall() if cursor.description is not None else []
        return rows, cursor.rowcount

    def _run(self, statement: str, parameters: Mapping[str, object], /) -> Rows:
        """Run one statement in a transaction of its own."""
        with self._connection() as connection:
            return self._execute(connection, statement, parameters)

    @contextlib.contextmanager
    def _transaction(self) -> Generator[Run]:
        """Run the block's statements in one transaction on one borrowed connection."""
        with self._connection() as connection, connection.transaction():

            def run(statement: str, parameters: Mapping[str, object]) -> Rows:
                return self._execute(connection, statement, parameters)

            yield run

    def close(self) -> None:
        """Close every idle connection; one in use is closed when it is given back."""
        with self._lock:
            self._closed = True
            idle, self._idle = self._idle, []
        for connection in idle:
            connection.close()


def _first_line(error: BaseException) -> str:
    return (str(error).strip().splitlines() or [type(error).__name__])[0]

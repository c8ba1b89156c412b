"""The one-statement SQL writes against the read-merge-write round trip, on SQLite and PostgreSQL.

The same run measures, on each database:

- **one write**: a ``PATCH`` or a ``PUT`` of one user, with about 100 B and
  about 4 KB of stored metadata, applied two ways. The *one statement* is
  ``metadata_semantics.sql``'s write: ``read_request``, the dialect's
  ``UPDATE ... RETURNING`` in a transaction, ``read_fields`` and
  ``check_result``. The *round trip* is what a store does without it:
  ``read_request``, then in one transaction that holds the row's lock
  (``BEGIN IMMEDIATE`` in SQLite, ``SELECT ... FOR UPDATE`` in
  PostgreSQL) a ``SELECT`` of the three fields, ``read_fields``,
  ``merge_metadata`` or ``replace_metadata``, ``check_result`` and an
  ``UPDATE`` of the three fields.
- **a bulk write**: one merge patch applied to every user of a large table,
  as ONE ``UPDATE users SET public_metadata = <merge>(public_metadata,
  :patch)`` (SQLite's ``json_patch``, PostgreSQL's ``metadata_merge_patch``)
  against a Python loop that reads every row, merges the patch with
  ``merge_patch`` and writes the rows back with ``executemany`` in batches,
  in one transaction that holds the same locks.

Every way is checked before it is timed: its result must equal
``apply_request`` (for the bulk write, ``merge_metadata``) type-strictly,
in what it returns and in what the database then holds. The ways are timed
in interleaved rounds, in an order that rotates, so a noisy moment hits
both alike. Times are CPU time: the benchmark's thread, plus for
PostgreSQL the server process that serves its connection (read from
``/proc``; wall-clock time where that cannot be read). On a shared machine
the time other processes take is no cost of a write; ``--json`` gives the
wall-clock times too. Each ratio is the round trip's time over the one
statement's (the loop's over the one ``UPDATE``'s), from the same run: of
the two best rounds, and the median of each round's own ratio.

SQLite runs on a file in a temporary directory, in WAL mode with
``synchronous=NORMAL`` as the reference server runs it. PostgreSQL runs in a
throwaway cluster in a temporary directory (Unix socket only, ``fsync=off``,
as the tests run it; as root, as the ``postgres`` system user), or on the
server that ``--postgres DSN`` names, inside a schema of its own that is
dropped at the end. Usage, from the project root::

    python benchmarks/sql.py                      # both databases, 100,000 users in bulk
    python benchmarks/sql.py --quick              # a short run that checks the script works
    python benchmarks/sql.py --dialect sqlite     # one database (repeatable)
    python benchmarks/sql.py --postgres DSN       # an existing server instead of a new cluster
    python benchmarks/sql.py --json               # the results as JSON on standard output
    python benchmarks/sql.py --save FILE          # the table, and the JSON in FILE

PostgreSQL needs the ``postgres`` extra (``pip install -e '.[postgres]'``)
and ``initdb`` and ``pg_ctl`` on ``PATH`` or under ``/usr/lib/postgresql``.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import json
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, cast

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import environment

from metadata_semantics import (
    FIELDS,
    UPSTREAM_LIMITS,
    UserMetadata,
    UserMetadataParams,
    apply_request,
    check_result,
    dump_json,
    json_equal,
    merge_metadata,
    merge_patch,
    parse_json,
    read_request,
    replace_metadata,
)
from metadata_semantics.sql import DIALECTS, Dialect, read_fields, statements, write_parameters

if TYPE_CHECKING:
    from collections.abc import Callable, Generator, Iterable, Mapping, Sequence

    from typing_extensions import LiteralString

    from metadata_semantics import JSONValue, Metadata, Operation

Params = dict[str, object]
Row = tuple[Any, ...]

DESCRIPTION: Final = (
    "The one-statement SQL writes against the read-merge-write round trip, "
    "on SQLite and PostgreSQL."
)
ONE_STATEMENT: Final = "one statement"
ROUND_TRIP: Final = "round trip"
START: Final = 1_767_225_600_000
"""The ``created_at`` of every user, in milliseconds; ``now`` counts up from it."""

PROFILE: Final = dump_json({"first_name": "Ada", "last_name": "Lovelace"})
PRIVATE: Final[Metadata] = {"stripe_customer": "cus_0123456789", "risk": "low"}
UNSAFE: Final[Metadata] = {"theme": "dark"}


# --- the data --------------------------------------------------------------


def _small(number: int, variant: int) -> Metadata:
    """About 100 B of public metadata; ``variant`` changes values, never the shape."""
    return {
        "plan": {"tier": ("free", "pro", "team")[variant % 3], "seats": 1 + variant},
        "flags": {"beta": number % 2 == 0, "new_ui": variant % 2 == 1},
        "locale": "en-GB",
        "trial": {"ends": 1_767_225_600 + number},
        "n": number,
    }


def _large(number: int, variant: int) -> Metadata:
    """About 4 KB of public metadata: the small document and 43 login records."""
    document = _small(number, variant)
    document["logins"] = [
        {
            "at": 1_767_225_600 + 3600 * index + variant,
            "ip": f"203.0.113.{index + 1}",
            "agent": "Mozilla/5.0 (X11; Linux x86_64)",
            "ok": index % 7 != 3,
        }
        for index in range(43)
    ]
    return document


# Two patches that set the same keys to different values, so that each write
# changes its row and the state after a patch does not depend on the one before.
PATCHES: Final[tuple[Metadata, ...]] = (
    {"plan": {"tier": "pro", "seats": 10}, "trial": None, "flags": {"new_ui": True}},
    {"plan": {"tier": "team", "seats": 25}, "trial": {"ends": 0}, "flags": {"new_ui": False}},
)

SIZES: Final[Mapping[str, Callable[[int, int], Metadata]]] = {"small": _small, "4 KB": _large}
METHODS: Final = ("PATCH", "PUT")


def _body(method: str, size: str, variant: int) -> str:
    """The request body of one write: a small patch, or a whole document of the case's size."""
    if method == "PATCH":
        public: Metadata = PATCHES[variant % 2]
    else:
        public = SIZES[size](0, 2 + variant % 2)
    return dump_json({"public_metadata": public})


def _record(public: Metadata) -> UserMetadata:
    return UserMetadata(public, PRIVATE, UNSAFE)


# --- the databases ---------------------------------------------------------


class Database:
    """One connection in autocommit mode; transactions are begun and ended by hand."""

    dialect: Dialect
    locked_begin: str
    """The ``BEGIN`` of a read-merge-write: it must hold the row's lock from the read on."""
    locked_select: str
    """What a read-merge-write appends to its ``SELECT``."""

    def run(self, sql: str, params: Params | None = None) -> list[Row]:
        """Run one statement; return its rows (none for a statement that returns none)."""
        raise NotImplementedError

    def run_many(self, sql: str, rows: Sequence[Params]) -> None:
        """Run one statement once per parameter set, batched by the driver."""
        raise NotImplementedError

    def between_runs(self) -> None:
        """Tidy up after a bulk run, untimed, so that no run pays for the one before."""
        raise NotImplementedError

    def version(self) -> str:
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError

    def clocks(self) -> tuple[float, float]:
        """CPU seconds spent on this connection's work so far, and a wall clock.

        The CPU time is this thread's: SQLite runs inside it. The machine may
        be shared, and the time other processes take from it is no cost of a
        write, so the figures are CPU time, as in the other benchmarks.
        """
        return time.thread_time(), time.perf_counter()

    @property
    def clock(self) -> str:
        """What :meth:`clocks` counts as CPU time, for the report."""
        return "CPU time of the benchmark's thread"

    def param(self, name: str) -> str:
        """A named placeholder in the driver's style."""
        return f":{name}" if self.dialect == "sqlite" else f"%({name})s"

    def document(self, name: str) -> str:
        """A placeholder for JSON text that goes into a metadata column."""
        return self.param(name) + ("::jsonb" if self.dialect == "postgresql" else "")

    def text(self, column: str) -> str:
        """A metadata column read back as JSON text."""
        return column + ("::text" if self.dialect == "postgresql" else "")


class SQLite(Database):
    dialect: Dialect = "sqlite"
    locked_begin = "BEGIN IMMEDIATE"
    locked_select = ""

    def __init__(self, path: Path) -> None:
        self._db = sqlite3.connect(path, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        for statement in statements("sqlite").setup:
            self._db.execute(statement)

    def run(self, sql: str, params: Params | None = None) -> list[Row]:
        return self._db.execute(sql, params or {}).fetchall()

    def run_many(self, sql: str, rows: Sequence[Params]) -> None:
        self._db.executemany(sql, rows)

    def between_runs(self) -> None:
        self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def version(self) -> str:
        return f"SQLite {sqlite3.sqlite_version}"

    def close(self) -> None:
        self._db.close()


def _literal(sql: object) -> LiteralString:
    # psycopg's stubs accept only literal query text, to keep values out of
    # SQL; every text here is built from the benchmark's and the library's
    # own statements, and every value travels as a parameter. (``object``
    # in: mypy reads LiteralString as str, and would call a cast from str
    # redundant.)
    return cast("LiteralString", sql)


class PostgreSQL(Database):
    dialect: Dialect = "postgresql"
    locked_begin = "BEGIN"
    locked_select = " FOR UPDATE"

    def __init__(self, dsn: str) -> None:
        try:
            import psycopg
        except ImportError:
            raise SystemExit(
                "PostgreSQL needs the psycopg driver: pip install -e '.[postgres]' "
                "(or run --dialect sqlite)"
            ) from None

        self._db = psycopg.connect(dsn, autocommit=True)
        # A schema of its own, so that a server named by --postgres keeps its
        # own tables; the merge function is created there too.
        self._schema = f"metadata_semantics_bench_{os.getpid()}"
        self.run(f"CREATE SCHEMA {self._schema}")
        self.run(f"SET search_path TO {self._schema}")
        for statement in statements("postgresql").setup:
            self.run(statement)
        # The server process that serves this connection: on this machine,
        # its CPU time can be read, and the database's share of a write counted.
        process = Path(f"/proc/{self.run('SELECT pg_backend_pid()')[0][0]}")
        self._backend: Path | None = None
        host = self._db.info.host
        with contextlib.suppress(OSError):
            local = host.startswith("/") or host in {"localhost", "127.0.0.1", "::1"}
            if local and (process / "comm").read_text().strip() == "postgres":
                self._backend = process / "schedstat"

    def run(self, sql: str, params: Params | None = None) -> list[Row]:
        cursor = self._db.execute(_literal(sql), params)
        return cursor.fetchall() if cursor.description is not None else []

    def run_many(self, sql: str, rows: Sequence[Params]) -> None:
        with self._db.cursor() as cursor:
            cursor.executemany(_literal(sql), rows)

    def between_runs(self) -> None:
        # A bulk UPDATE leaves a dead version of every row behind.
        self.run("VACUUM users")

    def clocks(self) -> tuple[float, float]:
        cpu, wall = super().clocks()
        if self._backend is None:
            return wall, wall
        # The first field of schedstat is the process's time on a CPU, in ns.
        return cpu + int(self._backend.read_text().split()[0]) / 1e9, wall

    @property
    def clock(self) -> str:
        if self._backend is None:
            return "wall-clock time (the server's CPU time cannot be read from here)"
        return "CPU time of the benchmark's thread and of its PostgreSQL backend process"

    def version(self) -> str:
        return f"PostgreSQL {self.run('SHOW server_version')[0][0]}"

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.run(f"DROP SCHEMA {self._schema} CASCADE")
        self._db.close()


def _program(name: str) -> str | None:
    found = shutil.which(name)
    if found is not None:
        return found
    candidates = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), reverse=True)
    return str(candidates[0]) if candidates else None


@contextlib.contextmanager
def postgres_cluster() -> Generator[str, None, None]:
    """Start a throwaway cluster in a temporary directory; yield its DSN; stop and remove it."""
    initdb, pg_ctl = _program("initdb"), _program("pg_ctl")
    if initdb is None or pg_ctl is None:
        raise SystemExit("initdb and pg_ctl were not found: pass --postgres DSN or --dialect")
    # initdb refuses to run as root: the cluster then belongs to the postgres user.
    prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    folder = Path(tempfile.mkdtemp(prefix="metadata-semantics-bench-pg-"))
    if prefix:
        shutil.chown(folder, user="postgres")
    data = folder / "data"

    def run(*command: str) -> None:
        subprocess.run([*prefix, *command], check=True, capture_output=True, timeout=120)

    try:
        run(initdb, "-D", str(data), "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-sync")
        options = f"-k {folder} -c listen_addresses='' -c fsync=off"
        run(pg_ctl, "-D", str(data), "-o", options, "-l", str(folder / "log"), "-w", "start")
        try:
            yield f"host={folder} user=postgres dbname=postgres"
        finally:
            run(pg_ctl, "-D", str(data), "-m", "fast", "-w", "stop")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


# --- one write, two ways ---------------------------------------------------


class Writer:
    """The two ways to apply one request to one user, on one database."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.statements = statements(db.dialect)
        columns = ", ".join(db.text(name) for name in FIELDS)
        self.select = f"SELECT {columns} FROM users WHERE id = {db.param('id')}{db.locked_select}"
        assignments = ", ".join(f"{name} = {db.document(name)}" for name in FIELDS)
        self.update = (
            f"UPDATE users SET updated_at = {db.param('now')}, {assignments} "
            f"WHERE id = {db.param('id')}"
        )
        self.now = START

    def tick(self) -> int:
        """The next ``updated_at``: every write gets its own."""
        self.now += 1
        return self.now

    def one_statement(self, method: str, body: str, user_id: str) -> UserMetadata:
        operation, params = read_request(method, body)
        self.db.run("BEGIN")
        try:
            rows = self.db.run(
                self.statements.writes[operation],
                write_parameters(params, user_id, self.tick()),
            )
            record = read_fields(_only(rows, user_id))
            check_result(record, UPSTREAM_LIMITS)
        except BaseException:
            self.db.run("ROLLBACK")
            raise
        self.db.run("COMMIT")
        return record

    def round_trip(self, method: str, body: str, user_id: str) -> UserMetadata:
        operation, params = read_request(method, body)
        self.db.run(self.db.locked_begin)
        try:
            stored = read_fields(_only(self.db.run(self.select, {"id": user_id}), user_id))
            # share=True: the fastest correct merge, since the result is only
            # written out and returned.
            record = _WRITES[operation](stored, params, share=True)
            check_result(record, UPSTREAM_LIMITS)
            texts: Params = {name: dump_json(getattr(record, name)) for name in FIELDS}
            self.db.run(self.update, {"now": self.tick(), "id": user_id, **texts})
        except BaseException:
            self.db.run("ROLLBACK")
            raise
        self.db.run("COMMIT")
        return record

    def insert(self, users: Iterable[tuple[str, UserMetadata]]) -> None:
        """Store these users (replacing any with the same id) in one transaction."""
        rows: list[Params] = [
            {
                "id": user_id,
                "created_at": START,
                "updated_at": START,
                "profile": PROFILE,
                **{name: dump_json(getattr(record, name)) for name in FIELDS},
            }
            for user_id, record in users
        ]
        self.db.run("BEGIN")
        self.db.run_many(self.statements.insert, rows)
        self.db.run("COMMIT")

    def stored(self, user_id: str) -> UserMetadata:
        """The user's metadata as the database holds it now."""
        columns = ", ".join(self.db.text(name) for name in FIELDS)
        sql = f"SELECT {columns} FROM users WHERE id = {self.db.param('id')}"
        return read_fields(_only(self.db.run(sql, {"id": user_id}), user_id))


_WRITES: Final[Mapping[Operation, Callable[..., UserMetadata]]] = {
    "merge": merge_metadata,
    "replace": replace_metadata,
}


def _only(rows: list[Row], user_id: str) -> Sequence[str]:
    if len(rows) != 1:
        raise SystemExit(f"user {user_id!r}: expected one row, found {len(rows)}")
    return cast("Sequence[str]", rows[0])


def _check(found: UserMetadata, expected: UserMetadata, what: str) -> None:
    if not all(json_equal(getattr(found, name), getattr(expected, name)) for name in FIELDS):
        raise SystemExit(f"{what}: wrong result\n  found    {found}\n  expected {expected}")


# --- timing ----------------------------------------------------------------


@dataclass
class Timing:
    """Seconds per unit of one way, one per round: CPU time, and wall-clock time."""

    rounds: list[float] = field(default_factory=list[float])
    """CPU time: what the figures and the ratios are made of."""
    walls: list[float] = field(default_factory=list[float])

    @property
    def best(self) -> float:
        return min(self.rounds)

    @property
    def median(self) -> float:
        return statistics.median(self.rounds)

    def summary(self, scale: float) -> dict[str, JSONValue]:
        return {
            "cpu": {"min": self.best * scale, "median": self.median * scale},
            "wall": {
                "min": min(self.walls) * scale,
                "median": statistics.median(self.walls) * scale,
            },
        }


@dataclass(frozen=True)
class Ratio:
    """How many times slower ``slow`` is than ``fast``, measured in the same rounds."""

    slow: Timing
    fast: Timing

    @property
    def of_mins(self) -> float:
        """The slow way's best round over the fast way's best round."""
        return self.slow.best / self.fast.best

    @property
    def per_round(self) -> float:
        """The median of each round's own ratio.

        The two ways of a round run back to back, so a load that comes and goes
        during the run changes this figure least.
        """
        pairs = zip(self.slow.rounds, self.fast.rounds, strict=True)
        return statistics.median(slow / fast for slow, fast in pairs)

    @property
    def wall_per_round(self) -> float:
        """:attr:`per_round` in wall-clock time, which the rest of the machine moves too."""
        pairs = zip(self.slow.walls, self.fast.walls, strict=True)
        return statistics.median(slow / fast for slow, fast in pairs)

    def to_json(self) -> dict[str, float]:
        return {
            "of_mins": self.of_mins,
            "median_per_round": self.per_round,
            "wall_median_per_round": self.wall_per_round,
        }

    def cell(self) -> str:
        return f"{self.of_mins:.2f}x ({self.per_round:.2f}x)"


def _interleave(
    ways: Mapping[str, Callable[[int], tuple[float, float]]], rounds: int
) -> dict[str, Timing]:
    """Run each way once a round, in an order that rotates; collect what each returns."""
    names = list(ways)
    timings = {name: Timing() for name in names}
    enabled = gc.isenabled()
    gc.disable()  # as timeit does: a collection would land on whichever way is running
    try:
        for number in range(rounds):
            shift = number % len(names)
            for name in names[shift:] + names[:shift]:
                cpu, wall = ways[name](number)
                timings[name].rounds.append(cpu)
                timings[name].walls.append(wall)
                gc.collect()
    finally:
        if enabled:
            gc.enable()
    return timings


@dataclass(frozen=True)
class WriteResult:
    dialect: Dialect
    method: str
    size: str
    stored_bytes: int
    body_bytes: int
    one_statement: Timing
    round_trip: Timing

    @property
    def ratio(self) -> Ratio:
        return Ratio(self.round_trip, self.one_statement)

    def to_json(self) -> dict[str, JSONValue]:
        return {
            "dialect": self.dialect,
            "method": self.method,
            "size": self.size,
            "stored_public_metadata_bytes": self.stored_bytes,
            "body_bytes": self.body_bytes,
            "one_statement_us": self.one_statement.summary(1e6),
            "round_trip_us": self.round_trip.summary(1e6),
            "ratio": cast("JSONValue", self.ratio.to_json()),
        }


def measure_writes(
    writer: Writer, method: str, size: str, *, writes: int, rounds: int
) -> WriteResult:
    """Check both ways on one case, then time them: ``writes`` users, each written once a round."""
    make = SIZES[size]
    base = {f"user_{number:06d}": _record(make(number, 0)) for number in range(writes)}
    writer.db.run(writer.statements.delete_all)
    writer.insert(base.items())
    ways = {ONE_STATEMENT: writer.one_statement, ROUND_TRIP: writer.round_trip}
    # Checked first: each way on its own user, against the library.
    for number, (name, way) in enumerate(ways.items()):
        user_id = f"user_{number:06d}"
        body = _body(method, size, 0)
        expected = apply_request(base[user_id], method, body)
        _check(way(method, body, user_id), expected, f"{writer.db.dialect} {name} {method}")
        _check(writer.stored(user_id), expected, f"{writer.db.dialect} {name}, stored")
    batch = 0

    def timed(
        way: Callable[[str, str, str], UserMetadata],
    ) -> Callable[[int], tuple[float, float]]:
        def run(_: int) -> tuple[float, float]:
            nonlocal batch
            # Each batch writes the other variant, so every write changes its row.
            batch += 1
            body = _body(method, size, batch)
            cpu, wall = writer.db.clocks()
            for user_id in base:
                way(method, body, user_id)
            cpu_after, wall_after = writer.db.clocks()
            return (cpu_after - cpu) / len(base), (wall_after - wall) / len(base)

        return run

    timings = _interleave({name: timed(way) for name, way in ways.items()}, rounds)
    last = _body(method, size, batch)
    for user_id in (*list(base)[:3], *list(base)[-3:]):
        expected = apply_request(base[user_id], method, last)
        _check(writer.stored(user_id), expected, f"{writer.db.dialect} {method}, after timing")
    return WriteResult(
        writer.db.dialect,
        method,
        size,
        len(dump_json(make(0, 0)).encode()),
        len(_body(method, size, 0).encode()),
        timings[ONE_STATEMENT],
        timings[ROUND_TRIP],
    )


# --- the bulk write --------------------------------------------------------


@dataclass(frozen=True)
class BulkResult:
    dialect: Dialect
    users: int
    batch: int
    one_update: Timing
    python_loop: Timing

    @property
    def ratio(self) -> Ratio:
        return Ratio(self.python_loop, self.one_update)

    def to_json(self) -> dict[str, JSONValue]:
        return {
            "dialect": self.dialect,
            "users": self.users,
            "executemany_batch": self.batch,
            "one_update_s": self.one_update.summary(1.0),
            "python_loop_s": self.python_loop.summary(1.0),
            "ratio": cast("JSONValue", self.ratio.to_json()),
        }


class Bulk:
    """One merge patch applied to every user, as one UPDATE or as a Python loop."""

    def __init__(self, writer: Writer, batch: int) -> None:
        db = self.db = writer.db
        self.writer = writer
        self.batch = batch
        merge = "json_patch" if db.dialect == "sqlite" else "metadata_merge_patch"
        self.one = (
            f"UPDATE users SET updated_at = {db.param('now')}, "
            f"public_metadata = {merge}(public_metadata, {db.document('patch')})"
        )
        self.select = (
            f"SELECT id, {db.text('public_metadata')} FROM users ORDER BY id{db.locked_select}"
        )
        self.update = (
            f"UPDATE users SET updated_at = {db.param('now')}, "
            f"public_metadata = {db.document('public_metadata')} WHERE id = {db.param('id')}"
        )

    def one_update(self, patch: Metadata) -> None:
        self.db.run("BEGIN")
        self.db.run(self.one, {"now": self.writer.tick(), "patch": dump_json(patch)})
        self.db.run("COMMIT")

    def python_loop(self, patch: Metadata) -> None:
        now = self.writer.tick()
        self.db.run(self.db.locked_begin)
        rows = self.db.run(self.select)
        for start in range(0, len(rows), self.batch):
            self.db.run_many(
                self.update,
                [
                    {
                        "now": now,
                        "id": user_id,
                        # share=True: the merged document is only written out.
                        "public_metadata": dump_json(
                            merge_patch(parse_json(text), patch, share=True)
                        ),
                    }
                    for user_id, text in rows[start : start + self.batch]
                ],
            )
        self.db.run("COMMIT")

    def check(self, base: Mapping[str, Metadata], patch: Metadata, what: str) -> None:
        """Every row must hold its base document merged with ``patch``."""
        rows = self.db.run(f"SELECT id, {self.db.text('public_metadata')} FROM users")
        if len(rows) != len(base):
            raise SystemExit(f"{what}: {len(rows)} rows, expected {len(base)}")
        request = UserMetadataParams(public_metadata=patch)
        for user_id, text in rows:
            # The expected value comes from merge_metadata, not from the
            # merge_patch call the loop makes, so a broken loop cannot agree.
            expected = merge_metadata(_record(base[user_id]), request).public_metadata
            if not json_equal(parse_json(text), expected):
                raise SystemExit(f"{what}: wrong result for {user_id}: {text}")


def measure_bulk(writer: Writer, *, users: int, batch: int, rounds: int) -> BulkResult:
    """Check both ways on a table of ``users`` users, then time them, one run a round each."""
    base = {f"user_{number:06d}": _small(number, 0) for number in range(users)}
    writer.db.run(writer.statements.delete_all)
    writer.insert((user_id, _record(public)) for user_id, public in base.items())
    writer.db.between_runs()
    bulk = Bulk(writer, batch)
    dialect = writer.db.dialect
    # The patches set the same keys, so the table after a run depends only on
    # that run's patch: each run changes every row, and is checked the same way.
    bulk.one_update(PATCHES[0])
    bulk.check(base, PATCHES[0], f"{dialect} bulk, one UPDATE")
    bulk.python_loop(PATCHES[1])
    bulk.check(base, PATCHES[1], f"{dialect} bulk, Python loop")
    runs = 0

    def timed(way: Callable[[Metadata], None]) -> Callable[[int], tuple[float, float]]:
        def run(_: int) -> tuple[float, float]:
            nonlocal runs
            writer.db.between_runs()
            runs += 1
            cpu, wall = writer.db.clocks()
            way(PATCHES[runs % 2])
            cpu_after, wall_after = writer.db.clocks()
            return cpu_after - cpu, wall_after - wall

        return run

    timings = _interleave({"one": timed(bulk.one_update), "loop": timed(bulk.python_loop)}, rounds)
    bulk.check(base, PATCHES[runs % 2], f"{dialect} bulk, after timing")
    return BulkResult(dialect, users, batch, timings["one"], timings["loop"])


# --- the report ------------------------------------------------------------


def micros(seconds: float) -> str:
    value = seconds * 1e6
    return f"{value:,.0f} µs" if value >= 100 else f"{value:.1f} µs"


def seconds(value: float) -> str:
    return f"{value:,.3f} s"


def markdown(
    writes: Sequence[WriteResult],
    bulks: Sequence[BulkResult],
    header: Sequence[str],
) -> str:
    lines = [*header, ""]
    if writes:
        lines += [
            "#### One write: the one statement against the read-merge-write round trip",
            "",
            (
                "| database | write | stored `public_metadata` | body "
                "| one statement (min / median) | round trip (min / median) "
                "| round trip / one statement: of the mins (median of the rounds) |"
            ),
            "|---|---|---:|---:|---:|---:|---:|",
        ]
        lines += [
            f"| {_NAMES[row.dialect]} | {row.method} | {row.stored_bytes:,} B "
            f"| {row.body_bytes:,} B "
            f"| {micros(row.one_statement.best)} / {micros(row.one_statement.median)} "
            f"| {micros(row.round_trip.best)} / {micros(row.round_trip.median)} "
            f"| {row.ratio.cell()} |"
            for row in writes
        ]
        lines.append("")
    if bulks:
        lines += [
            "#### Bulk: one merge patch applied to every user",
            "",
            (
                "| database | users | one `UPDATE` (min / median) | Python loop (min / median) "
                "| loop / one `UPDATE`: of the mins (median of the rounds) |"
            ),
            "|---|---:|---:|---:|---:|",
        ]
        lines += [
            f"| {_NAMES[row.dialect]} | {row.users:,} "
            f"| {seconds(row.one_update.best)} / {seconds(row.one_update.median)} "
            f"| {seconds(row.python_loop.best)} / {seconds(row.python_loop.median)} "
            f"| {row.ratio.cell()} |"
            for row in bulks
        ]
        lines.append("")
    return "\n".join(lines)


COUNTS: Final[Mapping[str, str]] = {
    "writes": "writes a way, a case and a round",
    "rounds": "interleaved rounds of single writes",
    "users": "users in the bulk table",
    "batch": "rows a batch in the bulk loop's executemany",
    "bulk_rounds": "interleaved rounds of bulk writes",
}
DEFAULTS: Final[Mapping[str, int]] = {
    "writes": 100,
    "rounds": 25,
    "users": 100_000,
    "batch": 1000,
    "bulk_rounds": 5,
}
QUICK: Final[Mapping[str, int]] = {
    "writes": 20,
    "rounds": 3,
    "users": 2000,
    "batch": 1000,
    "bulk_rounds": 2,
}

_NAMES: Final[Mapping[Dialect, str]] = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


@contextlib.contextmanager
def open_database(
    dialect: Dialect, folder: Path, dsn: str | None
) -> Generator[Database, None, None]:
    """The database of ``dialect``: a file in ``folder``, or a PostgreSQL server."""
    if dialect == "sqlite":
        db: Database = SQLite(folder / "users.db")
        try:
            yield db
        finally:
            db.close()
        return
    with contextlib.ExitStack() as stack:
        if dsn is None:
            dsn = stack.enter_context(postgres_cluster())
        db = PostgreSQL(dsn)
        stack.callback(db.close)
        yield db


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=DESCRIPTION)
    parser.add_argument(
        "--dialect", action="append", choices=DIALECTS, help="one database (repeatable)"
    )
    parser.add_argument("--postgres", metavar="DSN", help="use this server, not a new cluster")
    for name, help_text in COUNTS.items():
        full, quick = DEFAULTS[name], QUICK[name]
        parser.add_argument(
            f"--{name.replace('_', '-')}",
            type=int,
            help=f"{help_text} (default {full:,}; {quick:,} with --quick)",
        )
    parser.add_argument("--quick", action="store_true", help="a short run: smaller defaults")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    parser.add_argument("--save", type=Path, metavar="FILE", help="also write the JSON here")
    options = parser.parse_args(argv)
    # --quick changes the defaults only: a count given on the command line wins.
    chosen = QUICK if options.quick else DEFAULTS
    counts = {
        name: chosen[name] if getattr(options, name) is None else getattr(options, name)
        for name in COUNTS
    }
    if min(counts.values()) < 1:
        parser.error("every count must be at least 1")
    dialects: list[Dialect] = options.dialect or list(DIALECTS)

    writes: list[WriteResult] = []
    bulks: list[BulkResult] = []
    versions: dict[str, str] = {}
    clocks: dict[Dialect, str] = {}
    with tempfile.TemporaryDirectory(prefix="metadata-semantics-bench-") as folder:
        for dialect in dialects:
            with open_database(dialect, Path(folder), options.postgres) as db:
                versions[dialect] = db.version()
                clocks[dialect] = db.clock
                writer = Writer(db)
                for size in SIZES:
                    for method in METHODS:
                        print(f"{dialect}: {method} {size}...", file=sys.stderr, flush=True)
                        writes.append(
                            measure_writes(
                                writer,
                                method,
                                size,
                                writes=counts["writes"],
                                rounds=counts["rounds"],
                            )
                        )
                print(f"{dialect}: bulk...", file=sys.stderr, flush=True)
                bulks.append(
                    measure_bulk(
                        writer,
                        users=counts["users"],
                        batch=counts["batch"],
                        rounds=counts["bulk_rounds"],
                    )
                )

    env = environment()
    settings = dict(counts)
    document = {
        "environment": {
            **env,
            **{f"{name}_version": version for name, version in versions.items()},
            **{f"{name}_clock": clock for name, clock in clocks.items()},
        },
        "settings": settings,
        "writes": [row.to_json() for row in writes],
        "bulk": [row.to_json() for row in bulks],
    }
    if options.save:
        options.save.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    if options.json:
        print(json.dumps(document, indent=2))
        return 0
    command = " ".join(["python benchmarks/sql.py", *(argv or sys.argv[1:])])
    header = [
        f"Measured {env['date']} with `{command}`.",
        "",
        f"- Python: {env['python']}",
        f"- Machine: {env['machine']}",
        f"- Commit: {env['commit']}",
        f"- Databases: {', '.join(versions.values())}",
        *(f"- Time on {_NAMES[name]}: {clock}" for name, clock in clocks.items()),
        (
            f"- Method: each way is checked against the library before it is timed; then "
            f"{counts['rounds']} interleaved rounds of {counts['writes']:,} writes a way "
            f"(each user written once a round), and {counts['bulk_rounds']} interleaved "
            f"rounds of the bulk write over {counts['users']:,} users (executemany in batches of "
            f"{counts['batch']:,}); times per write or per bulk write (`--json` gives the "
            "wall-clock times too); a ratio "
            "divides the slower way's min by the faster way's, and in brackets is the median "
            "of each round's own ratio (the two ways of a round run back to back)."
        ),
    ]
    print(markdown(writes, bulks, header))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

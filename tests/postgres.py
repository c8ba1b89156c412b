"""A throwaway PostgreSQL cluster for the tests that need a real one.

``METADATA_SEMANTICS_TEST_POSTGRES`` may name a running server (a libpq
connection string); otherwise the first test that asks starts a cluster of
its own in a temporary directory, listening on a Unix socket only, and the
session stops it. As root, the cluster runs as the ``postgres`` system user,
because ``initdb`` refuses to run as root.

Without PostgreSQL's programs or the ``psycopg`` driver the tests skip with
the reason, except under ``CI=true``, where they fail: CI must test SQL.
"""

from __future__ import annotations

import contextlib
import importlib.util
import itertools
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Final

import pytest

if TYPE_CHECKING:
    from collections.abc import Generator

ENVIRONMENT: Final = "METADATA_SEMANTICS_TEST_POSTGRES"
"""The variable that names an existing server to use instead of a new cluster."""

_names = itertools.count()


def unavailable(reason: str) -> None:
    """Skip the test for ``reason``, or fail it under ``CI=true``."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"PostgreSQL is required in CI: {reason}")
    pytest.skip(f"PostgreSQL is not available: {reason}")


def _program(name: str) -> str | None:
    found = shutil.which(name)
    if found is not None:
        return found
    for candidate in sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), reverse=True):
        return str(candidate)
    return None


@dataclass(frozen=True)
class Cluster:
    """A running PostgreSQL server: a connection string for its ``postgres`` database."""

    dsn: str

    def database(self) -> str:
        """Create a new, empty database and return its connection string."""
        import psycopg
        from psycopg import sql

        name = f"test_{os.getpid()}_{next(_names)}"
        with psycopg.connect(self.dsn, autocommit=True) as connection:
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        return f"{self.dsn} dbname={name}"


def _run(command: list[str], *, as_user: str | None) -> None:
    if as_user is not None:
        command = ["runuser", "-u", as_user, "--", *command]
    subprocess.run(command, check=True, capture_output=True, timeout=120)


@contextlib.contextmanager
def start_cluster() -> Generator[Cluster, None, None]:
    """Start a cluster in a temporary directory, and stop and remove it on exit."""
    initdb, pg_ctl = _program("initdb"), _program("pg_ctl")
    if initdb is None or pg_ctl is None:
        unavailable("initdb and pg_ctl were not found on PATH or under /usr/lib/postgresql")
    assert initdb is not None
    assert pg_ctl is not None
    as_user = "postgres" if os.geteuid() == 0 else None
    folder = Path(tempfile.mkdtemp(prefix="metadata-semantics-pg-"))
    if as_user is not None:
        shutil.chown(folder, user=as_user)
    data = folder / "data"
    try:
        _run([initdb, "-D", str(data), "-A", "trust", "-U", "postgres", "-E", "UTF8",
              "--no-sync"], as_user=as_user)  # fmt: skip
        options = f"-k {folder} -c listen_addresses='' -c fsync=off -c max_connections=100"
        _run([pg_ctl, "-D", str(data), "-o", options, "-l", str(folder / "log"), "-w",
              "start"], as_user=as_user)  # fmt: skip
        try:
            yield Cluster(f"host={folder} user=postgres dbname=postgres")
        finally:
            _run([pg_ctl, "-D", str(data), "-m", "immediate", "-w", "stop"], as_user=as_user)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@contextlib.contextmanager
def cluster() -> Generator[Cluster, None, None]:
    """The server named by the environment, or a new cluster; skips if there is neither."""
    if importlib.util.find_spec("psycopg") is None:
        unavailable("the psycopg driver is not installed (pip install -e '.[postgres]')")
    given = os.environ.get(ENVIRONMENT)
    if given:
        yield Cluster(given)
        return
    with start_cluster() as started:
        yield started

"""``metadata-semantics sql DIALECT`` prints SQL that a migration can run as it is."""

from __future__ import annotations

import contextlib
import sqlite3
from typing import TYPE_CHECKING

import pytest

from metadata_semantics import UserMetadata, UserMetadataParams, dump_json
from metadata_semantics.sql import (
    DIALECTS,
    Dialect,
    read_fields,
    script,
    statements,
    write_parameters,
)

from clitools import main_status, run
from sqldb import query

if TYPE_CHECKING:
    from postgres import Cluster


def printed(dialect: str) -> str:
    done = run("sql", dialect)
    assert done.returncode == 0, done.stderr
    assert done.stderr == b""
    return done.stdout.decode("utf-8")


@pytest.mark.parametrize("dialect", DIALECTS)
def test_the_command_prints_the_same_in_process(
    dialect: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main_status(["sql", dialect]) == 0
    assert capsys.readouterr().out == printed(dialect)


def commented_writes(text: str) -> dict[str, str]:
    """The write statements the output shows as comments, uncommented."""
    writes: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in text.splitlines():
        if line.startswith(("-- replace (PUT):", "-- merge (PATCH):")):
            current = writes.setdefault(line[3:].split(" ")[0], [])
        elif current is not None and line.startswith("--   "):
            current.append(line[5:])
    return {operation: "\n".join(lines) for operation, lines in writes.items()}


@pytest.mark.parametrize("dialect", DIALECTS)
def test_the_output_is_the_script_and_the_writes_as_comments(dialect: Dialect) -> None:
    text = printed(dialect)
    assert script(dialect) in text
    outside = text.replace(script(dialect), "")
    # Apart from the script, every line is a comment or blank: pasting it all runs the setup.
    assert all(line.startswith("--") or not line for line in outside.splitlines())
    writes = statements(dialect).writes
    assert commented_writes(text) == dict(writes)


def test_the_printed_sqlite_setup_runs_and_the_writes_work() -> None:
    # closing() because a connection's own context manager does not close it.
    with contextlib.closing(sqlite3.connect(":memory:")) as connection:
        connection.executescript(printed("sqlite"))
        connection.executescript(printed("sqlite"))  # idempotent
        sqlite = statements("sqlite")
        connection.execute(sqlite.insert, _user())
        params = UserMetadataParams(public_metadata={"b": 2})
        (row,) = connection.execute(sqlite.writes["merge"], write_parameters(params, "u", 1))
    assert dump_json(read_fields(row).public_metadata) == '{"a":1,"b":2}'


def test_the_printed_postgresql_setup_runs_on_a_fresh_database(postgres: Cluster) -> None:
    import psycopg

    text = printed("postgresql")
    with psycopg.connect(postgres.database(), autocommit=True) as connection:
        # One text, as a migration tool sends it; twice, as it is idempotent.
        connection.execute(query(text))
        connection.execute(query(text))
        pg = statements("postgresql")
        connection.execute(query(pg.insert), _user())
        params = UserMetadataParams(public_metadata={"b": 2})
        row = connection.execute(
            query(pg.writes["merge"]), write_parameters(params, "u", 1)
        ).fetchone()
        assert row is not None
        assert dump_json(read_fields(row).public_metadata) == '{"a":1,"b":2}'


def _user() -> dict[str, object]:
    record = UserMetadata(public_metadata={"a": 1})
    fields = {name: dump_json(value) for name, value in record.to_body().items()}
    return {"id": "u", "created_at": 0, "updated_at": 0, "profile": "{}", **fields}


def test_an_unknown_dialect_is_a_usage_error() -> None:
    assert main_status(["sql", "mysql"]) == 2


def test_an_unknown_dialect_is_refused_by_the_module_too() -> None:
    with pytest.raises(ValueError, match="unknown SQL dialect 'mysql'"):
        statements("mysql")  # type: ignore[arg-type]

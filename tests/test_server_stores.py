"""Each store writes in one statement and keeps nothing of a refused write, SQLite or PostgreSQL.

A write is the dialect's one ``UPDATE ... RETURNING``, then the check of its
result, then ``COMMIT``; if the check raises, the transaction rolls back.
The checker's whole case list passes against a server on PostgreSQL, and
``serve`` picks the store from ``--db``.
"""

from __future__ import annotations

import contextlib
import sqlite3
import sys
import threading
from typing import TYPE_CHECKING

import pytest

from metadata_semantics import (
    UPSTREAM_LIMITS,
    LimitExceededError,
    UserMetadata,
    UserMetadataParams,
    check_result,
    read_request,
)
from metadata_semantics.__main__ import main
from metadata_semantics.check import (
    HttpRequest,
    HttpResponse,
    Settings,
    TransportError,
    load_suite,
    run,
    send_together,
)
from metadata_semantics.server import (
    Config,
    PostgresStore,
    Request,
    SQLiteStore,
    Store,
    StoredUser,
    StoreError,
    handle,
)
from metadata_semantics.server import _sqlstore as sqlstore
from metadata_semantics.server._cli import SeedError, load_seed, open_store

from served import STORES, call, error_code, new_store, postgres_url
from strict import same

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence
    from pathlib import Path

    from postgres import Cluster

_USER = "user_stored"
_STORED = UserMetadata({"plan": "pro", "n": [1, 2]}, None, {"a": {"b": 1}})


@pytest.fixture(params=STORES)
def store(request: pytest.FixtureRequest) -> Iterator[Store]:
    with new_store(request.param, request) as db:
        db.create(StoredUser(_USER, 1, 1, {"first_name": "Ann"}, _STORED))
        yield db


def _limits(record: UserMetadata) -> None:
    check_result(record, UPSTREAM_LIMITS)


# One statement, then the check, then COMMIT ------------------------------------------


@pytest.mark.parametrize("method", ["PUT", "PATCH"])
def test_a_write_over_the_limits_rolls_back_and_the_row_is_unchanged(
    store: Store, method: str
) -> None:
    """The limits apply to the result, in the same transaction: a refused write changes nothing."""
    operation, params = read_request(method, '{"public_metadata": {"pad": "' + "x" * 9000 + '"}}')
    seen: list[UserMetadata] = []

    def check(record: UserMetadata) -> None:
        seen.append(record)
        _limits(record)

    with pytest.raises(LimitExceededError):
        store.write(_USER, operation, params, 99, check)
    # The check saw the statement's result, so the database did write it...
    assert len(seen) == 1
    assert len(str(seen[0].public_metadata)) > 9000
    # ...and the rollback took it back, updated_at included.
    after = store.get(_USER)
    assert after is not None
    assert after.metadata == _STORED
    assert after.updated_at == 1


def test_a_write_is_seen_by_the_check_and_committed_as_checked(store: Store) -> None:
    operation, params = read_request("PATCH", '{"public_metadata": {"n": null, "seats": 5}}')
    seen: list[UserMetadata] = []
    user = store.write(_USER, operation, params, 7, seen.append)
    expected = UserMetadata({"plan": "pro", "seats": 5}, None, {"a": {"b": 1}})
    assert user is not None
    assert seen == [expected]
    assert user == StoredUser(_USER, 1, 7, {"first_name": "Ann"}, expected)
    assert store.get(_USER) == user


def test_a_write_to_no_user_is_none_and_calls_no_check(store: Store) -> None:
    def check(_record: UserMetadata) -> None:
        raise AssertionError("no row, no check")

    assert store.write("user_nobody", "merge", UserMetadataParams(), 5, check) is None
    assert store.get("user_nobody") is None


def test_omitted_null_and_object_survive_the_trip_to_sql(store: Store) -> None:
    """Omitted keeps, null stores JSON null, an object replaces or merges."""
    params = UserMetadataParams(public_metadata=None, private_metadata={"k": 1})
    user = store.write(_USER, "replace", params, 5, _limits)
    assert user is not None
    assert same(user.metadata.public_metadata, None)
    assert same(user.metadata.private_metadata, {"k": 1})
    assert same(user.metadata.unsafe_metadata, {"a": {"b": 1}})
    again = store.write(_USER, "merge", UserMetadataParams(public_metadata={"z": 0}), 6, _limits)
    assert again is not None
    # A stored null counts as {} under a merge.
    assert same(again.metadata.public_metadata, {"z": 0})


def _no_check(*_: object) -> None:
    """Stands in for the store's check of storable values, to reach the database's own refusal."""


# Values a database cannot hold -------------------------------------------------------

# What each dialect refuses: jsonb has no \u0000; SQLite's JSON functions stop
# near 2,000 levels (and PostgreSQL's merge function near 1,000).
_DEEP = 2100
_UNSTORABLE = {
    "sqlite": b'{"public_metadata": ' + b'{"a":' * _DEEP + b"1" + b"}" * _DEEP + b"}",
    "postgresql": b'{"unsafe_metadata": {"text": "a\\u0000b"}}',
}


@pytest.mark.parametrize("up_front", [True, False], ids=["checked", "refused-by-database"])
@pytest.mark.parametrize("method", ["PUT", "PATCH"])
def test_a_value_the_database_cannot_hold_is_a_422_and_changes_nothing(
    store: Store, method: str, up_front: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Refused by the store's check, or, should a value get past it, by the database."""
    if not up_front:
        monkeypatch.setattr(sqlstore, "check_storable", _no_check)
    body = _UNSTORABLE["sqlite" if isinstance(store, SQLiteStore) else "postgresql"]
    response = call(store, method, f"/v1/users/{_USER}/metadata", body)
    assert response.status == 422
    assert error_code(response) == "form_param_value_invalid"
    after = store.get(_USER)
    assert after is not None
    assert after.metadata == _STORED


def test_a_create_the_database_cannot_hold_is_a_422_and_stores_nobody(
    postgres: Cluster,
) -> None:
    store = PostgresStore(postgres.database())
    try:
        for body in (b'{"first_name": "a\\u0000"}', b'{"public_metadata": {"\\u0000": 1}}'):
            response = call(store, "POST", "/v1/users", body)
            assert response.status == 422
            assert error_code(response) == "form_param_value_invalid"
        assert store.reset() == 0
    finally:
        store.close()


def test_a_seed_user_the_database_cannot_hold_is_named(postgres: Cluster) -> None:
    store = PostgresStore(postgres.database())
    try:
        seed = b'{"users": [{"id": "user_a"}, {"unsafe_metadata": {"x": "\\u0000"}}]}'
        with pytest.raises(SeedError, match=r"^users\[1\]: PostgreSQL cannot hold"):
            load_seed(seed, store, Config((_KEY,)))
        assert store.get("user_a") is not None
    finally:
        store.close()


def test_a_merge_nested_beyond_postgresql_stack_is_a_422_and_changes_nothing(
    postgres: Cluster, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The merge function recurses once a level: its stack bounds a PATCH's depth.

    The store refuses such a body up front (``unstorable_depth``); should a
    value get past that check, the database's own refusal is a 422 too.
    """
    store = PostgresStore(postgres.database())
    try:
        store.create(StoredUser(_USER, 1, 1, {}, _STORED))
        depth = 1200
        body = b'{"public_metadata": ' + b'{"a":' * depth + b"1" + b"}" * depth + b"}"
        for method in ("PATCH", "PUT"):
            response = call(store, method, f"/v1/users/{_USER}/metadata", body)
            assert response.status == 422
            assert error_code(response) == "form_param_value_invalid"
        monkeypatch.setattr(sqlstore, "check_storable", _no_check)
        response = call(store, "PATCH", f"/v1/users/{_USER}/metadata", body)
        assert response.status == 422
        assert error_code(response) == "form_param_value_invalid"
        after = store.get(_USER)
        assert after is not None
        assert after.metadata == _STORED
        # The same value is stored whole by a PUT, which does not recurse.
        assert call(store, "PUT", f"/v1/users/{_USER}/metadata", body).status == 200
    finally:
        store.close()


def test_another_postgresql_error_is_not_taken_for_a_value(postgres: Cluster) -> None:
    import psycopg

    dsn = postgres.database()
    store = PostgresStore(dsn)
    try:
        with psycopg.connect(dsn, autocommit=True) as other:
            other.execute("DROP TABLE users")
        with pytest.raises(psycopg.errors.UndefinedTable):
            store.get(_USER)
    finally:
        store.close()


def test_another_sqlite_error_is_not_taken_for_a_value(tmp_path: Path) -> None:
    path = str(tmp_path / "users.db")
    store = SQLiteStore(path)
    try:
        # closing(): a connection's own context manager commits but does not close.
        with contextlib.closing(sqlite3.connect(path)) as other:
            other.execute("DROP TABLE users")
        with pytest.raises(sqlite3.OperationalError, match="no such table"):
            store.get(_USER)
    finally:
        store.close()


# The checker's whole case list -------------------------------------------------------


_KEY = "sk_test_stores"


class _InProcess:
    """The checker's client, answered by ``handle`` over ``store``: no sockets."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.config = Config((_KEY,))

    def send(self, request: HttpRequest, /) -> HttpResponse:
        headers = tuple((name.lower(), value) for name, value in request.headers)
        body = request.body or b""
        answer = handle(
            Request(request.method, request.path, headers, body), self.store, self.config
        )
        return HttpResponse(answer.status, answer.headers, answer.body)

    def send_parallel(
        self, requests: Sequence[HttpRequest], /
    ) -> list[HttpResponse | TransportError]:
        return send_together(self.send, requests)


# The cases whose values jsonb cannot hold as the library does, each with why.
# Every other case must pass.
_JSONB_DIFFERENCES = {
    "hazard-keys/escaped-keys/parse": "jsonb has no \\u0000, so the key is refused (422)",
    "numbers/negative-zero": "jsonb reads -0.0 back as 0.0",
    "numbers/parse-small-floats": "jsonb reads 1e300 back as the integer 10**300",
}


def test_the_checker_passes_every_case_on_postgresql_but_what_jsonb_cannot_hold(
    postgres: Cluster,
) -> None:
    store = PostgresStore(postgres.database())
    try:
        suite = load_suite()
        results = list(run(_InProcess(store), suite.cases, Settings(_KEY, run_id="pg")).results)
    finally:
        store.close()
    assert len(results) == len(suite.cases) > 190
    not_passed = {result.case.id for result in results if result.verdict != "pass"}
    assert not_passed == set(_JSONB_DIFFERENCES)


# Opening a store ---------------------------------------------------------------------


def test_setup_is_idempotent_and_safe_when_stores_open_at_once(postgres: Cluster) -> None:
    dsn = postgres.database()
    opened: list[PostgresStore] = []
    failures: list[BaseException] = []
    barrier = threading.Barrier(4)

    def open_one() -> None:
        barrier.wait(timeout=30)
        try:
            opened.append(PostgresStore(dsn))
        except BaseException as error:  # noqa: BLE001 - reported by the assertion below
            failures.append(error)

    threads = [threading.Thread(target=open_one) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    try:
        assert failures == []
        assert len(opened) == 4
        opened[0].create(StoredUser(_USER, 1, 1, {}, _STORED))
        user = opened[3].get(_USER)
        assert user is not None
        assert user.metadata == _STORED
    finally:
        for store in opened:
            store.close()


def test_a_database_that_cannot_be_set_up_is_a_store_error(postgres: Cluster) -> None:
    import psycopg

    dsn = postgres.database()
    with psycopg.connect(dsn, autocommit=True) as connection:
        connection.execute(
            "CREATE FUNCTION metadata_merge_patch(target jsonb, patch jsonb) RETURNS text "
            "LANGUAGE sql AS $$ SELECT 'not a merge' $$"
        )
    with pytest.raises(StoreError, match="return type"):
        PostgresStore(dsn)


@pytest.mark.parametrize("scheme", ["postgresql", "postgres"])
def test_a_postgresql_url_opens_the_postgresql_store(postgres: Cluster, scheme: str) -> None:
    url = postgres_url(postgres.database()).replace("postgresql", scheme, 1)
    store = open_store(url)
    try:
        assert isinstance(store, PostgresStore)
    finally:
        store.close()


def test_any_other_db_opens_sqlite(tmp_path: Path) -> None:
    for db in (":memory:", str(tmp_path / "users.db")):
        store = open_store(db)
        assert isinstance(store, SQLiteStore)
        store.close()


def test_an_unreachable_database_exits_2_with_one_line_and_no_password(
    capsys: pytest.CaptureFixture[str],
) -> None:
    for url in (
        "postgresql://someone:hunter2@127.0.0.1:1/users",
        "postgres://someone@127.0.0.1:1/users?sslmode=disable&password=hunter2",
    ):
        assert main(["serve", "--port", "0", "--secret-key", "k", "--db", url]) == 2
        captured = capsys.readouterr()
        assert captured.out == ""
        assert captured.err.startswith("metadata-semantics serve: cannot open postgres")
        assert "hunter2" not in captured.err
        assert "***" in captured.err
        assert captured.err.count("\n") == 1


def test_without_the_driver_a_postgresql_url_says_which_extra_to_install(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # A None entry in sys.modules makes the import fail, as if not installed.
    monkeypatch.setitem(sys.modules, "psycopg", None)
    with pytest.raises(StoreError, match=r"pip install 'metadata-semantics\[postgres\]'"):
        open_store("postgres://localhost/users")
    assert main(["serve", "--port", "0", "--secret-key", "k", "--db", "postgresql:///x"]) == 2
    err = capsys.readouterr().err
    assert "metadata-semantics[postgres]" in err
    assert err.count("\n") == 1


# The connection pool -----------------------------------------------------------------


def test_a_connection_closed_while_idle_is_replaced(postgres: Cluster) -> None:
    store = PostgresStore(postgres.database())
    try:
        for connection in store._idle:  # pyright: ignore[reportPrivateUsage]
            connection.close()
        store.create(StoredUser(_USER, 1, 1, {}, _STORED))
        assert store.get(_USER) is not None
    finally:
        store.close()


def test_a_connection_the_database_ended_fails_one_request_and_is_dropped(
    postgres: Cluster,
) -> None:
    import psycopg

    dsn = postgres.database()
    store = PostgresStore(dsn)
    try:
        store.create(StoredUser(_USER, 1, 1, {}, _STORED))
        with psycopg.connect(dsn, autocommit=True) as other:
            other.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        with pytest.raises(psycopg.OperationalError):
            store.get(_USER)
        assert store._idle == []  # pyright: ignore[reportPrivateUsage]
        user = store.get(_USER)
        assert user is not None
        assert user.metadata == _STORED
    finally:
        store.close()


def test_a_connection_in_use_at_close_is_closed_when_given_back(postgres: Cluster) -> None:
    store = PostgresStore(postgres.database())
    with store._connection() as connection:  # pyright: ignore[reportPrivateUsage]
        store.close()
        open_while_lent = not connection.closed
    assert open_while_lent
    assert connection.closed
    assert store._idle == []  # pyright: ignore[reportPrivateUsage]

"""Concurrent writes to one user serialise: no update is lost, and races end in a serial state.

Each test runs on every kind of store: SQLite, and PostgreSQL, where the
row lock alone orders the writes.
"""

from __future__ import annotations

import http.client
import itertools
import threading
from typing import TYPE_CHECKING, cast

import pytest

from metadata_semantics import JSONValue, UserMetadata, apply_request, parse_json
from metadata_semantics.server import SQLiteStore, StoredUser

from served import AUTH, STORES, live, new_store
from strict import same

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from metadata_semantics.server import Store

_THREADS = 8
_EACH = 100
_USER = "user_concurrent"


def _client(port: int) -> http.client.HTTPConnection:
    return http.client.HTTPConnection("127.0.0.1", port, timeout=30)


def _send(connection: http.client.HTTPConnection, method: str, body: str) -> int:
    connection.request(method, f"/v1/users/{_USER}/metadata", body, {"Authorization": AUTH[1]})
    response = connection.getresponse()
    response.read()
    return response.status


def _run_all(targets: list[threading.Thread]) -> None:
    for thread in targets:
        thread.start()
    for thread in targets:
        thread.join(timeout=120)
        assert not thread.is_alive()


@pytest.fixture(params=STORES)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """A new store of each kind; SQLite on a file, where WAL and the write lock take part."""
    if request.param == "sqlite":
        db = SQLiteStore(str(tmp_path / "users.db"))
        yield db
        db.close()
        return
    with new_store(request.param, request) as postgresql:
        yield postgresql


def test_eight_threads_of_a_hundred_patches_lose_no_key(store: Store) -> None:
    """Each write is one transaction: concurrent writes to one user serialize, none is lost."""
    store.create(StoredUser(_USER, 1, 1, {}, UserMetadata()))
    statuses: list[int] = []
    with live(store, timeout=30.0) as server:

        def writer(number: int) -> None:
            connection = _client(server.server_port)
            for index in range(_EACH):
                body = f'{{"public_metadata":{{"t{number}":{{"k{index}":{index}}}}}}}'
                statuses.append(_send(connection, "PATCH", body))
            connection.close()

        _run_all([threading.Thread(target=writer, args=(n,)) for n in range(_THREADS)])
    user = store.get(_USER)
    assert statuses == [200] * (_THREADS * _EACH)
    assert user is not None
    expected = {
        f"t{number}": {f"k{index}": index for index in range(_EACH)} for number in range(_THREADS)
    }
    assert same(user.metadata.public_metadata, expected)


def _serial_outcomes(writes: list[tuple[str, str]]) -> list[UserMetadata]:
    """Every state some serial order of ``writes`` gives, from a new user."""
    outcomes: list[UserMetadata] = []
    for order in itertools.permutations(writes):
        record = UserMetadata()
        for method, body in order:
            record = apply_request(record, method, body)
        outcomes.append(record)
    return outcomes


def test_put_racing_patch_ends_in_a_state_some_serial_order_gives(store: Store) -> None:
    writes = [
        ("PUT", '{"public_metadata":{"put":1},"private_metadata":{"p":1}}'),
        ("PATCH", '{"public_metadata":{"patch":1,"put":null}}'),
        ("PATCH", '{"public_metadata":{"other":[1]},"private_metadata":{"q":2}}'),
        ("PUT", '{"private_metadata":null}'),
    ]
    allowed = _serial_outcomes(writes)
    for _ in range(15):
        store.create(StoredUser(_USER, 1, 1, {}, UserMetadata()))
        barrier = threading.Barrier(len(writes))
        with live(store) as server:

            def race(method: str, body: str, barrier: threading.Barrier = barrier) -> None:
                connection = _client(server.server_port)
                connection.connect()
                barrier.wait(timeout=30)
                assert _send(connection, method, body) == 200
                connection.close()

            _run_all([threading.Thread(target=race, args=write) for write in writes])
        user = store.get(_USER)
        assert user is not None
        assert any(user.metadata == outcome for outcome in allowed), user.metadata


def test_the_answer_to_a_write_is_the_committed_state(store: Store) -> None:
    store.create(StoredUser(_USER, 1, 1, {}, UserMetadata()))
    with live(store) as server:
        connection = _client(server.server_port)
        connection.request(
            "PATCH",
            f"/v1/users/{_USER}/metadata",
            '{"unsafe_metadata":{"a":1}}',
            {"Authorization": AUTH[1]},
        )
        answer = cast("dict[str, JSONValue]", parse_json(connection.getresponse().read()))
        connection.close()
        user = store.get(_USER)
    assert user is not None
    assert same(answer["unsafe_metadata"], user.metadata.unsafe_metadata)

"""Safety against a real service: the checker touches only users it made, and removes them.

A failure, an error or Ctrl-C in the middle of a run still deletes every
user the run created, and a user it did not create is never read or written.
"""

from __future__ import annotations

import contextlib
import sqlite3
from typing import TYPE_CHECKING

import pytest

from metadata_semantics import parse_json
from metadata_semantics.check import MARK, TransportError, check_server
from metadata_semantics.server import Config, Request, Response, SQLiteStore, handle

from check_client import HandleClient
from check_servers import KEY, broken_servers

if TYPE_CHECKING:
    from pathlib import Path

SEED_BODY = b'{"external_id": "someone-else", "public_metadata": {"mine": [1, {"a": null}]}}'


def seeded(tmp_path: Path) -> tuple[SQLiteStore, Config, str, bytes]:
    store = SQLiteStore(str(tmp_path / "users.db"))
    config = Config((KEY,))
    auth = (("authorization", f"Bearer {KEY}"),)
    created = handle(Request("POST", "/v1/users", auth, SEED_BODY), store, config)
    user_id = parse_json(created.body)["id"]  # type: ignore[index,call-overload]
    assert isinstance(user_id, str)
    return store, config, user_id, created.body


def users_in(tmp_path: Path) -> list[str]:
    # A connection's own "with" ends a transaction but does not close it.
    with contextlib.closing(sqlite3.connect(tmp_path / "users.db")) as connection:
        return [row[0] for row in connection.execute("SELECT id FROM users")]


def untouched(client: HandleClient, tmp_path: Path, seed_id: str, seed_json: bytes) -> None:
    assert users_in(tmp_path) == [seed_id]
    assert all(seed_id not in request.path for request in client.sent)
    auth = (("authorization", f"Bearer {KEY}"),)
    again = handle(Request("GET", f"/v1/users/{seed_id}", auth), client.store, client.config)
    assert again.body == seed_json


@pytest.mark.parametrize("at", [1, 2, 3, 7, 40, 333])
def test_ctrl_c_mid_run_deletes_every_user_created_and_no_other(tmp_path: Path, at: int) -> None:
    store, config, seed_id, seed_json = seeded(tmp_path)
    client = HandleClient(store, config, at=at, fault=KeyboardInterrupt())
    with pytest.raises(KeyboardInterrupt):
        check_server("http://127.0.0.1:1", KEY, client=client)
    created = [request for request in client.sent if request.method == "POST"]
    assert created
    assert all(MARK.encode() in (request.body or b"") for request in created)
    untouched(client, tmp_path, seed_id, seed_json)
    store.close()


def test_an_error_mid_run_deletes_every_user_created(tmp_path: Path) -> None:
    store, config, seed_id, seed_json = seeded(tmp_path)
    client = HandleClient(store, config, at=55, fault=RuntimeError("the client broke"))
    with pytest.raises(RuntimeError, match="the client broke"):
        check_server("http://127.0.0.1:1", KEY, client=client)
    untouched(client, tmp_path, seed_id, seed_json)
    store.close()


def test_a_lost_answer_mid_run_fails_that_case_and_cleans_up(tmp_path: Path) -> None:
    store, config, seed_id, seed_json = seeded(tmp_path)
    client = HandleClient(store, config, at=30, fault=TransportError("connection reset"))
    report = check_server("http://127.0.0.1:1", KEY, client=client, only=["rules/*"])
    bad = [case for case in report.result.results if case.verdict != "pass"]
    assert len(bad) == 1
    assert "connection reset" in bad[0].problems[0].message
    untouched(client, tmp_path, seed_id, seed_json)
    store.close()


def test_a_failing_server_run_cleans_up_after_itself(tmp_path: Path) -> None:
    store, config, seed_id, seed_json = seeded(tmp_path)
    _, factory = broken_servers()["shallow-merge"]
    client = HandleClient(store, config, factory())
    report = check_server("http://127.0.0.1:1", KEY, client=client)
    assert report.exit_status == 1
    assert report.result.created == len(report.result.results)
    untouched(client, tmp_path, seed_id, seed_json)
    store.close()


def test_keep_leaves_the_users_and_lists_them(tmp_path: Path) -> None:
    store, config, seed_id, _ = seeded(tmp_path)
    client = HandleClient(store, config)
    report = check_server(
        "http://127.0.0.1:1", KEY, client=client, only=["rules/replace/*"], keep=True
    )
    kept = report.result.kept
    assert len(kept) == report.result.created == 9
    assert sorted(users_in(tmp_path)) == sorted([seed_id, *kept])
    assert " ".join(kept) in report.text()
    store.close()


def test_the_deleted_user_case_deletes_even_with_keep(tmp_path: Path) -> None:
    store, config, seed_id, _ = seeded(tmp_path)
    client = HandleClient(store, config)
    report = check_server(
        "http://127.0.0.1:1", KEY, client=client, only=["http/errors/unknown-user"], keep=True
    )
    assert [case.verdict for case in report.result.results] == ["pass"]
    assert users_in(tmp_path) == [seed_id]
    store.close()


def test_a_user_that_cannot_be_deleted_is_reported_and_fails_the_run(tmp_path: Path) -> None:
    store, config, _, _ = seeded(tmp_path)

    def no_delete(request: Request, store: SQLiteStore, config: Config) -> Response:
        if request.method == "DELETE":
            return Response(500, (), b"")
        return handle(request, store, config)

    client = HandleClient(store, config, no_delete)
    report = check_server(
        "http://127.0.0.1:1", KEY, client=client, only=["rules/replace/omitted/*"]
    )
    assert report.result.left_behind
    assert report.exit_status == 1
    assert "COULD NOT BE DELETED" in report.text()
    store.close()

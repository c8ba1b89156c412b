"""The checker against real servers over HTTP: the reference passes, each broken one fails.

The broken servers (``tests/check_servers.py``) each wrap the reference and
get one behaviour wrong; the checker must fail each one under that
behaviour's rule and under no other. These are the checker's mutation tests.
"""

from __future__ import annotations

import json
import threading
from typing import TYPE_CHECKING, Any

import pytest

from metadata_semantics.__main__ import main
from metadata_semantics.server import Config, Server, SQLiteStore

from check_servers import KEY, broken_servers, serving

if TYPE_CHECKING:
    from pathlib import Path


def check(url: str, report: Path, *extra: str) -> tuple[int, dict[str, Any]]:
    status = main(
        ["check-server", url, "--secret-key", KEY, "--rps", "0", "--json", str(report), *extra]
    )
    return status, json.loads(report.read_text("utf-8"))


def test_the_reference_server_passes_every_case(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = SQLiteStore(str(tmp_path / "users.db"))
    server = Server("127.0.0.1", 0, store, Config((KEY,)), timeout=10)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        status, report = check(server.url, tmp_path / "report.json")
    finally:
        server.stop()
        thread.join(timeout=30)
        store.close()
    not_passed = {case["id"] for case in report["cases"] if case["verdict"] != "pass"}
    assert not_passed == set()
    assert status == 0
    assert len(report["cases"]) > 190
    assert report["users"]["created"] == len(report["cases"])
    assert report["users"]["left_behind"] == []
    assert KEY not in capsys.readouterr().out


@pytest.mark.parametrize("name", sorted(broken_servers()))
def test_a_server_broken_in_one_way_fails_under_that_rule_only(name: str, tmp_path: Path) -> None:
    rule, factory = broken_servers()[name]
    with serving(factory(), tmp_path / "users.db") as (url, _):
        status, report = check(url, tmp_path / "report.json")
    assert status == 1
    failed = [case for case in report["cases"] if case["verdict"] == "fail"]
    assert failed, f"{name} passed the checker"
    assert {case["rule"] for case in failed} == {rule}
    blocked = {case["rule"] for case in report["cases"] if case["verdict"] == "blocked"}
    # Only a server without PUT cannot be brought to a stored null.
    assert not blocked or name == "put-missing"
    assert report["users"]["left_behind"] == []
    by_rule = {entry["name"]: entry for entry in report["rules"]}
    assert by_rule[rule]["fail"] == sum(
        1 for case in report["cases"] if case["verdict"] == "fail" and case["rule"] == rule
    )


def test_a_wrong_merge_is_named_in_the_report(tmp_path: Path) -> None:
    _, factory = broken_servers()["shallow-merge"]
    with serving(factory(), tmp_path / "users.db") as (url, _):
        _, report = check(url, tmp_path / "report.json", "--only", "rules/merge/*")
    (case,) = [case for case in report["cases"] if case["verdict"] == "fail"]
    assert case["id"] == "rules/merge/object/stored-object"
    assert "shallow" in case["diagnosis"]
    assert case["pointer"] == "/public_metadata/plan/tier"


def test_a_lost_update_is_counted(tmp_path: Path) -> None:
    _, factory = broken_servers()["lost-update"]
    with serving(factory(), tmp_path / "users.db") as (url, _):
        status, report = check(url, tmp_path / "report.json", "--only", "concurrency")
    assert status == 1
    (case,) = report["cases"]
    lost = case["problems"][-1]["message"]
    count = int(lost.split()[0])
    # Two PATCH requests that read together cannot both survive; how many
    # more go depends on the order the server's threads run in.
    assert 1 <= count <= 7
    assert lost == f"{count} of the 8 parallel writes were lost"

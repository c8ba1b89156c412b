"""``metadata-semantics check-server``: options, exit statuses, and a key that is never shown."""

from __future__ import annotations

import argparse
import io
import json
import socket
import xml.etree.ElementTree as ET
from typing import TYPE_CHECKING, Any

import pytest

from metadata_semantics.__main__ import main
from metadata_semantics.check import load_suite
from metadata_semantics.check._cli import KEY_VARIABLE, add_arguments, run
from metadata_semantics.server import Config, SQLiteStore

from check_client import HandleClient
from check_servers import KEY, reference, serving

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

ALL = len(load_suite().cases)


def arguments(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    return parser.parse_args(argv)


def call(
    *argv: str,
    environ: dict[str, str] | None = None,
    client: HandleClient | None = None,
    tty: bool = False,
) -> tuple[int, str, str]:
    out, err = io.StringIO(), _Terminal() if tty else io.StringIO()
    status = run(arguments(*argv), environ=environ or {}, out=out, err=err, client=client)
    return status, out.getvalue(), err.getvalue()


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture
def url(tmp_path: Path) -> Iterator[str]:
    with serving(reference, tmp_path / "users.db") as (address, _):
        yield address


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_list_prints_every_case_with_its_rule_and_needs_no_server() -> None:
    status, out, _ = call("--list")
    assert status == 0
    lines = out.splitlines()
    assert lines[-1] == f"{ALL} cases"
    assert lines[0].split()[:2] == ["replace", "rules/replace/omitted/stored-object"]
    assert any(line.endswith("(open)") for line in lines)


def test_only_narrows_by_pattern_and_rule() -> None:
    status, out, _ = call("--list", "--only", "auth", "--only", "http/concurrency/*")
    assert status == 0
    assert out.splitlines()[-1] == "6 cases"


def test_dry_run_lists_the_requests_without_the_key_or_a_server() -> None:
    status, out, _ = call(
        "--dry-run",
        "--only",
        "http/concurrency/*",
        "--only",
        "rules/replace/null/stored-null",
        "--secret-key",
        KEY,
    )
    assert status == 0
    assert KEY not in out
    assert out == (
        "rules/replace/null/stored-null\n"
        "  POST /v1/users  (a user marked msc-check-..., holding the starting state)\n"
        "  PUT /v1/users/{user_id}/metadata  (the null fields of the starting state)\n"
        '  PUT /v1/users/{user_id}/metadata  {"private_metadata":null}  [key: key]\n'
        "  GET /v1/users/{user_id}\n"
        "  DELETE /v1/users/{user_id}\n"
        "http/concurrency/parallel-patches\n"
        "  POST /v1/users  (a user marked msc-check-..., holding the starting state)\n"
        '  PATCH /v1/users/{user_id}/metadata  {"public_metadata":{"parallel-0":0}}  '
        "[key: key]  (x8, sent at once)\n"
        "  GET /v1/users/{user_id}\n"
        "  DELETE /v1/users/{user_id}\n"
    )


def test_dry_run_shows_rejections_read_twice_deleted_users_and_keep() -> None:
    _, out, _ = call(
        "--dry-run",
        "--only",
        "http/errors/unknown-user",
        "--only",
        "http/errors/wrong-method-delete",
        "--keep",
    )
    assert out == (
        "http/errors/unknown-user\n"
        "  POST /v1/users  (a user marked msc-check-..., holding the starting state)\n"
        "  DELETE /v1/users/{user_id}\n"
        '  PATCH /v1/users/{user_id}/metadata  {"public_metadata":{"a":1}}  [key: key]\n'
        "  GET /v1/users/{user_id}  (must stay gone)\n"
        "http/errors/wrong-method-delete\n"
        "  POST /v1/users  (a user marked msc-check-..., holding the starting state)\n"
        "  DELETE /v1/users/{user_id}/metadata  no body  [key: key]\n"
        "  GET /v1/users/{user_id}\n"
        "  GET /v1/users/{user_id}\n"
    )


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (("--only", "nothing-matches"), "no case matches nothing-matches"),
        ((), "BASE_URL is needed"),
        (("http://127.0.0.1:1", "--rps", "-1"), "--rps must be 0 or more"),
        (("http://127.0.0.1:1", "--timeout", "0"), "--timeout more than 0"),
        (("http://127.0.0.1:1",), f"no secret key: give --secret-key KEY or set ${KEY_VARIABLE}"),
        (("http://127.0.0.1:1", "--secret-key", "sk_live_abc"), "refusing a production key"),
        (("http://example.com", "--secret-key", KEY), "refusing plain http:// to example.com"),
        (("ftp://127.0.0.1", "--secret-key", KEY), "must be http:// or https://"),
        (("http://127.0.0.1:1", "--replace-route", "PUT"), "--replace-route must be"),
        (("http://127.0.0.1:1", "--replace-route", "PUT /v1/users"), "--replace-route must be"),
    ],
)
def test_usage_errors_exit_2_with_one_line(argv: tuple[str, ...], message: str) -> None:
    status, out, err = call(*argv)
    assert status == 2
    assert out == ""
    assert message in err
    assert err.count("\n") == 1
    assert "sk_live_abc" not in err


def test_an_unreachable_server_exits_2() -> None:
    status, out, err = call(
        f"http://127.0.0.1:{free_port()}", "--secret-key", KEY, "--only", "auth"
    )
    assert status == 2
    assert out == ""
    assert "check-server:" in err


def test_a_refused_key_exits_2_and_is_not_shown(url: str) -> None:
    status, out, err = call(url, "--secret-key", "sk_test_not_this_one", "--only", "auth")
    assert status == 2
    assert "answered 401 authentication_invalid" in err
    assert "sk_test_not_this_one" not in out + err


def test_the_key_may_come_from_the_environment(url: str, tmp_path: Path) -> None:
    json_file, junit_file = tmp_path / "r.json", tmp_path / "r.xml"
    status, out, err = call(
        url,
        "--only",
        "rules/*",
        "--only",
        "auth",
        "--json",
        str(json_file),
        "--junit",
        str(junit_file),
        "--rps",
        "0",
        environ={KEY_VARIABLE: KEY},
    )
    assert status == 0
    assert out.startswith(f"check-server {url}: 23 cases, 23 passed, 0 failed")
    assert err == ""
    for text in (out, err, json_file.read_text("utf-8"), junit_file.read_text("utf-8")):
        assert KEY not in text
    report: dict[str, Any] = json.loads(json_file.read_text("utf-8"))
    assert report["exit_status"] == 0
    suites = ET.fromstring(junit_file.read_bytes())  # noqa: S314 - the checker's own output
    assert suites.get("tests") == "23"


def test_a_failing_run_exits_1() -> None:
    store = SQLiteStore(":memory:")

    def no_put(request: Any, store: Any, config: Any) -> Any:
        from check_servers import no_put as broken

        return broken(request, store, config)

    client = HandleClient(store, Config((KEY,)), no_put)
    status, out, _ = call(
        "http://127.0.0.1:1",
        "--secret-key",
        KEY,
        "--only",
        "rules/replace/object/*",
        client=client,
    )
    assert status == 1
    assert "0 passed, 1 failed, 0 differences, 1 blocked" in out
    store.close()


def test_progress_shows_on_a_terminal_only() -> None:
    store = SQLiteStore(":memory:")
    client = HandleClient(store, Config((KEY,)))
    _, _, err = call(
        "http://127.0.0.1:1", "--secret-key", KEY, "--only", "auth", client=client, tty=True
    )
    assert "[1/5] http/auth/patch-no-key" in err
    assert err.endswith("\r\x1b[K")
    _, _, quiet = call(
        "http://127.0.0.1:1",
        "--secret-key",
        KEY,
        "--only",
        "auth",
        client=HandleClient(store, Config((KEY,))),
    )
    assert quiet == ""
    store.close()


def test_ctrl_c_exits_130_after_cleaning_up() -> None:
    store = SQLiteStore(":memory:")
    client = HandleClient(store, Config((KEY,)), at=4, fault=KeyboardInterrupt())
    status, out, err = call(
        "http://127.0.0.1:1", "--secret-key", KEY, "--only", "auth", client=client
    )
    assert status == 130
    assert out == ""
    assert "interrupted; every user created so far was deleted" in err
    assert [request.method for request in client.sent][-1] == "DELETE"
    store.close()


def test_replace_writes_go_where_replace_route_says() -> None:
    store = SQLiteStore(":memory:")
    client = HandleClient(store, Config((KEY,)))
    status, out, _ = call(
        "http://127.0.0.1:1",
        "--secret-key",
        KEY,
        "--only",
        "rules/replace/null/stored-null",
        "--replace-route",
        "patch /v1/users/{user_id}",
        client=client,
    )
    assert status == 1
    writes = [
        (request.method, request.path) for request in client.sent if request.method == "PATCH"
    ]
    assert writes
    assert all(path.count("/") == 3 for _, path in writes)
    assert "blocked" in out
    store.close()


def test_email_domain_gives_each_user_an_address() -> None:
    store = SQLiteStore(":memory:")
    client = HandleClient(store, Config((KEY,)))
    status, _, _ = call(
        "http://127.0.0.1:1",
        "--secret-key",
        KEY,
        "--only",
        "rules/merge/omitted/*",
        "--email-domain",
        "example.com",
        client=client,
    )
    assert status == 0
    creates = [
        json.loads(request.body or b"") for request in client.sent if request.method == "POST"
    ]
    assert all(body["email_address"][0].endswith("@example.com") for body in creates)
    assert len({body["email_address"][0] for body in creates}) == len(creates)
    store.close()


def test_the_command_is_part_of_the_package_command_line(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["check-server", "--list", "--only", "auth"]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "5 cases"

"""``metadata-semantics serve``: the first-line contract, keys, seeds, limits and a clean stop."""

from __future__ import annotations

import http.client
import io
import os
import re
import select
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path
from typing import IO, TYPE_CHECKING, cast

import pytest

from metadata_semantics import JSONValue, parse_json
from metadata_semantics.__main__ import _parser, main  # pyright: ignore[reportPrivateUsage]
from metadata_semantics.server import SQLiteStore
from metadata_semantics.server._cli import KEYS_VARIABLE, SeedError, load_seed, run

from served import config

if TYPE_CHECKING:
    from collections.abc import Iterator

_FIRST_LINE = re.compile(r"listening on http://127\.0\.0\.1:([0-9]+)\n")


class Lines(io.StringIO):
    """Standard output for an in-process run: tells when the first flush has happened."""

    def __init__(self) -> None:
        super().__init__()
        self.flushed = threading.Event()

    def flush(self) -> None:
        super().flush()
        self.flushed.set()


def _get(port: int, path: str, key: str, method: str = "GET", body: str = "") -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request(method, path, body or None, {"Authorization": f"Bearer {key}"})
    response = connection.getresponse()
    data = response.read()
    connection.close()
    return response.status, data


def _port(out: str) -> int:
    match = _FIRST_LINE.match(out.splitlines(keepends=True)[0])
    assert match is not None, out
    return int(match.group(1))


def _serve_in_process(
    argv: list[str], environ: dict[str, str], work: object
) -> tuple[int, str, list[object]]:
    """Run ``serve`` in this thread; ``work(port, out)`` runs in another, then the server stops."""
    arguments = _parser().parse_args(["serve", "--port", "0", *argv])
    out = Lines()
    stop = threading.Event()
    results: list[object] = []

    def drive() -> None:
        try:
            assert out.flushed.wait(timeout=30)
            results.append(work(_port(out.getvalue()), out.getvalue()))  # type: ignore[operator]
        finally:
            stop.set()

    helper = threading.Thread(target=drive)
    helper.start()
    code = run(arguments, stop=stop, out=out, environ=environ)
    helper.join(timeout=30)
    return code, out.getvalue(), results


# In-process --------------------------------------------------------------------


def test_a_generated_key_is_printed_second_and_is_the_only_key() -> None:
    def work(port: int, out: str) -> tuple[int, int]:
        key = out.splitlines()[1].removeprefix("secret key: ")
        return _get(port, "/__admin/health", key)[0], _get(port, "/__admin/health", "x")[0]

    code, out, results = _serve_in_process([], {}, work)
    assert code == 0
    lines = out.splitlines()
    assert len(lines) == 2
    assert re.fullmatch(r"secret key: sk_test_[0-9a-f]{40}", lines[1])
    assert results == [(200, 401)]


def test_keys_come_from_options_and_the_environment_and_none_is_printed() -> None:
    def work(port: int, _out: str) -> list[int]:
        return [
            _get(port, "/__admin/health", key)[0] for key in ("sk_a", "sk_b", "sk_c", "sk_d", "")
        ]

    environ = {KEYS_VARIABLE: " sk_b,sk_c\n\tsk_d ,"}
    code, out, results = _serve_in_process(["--secret-key", "sk_a"], environ, work)
    assert code == 0
    assert out.count("\n") == 1
    assert results == [[200, 200, 200, 200, 401]]


def test_a_seed_file_is_loaded(tmp_path: Path) -> None:
    seed = tmp_path / "seed.json"
    seed.write_text(
        '{"users": [{"id": "user_seeded", "first_name": "Ada", "public_metadata": null},'
        ' {"email_address": ["b@example.com"], "private_metadata": {"p": [1.0]}}]}'
    )

    def work(port: int, _out: str) -> tuple[int, bytes]:
        return _get(port, "/v1/users/user_seeded", "k")

    code, _, results = _serve_in_process(["--seed", str(seed), "--secret-key", "k"], {}, work)
    assert code == 0
    status, body = cast("tuple[int, bytes]", results[0])
    assert status == 200
    user = cast("dict[str, JSONValue]", parse_json(body))
    assert user["first_name"] == "Ada"
    assert user["public_metadata"] is None


def test_no_limits_lifts_the_preset(tmp_path: Path) -> None:
    big = '{"public_metadata":{"a":"' + "x" * 9000 + '"}}'
    seed = tmp_path / "seed.json"
    seed.write_text('{"users": [{"id": "user_big"}]}')

    def work(port: int, _out: str) -> int:
        return _get(port, "/v1/users/user_big/metadata", "k", "PATCH", big)[0]

    common = ["--seed", str(seed), "--secret-key", "k"]
    assert _serve_in_process(common, {}, work)[2] == [422]
    assert _serve_in_process([*common, "--no-limits"], {}, work)[2] == [200]


def test_max_body_bytes_sets_the_413_bound() -> None:
    def work(port: int, _out: str) -> list[int]:
        return [_get(port, "/v1/users", "k", "POST", "{}".ljust(size))[0] for size in (64, 65)]

    code, _, results = _serve_in_process(["--secret-key", "k", "--max-body-bytes", "64"], {}, work)
    assert code == 0
    assert results == [[200, 413]]


def test_a_file_database_keeps_users_across_runs(tmp_path: Path) -> None:
    db = str(tmp_path / "users.db")

    def create(port: int, _out: str) -> bytes:
        return _get(port, "/v1/users", "k", "POST", '{"unsafe_metadata":{"kept":true}}')[1]

    _, _, created = _serve_in_process(["--db", db, "--secret-key", "k"], {}, create)
    user_id = cast("dict[str, JSONValue]", parse_json(cast("bytes", created[0])))["id"]

    def read(port: int, _out: str) -> bytes:
        return _get(port, f"/v1/users/{user_id}", "k")[1]

    _, _, again = _serve_in_process(["--db", db, "--secret-key", "k"], {}, read)
    user = cast("dict[str, JSONValue]", parse_json(cast("bytes", again[0])))
    assert user["unsafe_metadata"] == {"kept": True}
    assert not Path(db + "-wal").exists()  # closed cleanly: the log was checkpointed away


def test_signals_stop_an_in_process_run_from_the_main_thread() -> None:
    def work(port: int, _out: str) -> int:
        status = _get(port, "/__admin/health", "k")[0]
        os.kill(os.getpid(), signal.SIGTERM)
        return status

    before = signal.getsignal(signal.SIGTERM)
    arguments = _parser().parse_args(["serve", "--port", "0", "--secret-key", "k"])
    out = Lines()
    results: list[int] = []

    def drive() -> None:
        assert out.flushed.wait(timeout=30)
        results.append(work(_port(out.getvalue()), ""))

    helper = threading.Thread(target=drive)
    helper.start()
    assert run(arguments, out=out, environ={}) == 0
    helper.join(timeout=30)
    assert results == [200]
    assert signal.getsignal(signal.SIGTERM) is before


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--db", "/nonexistent/folder/users.db"], "cannot open"),
        (["--seed", "/nonexistent/seed.json"], "No such file"),
        (["--host", "256.0.0.1"], "serve:"),
    ],
)
def test_a_setup_failure_exits_2_with_one_line(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["serve", "--port", "0", "--secret-key", "k", *argv]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert message in captured.err
    assert captured.err.count("\n") == 1


def test_a_file_that_is_not_a_database_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    garbage = tmp_path / "notes.txt"
    garbage.write_bytes(b"this is not an SQLite database, not at all" * 100)
    assert main(["serve", "--port", "0", "--secret-key", "k", "--db", str(garbage)]) == 2
    assert "cannot open" in capsys.readouterr().err


def test_a_port_in_use_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert main(["serve", "--port", str(port), "--secret-key", "k"]) == 2
    assert "serve:" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (b"{", "not JSON"),
        (b"[]", '{"users": [...]}'),
        (b'{"users": {}}', '{"users": [...]}'),
        (b'{"users": [1]}', "users[0]: a user is a JSON object"),
        (b'{"users": [{}, {"id": "bob"}]}', "users[1]: id must be"),
        (b'{"users": [{"id": 7}]}', "users[0]: id must be"),
        (b'{"users": [{"public_metadata": 1}]}', "users[0]: "),
        (b'{"users": [{"nickname": "x"}]}', "users[0]: nickname is not a parameter"),
    ],
)
def test_a_bad_seed_names_the_user_at_fault(text: bytes, message: str) -> None:
    store = SQLiteStore(":memory:")
    with pytest.raises(SeedError, match=re.escape(message)):
        load_seed(text, store, config())
    store.close()


def test_a_seed_user_with_a_stored_id_replaces_it() -> None:
    store = SQLiteStore(":memory:")
    load_seed(b'{"users": [{"id": "user_a", "first_name": "A"}]}', store, config())
    assert load_seed(b'{"users": [{"id": "user_a", "first_name": "B"}]}', store, config()) == 1
    user = store.get("user_a")
    store.close()
    assert user is not None
    assert user.profile["first_name"] == "B"


# As a process -------------------------------------------------------------------


@pytest.fixture
def process(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[bytes], Path]]:
    db = tmp_path / "users.db"
    child = subprocess.Popen(
        [sys.executable, "-m", "metadata_semantics", "serve", "--port", "0", "--db", str(db)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        bufsize=0,  # unbuffered, so that select() sees every line not yet read
        env={**os.environ, KEYS_VARIABLE: ""},
    )
    try:
        yield child, db
    finally:
        if child.poll() is None:
            child.kill()
        child.wait(timeout=30)
        for stream in (child.stdout, child.stderr):
            assert stream is not None
            stream.close()


def _line(stream: IO[bytes] | None) -> bytes:
    assert stream is not None
    ready, _, _ = select.select([stream], [], [], 30)
    assert ready, "no line within 30 s"
    return stream.readline()


@pytest.mark.parametrize("number", [signal.SIGTERM, signal.SIGINT])
def test_the_process_prints_its_address_and_key_and_stops_cleanly_on_a_signal(
    process: tuple[subprocess.Popen[bytes], Path], number: int
) -> None:
    """The first line is exactly `listening on http://HOST:PORT`, flushed, with the real port."""
    child, db = process
    first = _line(child.stdout).decode()
    port = _port(first)
    assert port != 0
    second = _line(child.stdout).decode()
    assert re.fullmatch(r"secret key: sk_test_[0-9a-f]{40}\n", second)
    key = second.strip().removeprefix("secret key: ")
    assert _get(port, "/__admin/health", key)[0] == 200
    status, body = _get(port, "/v1/users", key, "POST", '{"public_metadata":{"x":1}}')
    assert status == 200
    user_id = cast("dict[str, JSONValue]", parse_json(body))["id"]

    # A request in flight when the signal comes is finished before the exit.
    # The interim 100 shows that the server has read the head: the request
    # is in flight, not waiting in the listen queue.
    sock = socket.create_connection(("127.0.0.1", port), timeout=30)
    body_bytes = b'{"public_metadata":{"y":2}}'
    head = (
        f"PATCH /v1/users/{user_id}/metadata HTTP/1.1\r\nHost: x\r\n"
        f"Authorization: Bearer {key}\r\nContent-Length: {len(body_bytes)}\r\n"
        "Expect: 100-continue\r\n\r\n"
    ).encode()
    sock.sendall(head)
    interim = b""
    while not interim.endswith(b"\r\n\r\n"):
        interim += sock.recv(1)
    assert interim == b"HTTP/1.1 100 Continue\r\n\r\n"
    child.send_signal(number)
    select.select([sock], [], [], 0.5)  # give the signal a moment; nothing is measured
    sock.sendall(body_bytes)
    response = http.client.HTTPResponse(sock)
    response.begin()
    assert response.status == 200
    assert b'"y":2' in response.read()
    sock.close()
    assert child.wait(timeout=30) == 0
    assert child.stderr is not None
    assert child.stderr.read() == b""
    with sqlite3.connect(db) as check:
        assert check.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        rows = check.execute("SELECT public_metadata FROM users").fetchall()
    check.close()
    assert rows == [('{"x":1,"y":2}',)]
    assert not Path(f"{db}-wal").exists()


def test_a_run_outside_the_main_thread_installs_no_signal_handler() -> None:
    before = signal.getsignal(signal.SIGTERM)
    arguments = _parser().parse_args(["serve", "--port", "0", "--secret-key", "k"])
    out = Lines()
    stop = threading.Event()
    codes: list[int] = []
    runner = threading.Thread(target=lambda: codes.append(run(arguments, stop=stop, out=out)))
    runner.start()
    assert out.flushed.wait(timeout=30)
    assert signal.getsignal(signal.SIGTERM) is before
    assert _get(_port(out.getvalue()), "/__admin/health", "k")[0] == 200
    stop.set()
    runner.join(timeout=30)
    assert codes == [0]

"""Several ``serve`` processes on one PostgreSQL database: no update is lost, none acknowledged is.

Each test starts real ``metadata-semantics serve`` processes on 127.0.0.1
with ``--db postgresql://...`` and drives them over HTTP from threads. The
counts are bounded, every connection has a timeout, and every process is
reaped, killed if it must be, whatever happens.
"""

from __future__ import annotations

import contextlib
import functools
import http.client
import os
import re
import select
import signal
import subprocess
import sys
import threading
from typing import IO, TYPE_CHECKING, cast

from metadata_semantics import JSONValue, parse_json

from served import postgres_url
from strict import same

if TYPE_CHECKING:
    from collections.abc import Callable, Generator

    from postgres import Cluster

_KEY = "sk_test_scale_out"
_USER = "user_shared"
_PROCESSES = 2
_THREADS = 4
_KEYS = 50
_TIMEOUT = 30.0
_FIRST_LINE = re.compile(rb"listening on http://127\.0\.0\.1:([0-9]+)\n")


@contextlib.contextmanager
def _servers(url: str, count: int) -> Generator[list[tuple[subprocess.Popen[bytes], int]]]:
    """Start ``count`` serve processes on the database ``url``; reap them all at the end."""
    started: list[tuple[subprocess.Popen[bytes], int]] = []
    try:
        for _ in range(count):
            child = subprocess.Popen(
                [sys.executable, "-m", "metadata_semantics", "serve", "--host", "127.0.0.1",
                 "--port", "0", "--db", url, "--secret-key", _KEY, "--no-limits"],
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                bufsize=0,
            )  # fmt: skip
            started.append((child, 0))
            stdout = cast("IO[bytes]", child.stdout)
            ready, _, _ = select.select([stdout], [], [], 60)
            assert ready, "serve did not start within 60 s"
            match = _FIRST_LINE.fullmatch(stdout.readline())
            assert match is not None
            started[-1] = (child, int(match.group(1)))
        yield started
    finally:
        for child, _ in started:
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
        for child, _ in started:
            try:
                child.wait(timeout=30)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait(timeout=30)
            if child.stdout is not None:
                child.stdout.close()


def _request(
    connection: http.client.HTTPConnection, method: str, path: str, body: str = ""
) -> tuple[int, bytes]:
    connection.request(method, path, body or None, {"Authorization": f"Bearer {_KEY}"})
    response = connection.getresponse()
    return response.status, response.read()


def _connect(port: int) -> http.client.HTTPConnection:
    return http.client.HTTPConnection("127.0.0.1", port, timeout=_TIMEOUT)


def _public_metadata(port: int, user_id: str) -> dict[str, JSONValue]:
    connection = _connect(port)
    try:
        status, data = _request(connection, "GET", f"/v1/users/{user_id}")
    finally:
        connection.close()
    assert status == 200, data
    user = parse_json(data)
    assert isinstance(user, dict)
    metadata = user["public_metadata"]
    assert isinstance(metadata, dict)
    return metadata


def _new_user(port: int) -> str:
    connection = _connect(port)
    try:
        status, data = _request(connection, "POST", "/v1/users", "")
    finally:
        connection.close()
    assert status == 200, data
    user = parse_json(data)
    assert isinstance(user, dict)
    return cast("str", user["id"])


def _run_threads(targets: list[Callable[[], None]]) -> None:
    threads = [threading.Thread(target=target) for target in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
        assert not thread.is_alive(), "a writer did not finish within 300 s"


def test_two_processes_on_one_database_lose_no_concurrent_patch(postgres: Cluster) -> None:
    """Concurrent PATCH requests through two processes, each adding its own key: none is lost."""
    with _servers(postgres_url(postgres.database()), _PROCESSES) as servers:
        ports = [port for _, port in servers]
        user_id = _new_user(ports[0])
        statuses: list[int] = []

        def writer(process: int, thread: int) -> None:
            connection = _connect(ports[process])
            try:
                for index in range(_KEYS):
                    body = f'{{"public_metadata": {{"p{process}t{thread}k{index}": {index}}}}}'
                    path = f"/v1/users/{user_id}/metadata"
                    statuses.append(_request(connection, "PATCH", path, body)[0])
            finally:
                connection.close()

        _run_threads(
            [
                functools.partial(writer, process, thread)
                for process in range(_PROCESSES)
                for thread in range(_THREADS)
            ]
        )
        assert statuses == [200] * (_PROCESSES * _THREADS * _KEYS)
        expected: dict[str, JSONValue] = {
            f"p{p}t{t}k{i}": i
            for p in range(_PROCESSES)
            for t in range(_THREADS)
            for i in range(_KEYS)
        }
        for port in ports:
            assert same(_public_metadata(port, user_id), expected)


_KILL_AFTER = (40, 90)
_WRITERS = 4
_MOST = 400


def _load_and_kill(
    victim: subprocess.Popen[bytes], port: int, user_id: str, kill_after: int
) -> tuple[list[str], list[int]]:
    """PATCH through ``victim`` from several threads; SIGKILL it after ``kill_after`` answers.

    Returns the keys whose write was answered 200, and any other status seen.
    """
    acknowledged: list[str] = []
    refused: list[int] = []
    lock = threading.Lock()
    enough = threading.Event()

    def writer(number: int) -> None:
        connection = _connect(port)
        try:
            for index in range(_MOST):
                key = f"w{number}k{index}"
                body = f'{{"public_metadata": {{"{key}": {index}}}}}'
                status, _ = _request(connection, "PATCH", f"/v1/users/{user_id}/metadata", body)
                if status != 200:
                    refused.append(status)
                    return
                with lock:
                    acknowledged.append(key)
                    if len(acknowledged) >= kill_after:
                        enough.set()
        except (OSError, http.client.HTTPException):
            return  # the server was killed: this write was never acknowledged
        finally:
            connection.close()

    def killer() -> None:
        enough.wait(timeout=120)
        os.kill(victim.pid, signal.SIGKILL)

    _run_threads([killer, *(functools.partial(writer, n) for n in range(_WRITERS))])
    assert victim.wait(timeout=30) == -signal.SIGKILL
    return acknowledged, refused


def test_every_acknowledged_write_survives_kill_9_of_one_process(postgres: Cluster) -> None:
    """``kill -9`` one server mid-load: every write answered 200 is there, read through another."""
    with _servers(postgres_url(postgres.database()), 2) as servers:
        survivor_port = servers[1][1]
        for round_number, kill_after in enumerate(_KILL_AFTER):
            if round_number:
                _restart(servers, 0)
            victim, victim_port = servers[0]
            user_id = _new_user(survivor_port)
            acknowledged, refused = _load_and_kill(victim, victim_port, user_id, kill_after)
            assert refused == []
            assert len(acknowledged) >= kill_after
            stored = _public_metadata(survivor_port, user_id)
            missing = [key for key in acknowledged if key not in stored]
            assert missing == [], f"round {round_number}: lost {missing[:5]}"


def _restart(
    servers: list[tuple[subprocess.Popen[bytes], int]], index: int
) -> tuple[subprocess.Popen[bytes], int]:
    """Start a new process on the same database in place of ``servers[index]``."""
    old, _ = servers[index]
    if old.stdout is not None:
        old.stdout.close()
    arguments = cast("list[str]", old.args)
    child = subprocess.Popen(
        arguments, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, bufsize=0
    )
    servers[index] = (child, 0)
    stdout = cast("IO[bytes]", child.stdout)
    ready, _, _ = select.select([stdout], [], [], 60)
    assert ready, "serve did not restart within 60 s"
    match = _FIRST_LINE.fullmatch(stdout.readline())
    assert match is not None
    servers[index] = (child, int(match.group(1)))
    return servers[index]

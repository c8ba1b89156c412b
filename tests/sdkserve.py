"""Servers and clients for the SDK tests: a live ``serve`` process, the same server in-process.

A live server is the real command, ``metadata-semantics serve``, on
127.0.0.1 and a free port; it is stopped when its block ends, whatever
happens. The in-process server is the WSGI app over an in-memory store,
reached through ``httpx.WSGITransport``. Either way, users are set up and
inspected with plain HTTP (:func:`create_user`, :func:`raw_user`,
:func:`request_log`), never through the SDK under test.
"""

from __future__ import annotations

import contextlib
import os
import re
import selectors
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, cast

import httpx
import pytest
from clerk_backend_api import Clerk
from clerk_backend_api.utils import BackoffStrategy, RetryConfig

from metadata_semantics import JSONValue, dump_json, parse_json
from metadata_semantics.server import Config, SQLiteStore, wsgi_app

if TYPE_CHECKING:
    from collections.abc import Callable, Generator, Iterable

    from metadata_semantics import UserMetadata

    WSGIApplication = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]

KEY: Final = "sk_test_sdk_matrix"
"""The secret key every server here accepts, and every client sends."""

IN_PROCESS_URL: Final = "http://testserver"
"""The base URL of the in-process server; ``httpx.WSGITransport`` never resolves it."""

START_SECONDS: Final = 30.0
"""How long ``serve`` may take to print where it listens (a cold start on a busy machine)."""

STOP_SECONDS: Final = 10.0
"""How long ``serve`` may take to exit once asked to; then it is killed."""

HTTP_SECONDS: Final = 10.0
"""The timeout of every HTTP call the tests make, the SDK's included."""

NO_RETRIES: Final = RetryConfig(
    "none", BackoffStrategy(1, 1, 1.0, 1), retry_connection_errors=False
)
"""``clerk-backend-api`` retries 5xx answers and lost connections for up to an hour by
default; here a failure is reported at once."""

JS_DIR: Final = Path(__file__).parent / "sdk" / "js"
"""The JavaScript SDK's own folder: its package.json, lockfile, driver and node_modules."""

JS_INSTALL: Final = "npm ci --prefix tests/sdk/js"
"""How to install the JavaScript SDK, from the repository's root."""

_LISTENING: Final = re.compile(r"listening on (http://127\.0\.0\.1:[0-9]+)")


def node_or_skip() -> str:
    """The ``node`` that runs the JavaScript SDK.

    Skips the test if ``node`` or the installed SDK is missing, with the
    command that installs it; fails instead when ``CI`` is ``true``, so that
    CI cannot pass without running the JavaScript SDK.
    """
    node = shutil.which("node")
    if node is None:
        problem = "node is not on PATH"
    elif not (JS_DIR / "node_modules" / "@clerk" / "backend" / "package.json").is_file():
        problem = "@clerk/backend is not installed"
    else:
        return node
    message = f"{problem}: install Node.js 20 or later and run `{JS_INSTALL}`"
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


def _first_line(process: subprocess.Popen[bytes], deadline: float) -> str:
    """Read ``process``'s first line of output, giving up at ``deadline`` (monotonic)."""
    stdout = process.stdout
    assert stdout is not None
    data = b""
    with selectors.DefaultSelector() as selector:
        selector.register(stdout, selectors.EVENT_READ)
        while b"\n" not in data:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not selector.select(remaining):
                raise TimeoutError(f"serve printed no first line in time; got {data!r}")
            chunk = os.read(stdout.fileno(), 4096)
            if not chunk:
                break
            data += chunk
    return data.partition(b"\n")[0].decode("utf-8", errors="replace")


@contextlib.contextmanager
def serve(key: str = KEY) -> Generator[str, None, None]:
    """Run ``metadata-semantics serve`` on 127.0.0.1 and a free port; yield its base URL.

    The server keeps its users in memory and accepts ``key``. It is
    terminated (and killed if it lingers) when the block ends. Raises
    ``AssertionError`` with the server's error output if it does not start.
    """
    command = [
        sys.executable,
        "-m",
        "metadata_semantics",
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        "0",
        "--db",
        ":memory:",
        "--secret-key",
        key,
    ]
    with tempfile.TemporaryFile() as errors:
        # The server's later output is never read: stdout is not drained, so
        # it must say no more than its first lines, and errors go to a file.
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=errors)
        try:
            line = _first_line(process, time.monotonic() + START_SECONDS)
            match = _LISTENING.fullmatch(line)
            if match is None:
                errors.seek(0)
                raise AssertionError(
                    f"serve did not start: first line {line!r}, errors {errors.read()!r}"
                )
            yield match.group(1)
        finally:
            process.terminate()
            try:
                process.wait(STOP_SECONDS)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(STOP_SECONDS)
            if process.stdout is not None:
                process.stdout.close()


def http_client(base_url: str) -> httpx.Client:
    """A plain HTTP client for the live server at ``base_url``, sending :data:`KEY`."""
    return httpx.Client(
        base_url=base_url, headers={"Authorization": f"Bearer {KEY}"}, timeout=HTTP_SECONDS
    )


@contextlib.contextmanager
def in_process_app() -> Generator[WSGIApplication, None, None]:
    """A fresh in-process server: the WSGI app over an in-memory store, accepting :data:`KEY`.

    The store is closed when the block ends.
    """
    store = SQLiteStore(":memory:")
    try:
        yield wsgi_app(store, Config((KEY,)))
    finally:
        store.close()


def in_process_client(app: WSGIApplication, *, key: str | None = KEY) -> httpx.Client:
    """An HTTP client whose every request goes to ``app``, in this process.

    With ``key``, each request carries it; the SDK is given a client with no
    key, and adds its own.
    """
    headers = {} if key is None else {"Authorization": f"Bearer {key}"}
    return httpx.Client(
        transport=httpx.WSGITransport(app=app),
        base_url=IN_PROCESS_URL,
        headers=headers,
        timeout=HTTP_SECONDS,
    )


def python_sdk(base_url: str, client: httpx.Client | None = None) -> Clerk:
    """``clerk-backend-api`` for the server at ``base_url``: retries off, a short timeout.

    With ``client``, every request goes through it (an in-process transport);
    the caller closes it.
    """
    return Clerk(
        bearer_auth=KEY,
        server_url=f"{base_url}/v1",
        client=client,
        retry_config=NO_RETRIES,
        timeout_ms=int(HTTP_SECONDS * 1000),
    )


def _json(response: httpx.Response) -> dict[str, JSONValue]:
    value = parse_json(response.content)
    assert isinstance(value, dict), response.content
    return value


def create_user(http: httpx.Client, stored: UserMetadata) -> str:
    """Create a user holding ``stored`` with a plain ``POST /v1/users``; return its id."""
    response = http.post(
        "/v1/users",
        content=dump_json(stored.to_body()).encode("utf-8"),
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 200, response.content
    return cast("str", _json(response)["id"])


def raw_user(http: httpx.Client, user_id: str) -> dict[str, JSONValue]:
    """The user object exactly as the server sends it, read with a plain ``GET``."""
    response = http.get(f"/v1/users/{user_id}")
    assert response.status_code == 200, response.content
    return _json(response)


def request_log(http: httpx.Client) -> list[dict[str, JSONValue]]:
    """Every request the server has logged, oldest first (``GET /__admin/requests``)."""
    response = http.get("/__admin/requests")
    assert response.status_code == 200, response.content
    return cast("list[dict[str, JSONValue]]", _json(response)["data"])


def writes_to(log: list[dict[str, JSONValue]], user_id: str) -> list[dict[str, JSONValue]]:
    """The logged ``PUT`` and ``PATCH`` requests to ``user_id``'s metadata, oldest first."""
    path = f"/v1/users/{user_id}/metadata"
    return [entry for entry in log if entry["path"] == path]

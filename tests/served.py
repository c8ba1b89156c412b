"""Helpers for the server's tests: a config with fixed clock and ids, calls, a live server.

Everything here runs on loopback only and stops itself.
"""

from __future__ import annotations

import contextlib
import itertools
import socket
import threading
import weakref
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import quote

from metadata_semantics import JSONValue, parse_json
from metadata_semantics.server import (
    Config,
    PostgresStore,
    Request,
    Response,
    Server,
    SQLiteStore,
    Store,
    handle,
)

if TYPE_CHECKING:
    from collections.abc import Generator

    import pytest

STORES = ("sqlite", "postgresql")
"""Every kind of store; behaviour tests that touch storage run on each."""


@contextlib.contextmanager
def new_store(kind: str, request: pytest.FixtureRequest) -> Generator[Store]:
    """A new, empty store of ``kind``: SQLite in memory, or a new PostgreSQL database."""
    if kind == "sqlite":
        db: Store = SQLiteStore(":memory:")
    else:
        db = PostgresStore(request.getfixturevalue("postgres").database())
    try:
        yield db
    finally:
        db.close()


def postgres_url(dsn: str) -> str:
    """The ``postgresql://`` URL of a test cluster's key=value connection string."""
    import psycopg.conninfo

    parts = psycopg.conninfo.conninfo_to_dict(dsn)
    host = quote(str(parts["host"]), safe="")
    return f"postgresql://{parts['user']}@/{parts['dbname']}?host={host}"


KEY = "sk_test_the_one_key"
AUTH = ("authorization", f"Bearer {KEY}")


def config(**options: Any) -> Config:
    """A config with the test key, a clock that ticks 1 ms per call and numbered ids."""
    ticks = itertools.count(1_700_000_000_000)
    numbers = itertools.count(1)

    def clock() -> int:
        return next(ticks)

    def make_id(prefix: str) -> str:
        return f"{prefix}_{next(numbers):027d}"

    def trace_id() -> str:
        return "trace"

    defaults: dict[str, Any] = {"clock": clock, "make_id": make_id, "trace_id": trace_id}
    defaults.update(options)
    return Config((KEY,), **defaults)


# One config for calls that give none: its clock keeps ticking across them.
DEFAULT = config()


def call(
    store: Store,
    method: str,
    target: str,
    body: bytes = b"",
    *,
    cfg: Config | None = None,
    headers: tuple[tuple[str, str], ...] = (AUTH,),
) -> Response:
    return handle(Request(method, target, headers, body), store, cfg or DEFAULT)


def answer(response: Response) -> dict[str, JSONValue]:
    value = parse_json(response.body)
    assert isinstance(value, dict)
    return value


def error_code(response: Response) -> str:
    errors = cast("list[dict[str, JSONValue]]", answer(response)["errors"])
    return cast("str", errors[0]["code"])


def create(store: Store, body: bytes = b"", cfg: Config | None = None) -> str:
    response = call(store, "POST", "/v1/users", body, cfg=cfg)
    assert response.status == 200, response.body
    return cast("str", answer(response)["id"])


@contextlib.contextmanager
def live(
    store: Store | None = None, cfg: Config | None = None, *, timeout: float = 5.0
) -> Generator[Server]:
    """A real server on 127.0.0.1 and a free port, serving in a thread until the block ends."""
    own = store is None
    db: Store = store or SQLiteStore(":memory:")
    server = Server("127.0.0.1", 0, db, cfg or DEFAULT, timeout=timeout)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield server
    finally:
        server.stop()
        thread.join(timeout=30)
        if own:
            db.close()


def connect(server: Server, timeout: float = 10.0) -> socket.socket:
    return socket.create_connection(("127.0.0.1", server.server_port), timeout=timeout)


# Bytes read past the end of one response, kept for the next read on that socket.
_LEFTOVER: weakref.WeakKeyDictionary[socket.socket, bytes] = weakref.WeakKeyDictionary()


def _more(sock: socket.socket, data: bytes, what: str) -> bytes:
    chunk = sock.recv(65536)
    if not chunk:
        raise ConnectionError(f"closed {what} after {data[:200]!r}")
    return data + chunk


def read_response(sock: socket.socket) -> tuple[int, dict[str, str], bytes]:
    """Read one HTTP/1.1 response with a Content-Length from a socket."""
    data = _LEFTOVER.pop(sock, b"")
    while b"\r\n\r\n" not in data:
        data = _more(sock, data, "before the head's end")
    head, _, rest = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ")[1])
    headers: dict[str, str] = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    length = int(headers["content-length"])
    while len(rest) < length:
        rest = _more(sock, rest, "inside the body")
    _LEFTOVER[sock] = rest[length:]
    return status, headers, rest[:length]


def request_bytes(
    method: str, target: str, body: bytes = b"", *, key: str | None = KEY, extra: str = ""
) -> bytes:
    auth = f"Authorization: Bearer {key}\r\n" if key is not None else ""
    return (
        f"{method} {target} HTTP/1.1\r\nHost: 127.0.0.1\r\n{auth}"
        f"Content-Length: {len(body)}\r\n{extra}\r\n"
    ).encode("latin-1") + body


def closed(sock: socket.socket) -> bool:
    """Tell whether the peer closed the connection (reads EOF or a reset)."""
    if _LEFTOVER.get(sock):
        return False
    try:
        return sock.recv(1) == b""
    except ConnectionResetError:
        return True


def parsed(body: bytes) -> JSONValue:
    return parse_json(body)

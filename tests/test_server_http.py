"""The HTTP adapter on a real socket: keep-alive without stalls, and hostile HTTP survived.

Every test talks to a server on 127.0.0.1 and a free port, with a bounded
number of requests and socket timeouts, and checks that the server is still
up afterwards. Nothing here asserts on elapsed time.
"""

from __future__ import annotations

import http.client
import select
import socket
import threading
from typing import TYPE_CHECKING, Any, cast

import pytest

from metadata_semantics import JSONValue, parse_json
from metadata_semantics.server import ROUTES, Response, Server, SQLiteStore
from metadata_semantics.server import _http as http_adapter  # pyright: ignore[reportPrivateUsage]

from served import AUTH, KEY, closed, config, connect, live, read_response, request_bytes

if TYPE_CHECKING:
    from collections.abc import Iterator


@pytest.fixture
def server() -> Iterator[Server]:
    with live(timeout=1.0) as running:
        yield running


def clerk_code(body: bytes) -> str:
    value = cast("dict[str, Any]", parse_json(body))
    assert set(value) == {"errors", "clerk_trace_id"}
    error = value["errors"][0]
    assert all(isinstance(error[name], str) for name in ("code", "message", "long_message"))
    return cast("str", error["code"])


def still_up(server: Server) -> None:
    with connect(server) as sock:
        sock.sendall(request_bytes("GET", "/__admin/health"))
        status, headers, body = read_response(sock)
    assert status == 200
    assert headers["content-type"] == "application/json"
    assert parse_json(body) == {"status": "ok"}


def new_user(server: Server) -> str:
    with connect(server) as sock:
        sock.sendall(request_bytes("POST", "/v1/users", b'{"public_metadata":{"a":1}}'))
        status, _, body = read_response(sock)
    assert status == 200
    return cast("str", cast("dict[str, JSONValue]", parse_json(body))["id"])


# Keep-alive -------------------------------------------------------------------


def test_sequential_keep_alive_requests_use_one_connection_and_one_write_each(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Each response leaves in one write on a TCP_NODELAY socket, so no request waits on Nagle."""
    writes: list[int] = []
    connections: list[int] = []
    handler_class = http_adapter._Handler  # pyright: ignore[reportPrivateUsage]
    original = handler_class.setup

    def counting_setup(handler: Any) -> None:
        original(handler)
        nodelay = handler.connection.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
        connections.append(nodelay)
        plain = handler.wfile

        class Counting:
            def write(self, data: bytes) -> int:
                writes.append(len(data))
                return cast("int", plain.write(data))

            def flush(self) -> None:
                plain.flush()

            @property
            def closed(self) -> bool:
                return cast("bool", plain.closed)

            def close(self) -> None:
                plain.close()

        handler.wfile = Counting()

    monkeypatch.setattr(handler_class, "setup", counting_setup)
    with live(timeout=5.0) as server:
        user = new_user(server)
        writes.clear()
        client = http.client.HTTPConnection("127.0.0.1", server.server_port, timeout=10)
        headers = {"Authorization": AUTH[1]}
        for number in range(200):
            body = f'{{"public_metadata":{{"n{number % 7}":{number}}}}}'
            client.request("PATCH", f"/v1/users/{user}/metadata", body, headers)
            response = client.getresponse()
            response.read()
            assert response.status == 200
            assert response.getheader("Connection") is None
        client.close()
    assert len(connections) == 2  # the create, then all 200 PATCHes on one connection
    assert all(connections)
    assert len(writes) == 200


# Hostile HTTP -----------------------------------------------------------------------


def test_malformed_json_is_a_400_and_the_connection_stays_usable(server: Server) -> None:
    user = new_user(server)
    with connect(server) as sock:
        sock.sendall(request_bytes("PATCH", f"/v1/users/{user}/metadata", b'{"public_metadata":'))
        status, headers, body = read_response(sock)
        assert status == 400
        assert clerk_code(body) == "malformed_request_body"
        assert "connection" not in headers
        sock.sendall(request_bytes("GET", f"/v1/users/{user}"))
        assert read_response(sock)[0] == 200


def test_a_declared_gigabyte_is_refused_without_reading_the_body(server: Server) -> None:
    user = new_user(server)
    head = request_bytes("PATCH", f"/v1/users/{user}/metadata").replace(
        b"Content-Length: 0", b"Content-Length: 1073741824"
    )
    with connect(server) as sock:
        sock.sendall(head)  # and not one byte of the body
        status, headers, body = read_response(sock)
        assert status == 413
        assert headers["connection"] == "close"
        assert clerk_code(body) == "request_body_too_large"
        assert closed(sock)
    still_up(server)


def test_expect_continue_gets_the_413_instead_of_a_100(server: Server) -> None:
    head = request_bytes("POST", "/v1/users", extra="Expect: 100-continue\r\n").replace(
        b"Content-Length: 0", b"Content-Length: 1073741824"
    )
    with connect(server) as sock:
        sock.sendall(head)
        status, _, body = read_response(sock)
    assert status == 413
    assert clerk_code(body) == "request_body_too_large"


def test_expect_continue_within_the_bound_gets_a_100_then_the_answer(server: Server) -> None:
    body = b'{"first_name":"Ada"}'
    head = request_bytes("POST", "/v1/users", body, extra="Expect: 100-continue\r\n")
    with connect(server) as sock:
        sock.sendall(head[: -len(body)])
        interim = b""
        while b"\r\n\r\n" not in interim:
            interim += sock.recv(1)
        assert interim == b"HTTP/1.1 100 Continue\r\n\r\n"
        sock.sendall(body)
        status, _, answer = read_response(sock)
    assert status == 200
    assert cast("dict[str, JSONValue]", parse_json(answer))["first_name"] == "Ada"


def test_a_body_shorter_than_its_length_times_out_then_closes(server: Server) -> None:
    user = new_user(server)
    head = request_bytes("PATCH", f"/v1/users/{user}/metadata", b"{}").replace(
        b"Content-Length: 2", b"Content-Length: 10"
    )
    with connect(server) as sock:
        sock.sendall(head)  # 2 bytes of the promised 10
        status, headers, body = read_response(sock)
        assert status == 408
        assert headers["connection"] == "close"
        assert clerk_code(body) == "request_timeout"
        assert closed(sock)
    still_up(server)


def test_a_body_without_a_length_is_no_body_and_its_bytes_a_bad_request(server: Server) -> None:
    """RFC 9112 section 6.3: a request with neither Content-Length nor chunking has no body."""
    user = new_user(server)
    head = request_bytes("PATCH", f"/v1/users/{user}/metadata").replace(
        b"Content-Length: 0\r\n", b""
    )
    for stray in (b'{"public_metadata":{"b":2}}\r\n', b'{"public_metadata":{"b":2}}'):
        with connect(server) as sock:
            sock.sendall(head + stray)
            status, _, body = read_response(sock)
            assert status == 200  # a PATCH that provides nothing
            assert cast("dict[str, Any]", parse_json(body))["public_metadata"] == {"a": 1}
            status, headers, body = read_response(sock)
            assert status in {400, 408}
            assert headers["connection"] == "close"
            assert clerk_code(body) in {"bad_request", "request_timeout"}
            assert closed(sock)
    still_up(server)


def test_a_chunked_body_is_refused_cleanly(server: Server) -> None:
    user = new_user(server)
    head = request_bytes("PATCH", f"/v1/users/{user}/metadata").replace(
        b"Content-Length: 0", b"Transfer-Encoding: chunked"
    )
    with connect(server) as sock:
        sock.sendall(head + b"2\r\n{}\r\n0\r\n\r\n")
        status, headers, body = read_response(sock)
        assert status == 411
        assert headers["connection"] == "close"
        assert clerk_code(body) == "content_length_required"
        assert closed(sock)
    still_up(server)


def test_a_slow_client_is_cut_off_by_the_per_request_deadline(server: Server) -> None:
    line = request_bytes("GET", "/__admin/health")
    with connect(server) as sock:
        answered = False
        # One byte at a time, each after a pause; the deadline (1 s) ends it
        # long before the request is complete.
        for byte in line:
            try:
                sock.sendall(bytes([byte]))
            except OSError:
                break
            readable, _, _ = select.select([sock], [], [], 0.3)
            if readable:
                answered = True
                break
        assert answered
        status, headers, body = read_response(sock)
        assert status == 408
        assert headers["connection"] == "close"
        assert clerk_code(body) == "request_timeout"
    still_up(server)


def test_an_idle_connection_is_closed_after_the_timeout(server: Server) -> None:
    with connect(server) as sock:
        readable, _, _ = select.select([sock], [], [], 10)
        assert readable
        assert closed(sock)
    still_up(server)


@pytest.mark.parametrize(
    ("method", "path", "status", "code"),
    [
        ("GET", "/nowhere", 404, "resource_not_found"),
        ("GET", "/v1/users/user_a/../../__admin/health", 404, "resource_not_found"),
        ("GET", "/v1/users/..", 404, "resource_not_found"),
        ("GET", "/v1/users/user_a%2F..%2F..%2F__admin%2Fhealth", 404, "resource_not_found"),
        ("GET", "/v1/users/user_" + "a" * 10_000, 404, "resource_not_found"),
        ("PATCH", "/v1/users", 405, "method_not_allowed"),
        ("TRACE", "/__admin/health", 405, "method_not_allowed"),
        ("HEAD", "/__admin/health", 405, "method_not_allowed"),
    ],
)
def test_unknown_routes_wrong_methods_and_path_tricks_get_clerk_errors(
    server: Server, method: str, path: str, status: int, code: str
) -> None:
    with connect(server) as sock:
        sock.sendall(request_bytes(method, path))
        got, _, body = read_response(sock)
    assert got == status
    assert clerk_code(body) == code
    still_up(server)


@pytest.mark.parametrize(
    "raw",
    [
        b"GARBAGE\r\n\r\n",
        b"GET / HTTP/2.0\r\n\r\n",
        b"GET / FTP/1.0\r\n\r\n",
        b"GET /" + b"a" * 70_000 + b" HTTP/1.1\r\n\r\n",
        b"GET / HTTP/1.1\r\nX-Long: " + b"a" * 70_000 + b"\r\n\r\n",
        b"GET / HTTP/1.1\r\n" + b"X-Many: 1\r\n" * 150 + b"\r\n",
        b"GET /__admin/health HTTP/1.1\r\nContent-Length: 12x\r\n\r\n",
    ],
)
def test_broken_http_gets_a_clerk_shaped_400_and_a_close(server: Server, raw: bytes) -> None:
    with connect(server) as sock:
        sock.sendall(raw)
        status, headers, body = read_response(sock)
        assert status == 400
        assert headers["connection"] == "close"
        assert clerk_code(body) == "bad_request"
    still_up(server)


def test_non_utf8_headers_are_read_as_latin1(server: Server) -> None:
    with connect(server) as sock:
        sock.sendall(
            request_bytes("GET", "/__admin/health", extra="X-Odd: \xff\xfe\x80\r\n").replace(
                b"\\xff", b"\xff"
            )
        )
        assert read_response(sock)[0] == 200
        sock.sendall(b"GET /__admin/health HTTP/1.1\r\nAuthorization: Bearer \xff\xfe\r\n\r\n")
        status, _, body = read_response(sock)
        assert status == 401
        assert clerk_code(body) == "authentication_invalid"
    still_up(server)


def test_every_route_refuses_a_wrong_or_missing_key_live(server: Server) -> None:
    user = new_user(server)
    with connect(server) as sock:
        for route in ROUTES:
            path = route.pattern.replace("{user_id}", user)
            for key in (None, "wrong", KEY + "x"):
                sock.sendall(request_bytes(route.method, path, b"{}", key=key))
                status, _, body = read_response(sock)
                assert status == 401
                assert clerk_code(body) == "authentication_invalid"
    still_up(server)


def test_a_client_that_vanishes_mid_request_leaves_the_server_up(server: Server) -> None:
    for cut in (5, 40):
        sock = connect(server)
        sock.sendall(request_bytes("POST", "/v1/users", b'{"first_name":"x"}')[:cut])
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        sock.close()  # a reset
    still_up(server)


def test_a_body_cut_short_by_the_peer_closing_gets_no_answer(server: Server) -> None:
    head = request_bytes("POST", "/v1/users", b'{"first_name":"x"}')
    with connect(server) as sock:
        sock.sendall(head[:-4])
        sock.shutdown(socket.SHUT_WR)
        assert closed(sock)
    still_up(server)


# Stopping -----------------------------------------------------------------------


def test_stop_closes_idle_connections_and_returns() -> None:
    store = SQLiteStore(":memory:")
    server = Server("127.0.0.1", 0, store, config(), timeout=60.0)
    thread = threading.Thread(target=server.serve_forever)
    thread.start()
    sock = connect(server)
    sock.sendall(request_bytes("GET", "/__admin/health"))
    assert read_response(sock)[0] == 200
    server.stop()  # the idle keep-alive connection must not hold it for 60 s
    thread.join(timeout=30)
    assert not thread.is_alive()
    assert closed(sock)
    sock.close()
    store.close()


def test_a_server_binds_ipv6_loopback_when_asked() -> None:
    if not socket.has_ipv6:  # pragma: no cover - depends on the machine
        pytest.skip("no IPv6")
    store = SQLiteStore(":memory:")
    try:
        server = Server("::1", 0, store, config())
    except OSError:  # pragma: no cover - depends on the machine
        store.close()
        pytest.skip("IPv6 loopback unavailable")
    assert server.url == f"http://[::1]:{server.server_port}"
    server.server_close()
    store.close()


def test_a_response_the_peer_cannot_take_closes_the_connection() -> None:
    class Broken:
        def write(self, _data: bytes) -> int:
            raise BrokenPipeError

    class Owner:
        stopping = False

    handler_class = http_adapter._Handler  # pyright: ignore[reportPrivateUsage]
    handler = handler_class.__new__(handler_class)
    handler.server = cast("Any", Owner())
    handler.wfile = cast("Any", Broken())
    handler.close_connection = False
    handler._send(Response(200, (), b"{}"))  # pyright: ignore[reportPrivateUsage]
    assert handler.close_connection


def test_a_reset_in_the_middle_of_a_body_leaves_the_server_up(server: Server) -> None:
    head = request_bytes("POST", "/v1/users", b"{}" * 5, extra="Expect: 100-continue\r\n")
    sock = connect(server)
    sock.sendall(head[:-10])
    interim = b""
    while not interim.endswith(b"\r\n\r\n"):
        interim += sock.recv(1)
    assert interim.startswith(b"HTTP/1.1 100")  # the server is now reading the body
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
    sock.close()  # a reset
    still_up(server)

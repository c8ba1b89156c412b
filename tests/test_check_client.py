"""The checker's HTTP client: base URLs, pacing, parallel sends, and the stdlib client."""

from __future__ import annotations

import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING

import pytest

from metadata_semantics.check import (
    BaseURL,
    HttpRequest,
    HttpResponse,
    RateLimit,
    StdlibClient,
    TransportError,
    UsageError,
    parse_base_url,
    send_together,
)
from metadata_semantics.check._client import MAX_RESPONSE_BYTES, is_loopback

if TYPE_CHECKING:
    from collections.abc import Iterator


@pytest.mark.parametrize(
    ("text", "parsed"),
    [
        ("http://127.0.0.1:8000", BaseURL("http", "127.0.0.1", 8000, "")),
        ("http://localhost/", BaseURL("http", "localhost", 80, "")),
        ("http://[::1]:9/v1", BaseURL("http", "::1", 9, "")),
        ("https://api.clerk.com/v1/", BaseURL("https", "api.clerk.com", 443, "")),
        ("https://example.com/clerk/v1", BaseURL("https", "example.com", 443, "/clerk")),
    ],
)
def test_a_base_url_is_read_with_its_api_root_dropped(text: str, parsed: BaseURL) -> None:
    assert parse_base_url(text) == parsed


def test_a_base_url_prints_back_with_its_port() -> None:
    assert str(parse_base_url("http://[::1]/v1")) == "http://[::1]:80"
    assert str(parse_base_url("https://example.com/a")) == "https://example.com:443/a"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("http://127.0.0.1:99999", "not a URL"),
        ("127.0.0.1:8000", "must be http:// or https://"),
        ("http://", "must be http:// or https://"),
        ("http://127.0.0.1/?a=1", "must not hold a query"),
        ("http://127.0.0.1/#x", "must not hold a query"),
        ("https://user:pw@example.com", "credentials"),
        ("http://10.0.0.1", "refusing plain http:// to 10.0.0.1"),
    ],
)
def test_a_bad_or_insecure_base_url_is_a_usage_error(text: str, message: str) -> None:
    with pytest.raises(UsageError, match=message):
        parse_base_url(text)


def test_allow_insecure_permits_plain_http_elsewhere() -> None:
    assert parse_base_url("http://10.0.0.1", allow_insecure=True).host == "10.0.0.1"


def test_loopback_is_localhost_or_a_loopback_address() -> None:
    assert is_loopback("LOCALHOST")
    assert is_loopback("127.8.0.1")
    assert is_loopback("::1")
    assert not is_loopback("10.0.0.1")
    assert not is_loopback("localhost.example.com")


def test_the_rate_limit_paces_single_requests_and_bursts() -> None:
    now = [100.0]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    limit = RateLimit(4, clock=lambda: now[0], sleep=sleep)
    limit.acquire()
    limit.acquire()
    limit.acquire(8)
    limit.acquire()
    assert slept == [0.25, 0.25, 2.0]


def test_no_rate_limit_never_sleeps() -> None:
    slept: list[float] = []
    limit = RateLimit(0, sleep=slept.append)
    for _ in range(100):
        limit.acquire()
    assert slept == []


def test_send_together_returns_answers_and_transport_errors_in_order() -> None:
    started = threading.Barrier(3, timeout=10)

    def send(request: HttpRequest) -> HttpResponse:
        # Each waits for the others: the three are in flight at once.
        started.wait()
        if request.path == "/bad":
            raise TransportError("reset")
        return HttpResponse(200, (), request.path.encode())

    answers = send_together(
        send, [HttpRequest("GET", "/a"), HttpRequest("GET", "/bad"), HttpRequest("GET", "/c")]
    )
    assert [a.body if isinstance(a, HttpResponse) else str(a) for a in answers] == [
        b"/a",
        "reset",
        b"/c",
    ]


def test_send_together_raises_any_other_error_in_the_caller() -> None:
    def send(_request: HttpRequest) -> HttpResponse:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        send_together(send, [HttpRequest("GET", "/a")])


class _Echo(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        seen = (self.path, str(self.headers["Authorization"]), str(self.headers["Content-Type"]))
        answer = b"x" * (MAX_RESPONSE_BYTES + 1) if body == b"big" else " ".join(seen).encode()
        answer += b"" if body == b"big" else b" " + body
        self.send_response(201)
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        """Log nothing."""


@pytest.fixture
def echo() -> Iterator[BaseURL]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Echo)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield BaseURL("http", "127.0.0.1", int(server.server_address[1]), "/api")
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=30)


def test_the_stdlib_client_sends_the_exact_request(echo: BaseURL) -> None:
    client = StdlibClient(echo, timeout=5, rps=0)
    headers = (("Authorization", "Bearer k"), ("Content-Type", "text/plain"))
    answer = client.send(HttpRequest("POST", "/v1/users", headers, b'{"a": 1}'))
    assert answer.status == 201
    assert answer.body == b'/api/v1/users Bearer k text/plain {"a": 1}'
    answers = client.send_parallel([HttpRequest("POST", f"/{n}", (), b"") for n in range(3)])
    assert [a.body.split()[0] for a in answers if isinstance(a, HttpResponse)] == [
        b"/api/0",
        b"/api/1",
        b"/api/2",
    ]


def test_the_stdlib_client_refuses_an_answer_too_large(echo: BaseURL) -> None:
    client = StdlibClient(echo, timeout=5, rps=0)
    with pytest.raises(TransportError, match="larger than"):
        client.send(HttpRequest("POST", "/", (), b"big"))


def test_the_stdlib_client_reports_no_answer_as_a_transport_error() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    client = StdlibClient(BaseURL("http", "127.0.0.1", port, ""), timeout=5, rps=0)
    with pytest.raises(TransportError):
        client.send(HttpRequest("GET", "/v1/users/x", (("Authorization", "Bearer secret"),)))


def test_https_goes_through_tls() -> None:
    # Nothing listens with TLS here: the plain-text echo answers a TLS hello
    # with garbage, or the connection is refused; either way no answer.
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    client = StdlibClient(BaseURL("https", "127.0.0.1", port, ""), timeout=5, rps=0)
    with pytest.raises(TransportError):
        client.send(HttpRequest("GET", "/"))

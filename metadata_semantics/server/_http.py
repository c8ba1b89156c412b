"""The standard library's threading HTTP server around :func:`handle`.

HTTP/1.1 with keep-alive; ``TCP_NODELAY`` and one write per response, so a
keep-alive client never waits on Nagle's algorithm; a deadline per request
(request line, headers and body must all arrive within ``timeout`` seconds,
and an idle connection is closed after it), so a slow client cannot hold a
thread; a body over the bound refused with 413 before any of it is read.
"""

from __future__ import annotations

import io
import socket
import socketserver
import time
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Final, cast

from ._app import Config, Request, Response, body_length, check_head, handle, server_error

if TYPE_CHECKING:
    from ._store import Store

__all__ = ["DEFAULT_TIMEOUT", "Server"]

DEFAULT_TIMEOUT: Final = 30.0
"""Seconds a connection may take to send one whole request, or stay idle."""

# How often a waiting connection looks whether the server is stopping.
_POLL: Final = 0.25
_MAX_LINE: Final = 65536


class _DeadlineReader(io.RawIOBase):
    """A socket's reading side that gives up at the handler's deadline, however slow the peer."""

    def __init__(self, sock: socket.socket, handler: _Handler) -> None:
        super().__init__()
        self._sock = sock
        self._handler = handler

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int | None:  # type: ignore[override]
        handler = self._handler
        if handler.probing:
            return None  # as a non-blocking stream with nothing ready: reads only the buffer
        while True:
            remaining = handler.deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError
            self._sock.settimeout(min(remaining, _POLL))
            try:
                received = self._sock.recv_into(buffer)
            except TimeoutError:
                # A connection waiting for its next request lets a stopping
                # server go; one in the middle of a request keeps its deadline.
                if handler.idle and handler.owner.stopping and not handler.started:
                    return 0
                continue
            handler.started = handler.started or received > 0
            return received


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    deadline: float
    idle: bool
    started: bool  # some bytes of the next request have arrived
    probing: bool = False
    reader: io.BufferedReader

    @property
    def owner(self) -> Server:
        """The server this handler works for, with its store, config and timeout."""
        return cast("Server", self.server)

    def setup(self) -> None:
        super().setup()
        plain = self.rfile
        self.reader = io.BufferedReader(_DeadlineReader(self.connection, self))
        self.rfile = self.reader
        plain.close()

    def handle_one_request(self) -> None:
        self.deadline = time.monotonic() + self.owner.timeout_seconds
        self.idle = True
        self.started = self._buffered()
        try:
            line = self.rfile.readline(_MAX_LINE + 1)
        except OSError as error:
            # A timeout after part of a request line is answered; a silent
            # idle connection or a reset is just closed.
            self.close_connection = True
            if isinstance(error, TimeoutError) and self.started:
                self._timed_out()
            return
        self.idle = False
        if not line:
            self.close_connection = True
            return
        try:
            if len(line) > _MAX_LINE:
                self.send_error(HTTPStatus.REQUEST_URI_TOO_LONG)
                return
            self.raw_requestline = line
            if self.parse_request():
                self._respond()
        except TimeoutError:
            self._timed_out()
        except OSError:  # the peer reset the connection in the middle of a request
            self.close_connection = True

    def _timed_out(self) -> None:
        config = self.owner.config
        detail = f"The whole request must arrive within {self.owner.timeout_seconds} seconds."
        self._send(server_error(config, "timeout", detail, close=True))

    def _buffered(self) -> bool:
        """Tell whether bytes already read from the socket wait in the buffer."""
        self.probing = True
        try:
            return bool(self.reader.peek(1))
        finally:
            self.probing = False

    def handle_expect_100(self) -> bool:
        early = check_head(self._headers(), self.owner.config)
        if early is not None:
            self._send(early)
            return False
        return super().handle_expect_100()

    def _headers(self) -> tuple[tuple[str, str], ...]:
        return tuple((name.lower(), value) for name, value in self.headers.items())

    def _respond(self) -> None:
        headers = self._headers()
        config = self.owner.config
        early = check_head(headers, config)
        if early is not None:
            self._send(early)
            return
        length = body_length(headers)
        body = self.rfile.read(length) if length else b""
        if len(body) < length:  # the peer closed before the whole body arrived
            self.close_connection = True
            return
        request = Request(self.command, self.path, headers, body)
        self._send(handle(request, self.owner.store, config))

    def _send(self, response: Response) -> None:
        # A stopping server answers what is in flight and closes each connection.
        close = response.close or self.close_connection or self.owner.stopping
        phrase = HTTPStatus(response.status).phrase
        lines = [f"HTTP/1.1 {response.status} {phrase}"]
        lines.extend(f"{name}: {value}" for name, value in response.headers)
        if close:
            lines.append("Connection: close")
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        self.close_connection = close
        try:
            # One write: headers and body leave in one send.
            self.wfile.write(head + response.body)
        except OSError:
            self.close_connection = True

    def send_error(
        self, code: int, message: str | None = None, explain: str | None = None
    ) -> None:
        """Answer a request the standard library could not parse, the Clerk way, and close."""
        del explain
        detail = message or HTTPStatus(code).phrase
        self.close_connection = True
        self._send(server_error(self.owner.config, "bad_request", detail, close=True))

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base's name
        """Log nothing: the request log is at ``GET /__admin/requests``."""


class Server(ThreadingHTTPServer):
    """A threading HTTP/1.1 server answering with :func:`handle` over ``store``.

    Bind with ``port=0`` for a free port; :attr:`url` tells the real one.
    :meth:`stop` finishes the requests in flight and closes the socket; it
    does not close the store.
    """

    daemon_threads = False
    block_on_close = True
    request_queue_size = 128

    def __init__(
        self,
        host: str,
        port: int,
        store: Store,
        config: Config,
        *,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> None:
        """Bind and listen on ``host``:``port``; raises :class:`OSError` if that fails."""
        self.store = store
        self.config = config
        self.timeout_seconds = timeout
        self.stopping = False
        if ":" in host:
            self.address_family = socket.AF_INET6
        super().__init__((host, port), _Handler)

    def server_bind(self) -> None:
        """Bind without the reverse DNS lookup the standard library makes."""
        socketserver.TCPServer.server_bind(self)
        self.server_name = str(self.server_address[0])
        self.server_port = int(self.server_address[1])

    @property
    def url(self) -> str:
        """The base URL, with the real port: ``http://127.0.0.1:PORT``."""
        host = self.server_name
        shown = f"[{host}]" if ":" in host else host
        return f"http://{shown}:{self.server_port}"

    def stop(self) -> None:
        """Stop accepting, let every request in flight finish, and close the socket."""
        self.stopping = True
        self.shutdown()
        self.server_close()

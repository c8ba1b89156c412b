"""The HTTP client the checker sends through: a protocol, and one built on ``http.client``.

The runner never opens a socket itself: it hands :class:`HttpRequest` values
to a :class:`Client`, so that tests can answer in-process and a real run
goes through :class:`StdlibClient`, which paces requests (``rps``) and gives
each one a timeout. Headers, and so the secret key, are never part of an
error message.
"""

from __future__ import annotations

import http.client
import ipaddress
import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final, Protocol
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

__all__ = [
    "MAX_RESPONSE_BYTES",
    "BaseURL",
    "Client",
    "HttpRequest",
    "HttpResponse",
    "RateLimit",
    "StdlibClient",
    "TransportError",
    "UsageError",
    "parse_base_url",
    "send_together",
]

MAX_RESPONSE_BYTES: Final = 4 << 20
"""The largest response body read; a larger one is a :class:`TransportError`."""

_API_ROOT: Final = "/v1"


class UsageError(Exception):
    """The checker was asked for something it will not do; the message says what."""


class TransportError(Exception):
    """A request got no HTTP answer: refused, reset, timed out, or not HTTP."""


@dataclass(frozen=True, slots=True)
class HttpRequest:
    """One request: method, path from the API root (``/v1/users``), headers, body bytes.

    ``body`` is ``None`` for a request with no body at all.
    """

    method: str
    path: str
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes | None = None


@dataclass(frozen=True, slots=True)
class HttpResponse:
    """One answer: the status, the headers and the whole body."""

    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes


class Client(Protocol):
    """Sends requests to the server under test. Safe to call from several threads."""

    def send(self, request: HttpRequest, /) -> HttpResponse:
        """Send one request and return its answer; raises :class:`TransportError`."""
        ...

    def send_parallel(
        self, requests: Sequence[HttpRequest], /
    ) -> list[HttpResponse | TransportError]:
        """Send the requests at the same moment and return each answer or error, in order."""
        ...


def send_together(
    send: Callable[[HttpRequest], HttpResponse], requests: Sequence[HttpRequest], /
) -> list[HttpResponse | TransportError]:
    """Call ``send`` for every request, each in its own thread, released together.

    Returns each answer, or the :class:`TransportError` it raised, in order;
    any other exception from a thread is raised here once all have ended.
    """
    results: list[HttpResponse | BaseException] = [TransportError("not sent")] * len(requests)
    start = threading.Barrier(len(requests))

    def one(index: int) -> None:
        try:
            start.wait()
            results[index] = send(requests[index])
        except BaseException as error:  # noqa: BLE001 - handed to the caller's thread
            results[index] = error

    threads = [threading.Thread(target=one, args=(index,)) for index in range(len(requests))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    answers: list[HttpResponse | TransportError] = []
    for result in results:
        if not isinstance(result, HttpResponse | TransportError):
            raise result
        answers.append(result)
    return answers


class RateLimit:
    """Paces requests to at most ``per_second`` on average (0: no limit). Thread-safe.

    A burst of ``count`` requests is let through at once and paid for after:
    the next request waits ``count / per_second`` seconds.
    """

    def __init__(
        self,
        per_second: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        """Pace at ``per_second``; ``clock`` and ``sleep`` are for tests."""
        self._interval = 1.0 / per_second if per_second > 0 else 0.0
        self._clock = clock
        self._sleep = sleep
        self._next = 0.0
        self._lock = threading.Lock()

    def acquire(self, count: int = 1, /) -> None:
        """Wait until ``count`` requests may go."""
        with self._lock:
            now = self._clock()
            start = max(now, self._next)
            self._next = start + count * self._interval
        if start > now:
            self._sleep(start - now)


@dataclass(frozen=True, slots=True)
class BaseURL:
    """Where the server is: scheme, host, port and the path in front of ``/v1``."""

    scheme: str
    host: str
    port: int
    prefix: str

    def __str__(self) -> str:
        """The URL as given, normalised: ``https://host:port/prefix``."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{self.scheme}://{host}:{self.port}{self.prefix}"


def is_loopback(host: str, /) -> bool:
    """Tell whether ``host`` names this machine: ``localhost`` or a loopback address."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def parse_base_url(text: str, /, *, allow_insecure: bool = False) -> BaseURL:
    """Read the server's base URL; a trailing ``/v1`` is the API root and is dropped.

    Raises :class:`UsageError` for a URL that is not ``http://`` or
    ``https://`` with a host, that has a query or fragment, or that is plain
    ``http://`` to a host other than loopback without ``allow_insecure``.
    """
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError as error:
        raise UsageError(f"not a URL: {error}") from None
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise UsageError("BASE_URL must be http:// or https:// with a host")
    if parts.query or parts.fragment or parts.username or parts.password:
        raise UsageError("BASE_URL must not hold a query, a fragment or credentials")
    if parts.scheme == "http" and not allow_insecure and not is_loopback(parts.hostname):
        raise UsageError(
            f"refusing plain http:// to {parts.hostname}, which is not loopback: the secret "
            "key would cross the network unencrypted (use https://, or --allow-insecure)"
        )
    prefix = parts.path.rstrip("/")
    prefix = prefix.removesuffix(_API_ROOT)
    default = 443 if parts.scheme == "https" else 80
    return BaseURL(parts.scheme, parts.hostname, port or default, prefix)


class StdlibClient:
    """A :class:`Client` over ``http.client``: one connection per request, paced, timed out."""

    def __init__(
        self, base: BaseURL, *, timeout: float, rps: float, user_agent: str = "metadata-semantics"
    ) -> None:
        """Send to ``base``; each request gets ``timeout`` seconds per socket operation."""
        self._base = base
        self._timeout = timeout
        self._limit = RateLimit(rps)
        self._agent = user_agent

    def send(self, request: HttpRequest, /) -> HttpResponse:
        """Send one request after its turn; raises :class:`TransportError`."""
        self._limit.acquire()
        return self._send(request)

    def send_parallel(
        self, requests: Sequence[HttpRequest], /
    ) -> list[HttpResponse | TransportError]:
        """Send the requests at once, each on its own connection; paced as one burst."""
        self._limit.acquire(len(requests))
        return send_together(self._send, requests)

    def _send(self, request: HttpRequest) -> HttpResponse:
        base = self._base
        kind = (
            http.client.HTTPSConnection if base.scheme == "https" else http.client.HTTPConnection
        )
        connection = kind(base.host, base.port, timeout=self._timeout)
        headers = {"User-Agent": self._agent, **dict(request.headers)}
        try:
            connection.request(
                request.method, base.prefix + request.path, body=request.body, headers=headers
            )
            response = connection.getresponse()
            body = response.read(MAX_RESPONSE_BYTES + 1)
        except (OSError, http.client.HTTPException) as error:
            raise TransportError(str(error) or type(error).__name__) from None
        finally:
            connection.close()
        if len(body) > MAX_RESPONSE_BYTES:
            raise TransportError(f"the answer is larger than {MAX_RESPONSE_BYTES} bytes")
        return HttpResponse(response.status, tuple(response.getheaders()), body)

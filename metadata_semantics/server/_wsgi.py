"""A PEP 3333 WSGI application around :func:`handle`, to run the server in-process.

Use it with ``httpx.WSGITransport``, ``wsgiref`` or any WSGI server. A body
over the bound is refused from its ``CONTENT_LENGTH`` before it is read.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import TYPE_CHECKING
from urllib.parse import quote

from ._app import Config, Request, body_length, check_head, handle

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable
    from typing import Any

    from ._store import Store

__all__ = ["wsgi_app"]


def _headers(environ: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    pairs: list[tuple[str, str]] = []
    for key, value in environ.items():
        if key.startswith("HTTP_"):
            pairs.append((key[5:].replace("_", "-").lower(), str(value)))
        elif key in {"CONTENT_TYPE", "CONTENT_LENGTH"} and value:
            pairs.append((key.replace("_", "-").lower(), str(value)))
    return tuple(pairs)


def _target(environ: dict[str, Any]) -> str:
    # PATH_INFO arrives decoded (as Latin-1); encode it again so that the app
    # sees one form, whatever the server.
    raw = (environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", "")).encode("latin-1")
    query = environ.get("QUERY_STRING", "")
    return quote(raw, safe="/") + (f"?{query}" if query else "")


def wsgi_app(
    store: Store, config: Config
) -> Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]:
    """Return a WSGI application that answers every request with :func:`handle`."""

    def application(
        environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        headers = _headers(environ)
        response = check_head(headers, config)
        if response is None:
            length = body_length(headers)
            body = environ["wsgi.input"].read(length) if length else b""
            method = environ["REQUEST_METHOD"]
            response = handle(Request(method, _target(environ), headers, body), store, config)
        status = f"{response.status} {HTTPStatus(response.status).phrase}"
        start_response(status, list(response.headers))
        return [response.body]

    return application

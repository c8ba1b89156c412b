"""The server's core: one pure function from a request to a response, over a store.

Nothing here opens a socket, starts a thread or keeps state of its own: the
adapters (:mod:`._http`, :mod:`._wsgi`) move bytes, the store keeps users,
and the clock and id source come in through :class:`Config`. Every status,
error code and User member comes from the data in :mod:`._routes`.
"""

from __future__ import annotations

import hmac
import re
import secrets
import time
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Final, cast
from urllib.parse import unquote

from metadata_semantics import (
    FIELDS,
    UPSTREAM_LIMITS,
    InvalidBodyError,
    Limits,
    MetadataError,
    UserMetadata,
    apply_request,
    check_result,
    dump_json,
    parse_json,
    read_request,
)

from ._routes import (
    ADMIN_PREFIX,
    CREATE_PARAMS,
    ERROR_MAP,
    IGNORED_CREATE_PARAMS,
    JSON_CONTENT_TYPE,
    ROUTES,
    SERVER_ERRORS,
    USER_FIELDS,
    HttpError,
    Route,
)
from ._store import StoredUser, UnstorableError, valid_user_id

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence

    from metadata_semantics import JSONValue

    from ._store import Store

__all__ = [
    "DEFAULT_MAX_BODY_BYTES",
    "Config",
    "ParamError",
    "Request",
    "Response",
    "body_length",
    "build_user",
    "check_head",
    "handle",
    "new_id",
    "openapi_document",
    "server_error",
]

DEFAULT_MAX_BODY_BYTES: Final = 1 << 20
"""The largest request body accepted by default (1 MiB); a larger one is a 413."""

_BASE62: Final = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_ID_LENGTH: Final = 27
_DIGITS: Final = frozenset("0123456789")
_SURROGATE: Final = re.compile("[\ud800-\udfff]")

Headers = tuple[tuple[str, str], ...]


def new_id(prefix: str, /) -> str:
    """Return a fresh random id shaped like Clerk's: ``prefix``, ``_`` and 27 base62 characters."""
    return prefix + "_" + "".join(secrets.choice(_BASE62) for _ in range(_ID_LENGTH))


def _now_ms() -> int:
    return time.time_ns() // 1_000_000


def _trace_id() -> str:
    return secrets.token_hex(16)


@cache
def openapi_document() -> bytes:
    """Return the OpenAPI 3 document of every route served, as the package holds it."""
    return resources.files("metadata_semantics.server").joinpath("openapi.json").read_bytes()


@dataclass(frozen=True, slots=True)
class Config:
    """What a server answers with, besides its store.

    ``secret_keys`` are the keys a request may carry; ``limits`` bound every
    write (``None`` for none); ``max_body_bytes`` bounds a request body, and so
    does ``limits.max_body_bytes`` where it is smaller.
    ``clock`` gives Unix milliseconds, ``make_id`` ids and ``trace_id`` the
    ``clerk_trace_id`` of errors: tests pass their own.
    """

    secret_keys: tuple[str, ...]
    limits: Limits | None = UPSTREAM_LIMITS
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    clock: Callable[[], int] = field(default=_now_ms)
    make_id: Callable[[str], str] = field(default=new_id)
    trace_id: Callable[[], str] = field(default=_trace_id)

    @property
    def body_bound(self) -> int:
        """The largest body read: ``max_body_bytes``, or the limits' own bound if smaller."""
        limit = None if self.limits is None else self.limits.max_body_bytes
        return self.max_body_bytes if limit is None else min(self.max_body_bytes, limit)


@dataclass(frozen=True, slots=True)
class Request:
    """One request: method, raw target (path and query, still percent-encoded), headers, body.

    Header names are lower case; values are the bytes as Latin-1, as HTTP
    and PEP 3333 deliver them.
    """

    method: str
    target: str
    headers: Headers = ()
    body: bytes = b""


@dataclass(frozen=True, slots=True)
class Response:
    """One response. ``close`` asks the adapter to close the connection after sending it."""

    status: int
    headers: Headers
    body: bytes
    close: bool = False


class ParamError(Exception):
    """A member of a create body that is not what ``POST /v1/users`` accepts.

    ``name`` is the member and ``kind`` the entry of :data:`SERVER_ERRORS`
    that answers it (``param`` or ``unknown_param``).
    """

    def __init__(self, name: str, kind: str, detail: str) -> None:
        """Record which member is wrong, how, and a sentence saying so."""
        super().__init__(detail)
        self.name = name
        self.kind = kind
        self.detail = detail


def _json(status: int, value: JSONValue, *extra: tuple[str, str], close: bool = False) -> Response:
    body = dump_json(value).encode("utf-8")
    headers = (
        ("Content-Type", JSON_CONTENT_TYPE),
        ("Content-Length", str(len(body))),
        *extra,
    )
    return Response(status, headers, body, close)


def _error(
    config: Config,
    kind: HttpError,
    long_message: str,
    meta: Mapping[str, str] | None = None,
    *extra: tuple[str, str],
    close: bool = False,
) -> Response:
    item: dict[str, JSONValue] = {
        "code": kind.clerk_code,
        "message": kind.message,
        "long_message": _clean(long_message),
        "meta": {name: _clean(value) for name, value in (meta or {}).items()},
    }
    return _json(
        kind.status,
        {"errors": [item], "clerk_trace_id": config.trace_id()},
        *extra,
        close=close,
    )


def server_error(
    config: Config, name: str, long_message: str, *extra: tuple[str, str], close: bool = False
) -> Response:
    """Return the Clerk-shaped error response for the server's own error ``name``.

    ``name`` is a key of :data:`SERVER_ERRORS`; ``extra`` headers are added,
    and ``close`` asks the adapter to close the connection afterwards.
    """
    return _error(config, SERVER_ERRORS[name], long_message, None, *extra, close=close)


def _library_error(config: Config, error: MetadataError) -> Response:
    meta: dict[str, str] = {"code": error.code, "path": error.path}
    if error.field is not None:
        meta["param_name"] = error.field
    return _error(config, ERROR_MAP[error.code], str(error), meta)


def _values(headers: Headers, name: str) -> list[str]:
    return [value for key, value in headers if key == name]


def check_head(headers: Headers, config: Config, /) -> Response | None:
    """Judge a request by its headers alone, before any of its body is read.

    Returns the error response to send (and then close the connection) for a
    chunked body (411), a bad ``Content-Length`` (400) or one above
    ``config.body_bound`` (413); ``None`` if the body may be read.
    Changes nothing.
    """
    if _values(headers, "transfer-encoding"):
        return server_error(
            config, "length_required", "Transfer-Encoding is not accepted.", close=True
        )
    lengths = _values(headers, "content-length")
    if not lengths:
        return None
    text = lengths[0].strip()
    if any(value.strip() != text for value in lengths) or not text or not set(text) <= _DIGITS:
        return server_error(
            config, "bad_request", "Content-Length must be one decimal number.", close=True
        )
    # Compared by length first: int() refuses a number of thousands of digits.
    digits = text.lstrip("0") or "0"
    most = config.body_bound
    if len(digits) > len(str(most)) or int(digits) > most:
        return server_error(
            config,
            "too_large",
            f"The body may be at most {most} bytes; Content-Length says {text}.",
            close=True,
        )
    return None


def body_length(headers: Headers, /) -> int:
    """Return the body length a head declares (0 without ``Content-Length``).

    Call it only after :func:`check_head` has let the head through.
    """
    lengths = _values(headers, "content-length")
    return int(lengths[0].strip().lstrip("0") or "0") if lengths else 0


def _authorised(headers: Headers, keys: Sequence[str]) -> bool:
    given = _values(headers, "authorization")
    if len(given) != 1:
        return False
    scheme, _, token = given[0].strip().partition(" ")
    try:
        presented = token.strip().encode("latin-1")
    except UnicodeEncodeError:  # no HTTP header carries this text
        return False
    # Every key is compared, in constant time, whatever the outcome.
    matches = [hmac.compare_digest(presented, key.encode("utf-8")) for key in keys]
    return scheme.lower() == "bearer" and any(matches)


def _route(method: str, path: str) -> tuple[Route, str] | tuple[None, list[str]]:
    """Return the route and the raw user id, or ``None`` and the methods the path allows."""
    segments = path.split("/")
    allowed: list[str] = []
    for route in ROUTES:
        parts = route.pattern.split("/")
        if len(parts) != len(segments):
            continue
        user_id = ""
        for part, segment in zip(parts, segments, strict=True):
            if part == "{user_id}":
                user_id = unquote(segment, errors="replace")
            elif part != segment:
                break
        else:
            if route.method == method:
                return route, user_id
            allowed.append(route.method)
    return None, allowed


def _user_json(user: StoredUser) -> dict[str, JSONValue]:
    values: dict[str, JSONValue] = {
        "id": user.id,
        "created_at": user.created_at,
        "updated_at": user.updated_at,
        **user.profile,
        "public_metadata": user.metadata.public_metadata,
        "private_metadata": user.metadata.private_metadata,
        "unsafe_metadata": user.metadata.unsafe_metadata,
    }
    return {name: values.get(name, default) for name, default in USER_FIELDS}


def _profile(body: Mapping[str, JSONValue], config: Config, now: int) -> dict[str, JSONValue]:
    profile: dict[str, JSONValue] = {}
    for name in ("external_id", "first_name", "last_name", "username"):
        value = body.get(name)
        if value is not None and not isinstance(value, str):
            raise ParamError(name, "param", f"{name} must be a string or null.")
        profile[name] = value
    emails = body.get("email_address", [])
    if not isinstance(emails, list) or not all(isinstance(item, str) for item in emails):
        raise ParamError("email_address", "param", "email_address must be a list of strings.")
    addresses: list[JSONValue] = [
        {
            "id": config.make_id("idn"),
            "object": "email_address",
            "email_address": address,
            "reserved": False,
            "verification": None,
            "linked_to": [],
            "created_at": now,
            "updated_at": now,
        }
        for address in cast("list[str]", emails)
    ]
    profile["email_addresses"] = addresses
    first = cast("dict[str, JSONValue]", addresses[0]) if addresses else None
    profile["primary_email_address_id"] = None if first is None else first["id"]
    return profile


def build_user(body: JSONValue, config: Config, /, *, user_id: str | None = None) -> StoredUser:
    """Make a new user from a create body (a JSON object of :data:`CREATE_PARAMS`).

    The metadata fields are written as a ``PUT`` onto a new user's ``{}``
    fields, within ``config.limits``. ``user_id`` defaults to a fresh one.
    Raises :class:`MetadataError` for a body that is not an object or for
    bad metadata, and :class:`ParamError` for another bad member.
    """
    if not isinstance(body, dict):
        raise InvalidBodyError("the request body must be a JSON object", code="invalid_body")
    for name in body:
        if name not in CREATE_PARAMS and name not in IGNORED_CREATE_PARAMS:
            raise ParamError(name, "unknown_param", f"{name} is not a parameter here.")
    now = config.clock()
    profile = _profile(body, config, now)
    metadata_body: dict[str, JSONValue] = {name: body[name] for name in FIELDS if name in body}
    metadata = apply_request(UserMetadata(), "PUT", metadata_body, limits=config.limits)
    return StoredUser(user_id or config.make_id("user"), now, now, profile, metadata)


def _create(request: Request, store: Store, config: Config, _user_id: str) -> Response:
    body: JSONValue = {} if not request.body.strip(b" \t\r\n") else parse_json(request.body)
    user = build_user(body, config)
    store.create(user)
    return _json(200, _user_json(user))


def _get(_request: Request, store: Store, config: Config, user_id: str) -> Response:
    user = store.get(user_id)
    if user is None:
        return _not_found(config, user_id)
    return _json(200, _user_json(user))


def _delete(_request: Request, store: Store, config: Config, user_id: str) -> Response:
    if not store.delete(user_id):
        return _not_found(config, user_id)
    return _json(200, {"id": user_id, "object": "user", "deleted": True})


def _write(request: Request, store: Store, config: Config, user_id: str) -> Response:
    try:
        operation, params = read_request(request.method, request.body, limits=config.limits)
        # The request's fields tell check_result which field apply_request
        # would name first when several break the limits.
        user = store.write(
            user_id,
            operation,
            params,
            config.clock(),
            lambda record: check_result(record, config.limits, params=params),
        )
    except MetadataError:
        # A write to an unknown user is a 404 whatever its body, as clients
        # and the checker expect; the lookup costs only a refused request.
        if store.get(user_id) is None:
            return _not_found(config, user_id)
        raise
    if user is None:
        return _not_found(config, user_id)
    return _json(200, _user_json(user))


def _reset(_request: Request, store: Store, _config: Config, _user_id: str) -> Response:
    return _json(200, {"object": "reset", "deleted_users": store.reset()})


def _health(_request: Request, _store: Store, _config: Config, _user_id: str) -> Response:
    return _json(200, {"status": "ok"})


def _requests(_request: Request, store: Store, _config: Config, _user_id: str) -> Response:
    logged: list[JSONValue] = [dict(entry) for entry in store.logged()]
    return _json(200, {"data": logged, "total_count": len(logged)})


def _openapi(_request: Request, _store: Store, _config: Config, _user_id: str) -> Response:
    body = openapi_document()
    headers = (("Content-Type", JSON_CONTENT_TYPE), ("Content-Length", str(len(body))))
    return Response(200, headers, body)


_HANDLERS: Final[Mapping[str, Callable[[Request, Store, Config, str], Response]]] = {
    "create_user": _create,
    "get_user": _get,
    "delete_user": _delete,
    "write_metadata": _write,
    "reset": _reset,
    "health": _health,
    "requests": _requests,
    "openapi": _openapi,
}


def _not_found(config: Config, what: str) -> Response:
    return server_error(config, "not_found", f"No resource was found at {what[:200]!r}.")


def _dispatch(  # noqa: PLR0911 - one return per way a request can end
    request: Request, store: Store, config: Config, path: str
) -> Response:
    if not _authorised(request.headers, config.secret_keys):
        return server_error(config, "unauthorized", "Authorization: Bearer <secret key>.")
    route, found = _route(request.method, path)
    if route is None:
        if not found:
            return _not_found(config, path)
        allowed = ", ".join(sorted(found))
        return server_error(
            config,
            "method",
            f"{request.method[:20]!r} is not allowed here; use {allowed}.",
            ("Allow", allowed),
        )
    user_id = cast("str", found)
    if "{user_id}" in route.pattern and not valid_user_id(user_id):
        return _not_found(config, user_id)
    try:
        return _HANDLERS[route.handler](request, store, config, user_id)
    except MetadataError as error:
        return _library_error(config, error)
    except ParamError as error:
        kind = SERVER_ERRORS[error.kind]
        return _error(config, kind, error.detail, {"param_name": error.name})
    except UnstorableError as error:
        return server_error(config, "unstorable", str(error))


def _clean(text: str) -> str:
    # A lone surrogate has no UTF-8 form, so strict JSON cannot carry it. It
    # reaches an answer through an error about a bad key (the message and the
    # path name the key), and the log through a caller of handle(); each one
    # becomes U+FFFD, as the command line's oracle writes it.
    return _SURROGATE.sub("\ufffd", text)


def handle(request: Request, store: Store, config: Config, /) -> Response:
    """Answer one request; the store changes only as the route says.

    Never raises for any request: every client mistake is a 4xx with a
    Clerk-shaped error body, and a rejected write changes nothing. Requests
    outside the admin routes are added to the store's request log.
    """
    early = check_head(request.headers, config)
    if early is None and len(request.body) > config.body_bound:
        early = server_error(config, "too_large", "The body is larger than the server accepts.")
    path, _, query = request.target.partition("?")
    response = early or _dispatch(request, store, config, path)
    if not path.startswith(ADMIN_PREFIX):
        store.log(
            {
                "method": _clean(request.method),
                "path": _clean(path),
                "query": _clean(query),
                "headers": {
                    _clean(name): _clean(value)
                    for name, value in request.headers
                    if name != "authorization"
                },
                "body": request.body.decode("utf-8", errors="replace"),
                "status": response.status,
            }
        )
    return response

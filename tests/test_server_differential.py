"""The server is the library over HTTP: raw bodies give exactly what apply_request gives.

Each example stores a random record, sends a random body as raw bytes, and
compares the answer, type-strictly, with ``apply_request`` run in-process on
the same record and bytes: the same three fields on success, the same error
code (and the mapped status) on failure, and then the record unchanged.
On PostgreSQL the same law holds outside what ``jsonb`` cannot hold as the
library does; the examples that meet those differences are left out on
purpose, and the differences have tests of their own (``test_server_stores``).
"""

from __future__ import annotations

import http.client
import io
import math
import sys
from typing import TYPE_CHECKING, Any, cast
from wsgiref.util import setup_testing_defaults
from wsgiref.validate import validator

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from metadata_semantics import (
    UPSTREAM_LIMITS,
    JSONValue,
    Limits,
    MetadataError,
    UserMetadata,
    apply_request,
    parse_json,
)
from metadata_semantics.server import ERROR_MAP, PostgresStore, SQLiteStore, StoredUser, wsgi_app
from metadata_semantics.strategies import body_texts, json_like_texts, metadata, user_metadata

from served import AUTH, KEY, config, live
from strict import same

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from postgres import Cluster

_USER = "user_differential"
_FIELDS = ("public_metadata", "private_metadata", "unsafe_metadata")


def _raw(text: str | bytes) -> bytes:
    # Generated text may hold a lone surrogate; it goes out as the bytes a
    # careless sender would write, which are not UTF-8.
    return text if isinstance(text, bytes) else text.encode("utf-8", "surrogatepass")


# Mostly bodies that pass, where replace and merge part ways; then the rest.
_BODIES = st.one_of(
    body_texts().map(_raw),
    body_texts().map(_raw),
    body_texts().map(_raw),
    body_texts(naming="camel").map(_raw),
    json_like_texts().map(_raw),
    st.binary(max_size=40),
    st.sampled_from([b"", b" ", b"\n\t", b"null", b"{}", b"[]"]),
)
# Stored objects with members to keep or lose, so that replace and merge differ.
_STORED = st.one_of(user_metadata(), st.builds(UserMetadata, metadata(), metadata(), metadata()))
_LIMITS = st.sampled_from([UPSTREAM_LIMITS, UPSTREAM_LIMITS, None, Limits(max_depth=2)])


def _expected(
    stored: UserMetadata, method: str, body: bytes, limits: Limits | None
) -> UserMetadata | str:
    try:
        return apply_request(stored, method, body, limits=limits)
    except MetadataError as error:
        return error.code


def _fields(record: UserMetadata) -> list[JSONValue]:
    return [getattr(record, name) for name in _FIELDS]


def _check(
    outcome: UserMetadata | str,
    status: int,
    answer: dict[str, JSONValue],
    stored: UserMetadata,
    read_back: dict[str, JSONValue],
) -> None:
    if isinstance(outcome, str):
        assert status == ERROR_MAP[outcome].status
        error = cast("list[dict[str, Any]]", answer["errors"])[0]
        assert error["code"] == ERROR_MAP[outcome].clerk_code
        assert error["meta"]["code"] == outcome
        assert same([read_back[name] for name in _FIELDS], _fields(stored))
    else:
        assert status == 200, answer
        assert same([answer[name] for name in _FIELDS], _fields(outcome))
        assert same([read_back[name] for name in _FIELDS], _fields(outcome))


def _store_with(stored: UserMetadata) -> SQLiteStore:
    store = SQLiteStore(":memory:")
    store.create(StoredUser(_USER, 1, 1, {}, stored))
    return store


def _wsgi_call(
    app: Callable[..., Any],
    method: str,
    path: str,
    body: bytes,
    *,
    key: str = KEY,
    query: str = "",
) -> tuple[int, dict[str, str], bytes]:
    environ: dict[str, Any] = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "CONTENT_LENGTH": str(len(body)),
        "CONTENT_TYPE": "application/json",
        "HTTP_AUTHORIZATION": f"Bearer {key}",
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": sys.stderr,
        "QUERY_STRING": query,
        "SCRIPT_NAME": "",
    }
    setup_testing_defaults(environ)
    captured: list[Any] = []

    def write(_data: bytes) -> None:
        raise AssertionError("the app returns its body; it never calls write()")

    def start_response(status: str, headers: list[tuple[str, str]], *_: object) -> object:
        captured.append((status, headers))
        return write

    result = validator(app)(environ, cast("Any", start_response))
    try:
        data = b"".join(result)
    finally:
        result.close()  # type: ignore[attr-defined]
    status, headers = captured[0]
    return int(status.split(" ")[0]), {name.lower(): value for name, value in headers}, data


@given(_STORED, st.sampled_from(["PUT", "PATCH"]), _BODIES, _LIMITS)
def test_the_wsgi_app_answers_as_apply_request_does(
    stored: UserMetadata, method: str, body: bytes, limits: Limits | None
) -> None:
    """A request gives exactly apply_request's result or error; a rejection changes nothing."""
    store = _store_with(stored)
    try:
        app = wsgi_app(store, config(limits=limits))
        status, headers, data = _wsgi_call(app, method, f"/v1/users/{_USER}/metadata", body)
        assert headers["content-type"] == "application/json"
        _, _, read = _wsgi_call(app, "GET", f"/v1/users/{_USER}", b"")
        outcome = _expected(stored, method, body, limits)
        answer = cast("dict[str, JSONValue]", parse_json(data))
        _check(outcome, status, answer, stored, cast("dict[str, JSONValue]", parse_json(read)))
    finally:
        store.close()


@settings(max_examples=25)
@given(_STORED, st.sampled_from(["PUT", "PATCH"]), _BODIES)
def test_the_live_server_answers_as_apply_request_does(
    stored: UserMetadata, method: str, body: bytes
) -> None:
    """The same law over real HTTP/1.1, on one keep-alive connection."""
    store = _store_with(stored)
    try:
        with live(store) as server:
            connection = http.client.HTTPConnection("127.0.0.1", server.server_port, timeout=10)
            headers = {"Authorization": AUTH[1], "Content-Type": "application/json"}
            connection.request(method, f"/v1/users/{_USER}/metadata", body, headers)
            response = connection.getresponse()
            data = response.read()
            assert response.getheader("Content-Type") == "application/json"
            connection.request("GET", f"/v1/users/{_USER}", headers=headers)
            read = connection.getresponse().read()
            connection.close()
        outcome = _expected(stored, method, body, UPSTREAM_LIMITS)
        answer = cast("dict[str, JSONValue]", parse_json(data))
        _check(
            outcome,
            response.status,
            answer,
            stored,
            cast("dict[str, JSONValue]", parse_json(read)),
        )
    finally:
        store.close()


def _jsonb_differs(value: object) -> bool:
    """Tell whether ``value`` holds what jsonb keeps otherwise than the library.

    A string or key with U+0000 (jsonb refuses it), ``-0.0`` (read back as
    ``0.0``), and a float the library writes with a positive exponent (read
    back as the integer it equals).
    """
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, float):
        return (value == 0.0 and math.copysign(1.0, value) < 0) or "e+" in repr(value)
    if isinstance(value, list):
        return any(_jsonb_differs(item) for item in cast("list[object]", value))
    if isinstance(value, dict):
        members = cast("dict[str, object]", value).items()
        return any(_jsonb_differs(key) or _jsonb_differs(item) for key, item in members)
    return False


def _body_differs(body: bytes) -> bool:
    try:
        return _jsonb_differs(parse_json(body))
    except MetadataError:
        return False  # refused before the database is asked


@pytest.fixture(scope="module")
def postgres_store(postgres: Cluster) -> Iterator[PostgresStore]:
    """One PostgreSQL database for the module: each example replaces the one user."""
    store = PostgresStore(postgres.database())
    yield store
    store.close()


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.filter_too_much])
@given(_STORED, st.sampled_from(["PUT", "PATCH"]), _BODIES, _LIMITS)
def test_on_postgresql_the_wsgi_app_answers_as_apply_request_does(
    postgres_store: PostgresStore,
    stored: UserMetadata,
    method: str,
    body: bytes,
    limits: Limits | None,
) -> None:
    """The same law on PostgreSQL, outside the values jsonb cannot hold as the library does."""
    assume(not _jsonb_differs(_fields(stored)) and not _body_differs(body))
    postgres_store.create(StoredUser(_USER, 1, 1, {}, stored))
    app = wsgi_app(postgres_store, config(limits=limits))
    status, _, data = _wsgi_call(app, method, f"/v1/users/{_USER}/metadata", body)
    _, _, read = _wsgi_call(app, "GET", f"/v1/users/{_USER}", b"")
    outcome = _expected(stored, method, body, limits)
    answer = cast("dict[str, JSONValue]", parse_json(data))
    _check(outcome, status, answer, stored, cast("dict[str, JSONValue]", parse_json(read)))


def test_jsonb_differences_are_recognised() -> None:
    assert _jsonb_differs({"a\x00": 1})
    assert _jsonb_differs([{"a": -0.0}])
    assert _jsonb_differs(1e300)
    assert not _jsonb_differs([0.0, 1.5, 1e-07, 10**30, "a", None, True])
    assert _body_differs(b'{"public_metadata": {"a": "\\u0000"}}')
    assert not _body_differs(b"{")


def test_the_wsgi_app_passes_the_query_and_the_encoded_path_on() -> None:
    store = _store_with(UserMetadata())
    try:
        app = wsgi_app(store, config())
        environ_path = f"/v1/users/{_USER}"
        status, _, _ = _wsgi_call(app, "GET", environ_path, b"", query="a=1&b=%2F")
        assert status == 200
        # PATH_INFO arrives decoded: a decoded slash is a path separator again.
        assert _wsgi_call(app, "GET", "/v1/users/user_a/b", b"")[0] == 404
        log = cast(
            "dict[str, Any]", parse_json(_wsgi_call(app, "GET", "/__admin/requests", b"")[2])
        )
        assert [entry["query"] for entry in log["data"]] == ["a=1&b=%2F", ""]
    finally:
        store.close()


class _Untouchable(io.BytesIO):
    def read(self, size: int | None = -1, /) -> bytes:
        raise AssertionError(f"the body was read ({size} bytes)")


def test_the_wsgi_app_refuses_an_oversize_body_without_reading_it() -> None:
    store = _store_with(UserMetadata())
    try:
        app = wsgi_app(store, config(max_body_bytes=10))
        captured: list[str] = []
        environ: dict[str, Any] = {
            "REQUEST_METHOD": "PATCH",
            "PATH_INFO": f"/v1/users/{_USER}/metadata",
            "CONTENT_LENGTH": "11",
            "HTTP_AUTHORIZATION": f"Bearer {KEY}",
            "wsgi.input": _Untouchable(),
        }

        def start_response(status: str, _headers: list[tuple[str, str]]) -> None:
            captured.append(status)

        body = b"".join(app(environ, start_response))
        assert len(captured) == 1
        assert captured[0].startswith("413 ")
        errors = cast("dict[str, Any]", parse_json(body))["errors"]
        assert errors[0]["code"] == "request_body_too_large"
    finally:
        store.close()

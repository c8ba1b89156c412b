"""The real Python SDK, ``clerk-backend-api`` 7.0.0, against the reference server.

Every test runs twice: against a live ``metadata-semantics serve`` process,
and in-process, with the SDK's own ``httpx.Client`` on an
``httpx.WSGITransport`` around the server's WSGI app. Users are set up and
inspected with plain HTTP; the SDK only writes and reads. Retries are off
and every call has a short timeout, so a failure is reported, never waited on.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final, cast

import clerk_backend_api
import pydantic
import pytest
from clerk_backend_api import Clerk, models
from clerk_backend_api.types.basemodel import Unset

from metadata_semantics import (
    OMITTED,
    JSONValue,
    Metadata,
    MetadataError,
    Omittable,
    UserMetadata,
    UserMetadataParams,
    apply_request,
    json_equal,
    parse_json,
)

from sdkcases import (
    METHODS,
    PY_VERSION,
    STORED,
    Case,
    Method,
    body,
    expected,
    fields,
    http_error,
    pairs,
)
from sdkserve import (
    IN_PROCESS_URL,
    create_user,
    http_client,
    in_process_app,
    in_process_client,
    python_sdk,
    raw_user,
    request_log,
    serve,
    writes_to,
)

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

    import httpx

TRANSPORTS: Final = ("live", "in-process")


@dataclass(frozen=True)
class Server:
    """One server as the tests see it: plain HTTP for set-up, and the SDK under test."""

    http: httpx.Client
    sdk: Clerk


@pytest.fixture(scope="module")
def live_server() -> Iterator[Server]:
    # One process for the module: each test makes its own users, so none sees another's.
    with serve() as url, http_client(url) as http, python_sdk(url) as sdk:
        yield Server(http, sdk)


@pytest.fixture(params=TRANSPORTS)
def server(request: pytest.FixtureRequest) -> Iterator[Server]:
    if request.param == "live":
        yield cast("Server", request.getfixturevalue("live_server"))
        return
    with (
        in_process_app() as app,
        in_process_client(app) as http,
        in_process_client(app, key=None) as transport,
    ):
        yield Server(http, python_sdk(IN_PROCESS_URL, client=transport))


def _argument(value: Omittable[Metadata | None]) -> Metadata | None:
    # The SDK leaves out every argument that is None: the one way it has to omit a field.
    if value is OMITTED:
        return None
    assert value is not None, "clerk-backend-api cannot send a top-level null"
    return value


def write(sdk: Clerk, method: Method, user_id: str, params: UserMetadataParams) -> models.User:
    """Send ``params`` with the SDK's write for ``method``; return the user it gives back."""
    call = sdk.users.replace_metadata if method == "PUT" else sdk.users.update_metadata
    return call(
        user_id=user_id,
        public_metadata=_argument(params.public_metadata),
        private_metadata=_argument(params.private_metadata),
        unsafe_metadata=_argument(params.unsafe_metadata),
    )


def sdk_fields(user: models.User) -> dict[str, JSONValue]:
    """The three metadata fields of an SDK ``User``, as the HTTP API spells them."""
    values: dict[str, object] = {
        "public_metadata": user.public_metadata,
        "private_metadata": user.private_metadata,
        "unsafe_metadata": user.unsafe_metadata,
    }
    for name, value in values.items():
        # The server always sends all three; Unset would mean the SDK lost one.
        assert not isinstance(value, Unset), name
    return cast("dict[str, JSONValue]", values)


WRITTEN: Final = [
    pytest.param(case, method, id=case.key(method))
    for case, method in pairs("python", refused=False)
]
REFUSED: Final = [
    pytest.param(case, method, id=case.key(method))
    for case, method in pairs("python", refused=True)
]
MATRIX: Final = [*WRITTEN, *REFUSED]


def test_the_pinned_sdk_version_is_installed() -> None:
    assert clerk_backend_api.VERSION == PY_VERSION


@pytest.mark.parametrize(("case", "method"), WRITTEN)
def test_python_sdk_reads_back_what_apply_request_says(
    server: Server, case: Case, method: Method
) -> None:
    """Each provided field is written by the method's rule, and an omitted field keeps its value.

    The user the SDK's write returns, and the one its ``users.get`` reads
    afterwards, hold the library's ``apply_request`` result, type-strictly.
    """
    want = expected(case, method)
    assert not isinstance(want, MetadataError)
    user_id = create_user(server.http, case.stored)
    written = write(server.sdk, method, user_id, case.params)
    assert json_equal(sdk_fields(written), fields(want)), sdk_fields(written)
    read = server.sdk.users.get(user_id=user_id)
    assert json_equal(sdk_fields(read), fields(want)), sdk_fields(read)


@pytest.mark.parametrize(("case", "method"), REFUSED)
def test_python_sdk_raises_clerk_errors_for_a_refused_write(
    server: Server, case: Case, method: Method
) -> None:
    """A write the rules refuse is the SDK's own ``ClerkErrors``, and changes nothing."""
    want = expected(case, method)
    assert isinstance(want, MetadataError)
    user_id = create_user(server.http, case.stored)
    with pytest.raises(models.ClerkErrors) as caught:
        write(server.sdk, method, user_id, case.params)
    status, clerk_code = http_error(want)
    assert caught.value.status_code == status
    (error,) = caught.value.data.errors
    assert error.code == clerk_code
    assert error.meta is not None
    assert error.meta["param_name"] == want.field
    assert json_equal(sdk_fields(server.sdk.users.get(user_id=user_id)), fields(case.stored))


@pytest.mark.parametrize(("case", "method"), MATRIX)
def test_python_sdk_sends_the_request_body(server: Server, case: Case, method: Method) -> None:
    """The body on the wire is the request as JSON; with no field, it is ``{}``."""
    user_id = create_user(server.http, case.stored)
    with contextlib.suppress(models.ClerkErrors):
        write(server.sdk, method, user_id, case.params)
    (entry,) = writes_to(request_log(server.http), user_id)
    assert entry["method"] == method
    assert cast("dict[str, JSONValue]", entry["headers"])["content-type"] == "application/json"
    assert json_equal(parse_json(cast("str", entry["body"])), body(case.params))


@pytest.mark.parametrize("method", METHODS)
def test_python_sdk_leaves_out_a_none_argument(server: Server, method: Method) -> None:
    """The SDK cannot send a top-level null: ``None`` leaves the field out, so it keeps its value.

    Its write methods drop every argument that is ``None`` before the body
    is built; the request log shows the body without the field.
    """
    user_id = create_user(server.http, STORED)
    call = (
        server.sdk.users.replace_metadata if method == "PUT" else server.sdk.users.update_metadata
    )
    call(user_id=user_id, public_metadata=None, private_metadata={"note": "kept apart"})
    sent: dict[str, JSONValue] = {"private_metadata": {"note": "kept apart"}}
    (entry,) = writes_to(request_log(server.http), user_id)
    assert json_equal(parse_json(cast("str", entry["body"])), sent)
    read = sdk_fields(server.sdk.users.get(user_id=user_id))
    assert json_equal(read, fields(apply_request(STORED, method, sent)))
    assert json_equal(read["public_metadata"], STORED.public_metadata)


def test_python_sdk_keeps_integral_floats_and_negative_zero(server: Server) -> None:
    """Numbers keep their JSON type both ways: ``1.0`` stays a float, ``-0.0`` keeps its sign."""
    user_id = create_user(server.http, STORED)
    numbers: Metadata = {"whole": 1.0, "zero": -0.0, "count": 1, "big": 2**64 + 1}
    written = server.sdk.users.replace_metadata(user_id=user_id, unsafe_metadata=numbers)
    assert json_equal(sdk_fields(written)["unsafe_metadata"], numbers)
    (entry,) = writes_to(request_log(server.http), user_id)
    assert json_equal(parse_json(cast("str", entry["body"])), {"unsafe_metadata": numbers})
    read = sdk_fields(server.sdk.users.get(user_id=user_id))
    assert json_equal(read["unsafe_metadata"], numbers)


def _store_null_public_metadata(http: httpx.Client) -> str:
    user_id = create_user(http, STORED)
    response = http.put(
        f"/v1/users/{user_id}/metadata",
        content=b'{"public_metadata":null}',
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 200, response.content
    return user_id


def _assert_public_metadata_rejected(error: models.ResponseValidationError) -> None:
    cause = error.cause
    assert isinstance(cause, pydantic.ValidationError)
    (problem,) = cause.errors()
    assert problem["loc"][-1] == "public_metadata"
    assert problem["type"] == "dict_type"
    assert problem["input"] is None


def test_python_sdk_cannot_parse_a_user_whose_public_metadata_is_null(server: Server) -> None:
    """The interop hazard: a stored ``public_metadata: null`` is what the spec says, and the
    SDK's ``User`` model, which requires an object there, fails to parse it."""
    user_id = _store_null_public_metadata(server.http)
    assert raw_user(server.http, user_id)["public_metadata"] is None
    with pytest.raises(models.ResponseValidationError) as caught:
        server.sdk.users.get(user_id=user_id)
    _assert_public_metadata_rejected(caught.value)


def test_python_sdk_raises_after_a_write_the_server_made(server: Server) -> None:
    """With ``public_metadata: null`` stored, a write of another field is made and kept, yet
    the SDK raises while reading the answer: its error does not mean nothing changed."""
    user_id = _store_null_public_metadata(server.http)
    with pytest.raises(models.ResponseValidationError) as caught:
        server.sdk.users.update_metadata(user_id=user_id, private_metadata={"plan": "pro"})
    _assert_public_metadata_rejected(caught.value)
    stored = UserMetadata.from_body(raw_user(server.http, user_id))
    want = apply_request(
        apply_request(STORED, "PUT", {"public_metadata": None}),
        "PATCH",
        {"private_metadata": {"plan": "pro"}},
    )
    assert stored == want


def test_python_sdk_reads_a_null_private_or_unsafe_metadata_as_none(server: Server) -> None:
    """Only ``public_metadata`` must be an object to the SDK; the other two may be null."""
    stored = UserMetadata(public_metadata={}, private_metadata=None, unsafe_metadata=None)
    user_id = create_user(server.http, stored)
    read = sdk_fields(server.sdk.users.get(user_id=user_id))
    assert json_equal(read, fields(stored))


def test_python_sdk_under_test_never_retries() -> None:
    """A 5xx answer is reported at once: the SDK's default would retry it for up to an hour."""
    calls: list[str] = []

    def unavailable(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        calls.append(cast("str", environ["PATH_INFO"]))
        start_response("503 Service Unavailable", [("Content-Type", "application/json")])
        return [b"{}"]

    with in_process_client(unavailable, key=None) as transport:
        sdk = python_sdk(IN_PROCESS_URL, client=transport)
        with pytest.raises(models.SDKError) as caught:
            sdk.users.get(user_id="user_1")
    assert caught.value.status_code == 503
    assert calls == ["/v1/users/user_1"]

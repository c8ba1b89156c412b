"""The real JavaScript SDK, ``@clerk/backend`` 3.25.0, against a live reference server.

Every case of the matrix (``sdkcases.py``) is set up with plain HTTP, sent
through the SDK's ``replaceUserMetadata`` (PUT) or ``updateUserMetadata``
(PATCH) by a Node driver (``sdk/js/driver.mjs``), read back through the SDK's
own ``getUser``, and compared type-strictly with ``apply_request`` run here,
in-process. One Node process runs every case, so the whole matrix takes a
few seconds.

The SDK must be installed first (``npm ci --prefix tests/sdk/js``). Without
it, or without ``node``, these tests skip; with ``CI=true`` they fail.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final, cast

import pytest

from metadata_semantics import (
    OMITTED,
    JSONValue,
    Metadata,
    MetadataError,
    UserMetadataParams,
    dump_json,
    json_equal,
    parse_json,
)

from sdkcases import (
    CASES,
    JS_VERSION,
    METHODS,
    Case,
    Method,
    body,
    camel_params,
    expected,
    fields,
    http_error,
    pairs,
)
from sdkserve import (
    JS_DIR,
    KEY,
    create_user,
    http_client,
    node_or_skip,
    request_log,
    serve,
    writes_to,
)

if TYPE_CHECKING:
    from collections.abc import Iterator

DRIVER: Final = JS_DIR / "driver.mjs"
DRIVER_SECONDS: Final = 120.0
"""The most the driver may take for the whole matrix; it normally takes a few seconds."""

# Two cases beyond the matrix. A field the caller sets to undefined, which
# JSON cannot say, so the driver adds it (see driver.mjs); and numbers whose
# type JavaScript, with one number type, cannot keep.
UNDEFINED_CASE: Final = "PATCH-undefined"
UNDEFINED_PARAMS: Final = UserMetadataParams(public_metadata={"plan": {"seats": 7}})
NUMBERS_CASE: Final = "PUT-numbers"
NUMBERS: Final[Metadata] = {"whole": 1.0, "zero": -0.0}
NUMBERS_PARAMS: Final = UserMetadataParams(unsafe_metadata=NUMBERS)


@dataclass(frozen=True)
class Run:
    """What one driver run saw: its output, each case's user, and the server's request log."""

    version: str
    results: dict[str, dict[str, JSONValue]]
    users: dict[str, str]
    log: list[dict[str, JSONValue]]


def _driver_case(name: str, user_id: str, method: Method, params: UserMetadataParams) -> JSONValue:
    return {"name": name, "userId": user_id, "method": method, "params": camel_params(params)}


def run_driver(node: str, payload: JSONValue) -> JSONValue:
    """Run the Node driver on ``payload``; return its parsed output. Fails on any error."""
    completed = subprocess.run(
        [node, str(DRIVER)],
        input=dump_json(payload).encode("utf-8"),
        capture_output=True,
        cwd=JS_DIR,
        env={**os.environ, "CLERK_TELEMETRY_DISABLED": "1"},
        timeout=DRIVER_SECONDS,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr.decode("utf-8", errors="replace")
    return parse_json(completed.stdout)


@pytest.fixture(scope="module")
def run() -> Iterator[Run]:
    node = node_or_skip()
    with serve() as url, http_client(url) as http:
        users: dict[str, str] = {}
        cases: list[JSONValue] = []
        for case in CASES:
            for method in METHODS:
                users[case.key(method)] = user_id = create_user(http, case.stored)
                cases.append(_driver_case(case.key(method), user_id, method, case.params))
        users[UNDEFINED_CASE] = user_id = create_user(http, CASES[0].stored)
        undefined = _driver_case(UNDEFINED_CASE, user_id, "PATCH", UNDEFINED_PARAMS)
        cast("dict[str, JSONValue]", undefined)["undefined"] = ["privateMetadata"]
        cases.append(undefined)
        users[NUMBERS_CASE] = user_id = create_user(http, CASES[0].stored)
        cases.append(_driver_case(NUMBERS_CASE, user_id, "PUT", NUMBERS_PARAMS))
        output = run_driver(node, {"apiUrl": url, "secretKey": KEY, "cases": cases})
        assert isinstance(output, dict)
        results = cast("list[dict[str, JSONValue]]", output["results"])
        yield Run(
            version=cast("str", output["version"]),
            results={cast("str", result["name"]): result for result in results},
            users=users,
            log=request_log(http),
        )


WRITTEN: Final = [
    pytest.param(case, method, id=case.key(method))
    for case, method in pairs("javascript", refused=False)
]
REFUSED: Final = [
    pytest.param(case, method, id=case.key(method))
    for case, method in pairs("javascript", refused=True)
]
MATRIX: Final = [*WRITTEN, *REFUSED]


def test_the_driver_runs_the_pinned_sdk_version(run: Run) -> None:
    assert run.version == JS_VERSION


@pytest.mark.parametrize(("case", "method"), WRITTEN)
def test_javascript_sdk_reads_back_what_apply_request_says(
    run: Run, case: Case, method: Method
) -> None:
    """Each provided field is written by the method's rule, and an omitted field keeps its value.

    The record the SDK's write returns, and the one its ``getUser`` reads
    afterwards, are both the library's ``apply_request`` result, type-strictly.
    """
    result = run.results[case.key(method)]
    want = expected(case, method)
    assert not isinstance(want, MetadataError)
    assert result["ok"] is True, result
    assert json_equal(result["written"], fields(want)), result["written"]
    assert json_equal(result["read"], fields(want)), result["read"]


@pytest.mark.parametrize(("case", "method"), REFUSED)
def test_javascript_sdk_raises_clerk_api_response_error_for_a_refused_write(
    run: Run, case: Case, method: Method
) -> None:
    """A write the rules refuse is the SDK's own typed error, and changes nothing."""
    want = expected(case, method)
    assert isinstance(want, MetadataError)
    result = run.results[case.key(method)]
    assert result["ok"] is False, result
    error = cast("dict[str, JSONValue]", result["error"])
    status, clerk_code = http_error(want)
    assert error["clerk_api_response_error"] is True
    assert error["class"] == "ClerkAPIResponseError"
    assert error["status"] == status
    assert error["code"] == clerk_code
    assert error["param_name"] == want.field
    assert json_equal(result["read"], fields(case.stored)), result["read"]


@pytest.mark.parametrize(("case", "method"), MATRIX)
def test_javascript_sdk_sends_the_request_body_in_snake_case(
    run: Run, case: Case, method: Method
) -> None:
    """The body on the wire is the request with the three fields in snake case.

    Nested keys keep their spelling, a null is sent as null, and a request
    with no field sends no body at all (with ``Content-Type: application/json``).
    """
    (entry,) = writes_to(run.log, run.users[case.key(method)])
    assert entry["method"] == method
    headers = cast("dict[str, JSONValue]", entry["headers"])
    assert headers["content-type"] == "application/json"
    sent = cast("str", entry["body"])
    if case.params == UserMetadataParams():
        assert sent == ""
        assert headers.get("content-length", "0") == "0"
    else:
        assert json_equal(parse_json(sent), body(case.params)), sent


def test_javascript_sdk_leaves_out_a_field_set_to_undefined(run: Run) -> None:
    """A field the caller sets to ``undefined`` is omitted: it keeps its stored value."""
    result = run.results[UNDEFINED_CASE]
    want = expected(Case("undefined", "undefined", UNDEFINED_PARAMS), "PATCH")
    assert not isinstance(want, MetadataError)
    assert UNDEFINED_PARAMS.private_metadata is OMITTED
    assert json_equal(result["read"], fields(want)), result["read"]
    (entry,) = writes_to(run.log, run.users[UNDEFINED_CASE])
    assert json_equal(parse_json(cast("str", entry["body"])), body(UNDEFINED_PARAMS))


def test_javascript_sdk_sends_an_integral_float_as_an_integer(run: Run) -> None:
    """JavaScript has one number type: ``1.0`` and ``-0.0`` leave the SDK as ``1`` and ``0``.

    The server stores what arrives, so the record read back holds integers,
    where ``apply_request`` on the body as Python wrote it holds floats.
    """
    (entry,) = writes_to(run.log, run.users[NUMBERS_CASE])
    assert entry["body"] == '{"unsafe_metadata":{"whole":1,"zero":0}}'
    read = cast("dict[str, JSONValue]", run.results[NUMBERS_CASE]["read"])
    assert json_equal(read["unsafe_metadata"], {"whole": 1, "zero": 0})
    assert not json_equal(read["unsafe_metadata"], NUMBERS)

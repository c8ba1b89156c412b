"""The runner's judgement of each answer, through servers that misbehave in small ways.

Each test wraps the reference handler so that one kind of answer goes
wrong, and checks the verdict, the rule it lands under and the message.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

import pytest

from metadata_semantics import json_equal
from metadata_semantics.check import (
    Case,
    CaseResult,
    HttpRequest,
    HttpResponse,
    Settings,
    TransportError,
    UnreachableError,
    load_suite,
    run,
    select,
)
from metadata_semantics.check._judge import MODELS, diagnose, first_difference, pointer, settle
from metadata_semantics.server import Config, Request, Response, SQLiteStore, handle

from check_client import HandleClient
from check_servers import KEY

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from check_servers import Handler

SUITE = load_suite()
SETTINGS = Settings(KEY, run_id="t")


@pytest.fixture
def store() -> Iterator[SQLiteStore]:
    database = SQLiteStore(":memory:")
    yield database
    database.close()


def cases(*patterns: str) -> tuple[Case, ...]:
    chosen = select(SUITE.cases, patterns)
    assert chosen
    return chosen


def run_with(store: SQLiteStore, handler: Handler, *patterns: str) -> list[CaseResult]:
    client = HandleClient(store, Config((KEY,)), handler)
    return list(run(client, cases(*patterns), SETTINGS).results)


def answering(when: Callable[[Request], bool], response: Response, *, after: int = 0) -> Handler:
    """The reference, but matching requests after the first ``after`` get ``response``."""
    seen = [0]

    def serve(request: Request, store: SQLiteStore, config: Config) -> Response:
        if when(request):
            seen[0] += 1
            if seen[0] > after:
                return response
        return handle(request, store, config)

    return serve


def json_response(status: int, body: bytes) -> Response:
    return Response(status, (("Content-Type", "application/json"),), body)


def get(request: Request) -> bool:
    return request.method == "GET"


def post(request: Request) -> bool:
    return request.method == "POST"


def patch(request: Request) -> bool:
    return request.method == "PATCH"


def only(results: list[CaseResult]) -> CaseResult:
    (result,) = results
    return result


@pytest.mark.parametrize(
    ("response", "message"),
    [
        (json_response(200, b'{"object": "user"}'), "with no user id"),
        (json_response(200, b"[]"), "with no user id"),
        (json_response(201, b"{not json"), "answered 201 with no user id"),
        (
            json_response(200, b'{"id": "user_1", "external_id": "someone"}'),
            "a user that is not the one it made",
        ),
        (json_response(500, b"oops"), "answered 500 with no user id"),
        (
            json_response(422, b'{"errors": [{"code": "form_param_unknown"}]}'),
            "answered 422 form_param_unknown",
        ),
        (
            json_response(200, b'{"id": "user_1", "public_metadata": {}}'),
            "the user object has no private_metadata",
        ),
        (
            json_response(
                200,
                b'{"id": "user_1", "public_metadata": {}, "private_metadata": {}, '
                b'"unsafe_metadata": {}}',
            ),
            "does not hold the starting state: it differs at '/public_metadata/role'",
        ),
    ],
)
def test_a_create_that_goes_wrong_blocks_the_case(
    store: SQLiteStore, response: Response, message: str
) -> None:
    result = only(
        run_with(store, answering(post, response, after=1), "rules/*/omitted/stored-object")[1:]
    )
    assert result.verdict == "blocked"
    assert message in result.problems[0].message


def test_a_create_with_no_answer_after_the_first_blocks_the_case(store: SQLiteStore) -> None:
    client = HandleClient(store, Config((KEY,)))
    client.send = _raising(client.send, lambda request: request.method == "POST", 2)  # type: ignore[method-assign]
    results = run(client, cases("rules/replace/omitted/*"), SETTINGS).results
    assert [result.verdict for result in results] == ["pass", "blocked"]
    assert "creating the user got no answer: reset" in results[1].problems[0].message


def _raising(
    send: Callable[[HttpRequest], HttpResponse], when: Callable[[HttpRequest], bool], number: int
) -> Callable[[HttpRequest], HttpResponse]:
    seen = [0]

    def wrapped(request: HttpRequest) -> HttpResponse:
        if when(request):
            seen[0] += 1
            if seen[0] == number:
                raise TransportError("reset")
        return send(request)

    return wrapped


def test_no_answer_to_the_first_create_means_unreachable(store: SQLiteStore) -> None:
    client = HandleClient(store, Config((KEY,)), at=1, fault=TransportError("refused"))
    with pytest.raises(UnreachableError, match="refused"):
        run(client, cases("auth"), SETTINGS)


def test_a_failing_null_setup_blocks_the_case(store: SQLiteStore) -> None:
    def no_put(request: Request, store: SQLiteStore, config: Config) -> Response:
        return (
            json_response(405, b"{}")
            if request.method == "PUT"
            else handle(request, store, config)
        )

    result = only(run_with(store, no_put, "rules/merge/null/stored-null"))
    assert result.verdict == "blocked"
    assert (
        "setting a field to null with PUT /v1/users/{user_id}/metadata got 405"
        in result.problems[0].message
    )


@pytest.mark.parametrize(
    ("response", "message"),
    [
        (json_response(500, b"{}"), "reading the user back answered 500"),
        (
            json_response(200, b"not json"),
            "reading the user back: the answer is not JSON (invalid_json)",
        ),
        (json_response(200, b"[1]"), "reading the user back: the answer is not a JSON object"),
    ],
)
def test_a_read_that_goes_wrong_fails_the_case(
    store: SQLiteStore, response: Response, message: str
) -> None:
    result = only(run_with(store, answering(get, response), "rules/merge/object/stored-object"))
    assert result.verdict == "fail"
    assert [problem.message for problem in result.problems] == [message]
    assert result.actual is None


def test_a_read_with_no_answer_fails_the_case(store: SQLiteStore) -> None:
    client = HandleClient(store, Config((KEY,)))
    client.send = _raising(client.send, lambda request: request.method == "GET", 1)  # type: ignore[method-assign]
    (result,) = run(client, cases("rules/merge/object/stored-object"), SETTINGS).results
    assert result.verdict == "fail"
    assert result.problems[0].message == "reading the user back got no answer: reset"


@pytest.mark.parametrize(
    ("response", "message", "rule"),
    [
        (
            json_response(500, b'{"errors": [{"code": "boom"}]}'),
            "answered 500 boom: a server error",
            "merge",
        ),
        (
            json_response(400, b'{"errors": []}'),
            "answered 400 where the reference accepts the write",
            "merge",
        ),
        (json_response(404, b"{}"), "answered 404 where the write must succeed", "merge"),
    ],
)
def test_a_write_that_is_refused_fails_the_case(
    store: SQLiteStore, response: Response, message: str, rule: str
) -> None:
    result = only(run_with(store, answering(patch, response), "rules/merge/empty/stored-object"))
    assert result.verdict == "fail"
    assert result.problems[0].message == message
    assert result.rule == rule


def test_a_missing_put_route_is_a_replace_failure(store: SQLiteStore) -> None:
    def no_put(request: Request, store: SQLiteStore, config: Config) -> Response:
        if request.method == "PUT":
            return json_response(404, b'{"errors": [{"code": "resource_not_found"}]}')
        return handle(request, store, config)

    result = only(run_with(store, no_put, "rules/replace/object/stored-object"))
    assert (result.verdict, result.rule) == ("fail", "replace")
    assert result.diagnosis == "PUT answered 404: the route seems missing"


def test_a_write_with_no_answer_fails_the_case(store: SQLiteStore) -> None:
    client = HandleClient(store, Config((KEY,)))
    client.send = _raising(client.send, lambda request: request.method == "PATCH", 1)  # type: ignore[method-assign]
    (result,) = run(client, cases("rules/merge/object/stored-object"), SETTINGS).results
    assert result.verdict == "fail"
    assert result.problems[0].message == "no answer: reset"


def test_an_open_case_refused_is_a_difference(store: SQLiteStore) -> None:
    refuse = json_response(415, b'{"errors": [{"code": "unsupported_media_type"}]}')
    result = only(run_with(store, answering(patch, refuse), "http/content-type/text-plain"))
    assert result.verdict == "difference"
    assert (
        result.problems[0].message
        == "answered 415 unsupported_media_type where the reference accepts the write"
    )


def test_an_open_case_accepted_where_the_reference_rejects_is_a_difference(
    store: SQLiteStore,
) -> None:
    result = only(
        run_with(
            store,
            answering(lambda r: r.method == "PUT" and b"pad" in r.body, json_response(200, b"{}")),
            "http/limits/total-8193",
        )
    )
    assert result.verdict == "difference"
    assert result.problems[0].message.startswith(
        "accepted (200) where the reference rejects with 422"
    )


def test_another_status_for_a_rejection_is_a_difference(store: SQLiteStore) -> None:
    result = only(
        run_with(
            store, answering(patch, json_response(400, b"not json")), "errors/parse/unknown-key"
        )
    )
    assert result.verdict == "difference"
    assert (
        result.problems[0].message
        == "rejected with 400 where the reference answers 422 form_param_unknown"
    )


@pytest.mark.parametrize(
    ("response", "message"),
    [
        (json_response(500, b"{}"), "answered 500 where a 4xx must reject the request"),
        (json_response(302, b"{}"), "answered 302 where a 4xx must reject the request"),
        (
            json_response(200, b"{}"),
            "accepted (200) where the reference rejects with 400 malformed_request_body",
        ),
    ],
)
def test_a_rejection_that_is_not_a_4xx_fails(
    store: SQLiteStore, response: Response, message: str
) -> None:
    result = only(run_with(store, answering(patch, response), "errors/parse/not-json"))
    assert result.verdict == "fail"
    assert result.problems[0].message == message


def test_a_rejected_write_that_changes_the_record_fails(store: SQLiteStore) -> None:
    def half_write(request: Request, store: SQLiteStore, config: Config) -> Response:
        if request.method == "PATCH":
            handle(replace(request, body=b'{"public_metadata": {"x": 1}}'), store, config)
            return json_response(400, b'{"errors": [{"code": "malformed_request_body"}]}')
        return handle(request, store, config)

    result = only(run_with(store, half_write, "errors/parse/not-json"))
    assert result.verdict == "fail"
    assert (
        result.problems[0].message
        == "the rejected request changed the record at '/public_metadata/x'"
    )
    assert result.pointer == "/public_metadata/x"


def test_a_rejection_with_no_answer_fails(store: SQLiteStore) -> None:
    client = HandleClient(store, Config((KEY,)))
    client.send = _raising(client.send, lambda request: request.method == "PATCH", 1)  # type: ignore[method-assign]
    (result,) = run(client, cases("errors/parse/not-json"), SETTINGS).results
    assert result.verdict == "fail"
    assert result.problems[0].message == "no answer: reset"


def test_a_deleted_user_that_comes_back_fails(store: SQLiteStore) -> None:
    def undead(request: Request, store: SQLiteStore, config: Config) -> Response:
        if request.method == "DELETE":
            return json_response(200, b"{}")
        return handle(request, store, config)

    result = only(run_with(store, undead, "http/errors/unknown-user"))
    assert result.verdict == "fail"
    messages = [problem.message for problem in result.problems]
    assert messages[-1] == "the request to a deleted user brought it back"


def test_a_deleted_user_read_with_no_answer_fails(store: SQLiteStore) -> None:
    client = HandleClient(store, Config((KEY,)))
    client.send = _raising(client.send, lambda request: request.method == "GET", 1)  # type: ignore[method-assign]
    (result,) = run(client, cases("http/errors/unknown-user"), SETTINGS).results
    assert result.verdict == "fail"
    assert result.problems[-1].message == "reading the deleted user got no answer: reset"


def test_repeat_judges_after_each_send(store: SQLiteStore) -> None:
    sent = [0]

    def second_differs(request: Request, store: SQLiteStore, config: Config) -> Response:
        if request.method == "PUT" and b"tier" in request.body:
            sent[0] += 1
            if sent[0] == 2:
                request = replace(request, body=b'{"public_metadata": {}}')
        return handle(request, store, config)

    result = only(run_with(store, second_differs, "http/replace/put-twice"))
    assert result.verdict == "fail"
    assert result.pointer == "/public_metadata/plan"
    assert [e.method for e in result.exchanges].count("PUT") == 2


def test_a_patch_body_that_is_not_json_has_no_diagnosis(store: SQLiteStore) -> None:
    (base,) = cases("rules/merge/omitted/stored-object")
    case = replace(base, body=b" ", expected={**base.stored, "public_metadata": {"x": 1}})
    client = HandleClient(store, Config((KEY,)))
    (result,) = run(client, [case], SETTINGS).results
    assert result.verdict == "fail"
    assert result.diagnosis is None
    assert result.fits == ()


def test_a_pointer_escapes_tilde_and_slash() -> None:
    assert pointer(("a/b", "~c", 0)) == "/a~1b/~0c/0"
    assert pointer(()) == ""


@pytest.mark.parametrize(
    ("expected", "actual", "where"),
    [
        ({"a": 1, "b": 2}, {"a": 1, "b": 2}, None),
        ({"a": 1}, {"a": 1.0}, "/a"),
        ({"a": True}, {"a": 1}, "/a"),
        ({"a": {"b": 1}, "c": 2}, {"a": {}, "c": 2}, "/a/b"),
        ({"a": {}}, {"a": {"x": None}}, "/a/x"),
        ({"a": [1, 2]}, {"a": [1]}, "/a/1"),
        ({"a": [1, [2, 3]]}, {"a": [1, [2, 4]]}, "/a/1/1"),
        ({"a": [1]}, {"a": {"0": 1}}, "/a"),
        ({"b": 1, "a": 1}, {"b": 2, "a": 2}, "/b"),
        (None, {}, ""),
    ],
)
def test_the_first_difference_is_found_type_strictly(
    expected: object, actual: object, where: str | None
) -> None:
    assert first_difference(expected, actual) == where  # type: ignore[arg-type]


def test_the_first_difference_works_at_any_depth() -> None:
    deep: object = 1
    other: object = 2
    for _ in range(5000):
        deep, other = [deep], [other]
    assert first_difference(deep, other) == "/0" * 5000  # type: ignore[arg-type]


STORED = {
    "public_metadata": {"a": {"b": 1, "c": [1, 2]}},
    "private_metadata": None,
    "unsafe_metadata": {},
}


@pytest.mark.parametrize(
    ("body", "wrong", "says"),
    [
        ({"public_metadata": {"a": {"b": 2}}}, {"public_metadata": {"a": {"b": 2}}}, "shallowly"),
        (
            {"public_metadata": {"a": {"b": None}}, "unsafe_metadata": None},
            {"public_metadata": {"a": {"b": None, "c": [1, 2]}}, "unsafe_metadata": None},
            "null members",
        ),
        (
            {"public_metadata": {"a": {"c": [9, 8, 7]}}},
            {"public_metadata": {"a": {"b": 1, "c": [9, 8, 7]}}},
            None,
        ),
        (
            {"public_metadata": {"a": {"c": [9]}}},
            {"public_metadata": {"a": {"b": 1, "c": [9, 2]}}},
            "element by element",
        ),
        ({"private_metadata": {"x": {"y": None}}}, {"private_metadata": {"x": {"y": None}}}, None),
        ({"public_metadata": {"z": 1}}, {"public_metadata": {"z": 1}}, "whole, as PUT"),
    ],
)
def test_a_wrong_merge_is_recognised_by_its_result(
    body: dict[str, object], wrong: dict[str, object], says: str | None
) -> None:
    actual = {**STORED, **wrong}
    fits = diagnose(STORED, body, actual)  # type: ignore[arg-type]
    if says is None:
        assert len(fits) != 1
    else:
        assert says in fits[0].says


def test_a_body_that_is_not_fields_matches_no_wrong_merge() -> None:
    assert diagnose(STORED, [1], STORED) == ()  # type: ignore[arg-type]
    assert diagnose(STORED, {"public_metadata": [1]}, STORED) == ()  # type: ignore[arg-type]


def test_the_run_settles_an_answer_several_models_fit() -> None:
    shallow, nulls, arrays, whole = MODELS
    assert settle([(shallow,), (shallow, nulls), (nulls, arrays), ()]) == [
        shallow,
        shallow,
        None,
        None,
    ]
    assert settle([(shallow,), (nulls,), (shallow, nulls)]) == [shallow, nulls, None]
    assert json_equal(whole.merge({"a": 1}, {"b": 2}), {"b": 2})


def test_a_create_that_answers_a_user_twice_never_touches_it(store: SQLiteStore) -> None:
    """A server that answers every create with one user: the checker must not write it twice."""
    first: list[bytes] = []

    def same_user(request: Request, store: SQLiteStore, config: Config) -> Response:
        if request.method == "POST" and first:
            return json_response(200, first[0])
        answer = handle(request, store, config)
        if request.method == "POST":
            first.append(
                answer.body.replace(b'"external_id":"msc-check-t-1"', b'"external_id":null')
            )
        return answer

    client = HandleClient(store, Config((KEY,)), same_user)
    results = run(client, cases("rules/*/omitted/stored-object"), SETTINGS).results
    assert [result.verdict for result in results] == ["pass", "blocked"]
    assert "not the one it made" in results[1].problems[0].message
    assert [request.method for request in client.sent].count("DELETE") == 1

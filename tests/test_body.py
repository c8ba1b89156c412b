"""Bodies and user objects: absent is OMITTED, null is None, and the round trip is exact."""

from __future__ import annotations

import copy
import json
from typing import Any, cast

import pytest
from hypothesis import given
from hypothesis import strategies as st

from metadata_semantics import (
    FIELDS,
    OMITTED,
    WIRE_NAMES,
    InvalidArgumentError,
    InvalidBodyError,
    InvalidValueError,
    MetadataError,
    Naming,
    UserMetadata,
    UserMetadataParams,
    parse_json,
)
from metadata_semantics.strategies import bodies, params, user_metadata

from strict import same

namings = st.sampled_from(["snake", "camel"])


def containers(value: object) -> set[int]:
    """Ids of every dict and list inside `value`, itself included."""
    found: set[int] = set()
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            found.add(id(cast("object", item)))
            stack.extend(cast("dict[str, object]", item).values())
        elif isinstance(item, list):
            found.add(id(cast("object", item)))
            stack.extend(cast("list[object]", item))
    return found


def record_containers(record: UserMetadata | UserMetadataParams) -> set[int]:
    found: set[int] = set()
    for field in FIELDS:
        found |= containers(getattr(record, field))
    return found


@given(params(), namings)
def test_params_survive_the_wire_round_trip(request: UserMetadataParams, naming: Naming) -> None:
    """`from_body(p.to_body()) == p` for every params value, in both namings."""
    assert UserMetadataParams.from_body(request.to_body(naming=naming), naming=naming) == request


@given(params(), namings)
def test_params_survive_the_round_trip_through_json_text(
    request: UserMetadataParams, naming: Naming
) -> None:
    text = json.dumps(request.to_body(naming=naming))
    assert UserMetadataParams.from_body(parse_json(text), naming=naming) == request  # type: ignore[arg-type]


@given(user_metadata(), namings)
def test_records_survive_the_wire_round_trip(record: UserMetadata, naming: Naming) -> None:
    assert UserMetadata.from_body(record.to_body(naming=naming), naming=naming) == record


@given(params(), namings)
def test_to_body_leaves_omitted_out_and_keeps_null(
    request: UserMetadataParams, naming: Naming
) -> None:
    """An absent key is omitted; `null` stores null."""
    body = request.to_body(naming=naming)
    for field, key in zip(FIELDS, WIRE_NAMES[naming], strict=True):
        value = getattr(request, field)
        if value is OMITTED:
            assert key not in body
        else:
            assert key in body
            assert same(body[key], value)
    assert len(body) == sum(getattr(request, field) is not OMITTED for field in FIELDS)


@given(st.one_of(params(), user_metadata()), namings)
def test_to_body_shares_nothing_with_the_params_or_the_record(
    record: UserMetadataParams | UserMetadata, naming: Naming
) -> None:
    body = record.to_body(naming=naming)
    assert containers(body).isdisjoint(record_containers(record))


@given(bodies(), namings)
def test_from_body_shares_nothing_with_the_body_and_leaves_it_alone(
    body: dict[str, Any], naming: Naming
) -> None:
    renamed = {
        WIRE_NAMES[naming][FIELDS.index(key)]: value  # pyright: ignore[reportArgumentType]
        for key, value in body.items()
    }
    before = copy.deepcopy(renamed)
    request = UserMetadataParams.from_body(renamed, naming=naming)
    assert same(renamed, before)
    assert record_containers(request).isdisjoint(containers(renamed))


def test_absent_null_and_empty_object_are_three_different_requests() -> None:
    request = UserMetadataParams.from_body({"public_metadata": None, "private_metadata": {}})
    assert request.public_metadata is None
    assert same(request.private_metadata, {})
    assert request.unsafe_metadata is OMITTED
    assert UserMetadataParams.from_body({}) == UserMetadataParams()


# What the official SDKs put on the wire for one write. `@clerk/backend`
# takes {publicMetadata, privateMetadata} in a params object and
# `clerk-backend-api` takes public_metadata= and private_metadata= keyword
# arguments; given a role and a null, both send this body.
SDK_BODY = '{"public_metadata":{"role":"admin"},"private_metadata":null}'


def test_the_bodies_both_official_sdks_send_are_read_in_the_default_naming() -> None:
    """Every SDK sends snake_case on the wire; camelCase is only the JS params object."""
    request = UserMetadataParams.from_body(json.loads(SDK_BODY))
    assert same(request.public_metadata, {"role": "admin"})
    assert request.private_metadata is None
    assert request.unsafe_metadata is OMITTED


def test_an_sdk_body_read_in_camel_naming_is_an_unknown_key() -> None:
    with pytest.raises(InvalidBodyError) as caught:
        UserMetadataParams.from_body(json.loads(SDK_BODY), naming="camel")
    assert caught.value.code == "unknown_key"
    assert caught.value.path == "/public_metadata"


def test_camel_naming_reads_and_writes_the_javascript_params_object() -> None:
    request = UserMetadataParams.from_body({"publicMetadata": {"a": 1}}, naming="camel")
    assert request == UserMetadataParams(public_metadata={"a": 1})
    assert request.to_body(naming="camel") == {"publicMetadata": {"a": 1}}
    assert request.to_body() == {"public_metadata": {"a": 1}}


def test_a_user_object_may_carry_other_members() -> None:
    user: dict[str, object] = {
        "id": "user_1",
        "public_metadata": {"a": 1},
        "private_metadata": None,
        "unsafe_metadata": {},
        "email_addresses": [],
    }
    assert UserMetadata.from_body(user) == UserMetadata({"a": 1}, None, {})
    assert UserMetadata({"a": 1}, None, {}).to_body(naming="camel") == {
        "publicMetadata": {"a": 1},
        "privateMetadata": None,
        "unsafeMetadata": {},
    }


# Rejections -------------------------------------------------------------------

# Each row: a body, the naming it is read with, then the code, path and field
# of the error.
PARAMS_REJECTIONS: list[tuple[object, Naming, str, str, str | None]] = [
    ([], "snake", "invalid_body", "", None),
    ("text", "snake", "invalid_body", "", None),
    (None, "snake", "invalid_body", "", None),
    (3, "camel", "invalid_body", "", None),
    ({"public_metadata": {}, "email": "x"}, "snake", "unknown_key", "/email", None),
    ({"publicMetadata": {}}, "snake", "unknown_key", "/publicMetadata", None),
    ({"public_metadata": {}}, "camel", "unknown_key", "/public_metadata", None),
    ({1: {}}, "snake", "unknown_key", "/1", None),
    ({(1, "a"): {}}, "snake", "unknown_key", "/(1, 'a')", None),
    (
        {"public_metadata": {}, "publicMetadata": {}},
        "snake",
        "duplicate_field",
        "/publicMetadata",
        "public_metadata",
    ),
    (
        {"unsafeMetadata": 1, "unsafe_metadata": None},
        "snake",
        "duplicate_field",
        "/unsafeMetadata",
        "unsafe_metadata",
    ),
    (
        {"private_metadata": None, "privateMetadata": {}},
        "camel",
        "duplicate_field",
        "/private_metadata",
        "private_metadata",
    ),
    ({"public_metadata": []}, "snake", "invalid_field", "/public_metadata", "public_metadata"),
    ({"public_metadata": "x"}, "snake", "invalid_field", "/public_metadata", "public_metadata"),
    ({"privateMetadata": 0}, "camel", "invalid_field", "/privateMetadata", "private_metadata"),
    ({"unsafe_metadata": True}, "snake", "invalid_field", "/unsafe_metadata", "unsafe_metadata"),
    ({"unsafe_metadata": (1,)}, "snake", "invalid_field", "/unsafe_metadata", "unsafe_metadata"),
    (
        {"public_metadata": {"a": [1, {2}]}},
        "snake",
        "unsupported_type",
        "/public_metadata/a/1",
        "public_metadata",
    ),
    (
        {"publicMetadata": {"a": {1: 2}}},
        "camel",
        "non_string_key",
        "/publicMetadata/a/1",
        "public_metadata",
    ),
    (
        {"public_metadata": {"a": float("nan")}},
        "snake",
        "non_finite_number",
        "/public_metadata/a",
        "public_metadata",
    ),
    (
        {"public_metadata": {"a": OMITTED}},
        "snake",
        "misplaced_omitted",
        "/public_metadata/a",
        "public_metadata",
    ),
]


@pytest.mark.parametrize(("body", "naming", "code", "path", "field"), PARAMS_REJECTIONS)
def test_each_bad_request_body_is_rejected_with_code_and_path(
    body: Any, naming: Naming, code: str, path: str, field: str | None
) -> None:
    with pytest.raises(MetadataError) as caught:
        UserMetadataParams.from_body(body, naming=naming)
    assert (caught.value.code, caught.value.path, caught.value.field) == (code, path, field)
    assert caught.value.source == "request"
    # A body's own keys are object keys, so a path never starts with an index.
    assert all(isinstance(segment, str) for segment in caught.value.segments[:1])


def test_an_unknown_key_is_named_with_the_keys_there_are() -> None:
    with pytest.raises(InvalidBodyError) as caught:
        UserMetadataParams.from_body({"public_metadata": {}, "email": 1})
    assert caught.value.detail == (
        "the request body has the unknown key 'email'; "
        "the keys are 'public_metadata', 'private_metadata', 'unsafe_metadata'"
    )
    with pytest.raises(InvalidBodyError) as caught:
        UserMetadataParams.from_body(cast("Any", {1: {}}), naming="camel")
    assert caught.value.detail == (
        "the request body has the unknown key '1'; "
        "the keys are 'publicMetadata', 'privateMetadata', 'unsafeMetadata'"
    )


def test_a_body_key_of_the_other_naming_says_which_naming_to_use() -> None:
    with pytest.raises(InvalidBodyError, match="naming='snake'"):
        UserMetadataParams.from_body({"publicMetadata": {}})


RECORD_REJECTIONS: list[tuple[object, Naming, str, str, str | None]] = [
    ([], "snake", "invalid_body", "", None),
    (
        {"public_metadata": {}, "private_metadata": {}},
        "snake",
        "missing_field",
        "",
        "unsafe_metadata",
    ),
    (
        {"publicMetadata": {}, "privateMetadata": {}, "unsafeMetadata": {}},
        "snake",
        "missing_field",
        "",
        "public_metadata",
    ),
    (
        {"publicMetadata": {}, "privateMetadata": {}, "unsafeMetadata": {}, "public_metadata": {}},
        "camel",
        "duplicate_field",
        "/public_metadata",
        "public_metadata",
    ),
    (
        {"public_metadata": {}, "private_metadata": [], "unsafe_metadata": {}},
        "snake",
        "invalid_field",
        "/private_metadata",
        "private_metadata",
    ),
    (
        {"public_metadata": {"x": {1}}, "private_metadata": {}, "unsafe_metadata": {}},
        "snake",
        "unsupported_type",
        "/public_metadata/x",
        "public_metadata",
    ),
]


@pytest.mark.parametrize(("body", "naming", "code", "path", "field"), RECORD_REJECTIONS)
def test_each_bad_user_object_is_rejected_with_code_and_path(
    body: Any, naming: Naming, code: str, path: str, field: str | None
) -> None:
    with pytest.raises(MetadataError) as caught:
        UserMetadata.from_body(body, naming=naming)
    assert (caught.value.code, caught.value.path, caught.value.field) == (code, path, field)
    assert caught.value.source == "stored"


@pytest.mark.parametrize("naming", ["kebab", "Snake", None, 1, ["snake"]])
def test_an_unknown_naming_is_an_argument_error(naming: Any) -> None:
    for call in (
        lambda: UserMetadataParams.from_body({}, naming=naming),
        lambda: UserMetadataParams().to_body(naming=naming),
        lambda: UserMetadata.from_body({}, naming=naming),
        lambda: UserMetadata().to_body(naming=naming),
    ):
        with pytest.raises(InvalidArgumentError) as caught:
            call()
        assert caught.value.code == "invalid_argument"
        # A list is named by its type: no repr of a caller's object is run.
        shown = "a list object" if isinstance(naming, list) else repr(naming)
        assert caught.value.detail == f"naming must be 'snake' or 'camel', not {shown}"


def test_to_body_rejects_a_field_that_is_not_json_with_the_body_path() -> None:
    bad: Any = {"a": {1, 2}}
    with pytest.raises(InvalidValueError) as caught:
        UserMetadataParams(public_metadata=bad).to_body(naming="camel")
    assert (caught.value.code, caught.value.path) == ("unsupported_type", "/publicMetadata/a")
    assert (caught.value.field, caught.value.source) == ("public_metadata", "request")
    with pytest.raises(InvalidValueError) as caught:
        UserMetadata(private_metadata=[1]).to_body()  # type: ignore[arg-type]
    assert (caught.value.code, caught.value.path, caught.value.source) == (
        "invalid_field",
        "/private_metadata",
        "stored",
    )
    assert caught.value.field == "private_metadata"
    with pytest.raises(InvalidValueError) as caught:
        UserMetadata(unsafe_metadata={"a": {2}}).to_body()  # type: ignore[dict-item]
    assert (caught.value.path, caught.value.field, caught.value.source) == (
        "/unsafe_metadata/a",
        "unsafe_metadata",
        "stored",
    )


# The body and field values of each JSON kind, and how a message names it.
KINDS: list[tuple[str, str]] = [
    ("null", "null"),
    ("true", "a boolean"),
    ("2.5", "a number"),
    ('"text"', "a string"),
    ("[]", "an array"),
]


@pytest.mark.parametrize(("text", "kind"), KINDS)
def test_a_body_or_field_of_the_wrong_kind_is_named_in_the_message(text: str, kind: str) -> None:
    with pytest.raises(InvalidBodyError) as caught:
        UserMetadataParams.from_body(cast("Any", parse_json(text)))
    assert caught.value.detail == f"the request body must be a JSON object, not {kind}"
    if text != "null":
        with pytest.raises(InvalidValueError) as caught_field:
            UserMetadataParams.from_body(
                cast("Any", parse_json('{"unsafe_metadata": ' + text + "}"))
            )
        assert (
            caught_field.value.detail == f"unsafe_metadata must be an object or null, not {kind}"
        )


def test_a_value_with_no_json_kind_is_named_by_its_python_type() -> None:
    with pytest.raises(InvalidBodyError) as caught:
        UserMetadata.from_body(cast("Any", frozenset()))
    assert caught.value.detail == "the user object must be a JSON object, not a frozenset"

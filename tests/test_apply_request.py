"""apply_request is one whole HTTP write: PUT is replace, PATCH is merge, nothing else leaks."""

from __future__ import annotations

import copy
import json
from typing import TYPE_CHECKING, Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from metadata_semantics import (
    ERROR_CODES,
    FIELDS,
    METHODS,
    OMITTED,
    UPSTREAM_LIMITS,
    InvalidArgumentError,
    JSONValue,
    LimitExceededError,
    Limits,
    MetadataError,
    Naming,
    UnsupportedMethodError,
    UserMetadata,
    UserMetadataParams,
    apply_request,
    diff_merge_patch,
    json_equal,
    merge_metadata,
    parse_json,
    read_request,
    replace_metadata,
)
from metadata_semantics.sql import check_storable
from metadata_semantics.strategies import (
    bodies,
    body_texts,
    json_like_texts,
    params,
    user_metadata,
)

from depths import VERY_DEEP
from strict import same

if TYPE_CHECKING:
    from collections.abc import Callable

namings = st.sampled_from(["snake", "camel"])
writes = st.sampled_from([("PUT", replace_metadata), ("PATCH", merge_metadata)])


def as_text(body: dict[str, Any], form: str) -> str | bytes | dict[str, Any]:
    if form == "mapping":
        return body
    text = json.dumps(body, ensure_ascii=form == "ascii")
    return text.encode("utf-8") if form == "bytes" else text


def outcome(call: Callable[[], UserMetadata]) -> UserMetadata | MetadataError:
    try:
        return call()
    except MetadataError as error:
        return error


def is_blank(body: str | bytes) -> bool:
    return not (body.strip(" \t\n\r") if isinstance(body, str) else body.strip(b" \t\n\r"))


forms = st.sampled_from(["mapping", "text", "ascii", "bytes"])


@given(user_metadata(), params(), writes, namings, forms)
def test_a_request_is_the_write_its_method_names(
    stored: UserMetadata,
    request: UserMetadataParams,
    write: tuple[str, Any],
    naming: Naming,
    form: str,
) -> None:
    """`apply_request(s, "PUT", p.to_body()) == replace_metadata(s, p)`, and PATCH is merge."""
    method, operation = write
    body = as_text(request.to_body(naming=naming), form)
    result = apply_request(stored, method, body, naming=naming, limits=None)
    assert result == operation(stored, request)


@given(user_metadata(), namings, st.data())
def test_generated_body_texts_apply_as_their_decoded_bodies(
    stored: UserMetadata, naming: Naming, data: st.DataObject
) -> None:
    text = data.draw(body_texts(naming=naming))
    body = data.draw(bodies(naming=naming))
    decoded: Any = parse_json(text)
    for method in METHODS:
        assert apply_request(stored, method, text, naming=naming, limits=None) == apply_request(
            stored, method, decoded, naming=naming, limits=None
        )
    assert apply_request(stored, "PATCH", body, naming=naming, limits=None) == merge_metadata(
        stored, UserMetadataParams.from_body(body, naming=naming)
    )


@given(user_metadata(), params(), writes)
def test_the_upstream_limits_apply_by_default(
    stored: UserMetadata, request: UserMetadataParams, write: tuple[str, Any]
) -> None:
    method, operation = write
    try:
        expected = operation(stored, request, limits=UPSTREAM_LIMITS)
    except LimitExceededError:
        with pytest.raises(LimitExceededError):
            apply_request(stored, method, request.to_body())
    else:
        assert apply_request(stored, method, request.to_body()) == expected


@pytest.mark.parametrize("body", [None, "", " ", "\n\t\r ", b"", b" \r\n", bytearray(b"\t")])
@pytest.mark.parametrize("method", ["PUT", "PATCH"])
def test_a_missing_or_blank_body_provides_no_field(body: Any, method: str) -> None:
    """A missing, empty or whitespace-only body means nothing is provided."""
    stored = UserMetadata({"a": 1}, None, {"b": [None]})
    result = apply_request(stored, method, body)
    assert result == stored
    assert result.unsafe_metadata is not stored.unsafe_metadata


@pytest.mark.parametrize(
    "body", ["\x0c", " \x0b ", "\u00a0", "\u2028", "\x1c", b"\x0c", b" \x0b", bytearray(b"\x1f")]
)
def test_only_json_whitespace_makes_a_body_blank(body: Any) -> None:
    """RFC 8259 whitespace is space, tab, line feed and carriage return; nothing else is blank."""
    with pytest.raises(MetadataError) as caught:
        apply_request(UserMetadata(), "PATCH", body)
    assert (caught.value.code, caught.value.path) == ("invalid_json", "")


def test_absent_null_and_empty_object_in_a_body() -> None:
    stored = UserMetadata({"a": 1}, {"b": 2}, {"c": 3})
    body = '{"private_metadata": null, "unsafe_metadata": {}}'
    assert apply_request(stored, "PUT", body) == UserMetadata({"a": 1}, None, {})
    assert apply_request(stored, "PATCH", body) == UserMetadata({"a": 1}, None, {"c": 3})


def test_methods_are_data() -> None:
    assert dict(METHODS) == {"PUT": "replace", "PATCH": "merge"}


@pytest.mark.parametrize("method", ["put", "Patch", "POST", "GET", "DELETE", "", "PUT ", None, 1])
def test_any_other_method_is_rejected(method: Any) -> None:
    with pytest.raises(UnsupportedMethodError) as caught:
        apply_request(UserMetadata(), method, "{}")
    assert (caught.value.code, caught.value.path) == ("unsupported_method", "")


@pytest.mark.parametrize(
    ("method", "message"),
    [
        (
            "patch",
            (
                "method 'patch' is not supported: use 'PUT' (replace) or 'PATCH' (merge); "
                "HTTP methods are case-sensitive, so write 'PATCH'"
            ),
        ),
        (
            "Put",
            (
                "method 'Put' is not supported: use 'PUT' (replace) or 'PATCH' (merge); "
                "HTTP methods are case-sensitive, so write 'PUT'"
            ),
        ),
        ("POST", "method 'POST' is not supported: use 'PUT' (replace) or 'PATCH' (merge)"),
        ("post", "method 'post' is not supported: use 'PUT' (replace) or 'PATCH' (merge)"),
        (None, "method None is not supported: use 'PUT' (replace) or 'PATCH' (merge)"),
    ],
)
def test_a_method_in_the_wrong_case_is_rejected_with_a_hint(method: Any, message: str) -> None:
    with pytest.raises(UnsupportedMethodError) as caught:
        apply_request(UserMetadata(), method, None)
    assert caught.value.detail == message


@pytest.mark.parametrize(
    ("method", "shown"), [(1, "1"), (2.5, "2.5"), (object(), "a object object")]
)
def test_a_method_that_is_not_text_is_shown_as_it_is_or_named_by_its_type(
    method: Any, shown: str
) -> None:
    with pytest.raises(UnsupportedMethodError) as caught:
        apply_request(UserMetadata(), method, None)
    assert caught.value.detail == (
        f"method {shown} is not supported: use 'PUT' (replace) or 'PATCH' (merge)"
    )


@pytest.mark.parametrize(
    ("stored", "method", "options", "code"),
    [
        (UserMetadata(), "GET", {"limits": "bad"}, "unsupported_method"),
        (UserMetadata(), "PUT", {"naming": "kebab", "limits": "bad"}, "invalid_argument"),
        (UserMetadata(), "PUT", {"limits": "bad"}, "invalid_argument"),
        (None, "PUT", {}, "invalid_argument"),
    ],
)
def test_the_arguments_are_checked_before_the_body_is_read(
    stored: Any, method: str, options: dict[str, Any], code: str
) -> None:
    """A call with a bad argument is refused for that, whatever its body holds."""
    with pytest.raises(MetadataError) as caught:
        apply_request(stored, method, "not json", **options)
    assert caught.value.code == code


@pytest.mark.parametrize(
    "call",
    [
        lambda: apply_request({"public_metadata": {}}, "PUT", None),  # type: ignore[arg-type]
        lambda: apply_request(UserMetadata(), "PUT", None, naming="kebab"),  # type: ignore[arg-type]
        lambda: apply_request(UserMetadata(), "PUT", None, limits=8192),  # type: ignore[arg-type]
    ],
)
def test_arguments_of_the_wrong_kind_are_rejected_before_the_body_is_read(
    call: Callable[[], object],
) -> None:
    with pytest.raises(InvalidArgumentError) as caught:
        call()
    assert caught.value.code == "invalid_argument"


# Errors carry paths from the body's root --------------------------------------


def test_errors_inside_a_field_have_paths_from_the_body_root() -> None:
    with pytest.raises(MetadataError) as caught:
        apply_request(UserMetadata(), "PATCH", '{"public_metadata": {"a": [NaN]}}')
    assert (caught.value.code, caught.value.path) == ("non_finite_number", "/public_metadata/a/0")
    with pytest.raises(MetadataError) as caught:
        apply_request(UserMetadata(), "PUT", {"unsafeMetadata": {"a": {1}}}, naming="camel")
    assert (caught.value.code, caught.value.path) == ("unsupported_type", "/unsafeMetadata/a")


def test_a_bad_stored_record_is_blamed_on_the_stored_record_in_the_body_naming() -> None:
    stored = UserMetadata(private_metadata={"bad": {1, 2}})  # type: ignore[dict-item]
    with pytest.raises(MetadataError) as caught:
        apply_request(stored, "PATCH", "{}", naming="camel")
    error = caught.value
    assert (error.code, error.path, error.field, error.source) == (
        "unsupported_type",
        "/privateMetadata/bad",
        "private_metadata",
        "stored",
    )


def test_a_limit_error_points_at_the_field_or_at_the_root() -> None:
    big = json.dumps({"public_metadata": {"k": "x" * 9000}})
    with pytest.raises(LimitExceededError) as caught:
        apply_request(UserMetadata(), "PUT", big)
    assert (caught.value.code, caught.value.path, caught.value.field) == (
        "field_too_large",
        "/public_metadata",
        "public_metadata",
    )
    assert caught.value.measured == 9008
    half = {"k": "x" * 4500}
    with pytest.raises(LimitExceededError) as caught:
        apply_request(
            UserMetadata(), "PUT", {"publicMetadata": half, "unsafeMetadata": half}, naming="camel"
        )
    assert (caught.value.code, caught.value.path, caught.value.field) == (
        "metadata_too_large",
        "",
        None,
    )


# Totality and no partial write ---------------------------------------------------


bad_bodies = st.one_of(
    st.binary(),
    st.text(),
    json_like_texts(),
    json_like_texts().map(lambda text: '{"public_metadata": ' + text + "}"),
    json_like_texts().map(lambda text: text.encode("utf-8", "surrogatepass")),
)


@given(user_metadata(), bad_bodies, st.sampled_from(["PUT", "PATCH"]), namings)
def test_any_body_gives_a_record_or_a_metadata_error_and_leaves_stored_alone(
    stored: UserMetadata, body: str | bytes, method: str, naming: Naming
) -> None:
    """On error the stored value is untouched and nothing partial is returned."""
    before = copy.deepcopy(stored)
    result = outcome(lambda: apply_request(stored, method, body, naming=naming))
    if isinstance(result, MetadataError):
        assert result.code in ERROR_CODES
        assert isinstance(result, ERROR_CODES[result.code].error_type)
    else:
        assert type(result) is UserMetadata
        parsed: Any = {} if is_blank(body) else parse_json(body)
        operation = replace_metadata if method == "PUT" else merge_metadata
        assert result == operation(stored, UserMetadataParams.from_body(parsed, naming=naming))
    for field in FIELDS:
        assert same(getattr(stored, field), getattr(before, field))


# Depth -------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["PUT", "PATCH"])
def test_a_very_deep_body_is_applied(method: str) -> None:
    depth = VERY_DEEP
    inner = '{"k":' * depth + "[1]" + "}" * depth
    body = '{"public_metadata": ' + inner + "}"
    result = apply_request(UserMetadata(), method, body, limits=None)
    expected: JSONValue = [1]
    for _ in range(depth):
        expected = {"k": expected}
    assert json_equal(result.public_metadata, expected)
    with pytest.raises(LimitExceededError) as caught:
        apply_request(UserMetadata(), method, body, limits=Limits(max_depth=1000))
    assert (caught.value.code, caught.value.measured) == ("too_deep", depth + 1)


# Every error code, with one input that produces it ----------------------------------


def _cycle() -> dict[str, Any]:
    loop: dict[str, Any] = {}
    loop["self"] = loop
    return loop


S = UserMetadata()
LONG = '{"public_metadata": {"n": ' + "1" * 5000 + "}}"
BIG = {"public_metadata": {"a": "x" * 8192}}
HALVES = {"public_metadata": {"a": "x" * 5000}, "private_metadata": {"b": "x" * 5000}}
DEEP = '{"public_metadata": {"a": {"b": {}}}}'
BOTH = '{"public_metadata": {}, "publicMetadata": {}}'
TWICE = '{"public_metadata": {}, "public_metadata": null}'
PARTIAL_USER: dict[str, object] = {"public_metadata": {}, "private_metadata": {}}
NUL = '{"public_metadata": {"a": "\\u0000"}}'
MINUS = '{"public_metadata": {"a": -0.0}}'
NESTED = '{"public_metadata": {"a": ' + "[" * 999 + "]" * 999 + "}}"

# Each row: the code, and a call that must raise it.
CATALOGUE: list[tuple[str, Callable[[], object]]] = [
    ("unsupported_type", lambda: apply_request(S, "PUT", {"public_metadata": {"a": {1}}})),
    ("non_string_key", lambda: apply_request(S, "PUT", {"public_metadata": {1: "a"}})),
    ("non_finite_number", lambda: apply_request(S, "PUT", '{"public_metadata": {"a": NaN}}')),
    ("invalid_string", lambda: apply_request(S, "PUT", '{"public_metadata": {"a": "\\ud800"}}')),
    ("circular_reference", lambda: apply_request(S, "PUT", {"public_metadata": _cycle()})),
    ("misplaced_omitted", lambda: apply_request(S, "PUT", {"public_metadata": {"a": OMITTED}})),
    ("invalid_field", lambda: apply_request(S, "PUT", '{"public_metadata": []}')),
    ("invalid_argument", lambda: apply_request(None, "PUT", "{}")),  # type: ignore[arg-type]
    (
        "integer_too_long",
        lambda: apply_request(S, "PUT", LONG),
    ),
    ("invalid_json", lambda: apply_request(S, "PUT", '{"public_metadata": {a: 1}}')),
    ("empty_input", lambda: parse_json("")),
    ("trailing_data", lambda: apply_request(S, "PUT", '{"public_metadata": {}} {}')),
    ("duplicate_key", lambda: apply_request(S, "PUT", TWICE)),
    ("invalid_utf8", lambda: apply_request(S, "PUT", b'{"public_metadata": {"a": "\xff"}}')),
    ("byte_order_mark", lambda: apply_request(S, "PUT", b'\xef\xbb\xbf{"public_metadata": {}}')),
    ("invalid_body", lambda: apply_request(S, "PUT", "[]")),
    ("unknown_key", lambda: apply_request(S, "PUT", '{"publik_metadata": {}}')),
    ("duplicate_field", lambda: apply_request(S, "PUT", BOTH)),
    ("missing_field", lambda: UserMetadata.from_body(PARTIAL_USER)),
    ("unsupported_method", lambda: apply_request(S, "POST", "{}")),
    ("field_too_large", lambda: apply_request(S, "PUT", BIG)),
    ("metadata_too_large", lambda: apply_request(S, "PATCH", HALVES)),
    ("too_deep", lambda: apply_request(S, "PATCH", DEEP, limits=Limits(max_depth=2))),
    ("body_too_large", lambda: apply_request(S, "PATCH", " " * 65537)),
    ("unpatchable_null", lambda: diff_merge_patch({}, {"a": None})),
    ("unstorable_string", lambda: check_storable(read_request("PUT", NUL)[1], "postgresql")),
    ("unstorable_number", lambda: check_storable(read_request("PUT", MINUS)[1], "postgresql")),
    ("unstorable_depth", lambda: check_storable(read_request("PUT", NESTED)[1], "sqlite")),
]


def test_the_catalogue_has_one_input_for_every_error_code() -> None:
    assert [code for code, _ in CATALOGUE] == list(ERROR_CODES)


@pytest.mark.parametrize(("code", "call"), CATALOGUE, ids=[code for code, _ in CATALOGUE])
def test_every_error_code_is_raised_by_its_catalogue_input(
    code: str, call: Callable[[], object]
) -> None:
    with pytest.raises(MetadataError) as caught:
        call()
    assert caught.value.code == code
    assert isinstance(caught.value, ERROR_CODES[code].error_type)
    # The wording is not the contract, but there always is some.
    assert isinstance(caught.value.detail, str)
    assert caught.value.detail.strip()
    assert str(caught.value).startswith(caught.value.detail)


def test_no_error_ever_escapes_as_value_error_from_json() -> None:
    """Python's json raises plain ValueError for long integers; apply_request never does."""
    body = '{"public_metadata": {"n": [' + "9" * 10_000 + "]}}"
    with pytest.raises(MetadataError) as caught:
        apply_request(S, "PUT", body)
    assert (caught.value.code, caught.value.path) == ("integer_too_long", "/public_metadata/n/0")


def test_a_patch_that_contains_itself_is_rejected_on_every_path() -> None:
    """A cycle is caught whether the body is read first or the params are merged directly."""
    loop: dict[str, Any] = {"a": {}}
    loop["a"]["b"] = loop
    with pytest.raises(MetadataError) as caught:
        apply_request(S, "PATCH", {"public_metadata": loop})
    assert (caught.value.code, caught.value.path) == ("circular_reference", "/public_metadata/a/b")
    with pytest.raises(MetadataError) as caught:
        merge_metadata(S, UserMetadataParams(public_metadata=loop))
    assert (caught.value.code, caught.value.path) == ("circular_reference", "/a/b")

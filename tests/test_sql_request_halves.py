"""The law of the two halves: ``read_request``, a write, ``check_result`` is ``apply_request``.

This is what lets a database run the middle step: a store that reads the
request, applies the write anywhere, and checks the result ends where
``apply_request`` ends, in the result and in the error.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from hypothesis import given
from hypothesis import strategies as st

from metadata_semantics import (
    FIELDS,
    UPSTREAM_LIMITS,
    InvalidArgumentError,
    LimitExceededError,
    Limits,
    MetadataError,
    UserMetadata,
    UserMetadataParams,
    apply_request,
    check_result,
    merge_metadata,
    read_request,
    replace_metadata,
)
from metadata_semantics.strategies import body_texts, json_like_texts, user_metadata

from strict import same

if TYPE_CHECKING:
    from metadata_semantics import Naming

_BOUND = st.one_of(st.none(), st.integers(min_value=0, max_value=120))


def limits() -> st.SearchStrategy[Limits | None]:
    """No limits, the upstream's, or small ones that many results break."""
    return st.one_of(
        st.none(),
        st.just(UPSTREAM_LIMITS),
        st.builds(
            Limits,
            max_field_bytes=_BOUND,
            max_total_bytes=_BOUND,
            max_depth=st.one_of(st.none(), st.integers(min_value=0, max_value=4)),
            max_body_bytes=st.one_of(st.none(), st.integers(min_value=0, max_value=400)),
        ),
    )


def outcome(call: object) -> tuple[str, object]:
    """A write's result, or its error as (code, path, field), in a form compared type-strictly."""
    assert callable(call)
    try:
        record = call()
    except MetadataError as error:
        return "error", (error.code, error.path, error.field)
    assert isinstance(record, UserMetadata)
    return "result", [getattr(record, name) for name in FIELDS]


def halves(
    stored: UserMetadata, method: str, body: str | bytes, bounds: Limits | None, naming: Naming
) -> UserMetadata:
    operation, params = read_request(method, body, limits=bounds, naming=naming)
    write = merge_metadata if operation == "merge" else replace_metadata
    result = write(stored, params)
    check_result(result, bounds, naming=naming, params=params)
    return result


@given(
    stored=user_metadata(),
    method=st.sampled_from(["PUT", "PATCH", "patch", "POST"]),
    body=st.one_of(body_texts(), body_texts(naming="camel"), json_like_texts()),
    bounds=limits(),
    naming=st.sampled_from(["snake", "camel"]),
)
def test_the_halves_compose_to_apply_request(
    stored: UserMetadata, method: str, body: str | bytes, bounds: Limits | None, naming: Naming
) -> None:
    """``apply_request`` = ``read_request``, ``merge_metadata``/``replace_metadata`` with no
    limits, then ``check_result``: the same record, or the same error (code, path, field)."""
    expected = outcome(lambda: apply_request(stored, method, body, limits=bounds, naming=naming))
    actual = outcome(lambda: halves(stored, method, body, bounds, naming))
    assert actual[0] == expected[0], (actual, expected)
    if actual[0] == "error":
        assert actual[1] == expected[1]
    else:
        assert same(actual[1], expected[1])


def test_a_field_over_the_member_budget_is_reported_before_an_earlier_field() -> None:
    # Found by the law above: the write stops at the first field it builds
    # that holds more members than the budget, before it checks any bound.
    # Here every field is kept, so field order decides: public_metadata
    # (null, 4 bytes) breaks max_field_bytes=0 too, but holds no member.
    stored = UserMetadata(unsafe_metadata={"a": None})
    bounds = Limits(max_field_bytes=0)
    expected = outcome(lambda: apply_request(stored, "PUT", "", limits=bounds))
    assert expected == ("error", ("field_too_large", "/unsafe_metadata", "unsafe_metadata"))
    assert outcome(lambda: halves(stored, "PUT", "", bounds, "snake")) == expected
    # The request's fields are built before the kept ones.
    body = '{"private_metadata": {"b": 1}}'
    expected = outcome(lambda: apply_request(stored, "PATCH", body, limits=bounds))
    assert expected == ("error", ("field_too_large", "/private_metadata", "private_metadata"))
    assert outcome(lambda: halves(stored, "PATCH", body, bounds, "snake")) == expected


def test_without_params_fields_are_taken_in_field_order() -> None:
    record = UserMetadata(public_metadata={"a": 1}, unsafe_metadata={"b": 2})
    with pytest.raises(LimitExceededError) as caught:
        check_result(record, Limits(max_field_bytes=0))
    assert caught.value.path == "/public_metadata"
    params = UserMetadataParams(unsafe_metadata={"b": 2})
    with pytest.raises(LimitExceededError) as caught:
        check_result(record, Limits(max_field_bytes=0), naming="camel", params=params)
    assert caught.value.path == "/unsafeMetadata"


def test_params_must_be_a_request() -> None:
    with pytest.raises(InvalidArgumentError) as caught:
        check_result(UserMetadata(), None, params={})  # type: ignore[arg-type]
    assert caught.value.code == "invalid_argument"
    assert str(caught.value).startswith(
        "params must be a UserMetadataParams or None, not a dict object"
    )


def test_read_request_takes_text_or_none_only() -> None:
    # apply_request also takes a decoded mapping; a database write starts from text.
    with pytest.raises(InvalidArgumentError) as caught:
        read_request("PATCH", {"public_metadata": {}})  # type: ignore[arg-type]
    assert caught.value.code == "invalid_argument"
    assert str(caught.value).startswith("body must be JSON text or None, not a dict object")
    operation, params = read_request("PUT", None)
    assert operation == "replace"
    assert params == UserMetadataParams()


@pytest.mark.parametrize("limits", [{"max_field_bytes": 1}, "none", 0])
def test_either_half_refuses_limits_that_are_not_limits(limits: object) -> None:
    """``limits`` is a ``Limits`` or ``None`` in both halves, as in ``apply_request``."""
    with pytest.raises(InvalidArgumentError) as caught:
        read_request("PATCH", "{}", limits=limits)  # type: ignore[arg-type]
    assert caught.value.code == "invalid_argument"
    with pytest.raises(InvalidArgumentError) as caught:
        check_result(UserMetadata(), limits)  # type: ignore[arg-type]
    assert caught.value.code == "invalid_argument"

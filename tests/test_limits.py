"""Limits bound the result of a write, measured as compact UTF-8 JSON, and never change it."""

from __future__ import annotations

import json
import sys
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from metadata_semantics import (
    FIELDS,
    UPSTREAM_LIMITS,
    InvalidArgumentError,
    InvalidValueError,
    JSONValue,
    LimitExceededError,
    Limits,
    UserMetadata,
    UserMetadataParams,
    merge_metadata,
    replace_metadata,
)
from metadata_semantics._limits import json_size, nesting_depth
from metadata_semantics.strategies import json_values, params, user_metadata

from depths import VERY_DEEP

operations = st.sampled_from([replace_metadata, merge_metadata])
bounds = st.one_of(st.none(), st.integers(min_value=0, max_value=400))
limit_sets = st.builds(Limits, bounds, bounds, st.one_of(st.none(), st.integers(0, 6)))


def reference_size(value: JSONValue) -> int:
    text = json.dumps(value, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    return len(text.encode("utf-8"))


def reference_depth(value: object) -> int:
    if isinstance(value, dict):
        members: list[object] = list(value.values())  # pyright: ignore[reportUnknownArgumentType]
    elif isinstance(value, list):
        members = list(value)  # pyright: ignore[reportUnknownArgumentType]
    else:
        return 0
    return 1 + max((reference_depth(member) for member in members), default=0)


@given(json_values())
def test_size_is_the_utf8_length_of_compact_json(value: JSONValue) -> None:
    assert json_size(value) == reference_size(value)


@given(json_values())
def test_depth_counts_nested_containers(value: JSONValue) -> None:
    assert nesting_depth(value) == reference_depth(value)


SIZES_AND_DEPTHS: list[tuple[JSONValue, int, int]] = [
    (None, 4, 0),
    ({}, 2, 1),
    ({"a": "\u00e9"}, 10, 1),
    ({"a": [1, {"b": None}]}, 20, 3),
    ({"emoji": "\U0001f600"}, 16, 1),
    ([[[]]], 6, 3),
]


@pytest.mark.parametrize(("value", "size", "depth"), SIZES_AND_DEPTHS)
def test_documented_sizes_and_depths(value: JSONValue, size: int, depth: int) -> None:
    assert (json_size(value), nesting_depth(value)) == (size, depth)


@given(user_metadata(), params(), operations, limit_sets)
def test_limits_never_change_a_result_they_only_refuse_it(
    stored: UserMetadata, request: UserMetadataParams, operation: Any, limits: Limits
) -> None:
    """Limits are checked on the result of a write, since that is what gets stored."""
    result = operation(stored, request)
    sizes = [json_size(getattr(result, field)) for field in FIELDS]
    depths = [nesting_depth(getattr(result, field)) for field in FIELDS]
    over = (
        (limits.max_field_bytes is not None and max(sizes) > limits.max_field_bytes)
        or (limits.max_total_bytes is not None and sum(sizes) > limits.max_total_bytes)
        or (limits.max_depth is not None and max(depths) > limits.max_depth)
    )
    if over:
        with pytest.raises(LimitExceededError) as caught:
            operation(stored, request, limits=limits)
        assert caught.value.measured > caught.value.limit
    else:
        assert operation(stored, request, limits=limits) == result


def test_a_field_over_its_bound_names_field_size_and_limit() -> None:
    request = UserMetadataParams(private_metadata={"note": "x" * 20})
    with pytest.raises(LimitExceededError) as caught:
        replace_metadata(UserMetadata(), request, limits=Limits(max_field_bytes=20))
    error = caught.value
    assert (error.code, error.field, error.measured, error.limit, error.path) == (
        "field_too_large",
        "private_metadata",
        31,
        20,
        "",
    )
    assert "31" in str(error)
    assert "20" in str(error)
    assert "private_metadata" in str(error)


def test_a_field_exactly_at_its_bound_is_accepted() -> None:
    request = UserMetadataParams(private_metadata={"note": "x" * 20})
    result = replace_metadata(UserMetadata(), request, limits=Limits(max_field_bytes=31))
    assert result.private_metadata == {"note": "x" * 20}


def test_the_total_bound_counts_all_three_fields() -> None:
    stored = UserMetadata({"a": 1}, {"b": 2}, None)  # 7 + 7 + 4 bytes
    assert (
        merge_metadata(stored, UserMetadataParams(), limits=Limits(max_total_bytes=18)) == stored
    )
    with pytest.raises(LimitExceededError) as caught:
        merge_metadata(stored, UserMetadataParams(), limits=Limits(max_total_bytes=17))
    assert (caught.value.code, caught.value.field, caught.value.measured) == (
        "metadata_too_large",
        None,
        18,
    )


def test_the_depth_bound_is_checked_per_field() -> None:
    request = UserMetadataParams(unsafe_metadata={"a": {"b": [1]}})
    with pytest.raises(LimitExceededError) as caught:
        merge_metadata(UserMetadata(), request, limits=Limits(max_depth=2))
    assert (caught.value.code, caught.value.field, caught.value.measured, caught.value.limit) == (
        "too_deep",
        "unsafe_metadata",
        3,
        2,
    )


def test_a_write_that_shrinks_an_oversized_record_is_accepted() -> None:
    """The stored value may be over a bound; only what the write would store counts."""
    stored = UserMetadata(public_metadata={"big": "x" * 10_000})
    limits = Limits(max_field_bytes=100, max_total_bytes=200)
    result = merge_metadata(
        stored, UserMetadataParams(public_metadata={"big": None}), limits=limits
    )
    assert result.public_metadata == {}
    with pytest.raises(LimitExceededError):
        merge_metadata(stored, UserMetadataParams(), limits=limits)


def test_no_limit_applies_by_default() -> None:
    big = UserMetadataParams(public_metadata={"big": "x" * 100_000})
    assert replace_metadata(UserMetadata(), big) == UserMetadata(
        public_metadata={"big": "x" * 100_000}
    )


def test_the_upstream_preset_is_8192_bytes_per_field_and_in_total() -> None:
    assert (
        Limits(max_field_bytes=8192, max_total_bytes=8192, max_depth=None, max_body_bytes=65536)
        == UPSTREAM_LIMITS
    )
    filler = "x" * (8192 - len('{"k":""}'))
    at_limit = UserMetadataParams(public_metadata={"k": filler}, private_metadata=None)
    with pytest.raises(LimitExceededError) as caught:
        replace_metadata(UserMetadata(), at_limit, limits=UPSTREAM_LIMITS)
    # The field alone fits; with the other two it does not.
    assert caught.value.code == "metadata_too_large"
    alone = UserMetadata(public_metadata={"k": filler}, private_metadata={}, unsafe_metadata={})
    with pytest.raises(LimitExceededError):
        replace_metadata(alone, UserMetadataParams(), limits=UPSTREAM_LIMITS)
    fits = UserMetadataParams(public_metadata={"k": filler[:-8]}, private_metadata={})
    result = replace_metadata(UserMetadata(unsafe_metadata={}), fits, limits=UPSTREAM_LIMITS)
    assert result.public_metadata == {"k": filler[:-8]}


@pytest.mark.parametrize(
    "bounds", [{"max_depth": -1}, {"max_field_bytes": 1.5}, {"max_total_bytes": True}]
)
def test_a_bound_that_is_not_a_count_is_an_argument_error(bounds: dict[str, Any]) -> None:
    with pytest.raises(InvalidArgumentError) as caught:
        Limits(**bounds)
    assert caught.value.code == "invalid_argument"
    [(name, bound)] = bounds.items()
    assert (
        caught.value.detail == f"Limits.{name} must be None or an int of at least 0, not {bound!r}"
    )


def test_each_limit_error_states_the_measure_and_the_bound() -> None:
    stored = UserMetadata()
    cases: list[tuple[UserMetadataParams, Limits, str]] = [
        (
            UserMetadataParams(public_metadata={"a": {"b": {}}}),
            Limits(max_depth=2),
            "public_metadata would nest 3 levels deep; the limit is 2",
        ),
        (
            UserMetadataParams(private_metadata={"a": "x" * 20}),
            Limits(max_field_bytes=10),
            "private_metadata would be 28 bytes as compact JSON; the limit is 10 bytes per field",
        ),
        (
            UserMetadataParams(public_metadata={"a": "x" * 8}, unsafe_metadata={"b": "y" * 8}),
            Limits(max_total_bytes=20),
            (
                "the three metadata fields would be 34 bytes together as compact JSON; "
                "the limit is 20 bytes in total"
            ),
        ),
    ]
    for request, limits, message in cases:
        with pytest.raises(LimitExceededError) as caught:
            replace_metadata(stored, request, limits=limits)
        assert caught.value.detail == message


@pytest.mark.parametrize("limits", [{"max_depth": 3}, 8192, "upstream"])
def test_limits_of_the_wrong_kind_are_an_argument_error(limits: Any) -> None:
    with pytest.raises(InvalidArgumentError) as caught:
        replace_metadata(UserMetadata(), UserMetadataParams(), limits=limits)
    expected = f"limits must be a Limits or None, not {type(limits).__qualname__}"
    assert caught.value.detail == expected


def test_deep_results_are_measured_without_recursion() -> None:
    depth = VERY_DEEP
    deep: JSONValue = "leaf"
    for _ in range(depth):
        deep = {"k": deep}
    request = UserMetadataParams(public_metadata={"root": deep})
    with pytest.raises(LimitExceededError) as caught:
        replace_metadata(UserMetadata(), request, limits=Limits(max_depth=depth))
    assert caught.value.measured == depth + 1
    roomy = Limits(max_depth=depth + 1, max_field_bytes=10**7)
    assert replace_metadata(UserMetadata(), request, limits=roomy) == UserMetadata(
        public_metadata={"root": deep}
    )


def test_an_integer_too_long_for_text_is_rejected_with_or_without_limits() -> None:
    if not hasattr(sys, "get_int_max_str_digits") or sys.get_int_max_str_digits() == 0:
        pytest.skip("this Python has no int/str conversion limit")
    huge = 10 ** (sys.get_int_max_str_digits() + 1)
    request = UserMetadataParams(unsafe_metadata={"n": [huge]})
    # Such an integer has no JSON text, so it could be neither stored nor
    # sent: it is rejected as parse_json rejects it, limits or not.
    for limits in (None, Limits(max_total_bytes=10**6)):
        with pytest.raises(InvalidValueError) as caught:
            replace_metadata(UserMetadata(), request, limits=limits)
        assert (caught.value.code, caught.value.field, caught.value.path) == (
            "integer_too_long",
            "unsafe_metadata",
            "/n/0",
        )

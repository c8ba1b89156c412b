"""`json_equal` and record equality are JSON equality, type-strict."""

from __future__ import annotations

import copy
from typing import Any, cast

import pytest
from hypothesis import given

from metadata_semantics import (
    FIELDS,
    OMITTED,
    JSONValue,
    UserMetadata,
    UserMetadataParams,
    json_equal,
)
from metadata_semantics.strategies import json_values, params, user_metadata

from strict import canonical, same


@given(json_values(), json_values())
def test_json_equal_agrees_with_the_independent_canonical_form(a: JSONValue, b: JSONValue) -> None:
    assert json_equal(a, b) is same(a, b)


@given(json_values())
def test_json_equal_is_reflexive_on_copies(value: JSONValue) -> None:
    assert json_equal(value, copy.deepcopy(value))


@pytest.mark.parametrize(
    ("left", "right"),
    [
        (True, 1),
        (False, 0),
        (1, 1.0),
        (0.0, -0.0),
        ({"a": 1}, {"a": True}),
        ([1], [1.0]),
        ({"a": None}, {}),
        ({}, []),
        ("1", 1),
        ([1, 2], [2, 1]),
        ({"a": 1}, {"a": 1, "b": 2}),
        ([1], [1, 1]),
        (None, {}),
    ],
)
def test_values_that_python_may_call_equal_are_different_json(left: Any, right: Any) -> None:
    assert not json_equal(left, right)
    assert not json_equal(right, left)


def test_key_order_does_not_matter() -> None:
    assert json_equal({"a": 1, "b": [2]}, {"b": [2], "a": 1})


@given(user_metadata())
def test_records_equal_their_copies_and_differ_on_type(stored: UserMetadata) -> None:
    assert stored == copy.deepcopy(stored)
    assert stored != UserMetadata(public_metadata={"\x00marker": True})
    assert stored != "not a record"


@given(params())
def test_params_equal_their_copies(request: UserMetadataParams) -> None:
    assert request == copy.deepcopy(request)


def _field_forms(record: UserMetadata | UserMetadataParams) -> list[object]:
    """Each field as a type-strict canonical form, with OMITTED as a form of its own."""
    forms: list[object] = []
    for name in FIELDS:
        value = getattr(record, name)
        forms.append(("omitted",) if value is OMITTED else canonical(value))
    return forms


@given(params(), params())
def test_params_are_equal_exactly_when_every_field_is(
    left: UserMetadataParams, right: UserMetadataParams
) -> None:
    assert (left == right) is (_field_forms(left) == _field_forms(right))
    assert (right == left) is (left == right)


def test_omitted_is_not_null_and_not_empty() -> None:
    assert UserMetadataParams() != UserMetadataParams(public_metadata=None)
    assert UserMetadataParams(public_metadata=None) != UserMetadataParams()
    assert UserMetadataParams(public_metadata={}) != UserMetadataParams(public_metadata=None)
    assert UserMetadataParams() == UserMetadataParams(public_metadata=OMITTED)


def test_record_equality_is_type_strict() -> None:
    assert UserMetadata(public_metadata={"n": True}) != UserMetadata(public_metadata={"n": 1})
    assert UserMetadata(private_metadata=None) != UserMetadata(private_metadata={})


def test_records_are_unhashable_and_frozen() -> None:
    with pytest.raises(TypeError):
        hash(UserMetadata())
    with pytest.raises(TypeError):
        hash(UserMetadataParams())
    record = UserMetadata()
    with pytest.raises(AttributeError):
        record.public_metadata = None  # type: ignore[misc]


def test_new_user_defaults_are_empty_objects_and_not_shared() -> None:
    first, second = UserMetadata(), UserMetadata()
    assert first.public_metadata == {}
    assert first.public_metadata is not second.public_metadata


def test_equal_nested_arrays_and_objects_built_apart() -> None:
    assert json_equal([1, [2, {"a": [None]}]], [1, [2, {"a": [None]}]])
    assert json_equal({"a": {"b": [1.5]}}, {"a": {"b": [1.5]}})
    # Values computed at run time are equal without being the same object.
    big, text = int("9" * 30), "xy"
    assert json_equal([big, text, float("2.5")], [int("9" * 30), "xy", float("2.5")])


def test_params_do_not_equal_other_types() -> None:
    assert UserMetadataParams() != UserMetadata()
    assert UserMetadataParams() != {}


def _twin(value: object) -> tuple[object, bool]:
    """A copy of `value` with every bool turned into an int and every int into a
    float; the flag says whether anything was turned."""
    if type(value) is bool:
        return int(value), True
    if type(value) is int:
        return float(value) if abs(value) < 2**53 else value, abs(value) < 2**53
    if isinstance(value, list):
        pairs = [_twin(item) for item in cast("list[object]", value)]
        return [item for item, _ in pairs], any(changed for _, changed in pairs)
    if isinstance(value, dict):
        members = {key: _twin(item) for key, item in cast("dict[str, object]", value).items()}
        return (
            {key: item for key, (item, _) in members.items()},
            any(changed for _, changed in members.values()),
        )
    return value, False


@given(json_values())
def test_a_twin_with_python_equal_numbers_is_a_different_json_value(value: JSONValue) -> None:
    """`True == 1 == 1.0` in Python, yet they are three different JSON values."""
    twin, changed = _twin(value)
    assert json_equal(value, cast("JSONValue", twin)) is not changed

"""`diff_merge_patch`: the smallest RFC 7396 patch from one value to another."""

from __future__ import annotations

import copy
from typing import Any, cast

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from metadata_semantics import (
    InvalidValueError,
    JSONValue,
    MetadataError,
    diff_merge_patch,
    json_equal,
    merge_patch,
)
from metadata_semantics.strategies import bad_values, json_values, metadata

from depths import HALF_DEEP
from reference import rfc7396
from strict import same


def has_null_member(value: object) -> bool:
    """True if an object reachable through objects alone holds a null member."""
    if not isinstance(value, dict):
        return False
    members = cast("dict[str, object]", value)
    return any(member is None or has_null_member(member) for member in members.values())


def patch_members(patch: object, path: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Every member path in a patch, at every depth reached through objects."""
    if not isinstance(patch, dict):
        return []
    found: list[tuple[str, ...]] = []
    for key, member in cast("dict[str, object]", patch).items():
        found.append((*path, key))
        found.extend(patch_members(member, (*path, key)))
    return found


def without(patch: Any, path: tuple[str, ...]) -> Any:
    smaller = copy.deepcopy(patch)
    holder = smaller
    for key in path[:-1]:
        holder = holder[key]
    del holder[path[-1]]
    return smaller


def mutate(value: Any, edits: Any) -> Any:
    """Derive a related value from `value`, so old and new overlap as real edits do."""
    if isinstance(value, dict) and isinstance(edits, dict):
        return rfc7396(value, edits)
    return edits


def overlapping(old: dict[str, JSONValue], edit: dict[str, JSONValue]) -> tuple[Any, Any]:
    return old, mutate(old, edit)


related: st.SearchStrategy[tuple[Any, Any]] = st.one_of(
    st.tuples(json_values(), json_values()),
    st.builds(overlapping, metadata(), metadata()),
)


@given(related)
def test_the_patch_turns_old_into_new_whenever_one_exists(pair: tuple[Any, Any]) -> None:
    """`merge_patch(old, diff_merge_patch(old, new)) == new` whenever it does not raise."""
    old, new = pair
    code: str | None = None
    patch: JSONValue = None
    try:
        patch = diff_merge_patch(old, new)
    except MetadataError as error:
        code = error.code
    if code is not None:
        assert code == "unpatchable_null"
        assert has_null_member(new)
        return
    assert same(merge_patch(old, patch), new)
    assert same(rfc7396(old, patch), new)


@given(related)
def test_it_raises_exactly_when_new_holds_a_null_object_member(pair: tuple[Any, Any]) -> None:
    """Where no merge patch can do it (`new` holds a null object member), it raises."""
    old, new = pair
    raised = False
    try:
        diff_merge_patch(old, new)
    except MetadataError:
        raised = True
    # A null member that both sides hold in the same place needs no patch.
    if not has_null_member(new):
        assert not raised


@given(related)
def test_every_member_of_the_patch_is_needed(pair: tuple[Any, Any]) -> None:
    """Smallest: dropping any one member, at any depth, no longer gives `new`."""
    old, new = pair
    assume(not has_null_member(new))
    patch = diff_merge_patch(old, new)
    for path in patch_members(patch):
        assert not same(merge_patch(old, without(patch, path)), new), path


@given(metadata())
def test_equal_objects_give_the_empty_patch(value: dict[str, JSONValue]) -> None:
    assert same(diff_merge_patch(value, copy.deepcopy(value)), {})


@given(json_values(), json_values())
def test_a_non_object_new_value_is_its_own_patch(old: JSONValue, new: JSONValue) -> None:
    """A non-object patch replaces the target whole, so it is the only patch there is."""
    assume(not isinstance(new, dict))
    assert same(diff_merge_patch(old, new), new)


@given(related)
def test_inputs_are_not_changed_and_share_nothing(pair: tuple[Any, Any]) -> None:
    old, new = pair
    assume(not has_null_member(new))
    old_copy, new_copy = copy.deepcopy(old), copy.deepcopy(new)
    patch = diff_merge_patch(old, new)
    assert same(old, old_copy)
    assert same(new, new_copy)
    if isinstance(new, (dict, list)):
        assert patch is not new


@pytest.mark.parametrize(
    ("old", "new", "patch"),
    [
        ({"a": 1}, {"a": 1}, {}),
        ({"a": 1}, {}, {"a": None}),
        ({}, {"a": {"b": [None]}}, {"a": {"b": [None]}}),
        ({"a": {"b": 1, "c": 2}}, {"a": {"b": 1}}, {"a": {"c": None}}),
        ({"a": {"b": 1}}, {"a": {"b": 1}, "c": 1}, {"c": 1}),
        ({"a": 1}, {"a": True}, {"a": True}),
        ({"a": 1}, {"a": 1.0}, {"a": 1.0}),
        ({"a": 5}, {"a": {}}, {"a": {}}),
        ({"a": None}, {"a": None, "b": 1}, {"b": 1}),
        ([1], {"a": 1}, {"a": 1}),
        ({"a": 1}, None, None),
        ({"a": {"b": {"c": 1}}}, {"a": {"b": {"c": 1}}}, {}),
    ],
)
def test_known_diffs(old: Any, new: Any, patch: Any) -> None:
    assert same(diff_merge_patch(old, new), patch)


@pytest.mark.parametrize(
    ("old", "new", "path"),
    [
        ({"a": 1}, {"a": None}, "/a"),
        ({}, {"a": None}, "/a"),
        ({}, {"a": {"b": None}}, "/a/b"),
        ({"a": 1}, {"a": {"b": {"c": None}}}, "/a/b/c"),
        (None, {"x/y": None}, "/x~1y"),
        ({"a": {"b": 1}}, {"a": {"b": None}}, "/a/b"),
    ],
)
def test_a_null_member_no_patch_can_store_says_use_replace(old: Any, new: Any, path: str) -> None:
    with pytest.raises(InvalidValueError) as caught:
        diff_merge_patch(old, new)
    assert (caught.value.code, caught.value.path) == ("unpatchable_null", path)
    assert "use replace" in str(caught.value)


def test_deep_values_diff_without_recursion() -> None:
    depth = HALF_DEEP
    old: JSONValue = {"x": 1}
    new: JSONValue = {"x": 2}
    want: JSONValue = {"x": 2}
    for _ in range(depth):
        old, new, want = {"k": old, "same": 1}, {"k": new, "same": 1}, {"k": want}
    result = diff_merge_patch(old, new)
    assert json_equal(merge_patch(old, result), new)
    for _ in range(depth):
        assert isinstance(result, dict)
        assert set(result) == {"k"}
        result = result["k"]
    assert same(result, {"x": 2})


@given(json_values(), bad_values())
def test_non_json_input_raises_metadata_error(good: JSONValue, bad: object) -> None:
    with pytest.raises(MetadataError):
        diff_merge_patch(good, cast("Any", bad))
    with pytest.raises(MetadataError):
        diff_merge_patch(cast("Any", bad), good)

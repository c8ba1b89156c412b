"""RFC 7396 JSON Merge Patch: the function `merge_patch` on any JSON values."""

from __future__ import annotations

from typing import Any, cast

from hypothesis import given
from hypothesis import strategies as st

from metadata_semantics import JSONValue, merge_patch
from metadata_semantics.strategies import json_scalars, json_values, metadata

from reference import rfc7396
from strict import same


@given(json_values(), json_values())
def test_merge_patch_agrees_with_the_rfc_pseudocode(target: JSONValue, patch: JSONValue) -> None:
    """Section 2's algorithm, followed literally, gives the same document."""
    assert same(merge_patch(target, patch), rfc7396(target, patch))


@given(metadata())
def test_empty_patch_is_the_identity_on_objects(target: dict[str, Any]) -> None:
    """An empty object patch changes no member of an object target."""
    assert same(merge_patch(target, {}), target)


@given(json_values(), st.one_of(json_scalars(), st.lists(json_values(), max_size=3)))
def test_non_object_patch_replaces_the_target(target: JSONValue, patch: JSONValue) -> None:
    """ "If the patch is anything other than an object, the result will always be to
    replace the entire target with the entire patch." """
    assert same(merge_patch(target, patch), patch)


@given(st.one_of(json_scalars(), st.lists(json_values(), max_size=3)), metadata())
def test_non_object_target_counts_as_empty_object(target: JSONValue, patch: JSONValue) -> None:
    """ "If Target is not an Object: Target = {}" before an object patch applies."""
    assert same(merge_patch(target, patch), merge_patch({}, patch))


@given(json_values(), json_values())
def test_merge_patch_is_idempotent(target: JSONValue, patch: JSONValue) -> None:
    once = merge_patch(target, patch)
    assert same(merge_patch(once, patch), once)


def _null_members(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Paths of null object members, not descending into arrays."""
    found: list[tuple[Any, ...]] = []
    if isinstance(value, dict):
        for key, member in cast("dict[str, Any]", value).items():
            if member is None:
                found.append((*path, key))
            else:
                found.extend(_null_members(member, (*path, key)))
    return found


def _lookup(value: Any, path: tuple[Any, ...]) -> tuple[bool, Any]:
    for key in path:
        if not isinstance(value, dict):
            return False, None
        members = cast("dict[str, Any]", value)
        if key not in members:
            return False, None
        value = members[key]
    return True, value


@given(json_values(), json_values())
def test_a_null_member_of_the_result_was_already_null_in_the_target(
    target: JSONValue, patch: JSONValue
) -> None:
    """A patch can never create a null object member: its nulls delete. So every
    null member of the result (outside arrays taken whole from the patch) sat at
    the same path in the target, or the whole patch was a non-object value."""
    result = merge_patch(target, patch)
    if not isinstance(patch, dict):
        return
    for path in _null_members(result):
        found, value = _lookup(target, path)
        assert found
        assert value is None


@given(metadata(), st.sampled_from(["a", "b", "c"]))
def test_null_member_removes_the_key_at_any_depth(target: dict[str, Any], key: str) -> None:
    """ "null values in the merge patch are given special meaning to indicate the
    removal of existing values in the target." """
    nested: Any = {"outer": {"inner": target}}
    result: Any = merge_patch(nested, {"outer": {"inner": {key: None}}})
    assert key not in result["outer"]["inner"]


@given(metadata(), st.lists(st.one_of(st.none(), json_values()), min_size=1, max_size=4))
def test_arrays_replace_whole_and_keep_their_nulls(
    target: dict[str, Any], array: list[Any]
) -> None:
    """Arrays are values, not patches: nulls inside them are stored as nulls."""
    result = merge_patch(target, {"list": array})
    assert isinstance(result, dict)
    assert same(result["list"], array)


class _Subclass(dict[str, Any]):
    """A dict subclass: a target of this type is merged by the engine, not the fast path."""


def test_a_merge_keeps_the_target_key_order_and_appends_new_keys() -> None:
    """The target's key order is kept; new keys follow, in the patch's order."""
    patch: dict[str, Any] = {"d": 4, "b": 9, "c": None, "a": {"y": 2}, "e": 5}
    expected = ["a", "b", "d", "e"]
    targets: list[dict[str, Any]] = [
        {"a": {"x": 1}, "b": 2, "c": 3},
        _Subclass(a={"x": 1}, b=2, c=3),
    ]
    for target in targets:
        for share in (False, True):
            result = merge_patch(target, patch, share=share)
            assert list(cast("dict[str, Any]", result)) == expected, (type(target), share)
            assert list(cast("dict[str, Any]", result)["a"]) == ["x", "y"]

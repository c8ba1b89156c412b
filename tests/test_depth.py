"""Deep nesting works in every function and never escapes as RecursionError."""

from __future__ import annotations

import sys
from typing import cast

import pytest
from hypothesis import given

from metadata_semantics import (
    InvalidValueError,
    JSONValue,
    UserMetadata,
    UserMetadataParams,
    apply_request,
    json_equal,
    merge_metadata,
    merge_patch,
    replace_metadata,
)
from metadata_semantics.strategies import deep_values

from depths import HALF_DEEP, VERY_DEEP


def chain(depth: int, leaf: JSONValue = "leaf") -> dict[str, JSONValue]:
    value: JSONValue = leaf
    for level in range(depth):
        value = {"k": value} if level % 3 else {"k": [value]}
    return {"root": value}


def depth_of(value: object) -> int:
    depth = 0
    while isinstance(value, (dict, list)):
        depth += 1
        members = cast("dict[str, object] | list[object]", value)
        value = next(iter(members.values())) if isinstance(members, dict) else members[0]
    return depth


@pytest.mark.parametrize("share", [False, True])
@pytest.mark.parametrize("depth", [sys.getrecursionlimit() * 2, 10_000, VERY_DEEP])
def test_deep_values_work_in_all_three_functions(depth: int, share: bool) -> None:
    deep = chain(depth)
    assert depth_of(merge_patch({}, deep, share=share)) == depth_of(deep)
    assert depth_of(merge_patch(deep, deep, share=share)) == depth_of(deep)
    stored = UserMetadata(public_metadata=deep)
    replaced = replace_metadata(stored, UserMetadataParams(private_metadata=deep), share=share)
    merged = merge_metadata(
        stored, UserMetadataParams(public_metadata=chain(depth, "new")), share=share
    )
    assert json_equal(replaced.public_metadata, deep)
    assert json_equal(replaced.private_metadata, deep)
    assert json_equal(merged.public_metadata, chain(depth, "new"))
    assert not json_equal(merged.public_metadata, deep)


def test_deep_object_patch_merges_at_the_bottom() -> None:
    depth = 20_000
    target: JSONValue = {"old": 1}
    patch: JSONValue = {"new": 2, "old": None}
    for _ in range(depth):
        target = {"k": target}
        patch = {"k": patch}
    result = merge_patch(target, patch)
    for _ in range(depth):
        assert isinstance(result, dict)
        result = result["k"]
    assert json_equal(result, {"new": 2})


def test_deep_error_has_the_full_path_and_no_recursion_error() -> None:
    depth = HALF_DEEP
    bad = chain(depth, cast("JSONValue", {1, 2}))
    with pytest.raises(InvalidValueError) as caught:
        merge_patch({}, bad)
    assert caught.value.code == "unsupported_type"
    arrays = len(range(0, depth, 3))
    assert caught.value.path.count("/") == 1 + depth + arrays
    assert caught.value.path.endswith("/k/k/k/0")


@given(deep_values(min_depth=900, max_depth=3000))
def test_generated_deep_values_merge_and_compare(value: JSONValue) -> None:
    assert json_equal(merge_patch({}, {"x": value}), {"x": value})
    assert json_equal(merge_patch(value, value), value) or not isinstance(value, dict)


@pytest.mark.parametrize("share", [False, True])
def test_deep_values_work_in_apply_request(share: bool) -> None:
    depth = VERY_DEEP
    deep = chain(depth)
    stored = UserMetadata(public_metadata=deep)
    body = {"public_metadata": chain(depth, "new"), "private_metadata": deep}
    merged = apply_request(stored, "PATCH", body, limits=None, share=share)
    replaced = apply_request(stored, "PUT", body, limits=None, share=share)
    assert json_equal(merged.public_metadata, chain(depth, "new"))
    assert json_equal(replaced.private_metadata, deep)
    assert json_equal(replaced.public_metadata, chain(depth, "new"))

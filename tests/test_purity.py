"""Inputs are never changed, and results share no container with them."""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any, cast

from hypothesis import given
from hypothesis import strategies as st

from metadata_semantics import (
    FIELDS,
    JSONValue,
    UserMetadata,
    UserMetadataParams,
    merge_metadata,
    merge_patch,
    replace_metadata,
)
from metadata_semantics.strategies import json_values, params, user_metadata

from strict import same

if TYPE_CHECKING:
    from collections.abc import Iterator

operations = st.sampled_from([replace_metadata, merge_metadata])


def containers(value: object) -> Iterator[int]:
    """Ids of every dict and list inside `value`, itself included."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            yield id(cast("object", item))
            stack.extend(cast("dict[str, object]", item).values())
        elif isinstance(item, list):
            yield id(cast("object", item))
            stack.extend(cast("list[object]", item))


def record_containers(record: UserMetadata | UserMetadataParams) -> set[int]:
    return {ident for name in FIELDS for ident in containers(getattr(record, name))}


@given(user_metadata(), params(), operations)
def test_writes_never_mutate_their_inputs(
    stored: UserMetadata, request: UserMetadataParams, operation: Any
) -> None:
    stored_before = copy.deepcopy(stored)
    request_before = copy.deepcopy(request)
    operation(stored, request)
    for name in FIELDS:
        assert same(getattr(stored, name), getattr(stored_before, name))
        if getattr(request, name) is not getattr(request_before, name):
            assert same(getattr(request, name), getattr(request_before, name))


@given(user_metadata(), params(), operations)
def test_write_results_share_no_container_with_inputs(
    stored: UserMetadata, request: UserMetadataParams, operation: Any
) -> None:
    """Mutating the result can never reach the stored record or the request."""
    result = operation(stored, request)
    assert record_containers(result).isdisjoint(
        record_containers(stored) | record_containers(request)
    )


@given(json_values(), json_values())
def test_merge_patch_never_mutates_and_never_aliases(target: JSONValue, patch: JSONValue) -> None:
    target_before = copy.deepcopy(target)
    patch_before = copy.deepcopy(patch)
    result = merge_patch(target, patch)
    assert same(target, target_before)
    assert same(patch, patch_before)
    assert set(containers(result)).isdisjoint(set(containers(target)) | set(containers(patch)))


def test_a_shared_sub_object_that_is_not_a_cycle_is_accepted() -> None:
    """The same dict twice in one value is a DAG, not a cycle: valid JSON."""
    shared: Any = {"x": [1, 2]}
    value: Any = {"a": shared, "b": shared, "c": [shared, shared]}
    result = merge_patch({}, value)
    assert same(result, {"a": {"x": [1, 2]}, "b": {"x": [1, 2]}, "c": [{"x": [1, 2]}] * 2})
    stored = UserMetadata(public_metadata=value)
    kept = replace_metadata(stored, UserMetadataParams(private_metadata=value))
    assert same(kept.public_metadata, kept.private_metadata)


def test_target_holding_the_patch_object_is_not_a_cycle() -> None:
    patch: dict[str, JSONValue] = {"a": {"b": 1}}
    target: dict[str, JSONValue] = {"a": {"c": patch}}
    assert same(merge_patch(target, patch), {"a": {"c": {"a": {"b": 1}}, "b": 1}})
    assert same(merge_patch(patch, patch), patch)

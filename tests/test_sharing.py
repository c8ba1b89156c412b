"""Structural sharing (``share=True``): same results, no mutation, new only along the patch."""

from __future__ import annotations

import copy
import json
from typing import TYPE_CHECKING, Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from metadata_semantics import (
    FIELDS,
    OMITTED,
    JSONValue,
    MetadataError,
    UserMetadata,
    UserMetadataParams,
    apply_request,
    json_equal,
    merge_metadata,
    merge_patch,
    replace_metadata,
)
from metadata_semantics._fast import LIMIT
from metadata_semantics.strategies import (
    bad_values,
    deep_values,
    json_values,
    params,
    unusual_values,
    user_metadata,
)

from strict import canonical, same

if TYPE_CHECKING:
    from collections.abc import Callable

operations = st.sampled_from([replace_metadata, merge_metadata])
deep = deep_values(min_depth=LIMIT - 3, max_depth=LIMIT + 5)
plain_values = st.one_of(json_values(), deep)
# Subclasses are valid JSON but come back as the plain types, so a shared
# value must hold none: only the patch may carry them here.
good_values = st.one_of(plain_values, unusual_values())


def outcome(call: Callable[[], object]) -> tuple[Any, ...]:
    try:
        result = call()
    except MetadataError as error:
        return ("error", type(error), error.code, error.path, error.source, error.field)
    if isinstance(result, UserMetadata):
        return ("ok", tuple(canonical(getattr(result, name)) for name in FIELDS))
    return ("ok", canonical(result))


@given(plain_values, st.one_of(good_values, bad_values()))
def test_sharing_merge_patch_gives_what_the_default_gives(target: Any, patch: Any) -> None:
    """Sharing changes what the result is made of, never what it is; the patch is still checked."""
    shared = outcome(lambda: merge_patch(target, patch, share=True))
    assert shared == outcome(lambda: merge_patch(target, patch))


@given(user_metadata(), params(), operations)
def test_sharing_writes_give_what_the_default_writes_give(
    stored: UserMetadata, request: UserMetadataParams, operation: Any
) -> None:
    shared = outcome(lambda: operation(stored, request, share=True))
    assert shared == outcome(lambda: operation(stored, request))


@given(user_metadata(), params(), operations, st.booleans())
def test_neither_mode_mutates_its_inputs(
    stored: UserMetadata, request: UserMetadataParams, operation: Any, share: bool
) -> None:
    stored_before = copy.deepcopy(stored)
    request_before = copy.deepcopy(request)
    operation(stored, request, share=share)
    for name in FIELDS:
        assert same(getattr(stored, name), getattr(stored_before, name))
        if getattr(request, name) is not OMITTED:
            assert same(getattr(request, name), getattr(request_before, name))


@given(json_values(), json_values(), st.booleans())
def test_merge_patch_never_mutates_in_either_mode(
    target: JSONValue, patch: JSONValue, share: bool
) -> None:
    target_before = copy.deepcopy(target)
    patch_before = copy.deepcopy(patch)
    merge_patch(target, patch, share=share)
    assert same(target, target_before)
    assert same(patch, patch_before)


@given(bad_values(), json_values())
def test_sharing_does_not_look_at_stored_members_it_keeps(target: Any, patch: JSONValue) -> None:
    """Of the stored value, sharing looks at nothing but the objects along the patch."""
    result = merge_patch({"kept": target}, {"new": patch}, share=True)
    assert isinstance(result, dict)
    assert result["kept"] is target


@given(st.one_of(json_values(), bad_values()), bad_values())
def test_sharing_still_rejects_every_bad_patch(target: Any, patch: Any) -> None:
    with pytest.raises(MetadataError) as caught:
        merge_patch(target, {"p": patch}, share=True)
    assert caught.value.source == "request"
    assert caught.value.path.startswith("/p")


def test_members_the_patch_does_not_name_are_shared() -> None:
    untouched: dict[str, JSONValue] = {"deep": {"list": [1, 2]}}
    target: dict[str, JSONValue] = {"a": {"b": {"c": 1}, "side": untouched}, "other": [1]}
    new_list: list[JSONValue] = [3, {"x": None}]
    patch: dict[str, JSONValue] = {"a": {"b": {"c": 2}, "add": new_list}}
    result: Any = merge_patch(target, patch, share=True)
    assert same(
        result, {"a": {"b": {"c": 2}, "side": untouched, "add": [3, {"x": None}]}, "other": [1]}
    )
    assert result["other"] is target["other"]
    assert result["a"]["side"] is untouched
    assert result["a"]["add"] is new_list
    # Only the objects along the patch are new.
    assert result is not target
    assert result["a"] is not target["a"]


def test_deep_patch_shares_below_the_fast_path_limit_too() -> None:
    """Past the fast path's depth the iterative fallback shares the same way."""
    depth = LIMIT * 3
    side: list[JSONValue] = ["kept"]
    target: JSONValue = {"leaf": 1, "gone": 0, "side": side}
    patch: JSONValue = {"leaf": 2, "gone": None}
    for _ in range(depth):
        target = {"k": target, "side": side}
        patch = {"k": patch}
    result: Any = merge_patch(target, patch, share=True)
    assert json_equal(result, merge_patch(target, patch))
    for _ in range(depth):
        assert result["side"] is side
        result = result["k"]
    assert result == {"leaf": 2, "side": side}


def test_a_plain_provided_value_is_shared_by_replace() -> None:
    value: dict[str, JSONValue] = {"a": [1, {"b": "c"}]}
    kept: dict[str, JSONValue] = {"k": 1}
    stored = UserMetadata(public_metadata={"old": 1}, private_metadata=kept)
    result = replace_metadata(stored, UserMetadataParams(public_metadata=value), share=True)
    assert result.public_metadata is value
    assert result.private_metadata is kept


def test_members_and_fields_a_merge_keeps_are_shared_by_merge_metadata() -> None:
    side: list[JSONValue] = [1, {"b": 2}]
    kept: dict[str, JSONValue] = {"k": 1}
    stored = UserMetadata(public_metadata={"side": side, "a": 1}, private_metadata=kept)
    result = merge_metadata(stored, UserMetadataParams(public_metadata={"a": 2}), share=True)
    assert same(result.public_metadata, {"side": [1, {"b": 2}], "a": 2})
    assert result.public_metadata is not None
    assert result.public_metadata["side"] is side
    assert result.private_metadata is kept
    copied = merge_metadata(stored, UserMetadataParams(public_metadata={"a": 2}))
    assert copied == result
    assert copied.private_metadata is not kept


def test_sharing_merge_of_a_non_object_patch_shares_it() -> None:
    patch: list[JSONValue] = [{"a": None}]
    assert merge_patch({"x": 1}, patch, share=True) is patch


@given(user_metadata(), params(), st.sampled_from(["PUT", "PATCH"]), st.booleans())
def test_sharing_apply_request_gives_what_the_default_gives(
    stored: UserMetadata, request: UserMetadataParams, method: str, as_text: bool
) -> None:
    body: Any = request.to_body()
    if as_text:
        body = json.dumps(body)
    stored_before = copy.deepcopy(stored)
    shared = outcome(lambda: apply_request(stored, method, body, limits=None, share=True))
    assert shared == outcome(lambda: apply_request(stored, method, body, limits=None))
    for name in FIELDS:
        assert same(getattr(stored, name), getattr(stored_before, name))


def test_sharing_apply_request_keeps_stored_members_it_does_not_touch() -> None:
    profile: dict[str, JSONValue] = {"name": "Ada", "tags": ["a"]}
    stored = UserMetadata(public_metadata={"profile": profile, "plan": {"seats": 5}})
    result = apply_request(
        stored, "PATCH", '{"public_metadata": {"plan": {"seats": 6}}}', share=True
    )
    assert result.public_metadata is not None
    assert result.public_metadata["profile"] is profile
    assert same(result.public_metadata, {"profile": profile, "plan": {"seats": 6}})

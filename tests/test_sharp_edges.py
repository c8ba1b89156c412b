"""Laws that no other test pinned down: each one kills a mutant that survived.

``tests/MUTANTS.md`` lists the mutants of the core and why each survivor is
harmless; the tests here are the ones written for those that were not.
"""

from __future__ import annotations

from typing import Any

import pytest

from metadata_semantics import (
    InvalidArgumentError,
    InvalidValueError,
    MetadataError,
    UserMetadata,
    UserMetadataParams,
    json_equal,
    merge_metadata,
    merge_patch,
    replace_metadata,
)
from metadata_semantics._fast import LIMIT

from reference import rfc7396
from strict import same


def test_objects_with_the_same_size_but_different_keys_are_not_equal() -> None:
    assert not json_equal({"a": 1}, {"b": 1})
    assert not json_equal({"a": 1, "b": 2}, {"a": 1, "c": 2})


def test_a_shared_member_does_not_end_the_comparison() -> None:
    """The same object on both sides is equal to itself, and the members after
    it still count."""
    shared: Any = {"k": [1]}
    assert not json_equal([1, shared], [2, shared])
    assert not json_equal({"x": 1, "s": shared}, {"x": 2, "s": shared})
    assert json_equal([1, shared], [1, shared])


def test_an_error_defaults_to_blaming_the_request() -> None:
    error = MetadataError("bad", code="invalid_field")
    assert error.source == "request"
    assert error.args == ("bad",)
    assert error.detail == "bad"


def _raised(call: Any) -> MetadataError:
    with pytest.raises(MetadataError) as caught:
        call()
    return caught.value


@pytest.mark.parametrize(
    ("value", "type_name"),
    [(5, "int"), ("text", "str"), ([1], "list"), ((), "tuple")],
)
def test_an_invalid_request_field_is_named_with_its_type(value: Any, type_name: str) -> None:
    """The message tells a person what was sent instead of an object or null."""
    error = _raised(lambda: replace_metadata(UserMetadata(), UserMetadataParams(value)))
    assert isinstance(error, InvalidValueError)
    assert error.code == "invalid_field"
    assert error.field == "public_metadata"
    assert f"not {type_name}" in error.detail


def test_an_invalid_stored_field_names_the_field_the_source_and_the_type() -> None:
    stored = UserMetadata(private_metadata=[1])  # type: ignore[arg-type]
    error = _raised(lambda: merge_metadata(stored, UserMetadataParams()))
    assert error.code == "invalid_field"
    assert error.field == "private_metadata"
    assert error.source == "stored"
    assert "not list" in error.detail


@pytest.mark.parametrize(
    ("stored", "params", "type_name"),
    [
        ({}, UserMetadataParams(), "dict"),
        (UserMetadata(), None, "NoneType"),
        (UserMetadata(), "text", "str"),
    ],
)
def test_an_argument_of_the_wrong_kind_is_named_with_its_type(
    stored: Any, params: Any, type_name: str
) -> None:
    error = _raised(lambda: replace_metadata(stored, params))
    assert isinstance(error, InvalidArgumentError)
    assert f"not {type_name}" in error.detail


@pytest.mark.parametrize(
    "bad",
    [
        {1: "a"},
        {"a": float("nan")},
        {"a": "\ud800"},
        {"a": {1, 2}},
        {"\udc80": 1},
    ],
)
def test_every_rejection_carries_a_message_a_person_can_read(bad: Any) -> None:
    """The wording is not the contract, but there is always some."""
    error = _raised(lambda: merge_patch({}, bad))
    assert isinstance(error.detail, str)
    assert error.detail.strip()
    assert error.detail in str(error)


def test_an_unsupported_value_is_named_with_its_type() -> None:
    bad: Any = {"a": b"bytes"}
    error = _raised(lambda: merge_patch({}, bad))
    assert error.code == "unsupported_type"
    assert "bytes" in error.detail


@pytest.mark.parametrize(
    ("stored", "params"),
    [(None, UserMetadataParams()), (UserMetadata(), UserMetadata())],
)
def test_an_argument_of_the_wrong_kind_has_the_invalid_argument_code(
    stored: Any, params: Any
) -> None:
    error = _raised(lambda: merge_metadata(stored, params))
    assert error.code == "invalid_argument"
    assert error.field is None


@pytest.mark.parametrize(
    ("stored", "segments"),
    [
        ({"x": {1: "one"}}, ("x", "1")),
        ({"x": {"y": {1: "one"}}}, ("x", "y", "1")),
    ],
)
def test_a_bad_key_kept_from_the_stored_value_is_blamed_on_it_at_its_path(
    stored: Any, segments: tuple[str, ...]
) -> None:
    """A stored member that the merge keeps is checked, and its error points at it."""
    error = _raised(lambda: merge_patch(stored, {"x": {"z": True}}))
    assert error.code == "non_string_key"
    assert error.source == "stored"
    assert error.segments == segments


def test_a_patch_that_contains_itself_is_a_circular_reference() -> None:
    """Merging walks the patch's objects into each other; a loop there is refused."""
    patch: Any = {}
    patch["a"] = patch
    error = _raised(lambda: merge_patch({"a": {}}, patch))
    assert error.code == "circular_reference"
    assert error.source == "request"
    assert error.segments == ("a",)


def _nest(depth: int, leaf: Any) -> Any:
    value = leaf
    for _ in range(depth):
        value = {"k": value}
    return value


# Past the fast paths' reach, so the iterative engine does the work.
_ENGINE_DEEP = LIMIT + 5


@pytest.mark.parametrize("share", [False, True])
def test_one_object_used_twice_in_a_patch_is_no_cycle(share: bool) -> None:
    """A cycle is a container inside itself; the same object in two places is a plain tree."""
    shapes: list[Any] = [{"q": 1}, _nest(_ENGINE_DEEP, 1)]
    targets: list[Any] = [{}, {"a": {"q": 2}, "c": {"d": {"r": 3}}}]
    for shared in shapes:
        patch: Any = {"a": shared, "b": [shared], "c": {"d": shared}}
        for target in targets:
            assert same(merge_patch(target, patch, share=share), rfc7396(target, patch))


@pytest.mark.parametrize("share", [False, True])
def test_a_null_for_a_key_the_target_lacks_removes_nothing(share: bool) -> None:
    deep = _nest(_ENGINE_DEEP, 1)
    result = merge_patch({"t": 1}, {"missing": None, "deep": deep, "t": None}, share=share)
    assert json_equal(result, {"deep": deep})


def test_cycles_are_named_as_what_they_are() -> None:
    loop: Any = {}
    loop["self"] = loop
    in_patch = _raised(lambda: merge_patch({"a": {}}, {"a": loop}))
    assert (in_patch.detail, in_patch.path, in_patch.source) == (
        "the patch contains itself",
        "/a/self",
        "request",
    )
    in_value = _raised(lambda: replace_metadata(UserMetadata(), UserMetadataParams({"a": loop})))
    assert (in_value.detail, in_value.path, in_value.field) == (
        "a container contains itself",
        "/a/self",
        "public_metadata",
    )
    in_stored = _raised(lambda: merge_patch({"a": loop}, {"b": 1}))
    assert (in_stored.detail, in_stored.path, in_stored.source) == (
        "a container contains itself",
        "/a/self",
        "stored",
    )


@pytest.mark.parametrize(
    ("key", "message"),
    [
        (1, "object key 1 is a int, not a str"),
        (1.5, "object key 1.5 is a float, not a str"),
        (None, "object key None is a NoneType, not a str"),
        ((1,), "object key (1,) is a tuple, not a str"),
    ],
)
def test_a_key_that_is_not_a_string_is_named_with_its_type(key: Any, message: str) -> None:
    assert _raised(lambda: merge_patch({}, {key: 1})).detail == message
    assert _raised(lambda: merge_patch({"k": {key: 1}}, {"z": 1})).detail == message


class _LoudRepr:
    """A key part whose ``__repr__`` must never run while an error is written."""

    def __repr__(self) -> str:
        raise AssertionError("the message ran a user's __repr__")


@pytest.mark.parametrize("key", [(1, (2,)), (1, _LoudRepr())])
def test_a_tuple_key_is_shown_only_when_every_item_is_a_plain_scalar(key: Any) -> None:
    # Showing a tuple runs the repr of each item, so one that holds anything
    # else is named by its type, and no code of a user's class runs.
    error = _raised(lambda: merge_patch({}, {key: 1}))
    assert error.detail == "object key a tuple object is a tuple, not a str"
    assert error.path == "/a tuple object"

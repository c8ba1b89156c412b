"""`explain`: what a write does, field by field, and the keys it touches."""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any, cast

import pytest
from hypothesis import given
from hypothesis import strategies as st

from metadata_semantics import (
    FIELDS,
    OMITTED,
    RULES,
    Change,
    FieldState,
    InvalidArgumentError,
    InvalidValueError,
    JSONValue,
    Operation,
    UserMetadata,
    UserMetadataParams,
    explain,
    json_equal,
    merge_metadata,
    replace_metadata,
)
from metadata_semantics.strategies import params, user_metadata

from depths import HALF_DEEP
from strict import same

if TYPE_CHECKING:
    from metadata_semantics import Edit

ops = st.sampled_from(["replace", "merge"])
WRITES = {"replace": replace_metadata, "merge": merge_metadata}


def split_pointer(pointer: str) -> list[str]:
    """RFC 6901: split on `/`, then undo `~1` before `~0`."""
    assert pointer.startswith("/")
    return [part.replace("~1", "/").replace("~0", "~") for part in pointer[1:].split("/")]


def apply_edits(value: Any, edits: tuple[Edit, ...]) -> Any:
    """Carry out the edits on a copy of an object, written apart from the library."""
    document = copy.deepcopy(value)
    for edit in edits:
        *parents, last = split_pointer(edit.pointer)
        holder: Any = document
        for key in parents:
            holder = holder[key]
        assert isinstance(holder, dict)
        members = cast("dict[str, Any]", holder)
        if edit.kind == "removed":
            assert last in members
            del members[last]
        elif edit.kind == "added":
            assert last not in members
            members[last] = copy.deepcopy(edit.new)
        else:
            assert last in members
            assert same(members[last], edit.old)
            members[last] = copy.deepcopy(edit.new)
    return document


def apply_change(stored: Any, change: Change) -> Any:
    """The reading of a Change that its docstring gives."""
    if change.action == "kept":
        return copy.deepcopy(stored)
    if change.action == "set_null":
        return None
    return apply_edits({} if stored is None else stored, change.edits)


@given(user_metadata(), params(), ops)
def test_the_described_changes_applied_to_stored_give_the_result(
    stored: UserMetadata, request: UserMetadataParams, op: Operation
) -> None:
    """Applying the described changes to `stored` gives exactly the operation's result."""
    result = WRITES[op](stored, request)
    changes = explain(stored, request, op)
    assert [change.field for change in changes] == list(FIELDS)
    for change in changes:
        before = getattr(stored, change.field)
        assert same(apply_change(before, change), getattr(result, change.field))
        if change.action == "set_null" and before is not None:
            # Everything the field held at the top is gone.
            assert set(change.removed) == {
                "/" + key.replace("~", "~0").replace("/", "~1") for key in before
            }


@given(user_metadata(), params(), ops)
def test_the_action_is_the_rules_table_action(
    stored: UserMetadata, request: UserMetadataParams, op: Operation
) -> None:
    """Each field's action is the rules table's action for (operation, state)."""
    named = {"keep": "kept", "set_null": "set_null", "merge": "merged"}
    for change in explain(stored, request, op):
        value = getattr(request, change.field)
        state: FieldState
        if value is OMITTED:
            state = "omitted"
        elif value is None:
            state = "null"
        else:
            state = "object" if value else "empty"
        action = RULES[op, state].action
        if action == "overwrite":
            assert change.action == ("cleared" if state == "empty" else "replaced")
        else:
            assert change.action == named[action]


@given(user_metadata(), params(), ops)
def test_unchanged_is_true_exactly_when_the_write_leaves_the_field_as_stored(
    stored: UserMetadata, request: UserMetadataParams, op: Operation
) -> None:
    """`unchanged` is true when the field after the write is the stored field,
    compared type-strictly; `action` still names the rule the write applies."""
    result = WRITES[op](stored, request)
    for change in explain(stored, request, op):
        before = getattr(stored, change.field)
        assert change.unchanged is same(before, getattr(result, change.field))
        if change.action == "kept":
            assert change.unchanged


@pytest.mark.parametrize(
    ("op", "stored", "sent", "action", "unchanged", "edits"),
    [
        ("merge", {"a": 1}, {}, "merged", True, 0),
        ("merge", {"a": 1}, {"a": 1}, "merged", True, 0),
        ("merge", {"a": 1}, {"b": None}, "merged", True, 0),
        ("merge", None, {}, "merged", False, 0),  # null becomes {}, with no key to name
        ("merge", {"a": 1}, {"a": 1.0}, "merged", False, 1),  # 1 and 1.0 differ
        ("replace", {}, {}, "cleared", True, 0),
        ("replace", None, {}, "cleared", False, 0),
        ("replace", {"a": [1]}, {"a": [1]}, "replaced", True, 0),
        ("replace", {"a": True}, {"a": 1}, "replaced", False, 1),
        ("merge", None, None, "set_null", True, 0),
        ("replace", {}, None, "set_null", False, 0),
    ],
)
def test_a_write_that_changes_nothing_is_unchanged_under_its_own_action(
    op: Operation, stored: Any, sent: Any, action: str, unchanged: bool, edits: int
) -> None:
    (change, *_) = explain(
        UserMetadata(public_metadata=stored), UserMetadataParams(public_metadata=sent), op
    )
    assert (change.action, change.unchanged, len(change.edits)) == (action, unchanged, edits)


@given(user_metadata(), params(), ops)
def test_added_changed_and_removed_split_the_edits(
    stored: UserMetadata, request: UserMetadataParams, op: Operation
) -> None:
    for change in explain(stored, request, op):
        pointers = [edit.pointer for edit in change.edits]
        assert sorted(change.added + change.changed + change.removed) == sorted(pointers)
        assert len(set(pointers)) == len(pointers)
        if change.action == "kept":
            assert change.edits == ()


@given(user_metadata(), params(), ops)
def test_explain_changes_nothing_and_shares_nothing(
    stored: UserMetadata, request: UserMetadataParams, op: Operation
) -> None:
    stored_copy, request_copy = copy.deepcopy(stored), copy.deepcopy(request)
    changes = explain(stored, request, op)
    assert stored == stored_copy
    assert request == request_copy
    inputs = {id(getattr(record, name)) for record in (stored, request) for name in FIELDS}
    for change in changes:
        for edit in change.edits:
            for value in (edit.old, edit.new):
                if isinstance(value, (dict, list)):
                    assert id(cast("object", value)) not in inputs


def test_reference_example_under_both_writes() -> None:
    stored = UserMetadata(public_metadata={"role": "member", "plan": {"tier": "pro"}})
    request = UserMetadataParams(public_metadata={"role": "admin"}, private_metadata={})
    replaced, kept_private, kept_unsafe = explain(stored, request, "replace")
    assert (replaced.action, replaced.changed, replaced.removed) == (
        "replaced",
        ("/role",),
        ("/plan",),
    )
    assert kept_private.action == "cleared"
    assert kept_unsafe.action == "kept"
    merged = explain(stored, request, "merge")[0]
    assert (merged.action, merged.changed, merged.removed, merged.added) == (
        "merged",
        ("/role",),
        (),
        (),
    )


def test_pointers_escape_awkward_keys() -> None:
    stored = UserMetadata(public_metadata={"a/b": {"~1": 1}})
    change = explain(stored, UserMetadataParams(public_metadata={"a/b": {"~1": 2}}), "merge")[0]
    assert change.changed == ("/a~1b/~01",)


def test_unknown_operation_is_an_invalid_argument() -> None:
    with pytest.raises(InvalidArgumentError) as caught:
        explain(UserMetadata(), UserMetadataParams(), cast("Any", "upsert"))
    assert caught.value.code == "invalid_argument"


def test_an_unknown_operation_is_named_with_the_operations_there_are() -> None:
    with pytest.raises(InvalidArgumentError) as caught:
        explain(UserMetadata(), UserMetadataParams(), cast("Any", "upsert"))
    assert caught.value.detail == "op must be 'replace' or 'merge', not 'upsert'"


def test_bad_request_raises_as_the_write_does() -> None:
    bad: Any = {"a": {1}}
    with pytest.raises(InvalidValueError) as caught:
        explain(UserMetadata(), UserMetadataParams(public_metadata=bad), "replace")
    assert (caught.value.code, caught.value.path) == ("unsupported_type", "/a")


def test_a_bad_stored_field_that_is_overwritten_is_reported() -> None:
    bad: Any = {"a": {1}}
    stored = UserMetadata(public_metadata=bad)
    assert replace_metadata(stored, UserMetadataParams(public_metadata={})).public_metadata == {}
    with pytest.raises(InvalidValueError) as caught:
        explain(stored, UserMetadataParams(public_metadata={}), "replace")
    assert caught.value.source == "stored"


@pytest.mark.parametrize("name", FIELDS)
def test_a_bad_stored_field_that_is_overwritten_is_named_with_its_field(name: str) -> None:
    # The write never reads a field it overwrites; explain does, to list the
    # edits, and names the field it found the bad value in.
    bad: Any = {"a": {1}}
    stored = UserMetadata(**{name: bad})
    empty: dict[str, Any] = {}
    with pytest.raises(InvalidValueError) as caught:
        explain(stored, UserMetadataParams(**{name: empty}), "replace")
    assert (caught.value.code, caught.value.field, caught.value.path) == (
        "unsupported_type",
        name,
        "/a",
    )


def test_deep_write_is_explained_without_recursion() -> None:
    depth = HALF_DEEP
    old: JSONValue = {"x": 1}
    new: JSONValue = {"x": None, "y": 2}
    for _ in range(depth):
        old, new = {"k": old}, {"k": new}
    stored = UserMetadata(public_metadata=cast("dict[str, JSONValue]", old))
    change = explain(stored, UserMetadataParams(public_metadata=cast("Any", new)), "merge")[0]
    prefix = "/k" * depth
    assert change.removed == (prefix + "/x",)
    assert change.added == (prefix + "/y",)
    assert json_equal(change.edits[1].new, 2)

"""The per-field laws of replace (PUT) and deep merge (PATCH), as properties."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from metadata_semantics import (
    FIELDS,
    OMITTED,
    UserMetadata,
    UserMetadataParams,
    merge_metadata,
    merge_patch,
    replace_metadata,
)
from metadata_semantics.strategies import field_values, metadata, params, user_metadata

from reference import merge_model, replace_model
from strict import same

fields = st.sampled_from(FIELDS)
operations = st.sampled_from([replace_metadata, merge_metadata])


def only(name: str, value: Any) -> UserMetadataParams:
    return UserMetadataParams(**{name: value})


def records_same(left: UserMetadata, right: UserMetadata) -> bool:
    return all(same(getattr(left, name), getattr(right, name)) for name in FIELDS)


@given(user_metadata(), fields, operations)
def test_omission_preserves_the_stored_field(
    stored: UserMetadata, name: str, operation: Any
) -> None:
    """ "If you don't include a field in the request, the stored value for that
    field is left untouched." """
    result = operation(stored, UserMetadataParams())
    assert same(getattr(result, name), getattr(stored, name))


@given(user_metadata(), params(), fields, operations)
def test_omitted_field_is_kept_whatever_else_the_request_holds(
    stored: UserMetadata, request: UserMetadataParams, name: str, operation: Any
) -> None:
    """Omission of one field keeps it even when the other two are written."""
    fields_given = {other: getattr(request, other) for other in FIELDS if other != name}
    result = operation(stored, UserMetadataParams(**fields_given))
    assert same(getattr(result, name), getattr(stored, name))


@given(user_metadata(), field_values(), fields)
def test_replace_provision_overwrites_fully(stored: UserMetadata, value: Any, name: str) -> None:
    """ "When a metadata field is provided, its previous value is overwritten in
    full with no merging at any level." """
    result = replace_metadata(stored, only(name, value))
    assert same(getattr(result, name), value)


@given(user_metadata(), fields)
def test_replace_with_empty_object_clears(stored: UserMetadata, name: str) -> None:
    """ "`{}` (empty object) to clear the field." """
    result = replace_metadata(stored, only(name, {}))
    assert same(getattr(result, name), {})


@given(user_metadata(), fields)
def test_merge_with_empty_object_changes_nothing_but_null(stored: UserMetadata, name: str) -> None:
    """An empty merge patch is the identity on an object; a null stored value becomes `{}`."""
    before = getattr(stored, name)
    result = merge_metadata(stored, only(name, {}))
    assert same(getattr(result, name), {} if before is None else before)


@given(user_metadata(), fields, operations)
def test_none_stores_json_null(stored: UserMetadata, name: str, operation: Any) -> None:
    """ "`null` to overwrite the field with a JSON `null` value." (both writes)"""
    result = operation(stored, only(name, None))
    assert getattr(result, name) is None


@given(user_metadata(), params(), fields, operations)
def test_fields_are_independent(
    stored: UserMetadata, request: UserMetadataParams, name: str, operation: Any
) -> None:
    """ "Each top-level field is handled independently": a field's result depends
    only on that field of the stored record and of the request."""
    together = operation(stored, request)
    alone = operation(
        UserMetadata(**{name: getattr(stored, name)}), only(name, getattr(request, name))
    )
    assert same(getattr(together, name), getattr(alone, name))


@given(user_metadata(), params())
def test_replace_agrees_with_the_plain_model(
    stored: UserMetadata, request: UserMetadataParams
) -> None:
    assert records_same(replace_metadata(stored, request), replace_model(stored, request))


@given(user_metadata(), params())
def test_merge_agrees_with_the_plain_model(
    stored: UserMetadata, request: UserMetadataParams
) -> None:
    assert records_same(merge_metadata(stored, request), merge_model(stored, request))


@given(user_metadata(), params(), operations)
def test_both_writes_are_idempotent(
    stored: UserMetadata, request: UserMetadataParams, operation: Any
) -> None:
    """Sending the same request twice leaves the record as sending it once."""
    once = operation(stored, request)
    assert records_same(operation(once, request), once)


@given(user_metadata(), params(), params())
def test_replace_composes_as_last_writer_wins(
    stored: UserMetadata, first: UserMetadataParams, second: UserMetadataParams
) -> None:
    """Two replaces in a row equal one replace with, per field, the later value when
    the later request provides it and the earlier one otherwise."""
    combined = UserMetadataParams(
        **{
            name: getattr(first, name)
            if getattr(second, name) is OMITTED
            else getattr(second, name)
            for name in FIELDS
        }
    )
    twice = replace_metadata(replace_metadata(stored, first), second)
    assert records_same(twice, replace_metadata(stored, combined))


@given(user_metadata(), params(), fields)
def test_merge_metadata_is_merge_patch_per_field(
    stored: UserMetadata, request: UserMetadataParams, name: str
) -> None:
    """A provided field is merged with RFC 7396 `MergePatch(stored, provided)`."""
    provided = getattr(request, name)
    result = getattr(merge_metadata(stored, request), name)
    expected = (
        getattr(stored, name)
        if provided is OMITTED
        else merge_patch(getattr(stored, name), provided)
    )
    assert same(result, expected)


@given(user_metadata(), fields)
def test_contrast_replace_and_merge_agree_on_none(stored: UserMetadata, name: str) -> None:
    """Both writes store null for `None`."""
    request = only(name, None)
    assert records_same(replace_metadata(stored, request), merge_metadata(stored, request))


@given(st.data(), fields)
def test_contrast_replace_and_merge_agree_on_disjoint_flat_objects(
    data: st.DataObject, name: str
) -> None:
    """With flat, non-null values and no key in common, merging the new object into
    an empty field gives the same as replacing the field with it."""
    flat = st.dictionaries(
        st.text(max_size=4),
        st.one_of(st.booleans(), st.integers(), st.text(max_size=4)),
        min_size=1,
        max_size=4,
    )
    new = data.draw(flat)
    empty: Any = {}
    stored = UserMetadata(**{name: empty})
    merged = merge_metadata(stored, only(name, new))
    replaced = replace_metadata(stored, only(name, new))
    assert records_same(merged, replaced)


@given(metadata(), metadata(), fields)
def test_contrast_replace_and_merge_differ_on_overlapping_nested_objects(
    stored_inner: dict[str, Any], change: dict[str, Any], name: str
) -> None:
    """When the stored value has a nested key that the request leaves out, replace
    drops it and merge keeps it."""
    inner: Any = {**stored_inner, "old": 1}
    stored = UserMetadata(**{name: {"outer": inner}})
    change.pop("old", None)
    request = only(name, {"outer": {**change, "new": True}})
    replaced = getattr(replace_metadata(stored, request), name)
    merged = getattr(merge_metadata(stored, request), name)
    assert "old" not in replaced["outer"]
    assert same(merged["outer"]["old"], 1)
    assert same(merged["outer"]["new"], True)

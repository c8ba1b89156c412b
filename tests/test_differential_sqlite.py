"""A differential oracle: ``merge_patch`` against SQLite's ``json_patch()``.

SQLite's JSON functions are an RFC 7396 implementation in C, written apart
from this project and shipped inside CPython's standard ``sqlite3`` module.
Every document crosses over as text: ``json.dumps(..., allow_nan=False)`` on
the way in, ``json.loads`` on the way out, and the two results are compared
type-strictly.

SQLite legitimately differs from this library in three places, and the
generators stay out of each on purpose:

- Duplicate keys. SQLite keeps every copy of a repeated key and patches only
  the first; a Python ``dict`` cannot hold a duplicate, so ``json.dumps``
  never writes one and no case here has any.
- Nesting. SQLite rejects documents nested about 2000 deep (1000 in newer
  releases) as malformed, while this library has no depth limit. The deep
  cases here stop at 600 levels, which also keeps ``json.dumps`` and
  ``json.loads`` inside Python's recursion limit.
- Key spelling. SQLite matches keys by their escaped text, so ``"\\u00e9"``
  and ``"é"`` are two different keys to it. Both documents of a case are
  written by the same ``json.dumps`` call, so equal keys are always spelled
  the same way.

Numbers are not among the differences: SQLite copies a number's text
through unchanged, so ``1.0``, ``-0.0``, ``1e+300`` and integers past 2**64
come back exactly as ``json.dumps`` wrote them, and the comparison keeps
their types.
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from metadata_semantics import (
    FIELDS,
    OMITTED,
    JSONValue,
    UserMetadata,
    UserMetadataParams,
    json_equal,
    merge_metadata,
    merge_patch,
)
from metadata_semantics.strategies import (
    deep_values,
    json_values,
    metadata,
    params,
    user_metadata,
)

from strict import same


def _connect() -> sqlite3.Connection | None:
    connection = sqlite3.connect(":memory:")
    try:
        connection.execute("SELECT json_patch('{}', '{}')")
    except sqlite3.OperationalError:
        connection.close()
        return None
    return connection


_SQLITE = _connect()

pytestmark = pytest.mark.skipif(
    _SQLITE is None,
    reason=f"SQLite {sqlite3.sqlite_version} was built without the JSON functions",
)


def sqlite_merge_patch(target: object, patch: object, *, ensure_ascii: bool = True) -> Any:
    """RFC 7396 ``MergePatch(target, patch)`` computed by SQLite, as Python values."""
    assert _SQLITE is not None
    target_text = json.dumps(target, allow_nan=False, ensure_ascii=ensure_ascii)
    patch_text = json.dumps(patch, allow_nan=False, ensure_ascii=ensure_ascii)
    row = _SQLITE.execute("SELECT json_patch(?, ?)", (target_text, patch_text)).fetchone()
    assert isinstance(row[0], str)
    return json.loads(row[0])


@given(json_values(), json_values(), st.booleans())
def test_merge_patch_agrees_with_sqlite_json_patch(
    target: JSONValue, patch: JSONValue, ensure_ascii: bool
) -> None:
    """RFC 7396 section 2's ``MergePatch(Target, Patch)``, computed by two
    implementations that share no code, gives one document."""
    assert same(
        merge_patch(target, patch), sqlite_merge_patch(target, patch, ensure_ascii=ensure_ascii)
    )


@given(metadata(), metadata())
def test_merge_patch_agrees_with_sqlite_on_overlapping_objects(
    target: dict[str, JSONValue], patch: dict[str, JSONValue]
) -> None:
    """Objects merge member by member and a null member removes its key, in both."""
    assert same(merge_patch(target, patch), sqlite_merge_patch(target, patch))


@given(deep_values(max_depth=600), deep_values(max_depth=600), st.sampled_from(["k", "x"]))
def test_merge_patch_agrees_with_sqlite_on_deep_documents(
    target: JSONValue, patch: JSONValue, key: str
) -> None:
    """Deep chains, within SQLite's nesting limit, merge the same in both.

    ``json_equal`` compares here because it walks without recursion."""
    wrapped_target: JSONValue = {"k": target, "x": 1}
    wrapped_patch: JSONValue = {key: patch}
    assert json_equal(
        merge_patch(wrapped_target, wrapped_patch),
        sqlite_merge_patch(wrapped_target, wrapped_patch),
    )


@given(user_metadata(), params())
def test_merge_metadata_is_sqlite_json_patch_per_provided_field(
    stored: UserMetadata, request: UserMetadataParams
) -> None:
    """A PATCH merges each provided field with RFC 7396, as SQLite computes it,
    and keeps each omitted one."""
    result = merge_metadata(stored, request)
    for name in FIELDS:
        provided = getattr(request, name)
        before = getattr(stored, name)
        expected = before if provided is OMITTED else sqlite_merge_patch(before, provided)
        assert same(getattr(result, name), expected)

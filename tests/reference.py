"""Deliberately plain models of the rules, written from the spec text alone.

They are recursive and copy eagerly: slow and obviously right, to be compared
against the library on generated input.
"""

from __future__ import annotations

import copy
from typing import Any, cast

from metadata_semantics import FIELDS, OMITTED, UserMetadata, UserMetadataParams


def rfc7396(target: Any, patch: Any) -> Any:
    """MergePatch as RFC 7396 section 2 words it, on fresh copies."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    result: dict[str, Any] = (
        copy.deepcopy(cast("dict[str, Any]", target)) if isinstance(target, dict) else {}
    )
    for name, value in cast("dict[str, Any]", patch).items():
        if value is None:
            result.pop(name, None)
        else:
            result[name] = rfc7396(result.get(name), value)
    return result


def replace_model(stored: UserMetadata, params: UserMetadataParams) -> UserMetadata:
    """Each provided field overwritten whole; each omitted one kept."""
    values: list[Any] = []
    for name in FIELDS:
        given = getattr(params, name)
        values.append(copy.deepcopy(getattr(stored, name) if given is OMITTED else given))
    return UserMetadata(*values)


def merge_model(stored: UserMetadata, params: UserMetadataParams) -> UserMetadata:
    """Each provided field merged per RFC 7396; each omitted one kept."""
    values: list[Any] = []
    for name in FIELDS:
        given = getattr(params, name)
        current = getattr(stored, name)
        values.append(copy.deepcopy(current) if given is OMITTED else rfc7396(current, given))
    return UserMetadata(*values)

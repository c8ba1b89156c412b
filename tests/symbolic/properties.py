"""The core laws, restated over small domains that symbolic execution can cover.

CrossHair explores the paths of the code instead of drawing random values,
and a search that runs out of paths has checked every input of the domain.
The generators of the main suite (recursive values, any text, any float) are
far beyond what it can exhaust, so the laws are restated here over a small
domain: two keys, one level of nesting, and scalars among ``None``, ints and
bools. Each law is the same as in ``test_semantics_laws.py`` and
``test_rfc7396.py``; only the domain is smaller.

These are not collected by pytest (no ``test_`` file name); run them with
``python tests/symbolic/run_symbolic.py``.
"""

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

from reference import rfc7396
from strict import same

_KEYS = st.sampled_from(["a", "b"])
_SCALARS = st.one_of(st.none(), st.integers(), st.booleans())
_FLAT = st.dictionaries(_KEYS, _SCALARS, max_size=2)
_VALUES = st.one_of(_SCALARS, _FLAT)
_OBJECTS = st.dictionaries(_KEYS, _VALUES, max_size=2)
_FIELD = st.one_of(st.none(), _OBJECTS)
_REQUEST_FIELD = st.one_of(st.just(OMITTED), _FIELD)
_NAMES = st.sampled_from(FIELDS)
_WRITES = st.sampled_from([replace_metadata, merge_metadata])


@given(_FIELD, _FIELD, _NAMES, _WRITES)
def test_omission_preserves(stored: Any, other: Any, name: str, write: Any) -> None:
    """A field left out of the request keeps its stored value (both writes)."""
    record = UserMetadata(**{name: stored})
    others = [field for field in FIELDS if field != name]
    result = write(record, UserMetadataParams(**{others[0]: other}))
    assert same(getattr(result, name), stored)


@given(_FIELD, _FIELD, _NAMES)
def test_provision_overwrites(stored: Any, given_value: Any, name: str) -> None:
    """Under replace, a provided field becomes exactly what was sent."""
    result = replace_metadata(
        UserMetadata(**{name: stored}), UserMetadataParams(**{name: given_value})
    )
    assert same(getattr(result, name), given_value)


@given(_FIELD, _FIELD, _REQUEST_FIELD, _REQUEST_FIELD, _WRITES)
def test_field_independence(
    public: Any, private: Any, public_change: Any, private_change: Any, write: Any
) -> None:
    """A field's result depends only on that field of the record and the request."""
    together = write(
        UserMetadata(public_metadata=public, private_metadata=private),
        UserMetadataParams(public_metadata=public_change, private_metadata=private_change),
    )
    alone = write(
        UserMetadata(public_metadata=public), UserMetadataParams(public_metadata=public_change)
    )
    assert same(together.public_metadata, alone.public_metadata)


@given(_VALUES, _VALUES)
def test_rfc7396_section_2(target: Any, patch: Any) -> None:
    """``merge_patch`` is the RFC's pseudocode, on every input of the domain."""
    assert same(merge_patch(target, patch), rfc7396(target, patch))


@given(_OBJECTS, _OBJECTS)
def test_rfc7396_idempotence_and_deletion(target: Any, patch: Any) -> None:
    """Applying a patch twice is applying it once; a null member leaves no key."""
    once = merge_patch(target, patch)
    assert same(merge_patch(once, patch), once)
    assert isinstance(once, dict)
    for key, value in patch.items():
        if value is None:
            assert key not in once

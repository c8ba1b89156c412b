"""The stored record and the write request, as frozen dataclasses."""

from __future__ import annotations

from dataclasses import dataclass, field

from ._sentinel import OMITTED, Omittable
from ._types import FIELDS, Metadata
from ._values import json_equal

__all__ = ["UserMetadata", "UserMetadataParams"]


def _fields_equal(left: object, right: object) -> bool:
    # JSON equality, not Python's: ``{"a": True}`` and ``{"a": 1}`` are
    # different metadata even though the dicts compare equal.
    for name in FIELDS:
        a = getattr(left, name)
        b = getattr(right, name)
        if a is OMITTED or b is OMITTED:
            if a is not b:
                return False
        elif not json_equal(a, b):
            return False
    return True


def _new_user_field() -> Metadata | None:
    return {}


@dataclass(frozen=True, slots=True, eq=False)
class UserMetadata:
    """The three metadata fields as stored on a user; each an object or null.

    Each field defaults to ``{}``, as for a newly created user. Equality is
    JSON equality and type-strict (``True`` is not ``1``, ``1`` is not
    ``1.0``), and works at any depth. Records hold dicts, so they are not
    hashable.
    """

    public_metadata: Metadata | None = field(default_factory=_new_user_field)
    private_metadata: Metadata | None = field(default_factory=_new_user_field)
    unsafe_metadata: Metadata | None = field(default_factory=_new_user_field)

    def __eq__(self, other: object) -> bool:
        if type(other) is not UserMetadata:
            return NotImplemented
        return _fields_equal(self, other)

    __hash__ = None  # type: ignore[assignment]


@dataclass(frozen=True, slots=True, eq=False)
class UserMetadataParams:
    """A write request: each field :data:`OMITTED` (keep), ``None`` or an object.

    Every field defaults to :data:`OMITTED`, so ``UserMetadataParams()`` asks
    for no change at all. Equality is type-strict JSON equality, as for
    :class:`UserMetadata`.
    """

    public_metadata: Omittable[Metadata | None] = OMITTED
    private_metadata: Omittable[Metadata | None] = OMITTED
    unsafe_metadata: Omittable[Metadata | None] = OMITTED

    def __eq__(self, other: object) -> bool:
        if type(other) is not UserMetadataParams:
            return NotImplemented
        return _fields_equal(self, other)

    __hash__ = None  # type: ignore[assignment]

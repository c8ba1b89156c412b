"""The stored record and the write request, as frozen dataclasses."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ._sentinel import OMITTED, Omittable
from ._types import FIELDS, Metadata
from ._values import json_equal

if TYPE_CHECKING:
    from collections.abc import Mapping

    from ._types import Naming

# The wire methods live in ``_wire``, which imports this module; they import
# it when called, which also keeps ``json`` out of ``import metadata_semantics``.

__all__ = ["UserMetadata", "UserMetadataParams"]


def _fields_equal(left: object, right: object) -> bool:
    # JSON equality, not Python's: ``{"a": True}`` and ``{"a": 1}`` are
    # different metadata even though the dicts compare equal.
    for name in FIELDS:
        a = getattr(left, name)
        b = getattr(right, name)
        # OMITTED is no JSON value, so json_equal tells it from every value
        # but itself; the identity test only saves the walk.
        if a is not b and not json_equal(a, b):
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

    @classmethod
    def from_body(cls, body: Mapping[str, object], /, *, naming: Naming = "snake") -> UserMetadata:
        """Read the three metadata members of a user object, as decoded JSON.

        All three must be present (``missing_field``), each an object or null;
        other members of the user object are ignored. Raises
        :class:`MetadataError` with a path from the object's root; copies, so
        the result shares nothing with ``body``.
        """
        from ._wire import record_from_body

        return record_from_body(body, naming=naming)

    def to_body(self, *, naming: Naming = "snake") -> dict[str, Metadata | None]:
        """Return the three fields as the members of a user object, in ``naming``.

        The dict is new and shares nothing with the record. Raises
        :class:`MetadataError` if a field is not JSON.
        """
        from ._wire import record_to_body

        return record_to_body(self, naming=naming)


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

    @classmethod
    def from_body(
        cls, body: Mapping[str, object], /, *, naming: Naming = "snake"
    ) -> UserMetadataParams:
        """Read a decoded request body: an absent key is OMITTED, null is None.

        Raises :class:`MetadataError` for a body that is not an object, an
        unknown key, one field spelled both ways, or a field that is neither an
        object nor null; paths start at the body's root. The result shares
        nothing with ``body``.
        """
        from ._wire import params_from_body

        return params_from_body(body, naming=naming)

    def to_body(self, *, naming: Naming = "snake") -> dict[str, Metadata | None]:
        """Return the request body: omitted fields left out, None kept as null.

        The dict is new and shares nothing with the params, so
        ``from_body(p.to_body()) == p``. Raises :class:`MetadataError` if a
        field is not JSON.
        """
        from ._wire import params_to_body

        return params_to_body(self, naming=naming)

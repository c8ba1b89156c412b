"""The ``OMITTED`` sentinel: the third state of a request field.

A field in a write request is either omitted (keep what is stored), ``None``
(store a JSON null) or an object. ``None`` already means JSON null, so the
"not provided" state needs a value of its own.

A single-member :class:`enum.Enum` is used because type checkers understand
``x is OMITTED`` as a narrowing of ``Literal[OmittedType.OMITTED]``; a plain
``object()`` sentinel cannot be narrowed, and a class with a custom
``__new__`` is not narrowed by every checker version.
"""

from __future__ import annotations

import enum
from typing import Final, Literal, TypeAlias, TypeVar

__all__ = ["OMITTED", "Omittable", "Omitted", "OmittedType"]


class OmittedType(enum.Enum):
    """The enum whose one member is :data:`OMITTED`; type checkers name it in messages.

    Annotate with :data:`Omitted` or :data:`Omittable`, not with this class:
    ``Omitted`` is ``Literal[OmittedType.OMITTED]``, the exact type that
    ``value is OMITTED`` narrows to. mypy and pyright show
    ``Literal[OmittedType.OMITTED]`` for it.
    """

    # No ``str`` mix-in: ``json.dumps(OMITTED)`` must fail loudly instead of
    # sending the text "OMITTED" to a server.
    OMITTED = "OMITTED"

    def __repr__(self) -> str:
        return "OMITTED"

    __str__ = __repr__

    def __bool__(self) -> Literal[True]:
        # Truthy on purpose: with a falsy sentinel, ``value or {}`` would
        # silently turn "keep the stored value" into "clear it".
        return True


OMITTED: Final = OmittedType.OMITTED
"""Marks a request field as not provided: the stored value is kept."""

Omitted: TypeAlias = Literal[OmittedType.OMITTED]
"""The type of :data:`OMITTED`, for annotations."""

_T = TypeVar("_T")

Omittable: TypeAlias = _T | Omitted
"""``Omittable[T]`` is ``T | Omitted``: a value that may be left out."""

"""The semantics table as data, and the two writes that follow it.

Each field of a request is classified into one of four states, and the table
maps (operation, state) to one action. The writes below do nothing but look
the action up and carry it out, so the table is the rule and the code cannot
drift from it.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING, Final, Literal, TypeAlias, cast

from ._errors import InvalidArgumentError, InvalidValueError
from ._fast import Spent
from ._limits import Limits, check_limits, member_budget, over_budget
from ._records import UserMetadata, UserMetadataParams
from ._sentinel import OMITTED
from ._types import FIELDS, JSONValue, Metadata
from ._values import copy_json, is_object, members, merge_json

if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = [
    "RULES",
    "Action",
    "FieldState",
    "Operation",
    "Rule",
    "classify",
    "merge_metadata",
    "merge_patch",
    "replace_metadata",
    "write",
]

# A field's value in a record.
_Field: TypeAlias = "Metadata | None"

Operation: TypeAlias = Literal["replace", "merge"]
"""``replace`` is ``PUT /users/{id}/metadata``; ``merge`` is ``PATCH``."""

FieldState: TypeAlias = Literal["omitted", "null", "empty", "object"]
"""What a request field holds: ``OMITTED``, ``None``, ``{}`` or a non-empty object."""

Action: TypeAlias = Literal["keep", "set_null", "overwrite", "merge"]
"""What a write does to one stored field."""


@dataclass(frozen=True, slots=True)
class Rule:
    """One cell of the semantics table."""

    operation: Operation
    state: FieldState
    action: Action
    outcome: str
    """The rule in words, as the README's table states it."""


def _rules(*rules: Rule) -> Mapping[tuple[Operation, FieldState], Rule]:
    return MappingProxyType({(rule.operation, rule.state): rule for rule in rules})


RULES: Final[Mapping[tuple[Operation, FieldState], Rule]] = _rules(
    Rule("replace", "omitted", "keep", "stored value kept"),
    Rule("replace", "null", "set_null", "stored becomes JSON null"),
    Rule("replace", "empty", "overwrite", "stored becomes `{}` (cleared)"),
    Rule(
        "replace",
        "object",
        "overwrite",
        "stored becomes exactly that object; nested nulls are stored; no old key survives",
    ),
    Rule("merge", "omitted", "keep", "stored value kept"),
    Rule("merge", "null", "set_null", "stored becomes JSON null (a non-object patch replaces)"),
    Rule(
        "merge",
        "empty",
        "merge",
        "stored unchanged (an empty patch); a null stored value becomes `{}`",
    ),
    Rule(
        "merge",
        "object",
        "merge",
        "RFC 7396 merge: objects merge, null removes a key at any depth, "
        "arrays and scalars replace, a non-object stored value counts as `{}`",
    ),
)
"""The semantics table: (operation, field state) to the rule that applies."""


def classify(value: object, /, *, field: str | None = None) -> FieldState:
    """Return the state of one request field, or raise ``invalid_field``.

    A request field may only be :data:`OMITTED`, ``None`` or a ``dict``;
    anything else raises :class:`InvalidValueError` with code ``invalid_field``.
    """
    if value is OMITTED:
        return "omitted"
    if value is None:
        return "null"
    if is_object(value):
        # The length of the storage, not of an override.
        return "object" if len(members(value)) else "empty"
    raise InvalidValueError(
        f"a metadata field must be an object, null or OMITTED, not {type(value).__qualname__}",
        code="invalid_field",
        field=field,
    )


def _stored_field(stored: UserMetadata, name: str) -> Metadata | None:
    value: object = getattr(stored, name)
    if value is None or is_object(value):
        return cast(_Field, value)
    raise InvalidValueError(
        f"a stored metadata field must be an object or null, not {type(value).__qualname__}",
        code="invalid_field",
        field=name,
        source="stored",
    )


def check_stored(stored: object, /) -> None:
    """Raise ``invalid_argument`` unless ``stored`` is a :class:`UserMetadata`."""
    if type(stored) is not UserMetadata:
        raise InvalidArgumentError(
            f"stored must be a UserMetadata, not {type(stored).__qualname__}",
            code="invalid_argument",
        )


def check_limits_argument(limits: object, /) -> None:
    """Raise ``invalid_argument`` unless ``limits`` is a :class:`Limits` or ``None``."""
    if limits is not None and type(limits) is not Limits:
        raise InvalidArgumentError(
            f"limits must be a Limits or None, not {type(limits).__qualname__}",
            code="invalid_argument",
        )


def _check_arguments(stored: object, params: object, limits: object) -> None:
    check_stored(stored)
    check_limits_argument(limits)
    if type(params) is not UserMetadataParams:
        raise InvalidArgumentError(
            f"params must be a UserMetadataParams, not {type(params).__qualname__}",
            code="invalid_argument",
        )


def write(
    operation: Operation,
    stored: UserMetadata,
    params: UserMetadataParams,
    limits: Limits | None,
    *,
    share: bool,
) -> UserMetadata:
    """Carry out one write and check its result against ``limits``.

    The request's fields are built first and the stored fields the write
    keeps after them, each group in field order, so the first error reported
    is the first in that order. With byte bounds in ``limits``, each field
    stops being built as soon as it holds more members than the smaller
    bound allows, so the work is bounded by the limit, not by the input.
    """
    _check_arguments(stored, params, limits)
    # Every field is classified before any is built, so a bad field anywhere
    # fails the whole write before any work is done.
    actions = [
        RULES[operation, classify(getattr(params, name), field=name)].action for name in FIELDS
    ]
    budget = member_budget(limits)
    values: list[Metadata | None] = [None, None, None]
    name: str = FIELDS[0]
    try:
        for index, (name, action) in enumerate(zip(FIELDS, actions, strict=True)):
            if action == "overwrite":
                given = copy_json(getattr(params, name), field=name, share=share, budget=budget)
                values[index] = cast(Metadata, given)
            elif action == "merge":
                merged = merge_json(
                    getattr(stored, name),
                    getattr(params, name),
                    field=name,
                    share=share,
                    budget=budget,
                )
                values[index] = cast(Metadata, merged)
        for index, (name, action) in enumerate(zip(FIELDS, actions, strict=True)):
            if action == "keep":
                kept = _stored_field(stored, name)
                if not share:
                    kept = cast(
                        _Field, copy_json(kept, field=name, source="stored", budget=budget)
                    )
                values[index] = kept
    except Spent:
        raise over_budget(name, cast(Limits, limits)) from None
    result = UserMetadata(*values)
    if limits is not None:
        check_limits(result, limits, shared=share)
    return result


def replace_metadata(
    stored: UserMetadata,
    params: UserMetadataParams,
    /,
    *,
    limits: Limits | None = None,
    share: bool = False,
) -> UserMetadata:
    """Return the record after a replace write (``PUT``): each provided field overwritten whole.

    An omitted field keeps its stored value; a provided one becomes exactly the
    given object or null, with no merging at any level. Raises
    :class:`MetadataError` on bad input, and :class:`LimitExceededError` if the
    result breaks ``limits`` (none by default); never changes its arguments.
    With ``share``, the result may hold the very objects of its arguments.
    """
    return write("replace", stored, params, limits, share=share)


def merge_metadata(
    stored: UserMetadata,
    params: UserMetadataParams,
    /,
    *,
    limits: Limits | None = None,
    share: bool = False,
) -> UserMetadata:
    """Return the record after a deep-merge write (``PATCH``): RFC 7396 per field.

    An omitted field keeps its stored value; ``None`` stores null; an object is
    merged into the stored value with :func:`merge_patch`. Raises
    :class:`MetadataError` on bad input, and :class:`LimitExceededError` if the
    result breaks ``limits`` (none by default); never changes its arguments.
    With ``share``, the result may hold the very objects of its arguments.
    """
    return write("merge", stored, params, limits, share=share)


def merge_patch(target: JSONValue, patch: JSONValue, /, *, share: bool = False) -> JSONValue:
    """Return ``MergePatch(target, patch)`` exactly as RFC 7396 section 2 defines it.

    A non-object patch replaces the target; an object patch merges member by
    member, and a null member removes that key. Raises :class:`MetadataError`
    if the patch (or a part of the target that is kept) is not JSON; never
    changes its arguments. With ``share``, only the objects along the patched
    paths are new and the rest is shared with the arguments.
    """
    return merge_json(target, patch, share=share)

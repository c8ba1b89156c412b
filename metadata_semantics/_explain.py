"""What a write will do, field by field, before it is done."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Final, Literal, TypeAlias

from ._diff import Edit, object_edits
from ._errors import InvalidArgumentError
from ._semantics import RULES, classify, merge_metadata, replace_metadata
from ._types import FIELDS, FieldName
from ._values import copy_json

if TYPE_CHECKING:
    from collections.abc import Mapping

    from ._records import UserMetadata, UserMetadataParams
    from ._semantics import Action, FieldState, Operation
    from ._types import JSONValue, Metadata

__all__ = ["Change", "ChangeAction", "explain"]

ChangeAction: TypeAlias = Literal["kept", "replaced", "cleared", "set_null", "merged"]
"""What a write does to one field, as a person would say it."""

# The rules table says what to do; this only names it in the past tense.
# ``overwrite`` with ``{}`` is worth its own word: the field is cleared.
_DONE: Final[Mapping[Action, ChangeAction]] = {
    "keep": "kept",
    "set_null": "set_null",
    "overwrite": "replaced",
    "merge": "merged",
}


def _action(operation: Operation, state: FieldState) -> ChangeAction:
    action = RULES[operation, state].action
    if action == "overwrite" and state == "empty":
        return "cleared"
    return _DONE[action]


@dataclass(frozen=True, slots=True)
class Change:
    """What one write does to one field: the action and the keys it touches.

    ``edits`` list every key below the field that is added, changed or
    removed, with JSON Pointers relative to the field. A field whose action
    is ``kept`` stays as stored and one ``set_null`` becomes null; for any
    other action, the field is the stored object (``{}`` if it was null) with
    the edits applied. A field set to null lists its old top-level keys as
    removed.

    ``unchanged`` is true when the field after the write is the stored field,
    compared type-strictly: always for ``kept``, and for a write that
    touches the field but changes nothing, such as merging ``{}`` into an
    object, replacing an object with an equal one or setting a null field to
    null. ``action`` still names the rule the write applies.
    """

    field: FieldName
    action: ChangeAction
    edits: tuple[Edit, ...]
    unchanged: bool

    @property
    def added(self) -> tuple[str, ...]:
        """Pointers of the keys the write adds."""
        return tuple(edit.pointer for edit in self.edits if edit.kind == "added")

    @property
    def changed(self) -> tuple[str, ...]:
        """Pointers of the keys that stay but take a new value."""
        return tuple(edit.pointer for edit in self.edits if edit.kind == "changed")

    @property
    def removed(self) -> tuple[str, ...]:
        """Pointers of the keys the write removes."""
        return tuple(edit.pointer for edit in self.edits if edit.kind == "removed")


def _as_object(value: JSONValue) -> Metadata:
    # A stored field that the write does not keep need not be an object (the
    # write never looks at it); with no keys, it counts as ``{}``, as RFC 7396
    # counts a non-object target.
    return value if isinstance(value, dict) else {}


def explain(stored: UserMetadata, params: UserMetadataParams, op: Operation, /) -> list[Change]:
    """Describe what the write ``op`` (``"replace"`` or ``"merge"``) would do to ``stored``.

    Returns one :class:`Change` per field, in field order. Raises
    :class:`MetadataError` wherever the write itself would, when a stored
    field that the write does not keep is not JSON, and with
    ``invalid_argument`` for an unknown ``op``. Changes nothing, and the
    changes share no container with the inputs.
    """
    if op == "replace":
        result = replace_metadata(stored, params)
    elif op == "merge":
        result = merge_metadata(stored, params)
    else:
        raise InvalidArgumentError(
            f"op must be 'replace' or 'merge', not {op!r}", code="invalid_argument"
        )
    changes: list[Change] = []
    for name in FIELDS:
        action = _action(op, classify(getattr(params, name), field=name))
        edits: tuple[Edit, ...] = ()
        unchanged = True
        if action != "kept":
            # The result is the write's own new document; the stored field is
            # copied so that no edit hands out a container of ``stored``.
            before: JSONValue = copy_json(getattr(stored, name), field=name, source="stored")
            after: Metadata | None = getattr(result, name)
            edits = tuple(object_edits(_as_object(before), _as_object(after)))
            # The edits compare objects; null, {} and a stored non-object
            # differ from one another without any edit.
            unchanged = not edits and (
                (before is None and after is None)
                or (isinstance(before, dict) and after is not None)
            )
        changes.append(Change(name, action, edits, unchanged))
    return changes

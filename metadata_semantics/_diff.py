"""What changed between two JSON values, key by key, and the merge patch that says it.

One walk serves both :func:`diff_merge_patch` and :func:`explain`: it pairs
the objects found at the same place in the old and the new value and lists
the keys added, changed and removed. It descends only where both sides hold
an object; anywhere else a differing value is one change, whole. Like the
engine, it is iterative, so any depth works.
"""

from __future__ import annotations

from dataclasses import FrozenInstanceError
from typing import TYPE_CHECKING, Final, Literal, TypeAlias, cast

from ._errors import InvalidValueError, format_pointer
from ._values import copy_json, json_equal

if TYPE_CHECKING:
    from ._types import JSONValue, Metadata

__all__ = ["Edit", "EditKind", "diff_merge_patch", "object_edits"]

EditKind: TypeAlias = Literal["added", "changed", "removed"]
"""How one key below a field changes: it appears, takes a new value, or goes."""

# A linked path, as in the engine: ``None`` is the root, else ``(parent, key)``.
_Node: TypeAlias = "tuple[_Node, str] | None"

# Marks a key the old value does not have (``None`` is JSON null).
_ABSENT: Final = object()


def _segments(node: _Node, /) -> tuple[str, ...]:
    keys: list[str] = []
    while node is not None:
        node, key = node
        keys.append(key)
    keys.reverse()
    return tuple(keys)


class Edit:
    """One key that a write adds, changes or removes.

    ``pointer`` is a JSON Pointer relative to the field. ``old`` is the value
    before (``None`` when the key is added) and ``new`` the value after
    (``None`` when it is removed); ``kind`` tells those ``None`` apart from a
    JSON null. Edits are immutable and compare by all four.

    An edit found by a walk keeps its place as a link to its parent's place
    and writes ``pointer`` only when it is first read, so listing the edits
    of a document costs what the document costs, at any depth, rather than
    a full pointer string per edit.
    """

    __slots__ = ("_node", "_pointer", "kind", "new", "old")

    kind: EditKind
    old: JSONValue
    new: JSONValue
    _pointer: str | None
    _node: _Node

    def __init__(self, kind: EditKind, pointer: str, old: JSONValue, new: JSONValue) -> None:
        _set(self, "kind", kind)
        _set(self, "_pointer", pointer)
        _set(self, "_node", None)
        _set(self, "old", old)
        _set(self, "new", new)

    @property
    def pointer(self) -> str:
        """The JSON Pointer of the key, relative to the field."""
        if self._pointer is None:
            _set(self, "_pointer", format_pointer(_segments(self._node)))
            _set(self, "_node", None)
        return cast(str, self._pointer)

    def __setattr__(self, name: str, value: object) -> None:
        raise FrozenInstanceError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise FrozenInstanceError(f"cannot delete field {name!r}")

    def _key(self) -> tuple[str, str, JSONValue, JSONValue]:
        return (self.kind, self.pointer, self.old, self.new)

    def __eq__(self, other: object) -> bool:
        if type(other) is not Edit:
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        return (
            f"Edit(kind={self.kind!r}, pointer={self.pointer!r}, "
            f"old={self.old!r}, new={self.new!r})"
        )


# Edits are frozen: their own fields are set once, through object's setattr.
_set: Final = object.__setattr__


def _edit_at(kind: EditKind, node: _Node, old: JSONValue, new: JSONValue) -> Edit:
    """An edit that keeps its place as a path link and writes its pointer when read."""
    edit = Edit.__new__(Edit)
    _set(edit, "kind", kind)
    _set(edit, "_pointer", None)
    _set(edit, "_node", node)
    _set(edit, "old", old)
    _set(edit, "new", new)
    return edit


def object_edits(old: Metadata, new: Metadata, /) -> list[Edit]:
    """List the keys that turn ``old`` into ``new``, in document order.

    Both values must be valid JSON objects. Keys whose values are objects on
    both sides are descended into; any other differing value is one edit.
    The edits hold the very values found in ``old`` and ``new``: callers pass
    values they own.
    """
    edits: list[Edit] = []
    # Each task is a pair of objects at one place. The stack is filled in
    # reverse so pairs come off it in document order.
    stack: list[tuple[Metadata, Metadata, _Node]] = [(old, new, None)]
    while stack:
        before, after, node = stack.pop()
        nested: list[tuple[Metadata, Metadata, _Node]] = []
        for key, value in before.items():
            if key not in after:
                edits.append(_edit_at("removed", (node, key), value, None))
        for key, value in after.items():
            if key not in before:
                edits.append(_edit_at("added", (node, key), None, value))
                continue
            previous = before[key]
            if isinstance(previous, dict) and isinstance(value, dict):
                nested.append((previous, value, (node, key)))
            elif not json_equal(previous, value):
                edits.append(_edit_at("changed", (node, key), previous, value))
        stack.extend(reversed(nested))
    return edits


def _unpatchable(node: _Node) -> InvalidValueError:
    pointer = format_pointer(_segments(node))
    return InvalidValueError(
        f"the new value holds a null member at {pointer!r}, and a merge patch cannot store one "
        "(null in a patch deletes the key); use replace to write this value",
        code="unpatchable_null",
        segments=_segments(node),
    )


def _require_no_null_member(value: JSONValue, node: _Node) -> None:
    """Raise if a merge into ``{}`` would drop a null member of ``value``.

    Merging an object patch into a missing or non-object target starts from
    ``{}``, and every null member met through objects is then a deletion.
    Nulls inside arrays are kept: an array is one value.
    """
    stack: list[tuple[JSONValue, _Node]] = [(value, node)]
    while stack:
        item, where = stack.pop()
        if isinstance(item, dict):
            for key, member in item.items():
                if member is None:
                    raise _unpatchable((where, key))
                stack.append((member, (where, key)))


# A pair of objects at one place, and the patch being built for it.
_Pair: TypeAlias = "tuple[Metadata, Metadata, dict[str, JSONValue], _Node]"
# A nested patch: (the patch that holds it, its key, itself).
_Opened: TypeAlias = "tuple[dict[str, JSONValue], str, dict[str, JSONValue]]"


def _diff_members(
    source: Metadata,
    target: Metadata,
    patch: dict[str, JSONValue],
    node: _Node,
    stack: list[_Pair],
    opened: list[_Opened],
) -> None:
    """Fill ``patch`` for one pair of objects, queueing the pairs below it."""
    for key in source:
        if key not in target:
            patch[key] = None
    for key, value in target.items():
        previous: object = source.get(key, _ABSENT)
        if isinstance(previous, dict) and isinstance(value, dict):
            inner: dict[str, JSONValue] = {}
            patch[key] = inner
            opened.append((patch, key, inner))
            stack.append((cast("Metadata", previous), value, inner, (node, key)))
        elif previous is _ABSENT or not json_equal(cast("JSONValue", previous), value):
            if value is None:
                raise _unpatchable((node, key))
            _require_no_null_member(value, (node, key))
            patch[key] = value


def diff_merge_patch(old: JSONValue, new: JSONValue, /) -> JSONValue:
    """Return the smallest RFC 7396 merge patch that turns ``old`` into ``new``.

    Members equal on both sides are left out, so equal objects give ``{}``;
    every member the patch holds is needed. Raises :class:`MetadataError`
    with code ``unpatchable_null`` when ``new`` holds a null object member
    that no merge patch can store (use replace then), or the usual codes if
    either value is not JSON. Changes neither input; the patch shares nothing
    with them.
    """
    before = copy_json(old)
    after = copy_json(new)
    if not isinstance(after, dict):
        return after
    if not isinstance(before, dict):
        _require_no_null_member(after, None)
        return after
    root: dict[str, JSONValue] = {}
    opened: list[_Opened] = []
    stack: list[_Pair] = [(before, after, root, None)]
    while stack:
        _diff_members(*stack.pop(), stack, opened)
    # A nested patch that came out empty changes nothing: drop it, deepest
    # first, so a parent left empty by its children goes too.
    for parent, key, inner in reversed(opened):
        if not inner:
            del parent[key]
    return root

"""Validating copies, RFC 7396 merges, and type-strict equality of JSON values.

:func:`copy_json` and :func:`merge_json` first try the recursive fast paths
in ``_fast``, which handle ordinary documents in one pass and hand anything
unusual back here. What follows is the engine that then decides.

The engine is iterative: a document nested 100,000 deep is walked with
an explicit stack, so no input can raise :class:`RecursionError`. Paths are
kept as a linked chain of ``(parent, key)`` pairs and only turned into a JSON
Pointer when an error is raised, so the walk never builds strings it would
throw away.

The functions never touch their inputs. Unless asked to share, they build
a new document that shares no ``dict`` or ``list`` with what it came from.
"""

from __future__ import annotations

import math
from typing import Any, Final, TypeAlias, cast

from ._errors import ErrorCode, InvalidValueError, Source
from ._fast import (
    LIMIT,
    Bail,
    check_value,
    copy_dict,
    copy_list,
    has_utf8,
    merge_dict,
    share_merge,
)
from ._sentinel import OMITTED
from ._types import JSONValue, Metadata

__all__ = [
    "copy_json",
    "engine_copy",
    "engine_merge",
    "engine_share_merge",
    "json_equal",
    "merge_json",
]

# Targets of cast(), named here so that no call site carries a type as a
# string: such a string is dead at run time, so changing it proves nothing.
_Members: TypeAlias = "dict[object, object]"
_Items: TypeAlias = "list[object]"
_Named: TypeAlias = "dict[str, object]"

# A linked path: ``None`` is the root, otherwise ``(parent, key)``.
_Node: TypeAlias = "tuple[_Node, str | int] | None"

# Task kinds for the explicit stack.
_COPY: Final = 0
_MERGE: Final = 1
_LEAVE_COPY: Final = 2
_LEAVE_MERGE: Final = 3

# A task is (kind, value, patch, destination, slot, path node, source).
_Task: TypeAlias = (
    "tuple[int, object, object, dict[str, JSONValue] | list[JSONValue], str | int, _Node, Source]"
)


def _segments(node: _Node, /) -> tuple[str | int, ...]:
    keys: list[str | int] = []
    while node is not None:
        node, key = node
        keys.append(key)
    keys.reverse()
    return tuple(keys)


class _Context:
    """What an error needs to say where it happened, beyond the path."""

    __slots__ = ("base", "field")

    def __init__(self, field: str | None, base: tuple[str | int, ...]) -> None:
        self.field = field
        self.base = base

    def fail(self, code: ErrorCode, detail: str, node: _Node, source: Source) -> InvalidValueError:
        return InvalidValueError(
            detail,
            code=code,
            segments=self.base + _segments(node),
            field=self.field,
            source=source,
        )


def _type_name(value: object) -> str:
    return type(value).__qualname__


def _key(key: object, node: _Node, source: Source, ctx: _Context) -> str:
    """Validate one object key and return it as an exact ``str``."""
    if type(key) is not str:
        if not isinstance(key, str):
            raise ctx.fail(
                "non_string_key",
                f"object key {key!r} is a {_type_name(key)}, not a str",
                (node, repr(key)),
                source,
            )
        key = str.__str__(key)
    if not (key.isascii() or has_utf8(key)):
        raise ctx.fail(
            "invalid_string",
            f"object key {key!r} holds a lone surrogate, which has no UTF-8 form",
            (node, key),
            source,
        )
    return key


def _scalar(value: object, node: _Node, source: Source, ctx: _Context) -> JSONValue:
    """Validate a value that is not a dict or list and return its JSON form.

    Subclasses of ``str``, ``int`` and ``float`` (an ``IntEnum`` member, say)
    come back as the exact built-in type, so a result only ever holds the
    seven plain JSON types.
    """
    if value is None or type(value) is bool:
        return cast(JSONValue, value)
    if isinstance(value, str):
        text = str.__str__(value)
        if not (text.isascii() or has_utf8(text)):
            raise ctx.fail(
                "invalid_string",
                "string holds a lone surrogate, which has no UTF-8 form",
                node,
                source,
            )
        return text
    if isinstance(value, int):
        return int.__int__(value)
    if isinstance(value, float):
        number = float.__float__(value)
        if not math.isfinite(number):
            raise ctx.fail(
                "non_finite_number",
                f"number {number!r} is not finite; JSON has no NaN or infinity",
                node,
                source,
            )
        return number
    if value is OMITTED:
        raise ctx.fail(
            "misplaced_omitted",
            "OMITTED stands for a whole field left out and cannot appear inside a value",
            node,
            source,
        )
    raise ctx.fail(
        "unsupported_type",
        f"a value of type {_type_name(value)} has no JSON form",
        node,
        source,
    )


def _run(stack: list[_Task], ctx: _Context) -> None:
    """Work through copy and merge tasks until the stack is empty.

    A task fills ``destination[slot]`` with a new container and pushes tasks
    for the containers below it. ``_LEAVE_*`` markers pop a container off the
    current path, so the ``active`` sets hold exactly the containers between
    the root and the task at hand: finding one again there is a cycle.
    Copying and merging keep separate sets because the stored document may
    legitimately hold an object that also appears in the patch.
    """
    copying: set[int] = set()
    merging: set[int] = set()
    while stack:
        kind, value, patch, destination, slot, node, source = stack.pop()
        if kind == _LEAVE_COPY:
            copying.discard(cast(int, value))
            continue
        if kind == _LEAVE_MERGE:
            merging.discard(cast(int, value))
            continue
        if kind == _MERGE:
            ident = id(patch)
            if ident in merging:
                raise ctx.fail("circular_reference", "the patch contains itself", node, "request")
            merging.add(ident)
            stack.append((_LEAVE_MERGE, ident, None, destination, slot, None, source))
            merged: dict[str, JSONValue] = {}
            destination[slot] = merged  # type: ignore[index]
            _merge_members(value, cast(_Members, patch), merged, node, stack, ctx)
            continue
        ident = id(value)
        # A request value that holds an object the patch is being merged
        # through closes a loop in the patch itself.
        if ident in copying or (source == "request" and ident in merging):
            raise ctx.fail("circular_reference", "a container contains itself", node, source)
        copying.add(ident)
        stack.append((_LEAVE_COPY, ident, None, destination, slot, None, source))
        if isinstance(value, dict):
            obj: dict[str, JSONValue] = {}
            destination[slot] = obj  # type: ignore[index]
            for key, member in cast(_Members, value).items():
                name = _key(key, node, source, ctx)
                _place(member, obj, name, node, source, stack, ctx)
        else:
            items = cast(_Items, value)
            array: list[JSONValue] = [None] * len(items)
            destination[slot] = array  # type: ignore[index]
            for index, member in enumerate(items):
                _place(member, array, index, node, source, stack, ctx)


def _place(
    value: object,
    destination: dict[str, JSONValue] | list[JSONValue],
    slot: str | int,
    node: _Node,
    source: Source,
    stack: list[_Task],
    ctx: _Context,
) -> None:
    """Put a copy of ``value`` at ``destination[slot]``, now or through a task."""
    if isinstance(value, (dict, list)):
        destination[slot] = None  # type: ignore[index]  # keeps the key order
        stack.append((_COPY, cast(object, value), None, destination, slot, (node, slot), source))
    else:
        destination[slot] = _scalar(value, (node, slot), source, ctx)  # type: ignore[index]


def _merge_members(
    target: object,
    patch: dict[object, object],
    merged: dict[str, JSONValue],
    node: _Node,
    stack: list[_Task],
    ctx: _Context,
) -> None:
    """Fill ``merged`` with RFC 7396 ``MergePatch(target, patch)`` for an object patch.

    A target that is not an object counts as ``{}``. Members of the target
    that the patch names are neither copied nor validated: they are replaced
    or removed. The target's key order is kept; new keys follow.
    """
    if isinstance(target, dict):
        for key, member in cast(_Members, target).items():
            name = _key(key, node, "stored", ctx)
            if name in patch:
                if patch[name] is not None:
                    merged[name] = None  # a placeholder that keeps the key order
                continue
            _place(member, merged, name, node, "stored", stack, ctx)
        inner: dict[object, object] = cast(_Members, target)
    else:
        inner = {}
    for key, change in patch.items():
        name = _key(key, node, "request", ctx)
        if change is None:
            continue
        if isinstance(change, dict):
            member = inner.get(name)
            stack.append(
                (_MERGE, member, cast(object, change), merged, name, (node, name), "stored")
            )
        else:
            _place(change, merged, name, node, "request", stack, ctx)


def engine_copy(
    value: object, field: str | None, source: Source, base: tuple[str | int, ...], /
) -> JSONValue:
    """:func:`copy_json` by the iterative engine alone: any depth, exact error paths."""
    ctx = _Context(field, base)
    if isinstance(value, (dict, list)):
        holder: list[JSONValue] = [None]
        _run([(_COPY, value, None, holder, 0, None, source)], ctx)
        return holder[0]
    return _scalar(value, None, source, ctx)


def engine_merge(
    target: object, patch: object, field: str | None, base: tuple[str | int, ...], /
) -> JSONValue:
    """:func:`merge_json` by the iterative engine alone, for an object ``patch``."""
    ctx = _Context(field, base)
    holder: list[JSONValue] = [None]
    _run([(_MERGE, target, patch, holder, 0, None, "stored")], ctx)
    return holder[0]


def engine_share_merge(target: object, patch: Metadata, /) -> JSONValue:
    """RFC 7396 merge of an already validated plain ``patch``, sharing all it can.

    Only the objects along the patched paths are new, shallow copies of the
    target's objects there; the target is not otherwise looked at. Iterative,
    for any depth. ``patch`` is the engine's own copy, so it has no cycles.
    """
    holder: list[JSONValue] = [None]
    # Each task: (destination, slot, target member, patch object).
    tasks: list[tuple[list[JSONValue] | dict[str, JSONValue], Any, object, Metadata]] = [
        (holder, 0, target, patch)
    ]
    while tasks:
        destination, slot, current, changes = tasks.pop()
        out: dict[str, JSONValue] = (
            dict(cast(Metadata, current)) if isinstance(current, dict) else {}
        )
        destination[slot] = out
        for key, change in changes.items():
            if change is None:
                out.pop(key, None)
            elif isinstance(change, dict):
                below = out.get(key)
                out[key] = None  # keeps the key's place until the task fills it
                tasks.append((out, key, below, change))
            else:
                out[key] = change
    return holder[0]


def copy_json(
    value: object,
    /,
    *,
    field: str | None = None,
    source: Source = "request",
    base: tuple[str | int, ...] = (),
    share: bool = False,
) -> JSONValue:
    """Return a validated deep copy of ``value`` that shares no container with it.

    With ``share``, ``value`` itself is returned once validated if it holds
    only the plain built-in types. Raises :class:`InvalidValueError` (code
    and path) if any part of ``value`` is not JSON. ``field``, ``source`` and
    ``base`` only shape that error.
    """
    plain: Any = value  # the fast paths take any value and check it themselves
    try:
        if share:
            check_value(plain, LIMIT)
            return cast(JSONValue, value)
        if type(value) is dict:
            return copy_dict(plain, LIMIT)
        if type(value) is list:
            return copy_list(plain, LIMIT)
    except (Bail, RecursionError):
        pass
    return engine_copy(plain, field, source, base)


def merge_json(
    target: object,
    patch: object,
    /,
    *,
    field: str | None = None,
    base: tuple[str | int, ...] = (),
    share: bool = False,
) -> JSONValue:
    """Return RFC 7396 ``MergePatch(target, patch)`` as a new document.

    The patch is validated in full; of the target, only what the result keeps
    is validated. Neither input is changed, and the result shares no
    container with either. With ``share``, the result is new only along the
    patched paths and shares everything else with the inputs; the target is
    then not validated at all.
    """
    plain: Any = patch
    if type(patch) is dict:
        try:
            if share:
                return share_merge(target, plain, LIMIT)
            return merge_dict(target, plain, LIMIT)
        except (Bail, RecursionError):
            pass
    if not isinstance(patch, dict):
        return copy_json(patch, field=field, base=base, share=share)
    if share:
        checked = engine_copy(plain, field, "request", base)
        return engine_share_merge(target, cast(Metadata, checked))
    return engine_merge(target, plain, field, base)


def _push_object(left: object, right: object, pending: list[tuple[object, object]]) -> bool:
    """Queue the member pairs of two objects; False if their key sets differ."""
    if not isinstance(right, dict):
        return False
    left_obj = cast(_Named, left)
    right_obj = cast(_Named, right)
    if len(left_obj) != len(right_obj):
        return False
    for key, member in left_obj.items():
        if key not in right_obj:
            return False
        pending.append((member, right_obj[key]))
    return True


def _push_array(left: object, right: object, pending: list[tuple[object, object]]) -> bool:
    """Queue the item pairs of two arrays; False if their lengths differ."""
    if not isinstance(right, list):
        return False
    left_arr = cast(_Items, left)
    right_arr = cast(_Items, right)
    if len(left_arr) != len(right_arr):
        return False
    pending.extend(zip(left_arr, right_arr, strict=True))
    return True


def _scalars_equal(left: object, right: object) -> bool:
    if type(left) is not type(right) or left != right:
        return False
    # ``0.0 == -0.0`` in Python, but the two are different JSON texts.
    return type(left) is not float or math.copysign(1.0, left) == math.copysign(
        1.0, cast(float, right)
    )


def json_equal(a: JSONValue, b: JSONValue, /) -> bool:
    """Tell whether two JSON values are equal as JSON, type-strictly.

    ``True`` differs from ``1``, ``1`` from ``1.0`` and ``0.0`` from ``-0.0``;
    object key order does not matter. Works at any depth. The values must be
    acyclic, as JSON values are.
    """
    pending: list[tuple[object, object]] = [(a, b)]
    while pending:
        left, right = pending.pop()
        if left is right:
            continue
        if isinstance(left, dict):
            if not _push_object(cast(object, left), right, pending):
                return False
        elif isinstance(left, list):
            if not _push_array(cast(object, left), right, pending):
                return False
        elif not _scalars_equal(left, right):
            return False
    return True

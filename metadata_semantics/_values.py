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
from typing import TYPE_CHECKING, Any, Final, TypeAlias, cast

from ._errors import ErrorCode, InvalidValueError, Source
from ._fast import (
    LIMIT,
    UNBOUNDED,
    Bail,
    check_value,
    copy_dict,
    copy_list,
    fits_text,
    has_utf8,
    merge_dict,
    share_merge,
    spend,
)
from ._sentinel import OMITTED
from ._types import JSONValue, Metadata

if TYPE_CHECKING:
    from collections.abc import ItemsView, Iterable

__all__ = [
    "copy_json",
    "describe",
    "engine_copy",
    "engine_merge",
    "engine_share_merge",
    "is_array",
    "is_object",
    "items",
    "json_equal",
    "members",
    "merge_json",
]

# Targets of cast(), named here so that no call site carries a type as a
# string: such a string is dead at run time, so changing it proves nothing.
_Members: TypeAlias = "dict[object, object]"
_Items: TypeAlias = "list[object]"
_Tuple: TypeAlias = "tuple[object, ...]"

# What the engine descends into; anything else is a scalar or not JSON.
_CONTAINERS: Final = (dict, list)

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

    __slots__ = ("base", "budget", "field")

    def __init__(self, field: str | None, base: tuple[str | int, ...], budget: int) -> None:
        self.field = field
        self.base = base
        # Members the result may still hold before the walk stops; a list, as
        # the fast paths share it.
        self.budget = [budget]

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


# Built-in scalar types whose repr is their own and cannot raise or mislead.
_SHOWN: Final = (int, float, bool, type(None), bytes, complex)


def describe(value: object, /) -> str:
    """Name ``value`` for a message without running any code of its class.

    A user's ``__repr__`` could raise, hang or lie, so only values of exact
    built-in scalar types are shown; anything else is named by its type.
    """
    kind = type(value)
    shown = kind in _SHOWN or (
        kind is tuple
        and all(type(item) in _SHOWN or type(item) is str for item in cast(_Tuple, value))
    )
    if shown:
        try:
            return repr(value)
        except ValueError:  # an int too long to write as text
            return f"a {_type_name(value)} too long to show"
    return f"a {_type_name(value)} object"


def is_object(value: object, /) -> bool:
    """Tell whether ``value`` is a ``dict``, by its real type: ``__class__`` may lie."""
    return issubclass(type(value), dict)


def is_array(value: object, /) -> bool:
    """Tell whether ``value`` is a ``list``, by its real type: ``__class__`` may lie."""
    return issubclass(type(value), list)


def members(value: object, /) -> ItemsView[object, object]:
    """The members of a ``dict`` (or subclass) as its own storage holds them.

    Overrides of ``items``, ``__iter__``, ``__getitem__`` and the rest are
    never called, so a subclass has exactly one view: the data it holds.
    """
    return dict.items(cast(_Members, value))  # pyright: ignore[reportUnknownMemberType, reportUnknownVariableType]


def items(value: object, /) -> list[object]:
    """The items of a ``list`` (or subclass) as its own storage holds them, as a new list."""
    return list.copy(cast(_Items, value))  # pyright: ignore[reportUnknownMemberType, reportUnknownVariableType]


def _key(key: object, node: _Node, source: Source, ctx: _Context) -> str:
    """Validate one object key and return it as an exact ``str``."""
    if type(key) is not str:
        if not issubclass(type(key), str):
            raise ctx.fail(
                "non_string_key",
                f"object key {describe(key)} is a {_type_name(key)}, not a str",
                (node, describe(key)),
                source,
            )
        key = str.__str__(cast(str, key))
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
    seven plain JSON types. The kind of a value is its real type: an object
    whose ``__class__`` claims ``str`` is not a string.
    """
    kind = type(value)
    if value is None or kind is bool:
        return cast(JSONValue, value)
    if issubclass(kind, str):
        text = str.__str__(cast(str, value))
        if not (text.isascii() or has_utf8(text)):
            raise ctx.fail(
                "invalid_string",
                "string holds a lone surrogate, which has no UTF-8 form",
                node,
                source,
            )
        return text
    if issubclass(kind, int):
        number = int.__int__(cast(int, value))
        if not fits_text(number):
            raise ctx.fail(
                "integer_too_long",
                f"integer of {number.bit_length()} bits is longer than this Python converts "
                "to text (sys.get_int_max_str_digits()), so it has no JSON form",
                node,
                source,
            )
        return number
    if issubclass(kind, float):
        real = float.__float__(cast(float, value))
        if not math.isfinite(real):
            raise ctx.fail(
                "non_finite_number",
                f"number {real!r} is not finite; JSON has no NaN or infinity",
                node,
                source,
            )
        return real
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
    budget = ctx.budget
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
            _merge_members(value, patch, merged, node, stack, ctx)
            continue
        ident = id(value)
        # A request value that holds an object the patch is being merged
        # through closes a loop in the patch itself.
        if ident in copying or (source == "request" and ident in merging):
            raise ctx.fail("circular_reference", "a container contains itself", node, source)
        copying.add(ident)
        stack.append((_LEAVE_COPY, ident, None, destination, slot, None, source))
        if is_object(value):
            obj: dict[str, JSONValue] = {}
            destination[slot] = obj  # type: ignore[index]
            pairs = members(value)
            spend(budget, len(pairs))
            for key, member in pairs:
                name = _key(key, node, source, ctx)
                _place(member, obj, name, node, source, stack, ctx)
        else:
            listed = items(value)
            spend(budget, len(listed))
            array: list[JSONValue] = [None] * len(listed)
            destination[slot] = array  # type: ignore[index]
            for index, member in enumerate(listed):
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
    if issubclass(type(value), _CONTAINERS):
        destination[slot] = None  # type: ignore[index]  # keeps the key order
        stack.append((_COPY, value, None, destination, slot, (node, slot), source))
    else:
        destination[slot] = _scalar(value, (node, slot), source, ctx)  # type: ignore[index]


def _merge_members(
    target: object,
    patch: object,
    merged: dict[str, JSONValue],
    node: _Node,
    stack: list[_Task],
    ctx: _Context,
) -> None:
    """Fill ``merged`` with RFC 7396 ``MergePatch(target, patch)`` for an object patch.

    A target that is not an object counts as ``{}``. Members of the target
    that the patch names are neither copied nor validated: they are replaced
    or removed. The target's key order is kept; new keys follow. The patch's
    keys are read first, so a bad key in the request is reported as the
    request's even where the target holds the same key.
    """
    changes: dict[str, object] = {}
    for key, change in members(patch):
        changes[_key(key, node, "request", ctx)] = change
    inner: dict[str, object] = {}
    if is_object(target):
        for key, member in members(target):
            name = _key(key, node, "stored", ctx)
            inner[name] = member
            if name in changes:
                if changes[name] is not None:
                    merged[name] = None  # a placeholder that keeps the key order
                continue
            _place(member, merged, name, node, "stored", stack, ctx)
    for name, change in changes.items():
        if change is None:
            merged.pop(name, None)
        elif is_object(change):
            merged[name] = None
            stack.append((_MERGE, inner.get(name), change, merged, name, (node, name), "stored"))
        else:
            _place(change, merged, name, node, "request", stack, ctx)
    # Only what the result holds is counted: a patch may shrink its target.
    spend(ctx.budget, len(merged))


def engine_copy(
    value: object,
    field: str | None,
    source: Source,
    base: tuple[str | int, ...],
    budget: int = UNBOUNDED,
    /,
) -> JSONValue:
    """:func:`copy_json` by the iterative engine alone: any depth, exact error paths.

    Raises :class:`Spent` once the copy holds more than ``budget`` members.
    """
    ctx = _Context(field, base, budget)
    if issubclass(type(value), _CONTAINERS):
        holder: list[JSONValue] = [None]
        _run([(_COPY, value, None, holder, 0, None, source)], ctx)
        return holder[0]
    return _scalar(value, None, source, ctx)


def engine_merge(
    target: object,
    patch: object,
    field: str | None,
    base: tuple[str | int, ...],
    budget: int = UNBOUNDED,
    /,
) -> JSONValue:
    """:func:`merge_json` by the iterative engine alone, for an object ``patch``."""
    ctx = _Context(field, base, budget)
    holder: list[JSONValue] = [None]
    _run([(_MERGE, target, patch, holder, 0, None, "stored")], ctx)
    return holder[0]


def engine_share_merge(target: object, patch: Metadata, /) -> JSONValue:
    """RFC 7396 merge of an already validated plain ``patch``, sharing all it can.

    Only the objects along the patched paths are new, shallow copies of the
    target's objects there, read through their own storage; the target is not
    otherwise looked at. Iterative, for any depth. ``patch`` is the engine's
    own copy, so it has no cycles.
    """
    holder: list[JSONValue] = [None]
    # Each task: (destination, slot, target member, patch object).
    tasks: list[tuple[list[JSONValue] | dict[str, JSONValue], Any, object, Metadata]] = [
        (holder, 0, target, patch)
    ]
    while tasks:
        destination, slot, current, changes = tasks.pop()
        out: dict[str, JSONValue] = (
            dict(cast("Iterable[tuple[str, JSONValue]]", members(current)))
            if is_object(current)
            else {}
        )
        destination[slot] = out
        for key, change in changes.items():
            if change is None:
                out.pop(key, None)
            elif type(change) is dict:
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
    budget: int = UNBOUNDED,
) -> JSONValue:
    """Return a validated deep copy of ``value`` that shares no container with it.

    With ``share``, ``value`` itself is returned once validated if it holds
    only the plain built-in types. Raises :class:`InvalidValueError` (code
    and path) if any part of ``value`` is not JSON. ``field``, ``source`` and
    ``base`` only shape that error. Raises :class:`Spent` as soon as the
    value, with every shared container counted each time it appears, holds
    more than ``budget`` members in all, so no shape of input makes the work
    outgrow the budget.
    """
    plain: Any = value  # the fast paths take any value and check it themselves
    try:
        if share:
            check_value(plain, LIMIT, [budget])
            return cast(JSONValue, value)
        if type(value) is dict:
            return copy_dict(plain, LIMIT, [budget])
        if type(value) is list:
            return copy_list(plain, LIMIT, [budget])
    except (Bail, RecursionError):
        pass
    return engine_copy(plain, field, source, base, budget)


def merge_json(
    target: object,
    patch: object,
    /,
    *,
    field: str | None = None,
    base: tuple[str | int, ...] = (),
    share: bool = False,
    budget: int = UNBOUNDED,
) -> JSONValue:
    """Return RFC 7396 ``MergePatch(target, patch)`` as a new document.

    The patch is validated in full; of the target, only what the result keeps
    is validated. Neither input is changed, and the result shares no
    container with either. With ``share``, the result is new only along the
    patched paths and shares everything else with the inputs; the target is
    then not validated at all. Raises :class:`Spent` as :func:`copy_json` does.
    """
    plain: Any = patch
    if type(patch) is dict:
        try:
            if share:
                return share_merge(target, plain, LIMIT, [budget])
            return merge_dict(target, plain, LIMIT, [budget])
        except (Bail, RecursionError):
            pass
    if not is_object(plain):
        return copy_json(plain, field=field, base=base, share=share, budget=budget)
    if share:
        checked = engine_copy(plain, field, "request", base, budget)
        return engine_share_merge(target, cast(Metadata, checked))
    return engine_merge(target, plain, field, base, budget)


def _plain_members(value: object) -> dict[object, object]:
    if type(value) is dict:
        return cast(_Members, value)
    return dict(members(value))


def _push_object(left: object, right: object, pending: list[tuple[object, object]]) -> bool:
    """Queue the member pairs of two objects; False if their key sets differ."""
    if not is_object(right):
        return False
    left_obj = _plain_members(left)
    right_obj = _plain_members(right)
    if len(left_obj) != len(right_obj):
        return False
    for key, member in left_obj.items():
        if key not in right_obj:
            return False
        pending.append((member, right_obj[key]))
    return True


def _push_array(left: object, right: object, pending: list[tuple[object, object]]) -> bool:
    """Queue the item pairs of two arrays; False if their lengths differ."""
    if not is_array(right):
        return False
    left_arr = items(left)
    right_arr = items(right)
    if len(left_arr) != len(right_arr):
        return False
    pending.extend(zip(left_arr, right_arr, strict=True))
    return True


def _scalars_equal(left: object, right: object) -> bool:
    """Compare two non-containers of one type by their built-in values.

    The comparisons are the built-in types' own, so no override of a
    subclass runs; anything that is not a JSON scalar equals only itself,
    which the caller has already ruled out.
    """
    kind = type(left)
    if kind is not type(right):
        return False
    if issubclass(kind, float):
        a, b = float.__float__(cast(float, left)), float.__float__(cast(float, right))
        # ``0.0 == -0.0`` in Python, but the two are different JSON texts.
        return a == b and math.copysign(1.0, a) == math.copysign(1.0, b)
    if issubclass(kind, str):
        return str.__eq__(cast(str, left), cast(str, right))
    if issubclass(kind, int):
        return int.__eq__(cast(int, left), cast(int, right))
    return False


def json_equal(a: JSONValue, b: JSONValue, /) -> bool:
    """Tell whether two JSON values are equal as JSON, type-strictly.

    ``True`` differs from ``1``, ``1`` from ``1.0`` and ``0.0`` from ``-0.0``;
    object key order does not matter. Works at any depth. Containers are
    read through their own storage and kinds come from real types, so no
    code of a subclass runs; anything that is not JSON equals only itself.
    The values must be acyclic, as JSON values are.
    """
    pending: list[tuple[object, object]] = [(a, b)]
    while pending:
        left, right = pending.pop()
        if left is right:
            continue
        if is_object(left):
            if not _push_object(left, right, pending):
                return False
        elif is_array(left):
            if not _push_array(left, right, pending):
                return False
        elif not _scalars_equal(left, right):
            return False
    return True

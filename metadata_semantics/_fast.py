"""Recursive fast paths for ordinary JSON values, and the structural-sharing merge.

These functions only ever *accept*. They handle the values that make up
nearly every real document (exact built-in types, UTF-8-clean text, finite
numbers, nesting under :data:`LIMIT`) in one recursive pass that validates
and copies together. On anything else (a subclass, a non-JSON value, a
surrogate, deep nesting, a cycle, which shows up as deep nesting) they raise
:class:`Bail`, and the caller runs the iterative engine in ``_values`` from
the start. The engine alone decides what is an error and where it is, so
the rules have one source of truth; the fast paths never build a path and
never raise an error of their own.
"""

# The values here are typed Any on purpose: the code checks every type
# itself, at run time, and a cast per member would cost what it saves. For
# the same reason each function is one flat loop with a branch per JSON
# type, rather than helpers called per member (the noqa marks below).
# pyright: reportUnknownVariableType=false, reportUnknownArgumentType=false
# pyright: reportUnknownMemberType=false

from __future__ import annotations

import sys
from typing import Any, Final

__all__ = [
    "LIMIT",
    "UNBOUNDED",
    "Bail",
    "Spent",
    "check_value",
    "copy_dict",
    "copy_list",
    "fits_text",
    "has_utf8",
    "merge_dict",
    "share_merge",
    "spend",
]

LIMIT: Final = 200
"""Nesting the recursive paths handle before they hand over to the engine.

Each function takes the levels it still has room for (``LIMIT`` at the top)
and hands over when none is left.

Low enough that a caller already some way down the stack keeps a wide
margin under the default recursion limit of 1,000; a :class:`RecursionError`
is caught by the callers all the same.
"""


UNBOUNDED: Final = sys.maxsize
"""A budget that never runs out: the walk is bounded only by the input."""

# Every integer strictly between these has at most 301 digits, and Python
# converts at least 640 digits to text under any setting of
# sys.set_int_max_str_digits(), so only integers outside need a closer look.
_LOW: Final = -(1 << 1000)
_HIGH: Final = 1 << 1000


class Bail(Exception):  # noqa: N818 - a control-flow signal, never seen by users
    """The fast path met something it does not handle; run the engine instead."""

    __slots__ = ()


class Spent(Exception):  # noqa: N818 - a signal that the caller turns into its own error
    """A walk met more members than its budget allows, and stopped there."""

    __slots__ = ()


def spend(budget: list[int], count: int, /) -> None:
    """Take ``count`` members from ``budget``; raise :class:`Spent` once it is overdrawn.

    Every container entered costs its number of members, so a value that
    holds one container many times pays for each time, as its copy or its
    JSON text would: the work stops after about ``budget`` members, whatever
    the input's shape.
    """
    budget[0] -= count
    if budget[0] < 0:
        raise Spent


def fits_text(number: int, /) -> bool:
    """Tell whether ``number`` can be written as text under ``sys.get_int_max_str_digits()``."""
    if _LOW < number < _HIGH:
        return True
    try:
        int.__repr__(number)
    except ValueError:
        return False
    return True


def has_utf8(text: str, /) -> bool:
    """Tell whether non-ASCII ``text`` has a UTF-8 form: a lone surrogate is its only way not to.

    Callers test ``isascii()`` first, which is far cheaper and settles most text.
    """
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def copy_dict(  # noqa: C901, PLR0912
    value: dict[str, Any], room: int, budget: list[int], /
) -> dict[str, Any]:
    """Return a validated copy of an exact ``dict``, or raise :class:`Bail` or :class:`Spent`."""
    if not room:
        raise Bail
    room -= 1
    budget[0] -= len(value)
    if budget[0] < 0:
        raise Spent
    # A shallow copy in C, then only containers are replaced: scalars are
    # immutable and already in place. The tests run in the order of how
    # often each type occurs in real documents.
    out = value.copy()
    for key, member in value.items():
        if type(key) is not str or not (key.isascii() or has_utf8(key)):
            raise Bail
        kind = type(member)
        if kind is str:
            if not (member.isascii() or has_utf8(member)):
                raise Bail
        elif kind is int:
            if not _LOW < member < _HIGH:
                raise Bail
        elif kind is bool or member is None:
            pass
        elif kind is dict:
            out[key] = copy_dict(member, room, budget)
        elif kind is list:
            out[key] = copy_list(member, room, budget)
        elif kind is float:
            # NaN and the infinities are the floats where x - x is not 0.
            if member - member != 0.0:
                raise Bail
        else:
            raise Bail
    return out


def copy_list(  # noqa: C901, PLR0912
    value: list[Any], room: int, budget: list[int], /
) -> list[Any]:
    """Return a validated copy of an exact ``list``, or raise :class:`Bail` or :class:`Spent`."""
    if not room:
        raise Bail
    room -= 1
    budget[0] -= len(value)
    if budget[0] < 0:
        raise Spent
    out = value.copy()
    index = -1  # counted by hand: cheaper than enumerate's tuples
    for member in value:
        index += 1
        kind = type(member)
        if kind is str:
            if not (member.isascii() or has_utf8(member)):
                raise Bail
        elif kind is int:
            if not _LOW < member < _HIGH:
                raise Bail
        elif kind is bool or member is None:
            pass
        elif kind is dict:
            out[index] = copy_dict(member, room, budget)
        elif kind is list:
            out[index] = copy_list(member, room, budget)
        elif kind is float:
            if member - member != 0.0:
                raise Bail
        else:
            raise Bail
    return out


def check_value(value: Any, room: int, budget: list[int], /) -> None:
    """Return if ``value`` is plain JSON that can be shared as it is; else raise :class:`Bail`.

    Plain means what the engine would copy unchanged: exact built-in types
    only, so sharing it gives the same result as copying it.
    """
    # The value is checked as the only member of a container that takes no
    # room of its own, so one loop covers every kind of value.
    _check_members((value,), room + 1, budget)


def _check_members(  # noqa: C901, PLR0912
    members: Any, room: int, budget: list[int], /
) -> None:
    """Check the members of one container, recursing only into containers."""
    if not room:
        raise Bail
    room -= 1
    budget[0] -= len(members)
    if budget[0] < 0:
        raise Spent
    for member in members:
        kind = type(member)
        if kind is str:
            if not (member.isascii() or has_utf8(member)):
                raise Bail
        elif kind is int:
            if not _LOW < member < _HIGH:
                raise Bail
        elif kind is bool or member is None:
            pass
        elif kind is dict:
            _check_members(member.values(), room, budget)
            for key in member:
                if type(key) is not str or not (key.isascii() or has_utf8(key)):
                    raise Bail
        elif kind is list:
            _check_members(member, room, budget)
        elif kind is float:
            if member - member != 0.0:
                raise Bail
        else:
            raise Bail


def merge_dict(  # noqa: C901, PLR0912, PLR0915
    target: Any, patch: dict[str, Any], room: int, budget: list[int], /
) -> dict[str, Any]:
    """Return RFC 7396 ``MergePatch(target, patch)`` as a new document, or raise :class:`Bail`.

    ``patch`` is an exact ``dict``. Members of the target that the patch
    names are not copied; their scalars are still looked at, and a bad one
    hands the whole merge to the engine, which then correctly ignores it.
    """
    if not room:
        raise Bail
    room -= 1
    if type(target) is dict:
        out: dict[str, Any] = target.copy()
        for key, member in target.items():
            if type(key) is not str or not (key.isascii() or has_utf8(key)):
                raise Bail
            kind = type(member)
            if kind is str:
                if not (member.isascii() or has_utf8(member)):
                    raise Bail
            elif kind is int:
                if not _LOW < member < _HIGH:
                    raise Bail
            elif kind is bool or member is None:
                pass
            elif kind is dict:
                if key not in patch:
                    out[key] = copy_dict(member, room, budget)
            elif kind is list:
                if key not in patch:
                    out[key] = copy_list(member, room, budget)
            elif kind is float:
                if member - member != 0.0:
                    raise Bail
            else:
                raise Bail
    elif issubclass(type(target), dict):
        raise Bail
    else:
        out = {}
    # Every member the patch names is still the stored original in ``out``
    # (containers were skipped above), so it is replaced, removed or merged.
    for key, change in patch.items():
        if type(key) is not str or not (key.isascii() or has_utf8(key)):
            raise Bail
        kind = type(change)
        if change is None:
            out.pop(key, None)
        elif kind is dict:
            out[key] = merge_dict(out.get(key), change, room, budget)
        elif kind is str:
            if not (change.isascii() or has_utf8(change)):
                raise Bail
            out[key] = change
        elif kind is int:
            if not _LOW < change < _HIGH:
                raise Bail
            out[key] = change
        elif kind is bool:
            out[key] = change
        elif kind is list:
            out[key] = copy_list(change, room, budget)
        elif kind is float:
            if change - change != 0.0:
                raise Bail
            out[key] = change
        else:
            raise Bail
    # Only what the result holds is counted: a patch may shrink its target.
    budget[0] -= len(out)
    if budget[0] < 0:
        raise Spent
    return out


def share_merge(  # noqa: C901, PLR0912
    target: Any, patch: dict[str, Any], room: int, budget: list[int], /
) -> dict[str, Any]:
    """Return RFC 7396 ``MergePatch(target, patch)``, new only along the patch.

    Only the objects on the patched paths are new (shallow copies); every
    other member of the result is the very object found in ``target`` or in
    ``patch``. The patch is validated in full; the target is not looked at
    beyond the keys the patch names. Raises :class:`Bail` on anything the
    default mode should handle instead.
    """
    if not room:
        raise Bail
    room -= 1
    out: dict[str, Any]
    if type(target) is dict:
        out = target.copy()
    elif issubclass(type(target), dict):
        raise Bail
    else:
        out = {}
    for key, change in patch.items():
        if type(key) is not str or not (key.isascii() or has_utf8(key)):
            raise Bail
        kind = type(change)
        if change is None:
            out.pop(key, None)
        elif kind is dict:
            out[key] = share_merge(out.get(key), change, room, budget)
        else:
            if kind is str:
                if not (change.isascii() or has_utf8(change)):
                    raise Bail
            elif kind is int:
                if not _LOW < change < _HIGH:
                    raise Bail
            elif kind is bool:
                pass
            elif kind is list:
                check_value(change, room, budget)
            elif kind is float:
                if change - change != 0.0:
                    raise Bail
            else:
                raise Bail
            out[key] = change
    budget[0] -= len(out)
    if budget[0] < 0:
        raise Spent
    return out

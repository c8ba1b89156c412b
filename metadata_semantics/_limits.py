"""Bounds on what a write may store: size per field, size in total, nesting depth.

Size is the number of bytes in the UTF-8 encoding of the compact JSON text of
a field's value: no whitespace, and non-ASCII characters written as
themselves rather than escaped. ``{"a":"é"}`` is 10 bytes; a null field is 4
(``null``). The total is the sum of the three fields' sizes.

Depth counts containers: a null field has depth 0, ``{}`` depth 1 and
``{"a": [{}]}`` depth 3.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from ._errors import InvalidArgumentError, LimitExceededError
from ._fast import UNBOUNDED, Spent
from ._json import dump_compact
from ._types import FIELDS
from ._values import copy_json

if TYPE_CHECKING:
    from ._records import UserMetadata
    from ._types import JSONValue

__all__ = [
    "UPSTREAM_LIMITS",
    "Limits",
    "check_body_size",
    "check_limits",
    "json_size",
    "member_budget",
    "nesting_depth",
    "over_budget",
]

# The bounds, in the order they are checked and named in messages.
_BOUNDS: Final = ("max_field_bytes", "max_total_bytes", "max_depth", "max_body_bytes")


@dataclass(frozen=True, slots=True)
class Limits:
    """Optional bounds on a write and its result; ``None`` means unbounded.

    ``max_field_bytes`` bounds each field and ``max_total_bytes`` the three
    together, both as the UTF-8 bytes of compact JSON. ``max_depth`` bounds
    how deep each field nests. ``max_body_bytes`` bounds the UTF-8 bytes of a
    JSON text body that :func:`apply_request` reads, and is checked before
    the text is parsed. A bound that is not ``None`` or an ``int`` of at
    least 0 raises :class:`InvalidArgumentError`.
    """

    max_field_bytes: int | None = None
    max_total_bytes: int | None = None
    max_depth: int | None = None
    max_body_bytes: int | None = None

    def __post_init__(self) -> None:
        for name in _BOUNDS:
            bound: object = getattr(self, name)
            if bound is not None and (type(bound) is not int or bound < 0):
                raise InvalidArgumentError(
                    f"Limits.{name} must be None or an int of at least 0, not {bound!r}",
                    code="invalid_argument",
                )


UPSTREAM_LIMITS: Final = Limits(max_field_bytes=8192, max_total_bytes=8192, max_body_bytes=65536)
"""The upstream's published 8 KB, read as 8,192 bytes and applied both to each
field and to the three together (the stricter reading: the upstream does not
say which it means). No depth bound is published, so none is set. A body may
be up to 64 KiB of text: eight times the stored bound, room for whitespace,
escapes (``\\u0000`` is six bytes for one) and the nulls that delete keys."""


def json_size(value: JSONValue, /) -> int:
    """Return the size of ``value`` as the limits measure it: UTF-8 bytes of compact JSON."""
    text = dump_compact(value)
    return len(text) if text.isascii() else len(text.encode("utf-8"))


def nesting_depth(value: JSONValue, /) -> int:
    """Return how many containers deep ``value`` nests (a scalar is 0, ``{}`` is 1)."""
    if not isinstance(value, (dict, list)):
        return 0
    deepest = 0
    # Only containers go on the stack, so scalars cost one type check each.
    pending: list[tuple[dict[str, JSONValue] | list[JSONValue], int]] = [(value, 1)]
    while pending:
        container, depth = pending.pop()
        deepest = max(deepest, depth)
        members = container.values() if isinstance(container, dict) else container
        pending.extend(
            (member, depth + 1) for member in members if isinstance(member, (dict, list))
        )
    return deepest


def member_budget(limits: Limits | None, /) -> int:
    """Return how many members a field may hold before it is certainly over a byte bound.

    Each member of an object or array is at least one byte of compact JSON,
    so a field that holds more members than the smaller byte bound is over
    that bound: building it can stop there. Without a byte bound, the work
    is bounded only by the input.
    """
    if limits is None:
        return UNBOUNDED
    bounds = [
        bound for bound in (limits.max_field_bytes, limits.max_total_bytes) if bound is not None
    ]
    return min(bounds, default=UNBOUNDED)


def over_budget(name: str, limits: Limits, /) -> LimitExceededError:
    """The error for field ``name`` that outgrew :func:`member_budget` while it was built.

    ``measured`` is then a lower bound: the field holds more members than the
    budget, and each is at least one byte.
    """
    budget = member_budget(limits)
    if limits.max_field_bytes == budget:
        return LimitExceededError(
            f"{name} would be more than {budget} bytes as compact JSON; "
            f"the limit is {budget} bytes per field (the write stopped there)",
            code="field_too_large",
            measured=budget + 1,
            limit=budget,
            field=name,
        )
    return LimitExceededError(
        f"{name} alone would be more than {budget} bytes as compact JSON; "
        f"the limit is {budget} bytes in total (the write stopped there)",
        code="metadata_too_large",
        measured=budget + 1,
        limit=budget,
    )


def check_body_size(text: str | bytes | bytearray, limits: Limits | None, /) -> None:
    """Raise ``body_too_large`` if ``text`` is longer than ``limits.max_body_bytes`` in UTF-8.

    Runs before the text is parsed, so an oversized body costs a length, not
    a parse. A ``str`` is measured as its UTF-8 encoding would be.
    """
    if limits is None or limits.max_body_bytes is None:
        return
    if isinstance(text, str):
        size = len(text) if text.isascii() else len(text.encode("utf-8", "surrogatepass"))
    else:
        size = len(text)
    if size > limits.max_body_bytes:
        raise LimitExceededError(
            f"the body is {size} bytes; the limit is {limits.max_body_bytes} bytes",
            code="body_too_large",
            measured=size,
            limit=limits.max_body_bytes,
        )


def check_limits(record: UserMetadata, limits: Limits, /, *, shared: bool = False) -> None:
    """Raise :class:`LimitExceededError` for the first bound ``record`` breaks.

    Fields are checked in order, depth before size, and the total last. An
    error for one field has that ``field`` and an empty path; the total's
    error has neither. With ``shared``, the record may hold stored data that
    no one has validated: each field is then walked by the engine's rules
    first (cycles, types, the member budget), so an error there is the
    stored record's, and the measurement reads only plain JSON.
    """
    total = 0
    measure = limits.max_field_bytes is not None or limits.max_total_bytes is not None
    budget = member_budget(limits)
    for name in FIELDS:
        value: JSONValue = getattr(record, name)
        if shared:
            try:
                value = copy_json(value, field=name, source="stored", share=True, budget=budget)
            except Spent:
                raise over_budget(name, limits) from None
        if limits.max_depth is not None:
            depth = nesting_depth(value)
            if depth > limits.max_depth:
                raise LimitExceededError(
                    f"{name} would nest {depth} levels deep; the limit is {limits.max_depth}",
                    code="too_deep",
                    measured=depth,
                    limit=limits.max_depth,
                    field=name,
                )
        if not measure:
            continue
        size = json_size(value)
        if limits.max_field_bytes is not None and size > limits.max_field_bytes:
            raise LimitExceededError(
                f"{name} would be {size} bytes as compact JSON; "
                f"the limit is {limits.max_field_bytes} bytes per field",
                code="field_too_large",
                measured=size,
                limit=limits.max_field_bytes,
                field=name,
            )
        total += size
    if limits.max_total_bytes is not None and total > limits.max_total_bytes:
        raise LimitExceededError(
            f"the three metadata fields would be {total} bytes together as compact JSON; "
            f"the limit is {limits.max_total_bytes} bytes in total",
            code="metadata_too_large",
            measured=total,
            limit=limits.max_total_bytes,
        )

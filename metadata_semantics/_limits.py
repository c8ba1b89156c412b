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

from ._errors import InvalidArgumentError, LimitExceededError, MetadataError
from ._json import dump_compact
from ._types import FIELDS

if TYPE_CHECKING:
    from ._records import UserMetadata
    from ._types import JSONValue

__all__ = ["UPSTREAM_LIMITS", "Limits", "check_limits", "json_size", "nesting_depth"]


@dataclass(frozen=True, slots=True)
class Limits:
    """Optional bounds on the result of a write; ``None`` means unbounded.

    ``max_field_bytes`` bounds each field and ``max_total_bytes`` the three
    together, both as the UTF-8 bytes of compact JSON. ``max_depth`` bounds
    how deep each field nests. A bound that is not ``None`` or an ``int`` of
    at least 0 raises :class:`InvalidArgumentError`.
    """

    max_field_bytes: int | None = None
    max_total_bytes: int | None = None
    max_depth: int | None = None

    def __post_init__(self) -> None:
        for name in ("max_field_bytes", "max_total_bytes", "max_depth"):
            bound: object = getattr(self, name)
            if bound is not None and (type(bound) is not int or bound < 0):
                raise InvalidArgumentError(
                    f"Limits.{name} must be None or an int of at least 0, not {bound!r}",
                    code="invalid_argument",
                )


UPSTREAM_LIMITS: Final = Limits(max_field_bytes=8192, max_total_bytes=8192)
"""The upstream's published 8 KB, read as 8,192 bytes and applied both to each
field and to the three together (the stricter reading: the upstream does not
say which it means). No depth bound is published, so none is set."""


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


def check_limits(record: UserMetadata, limits: Limits, /) -> None:
    """Raise :class:`LimitExceededError` for the first bound ``record`` breaks.

    Fields are checked in order, depth before size, and the total last. An
    error for one field has that ``field`` and an empty path; the total's
    error has neither.
    """
    total = 0
    measure = limits.max_field_bytes is not None or limits.max_total_bytes is not None
    for name in FIELDS:
        value: JSONValue = getattr(record, name)
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
        try:
            size = json_size(value)
        except MetadataError as error:
            error.field = name
            raise
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

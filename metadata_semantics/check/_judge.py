"""How an answer is judged: the first differing JSON Pointer, and the known wrong merges.

When a ``PATCH`` leaves the wrong record, the checker tries the ways a merge
is commonly got wrong, each written here as a small model. If one of them
gives exactly the record the server stored, the failure is reported under
the rule that model breaks, with a sentence saying so: a shallow merge is a
``merge`` failure even in a case that also deletes a key.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Final, cast

from metadata_semantics import FIELDS, JSONValue, json_equal

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence

__all__ = ["MODELS", "WrongMerge", "diagnose", "first_difference", "pointer", "settle"]


def pointer(parts: tuple[str | int, ...], /) -> str:
    """The RFC 6901 JSON Pointer of a path: ``~`` as ``~0`` and ``/`` as ``~1``."""
    return "".join("/" + str(part).replace("~", "~0").replace("/", "~1") for part in parts)


def first_difference(expected: JSONValue, actual: JSONValue, /) -> str | None:
    """The JSON Pointer of the first place where ``actual`` differs from ``expected``.

    Objects are walked in ``expected``'s key order, then ``actual``'s extra
    keys; arrays by index. Values differ type-strictly (``1`` is not ``1.0``).
    ``None`` when the two are equal. Works at any depth.
    """
    stack: list[tuple[tuple[str | int, ...], JSONValue, JSONValue]] = [((), expected, actual)]
    while stack:
        path, want, got = stack.pop()
        if isinstance(want, dict) and isinstance(got, dict):
            extra = [key for key in got if key not in want]
            missing = [key for key in want if key not in got]
            if missing or extra:
                return pointer((*path, (missing or extra)[0]))
            stack.extend(((*path, key), want[key], got[key]) for key in reversed(want))
        elif isinstance(want, list) and isinstance(got, list):
            if len(want) != len(got):
                return pointer((*path, min(len(want), len(got))))
            stack.extend(
                ((*path, index), want[index], got[index]) for index in reversed(range(len(want)))
            )
        elif not json_equal(want, got):
            return pointer(path)
    return None


def _shallow(target: JSONValue, patch: JSONValue) -> JSONValue:
    # Top-level keys merge; a nested object replaces the old one whole.
    merged = dict(target) if isinstance(target, dict) else {}
    for key, value in cast("dict[str, JSONValue]", patch).items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = value
    return merged


def _keep_nulls(target: JSONValue, patch: JSONValue) -> JSONValue:
    # RFC 7396 but a null member is written, not a deletion.
    if not isinstance(patch, dict):
        return patch
    merged = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        merged[key] = _keep_nulls(merged.get(key), value)
    return merged


def _by_index(target: JSONValue, patch: JSONValue) -> JSONValue:
    # RFC 7396 but an array merges into an array element by element.
    if isinstance(patch, list) and isinstance(target, list):
        merged = list(target)
        for index, value in enumerate(patch):
            if index < len(merged):
                merged[index] = _by_index(merged[index], value)
            else:
                merged.append(value)
        return merged
    if not isinstance(patch, dict):
        return patch
    result = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = _by_index(result.get(key), value)
    return result


def _replace(_target: JSONValue, patch: JSONValue) -> JSONValue:
    return patch


@dataclass(frozen=True, slots=True)
class WrongMerge:
    """A common way to get PATCH wrong: the rule it breaks, what it does, and the model."""

    rule: str
    says: str
    merge: Callable[[JSONValue, JSONValue], JSONValue]


MODELS: Final[tuple[WrongMerge, ...]] = (
    WrongMerge(
        "merge", "the server merged shallowly: a nested object replaced the stored one", _shallow
    ),
    WrongMerge(
        "nulls", "the server stored null members instead of deleting their keys", _keep_nulls
    ),
    WrongMerge(
        "arrays",
        "the server merged arrays element by element instead of replacing them",
        _by_index,
    ),
    WrongMerge("merge", "the server replaced each field whole, as PUT does", _replace),
)
"""The wrong merges the checker recognises, tried in this order."""


def diagnose(
    stored: Mapping[str, JSONValue], body: JSONValue, actual: Mapping[str, JSONValue], /
) -> tuple[WrongMerge, ...]:
    """Every wrong merge that turns ``stored`` and the PATCH ``body`` into ``actual``.

    ``body`` is the request's parsed JSON; a body that is not an object of
    object-or-null fields matches nothing. Several models may fit one answer
    (a shallow merge and stored nulls agree on ``{"a": {"b": null}}``).
    """
    if not isinstance(body, dict) or not all(
        isinstance(value, dict | type(None)) for value in body.values()
    ):
        return ()
    return tuple(
        model
        for model in MODELS
        if json_equal(
            cast("JSONValue", _predict(model, stored, body)), cast("JSONValue", dict(actual))
        )
    )


def _predict(
    model: WrongMerge, stored: Mapping[str, JSONValue], body: Mapping[str, JSONValue]
) -> dict[str, JSONValue]:
    return {
        name: stored[name]
        if name not in body
        else None
        if body[name] is None
        else model.merge(stored[name], body[name])
        for name in FIELDS
    }


def settle(candidates: Sequence[tuple[WrongMerge, ...]], /) -> list[WrongMerge | None]:
    """Pick one wrong merge for each answer of a run, from the models that fit it.

    An answer that one model alone fits confirms that model; an answer that
    several fit is put down to the confirmed one among them, if exactly one
    is confirmed. Otherwise it gets ``None``: the evidence does not decide.
    """
    confirmed = {fits[0] for fits in candidates if len(fits) == 1}
    chosen: list[WrongMerge | None] = []
    for fits in candidates:
        known = [model for model in fits if model in confirmed]
        chosen.append(known[0] if len(known) == 1 else None)
    return chosen

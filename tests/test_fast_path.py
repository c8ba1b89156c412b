"""The recursive fast path and the iterative engine agree on every input.

The fast path may only accept or hand over: it never decides an error. So on
any value, good or bad, the public functions (fast path first) must give
exactly what the engine alone gives, result or error code and path; and the
fast path called on its own must either give that same result or hand over.
"""

from __future__ import annotations

import enum
import inspect
import math
import sys
from functools import partial
from typing import TYPE_CHECKING, Any, Final, cast

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from metadata_semantics import MetadataError, merge_patch
from metadata_semantics._fast import (
    LIMIT,
    UNBOUNDED,
    Bail,
    check_value,
    copy_dict,
    copy_list,
    merge_dict,
    share_merge,
)
from metadata_semantics._values import copy_json, engine_copy, engine_merge, merge_json
from metadata_semantics.strategies import (
    bad_values,
    deep_values,
    json_values,
    metadata,
    unusual_values,
)

from strict import canonical

if TYPE_CHECKING:
    from collections.abc import Callable

Outcome = tuple[Any, ...]

any_values = st.one_of(
    json_values(),
    unusual_values(),
    bad_values(),
    deep_values(min_depth=LIMIT - 3, max_depth=LIMIT + 5),
)


def outcome(call: Callable[[], object]) -> Outcome:
    """A result as its type-strict canonical form, or an error as its contract."""
    try:
        result = call()
    except MetadataError as error:
        return ("error", type(error), error.code, error.path, error.source, error.field)
    return ("ok", canonical(result))


def fast_outcome(call: Callable[[], object]) -> Outcome | None:
    """What the fast path alone gives, or None when it hands over."""
    try:
        return ("ok", canonical(call()))
    except Bail:
        return None


def engine_copy_outcome(value: object) -> Outcome:
    return outcome(lambda: engine_copy(value, None, "request", ()))


def engine_merge_outcome(target: object, patch: object) -> Outcome:
    if isinstance(patch, dict):
        return outcome(partial(engine_merge, target, cast("object", patch), None, ()))
    return engine_copy_outcome(patch)


def fast_copy(value: object) -> object:
    plain: Any = value
    if type(value) is dict:
        return copy_dict(plain, LIMIT, [UNBOUNDED])
    if type(value) is list:
        return copy_list(plain, LIMIT, [UNBOUNDED])
    raise Bail


@given(any_values)
def test_copy_gives_what_the_engine_gives_on_any_value(value: object) -> None:
    assert outcome(lambda: copy_json(value)) == engine_copy_outcome(value)


@given(any_values)
def test_fast_copy_either_agrees_with_the_engine_or_hands_over(value: object) -> None:
    fast = fast_outcome(lambda: fast_copy(value))
    assert fast is None or fast == engine_copy_outcome(value)


@given(any_values, any_values)
def test_merge_gives_what_the_engine_gives_on_any_input(target: object, patch: object) -> None:
    expected = engine_merge_outcome(target, patch)
    assert outcome(lambda: merge_json(target, patch)) == expected


@given(any_values, st.one_of(any_values, st.dictionaries(st.text(max_size=2), any_values)))
def test_fast_merge_either_agrees_with_the_engine_or_hands_over(
    target: object, patch: object
) -> None:
    if type(patch) is not dict:
        return
    plain = cast("dict[str, Any]", patch)
    fast = fast_outcome(lambda: merge_dict(target, plain, LIMIT, [UNBOUNDED]))
    assert fast is None or fast == engine_merge_outcome(target, plain)


@given(any_values)
def test_fast_check_accepts_only_what_the_engine_copies_unchanged(value: object) -> None:
    try:
        check_value(value, LIMIT, [UNBOUNDED])
    except Bail:
        return
    # Accepted as it is: the engine must accept it and copy it to an equal
    # value of exactly the same types.
    assert engine_copy_outcome(value) == ("ok", canonical(value))


class _Text(str):
    __slots__ = ()


class _Level(enum.IntEnum):
    HIGH = 3


class _Real(float):
    __slots__ = ()


class _Object(dict[str, Any]):
    __slots__ = ()


class _Array(list[Any]):
    __slots__ = ()


def nest(depth: int, leaf: Any) -> Any:
    value = leaf
    for _ in range(depth):
        value = {"k": value}
    return value


# Values the fast path must hand over, one for every reason it has to, each
# in a dict member and in a list item: the engine accepts some and rejects
# the others.
UNUSUAL: list[tuple[str, Any]] = [
    ("str subclass", _Text("x")),
    ("int subclass", _Level.HIGH),
    ("float subclass", _Real(1.5)),
    ("dict subclass", _Object(a=1)),
    ("list subclass", _Array([1])),
    ("lone surrogate", "\ud800"),
    ("nan", math.nan),
    ("infinity", -math.inf),
    ("set", {1}),
    ("tuple", (1,)),
    ("bytes", b"x"),
    ("deep", nest(LIMIT + 2, 1)),
]

BAD_KEYS: list[tuple[str, Any]] = [
    ("int key", {1: "x"}),
    ("str subclass key", {_Text("k"): "x"}),
    ("surrogate key", {"\udc80": "x"}),
]

GOOD_TEXT: list[Any] = [
    {"caf\u00e9": "cr\u00e8me", "emoji": ["\U0001f600"], "n": [1.5, True, None, -1]},
    ["\u00e9", {"\u00e9": "\U0001f600"}],
]


def wrapped(value: Any) -> list[Any]:
    """``value`` itself, as an object member, as an array item, and nested once more."""
    return [value, {"m": value}, [value], {"a": [{"m": value}]}, [[value]]]


@pytest.mark.parametrize(("reason", "value"), UNUSUAL + BAD_KEYS)
def test_every_reason_to_hand_over_reaches_the_engine_and_agrees(reason: str, value: Any) -> None:
    for outer in wrapped(value):
        with pytest.raises(Bail):
            fast_copy(outer)
        with pytest.raises(Bail):
            check_value(outer, LIMIT, [UNBOUNDED])
        expected = engine_copy_outcome(outer)
        assert outcome(partial(copy_json, outer)) == expected, reason
        assert outcome(partial(copy_json, outer, share=True)) == expected, reason


@pytest.mark.parametrize("value", GOOD_TEXT)
def test_text_beyond_ascii_stays_on_the_fast_path(value: Any) -> None:
    assert fast_outcome(lambda: fast_copy(value)) == ("ok", canonical(value))
    check_value(value, LIMIT, [UNBOUNDED])
    assert merge_dict({"k": value}, {"p": value}, LIMIT, [UNBOUNDED]) == {"k": value, "p": value}
    assert share_merge({"k": value}, {"p": value}, LIMIT, [UNBOUNDED]) == {"k": value, "p": value}


@pytest.mark.parametrize(("reason", "value"), UNUSUAL + BAD_KEYS)
def test_unusual_stored_members_hand_the_merge_to_the_engine(reason: str, value: Any) -> None:
    for target in ({"m": value, "x": 1}, {"x": 1, "n": None, "m": value}):
        for patch in ({"x": 2}, {"m": None}, {"m": 5}, {"m": {"k": 1}}):
            expected = engine_merge_outcome(target, patch)
            assert outcome(partial(merge_json, target, patch)) == expected, reason
        with pytest.raises(Bail):
            merge_dict(target, {"x": 2}, LIMIT, [UNBOUNDED])


@pytest.mark.parametrize(("reason", "value"), UNUSUAL + BAD_KEYS)
def test_unusual_patch_members_hand_the_merge_to_the_engine(reason: str, value: Any) -> None:
    patch = {"m": value}
    for target in ({"m": {"k": 1}}, {}, [1]):
        with pytest.raises(Bail):
            merge_dict(target, patch, LIMIT, [UNBOUNDED])
        with pytest.raises(Bail):
            share_merge(target, patch, LIMIT, [UNBOUNDED])
        expected = engine_merge_outcome(target, patch)
        assert outcome(partial(merge_json, target, patch)) == expected, reason


@pytest.mark.parametrize("patch", [{1: "x"}, {_Text("k"): "x"}, {"\udc80": "x"}])
def test_a_bad_patch_key_hands_the_merge_to_the_engine(patch: Any) -> None:
    for function in (merge_dict, share_merge):
        with pytest.raises(Bail):
            function({}, patch, LIMIT, [UNBOUNDED])
    assert outcome(lambda: merge_json({}, patch)) == engine_merge_outcome({}, patch)


def test_a_dict_subclass_target_hands_the_merge_to_the_engine() -> None:
    target = _Object(a={"b": 1}, c=2)
    with pytest.raises(Bail):
        merge_dict(target, {"c": 3}, LIMIT, [UNBOUNDED])
    with pytest.raises(Bail):
        share_merge(target, {"c": 3}, LIMIT, [UNBOUNDED])
    assert canonical(merge_patch(target, {"c": 3})) == canonical({"a": {"b": 1}, "c": 3})
    shared = merge_patch(target, {"c": 3}, share=True)
    assert type(shared) is dict
    assert canonical(shared) == canonical({"a": {"b": 1}, "c": 3})


def test_nesting_past_the_limit_hands_over_in_every_fast_function() -> None:
    deep = nest(LIMIT + 2, 1)
    for call in (
        lambda: copy_dict(deep, LIMIT, [UNBOUNDED]),
        lambda: copy_list([deep], LIMIT, [UNBOUNDED]),
        lambda: check_value(deep, LIMIT, [UNBOUNDED]),
        lambda: merge_dict({}, deep, LIMIT, [UNBOUNDED]),
        lambda: merge_dict(deep, {"k": nest(LIMIT + 1, None)}, LIMIT, [UNBOUNDED]),
        lambda: share_merge({}, deep, LIMIT, [UNBOUNDED]),
    ):
        with pytest.raises(Bail):
            call()
    assert canonical(merge_patch({}, deep)) == canonical(deep)
    assert canonical(merge_patch({}, deep, share=True)) == canonical(deep)


# Each fast function, a way to put a chain of objects in its input, and the
# levels that the wrapping itself takes.
FAST_CALLS: list[tuple[str, Callable[[Any], object], int]] = [
    ("copy_dict", lambda value: copy_dict(value, LIMIT, [UNBOUNDED]), 0),
    ("copy_list", lambda value: copy_list([value], LIMIT, [UNBOUNDED]), 1),
    ("check_value", lambda value: check_value(value, LIMIT, [UNBOUNDED]), 0),
    ("check_value in a list", lambda value: check_value([value], LIMIT, [UNBOUNDED]), 1),
    ("merge_dict patch", lambda value: merge_dict({}, value, LIMIT, [UNBOUNDED]), 0),
    ("merge_dict kept target", lambda value: merge_dict(value, {"x": 1}, LIMIT, [UNBOUNDED]), 0),
    ("share_merge patch", lambda value: share_merge({}, value, LIMIT, [UNBOUNDED]), 0),
    ("share_merge array", lambda value: share_merge({}, {"k": [value]}, LIMIT, [UNBOUNDED]), 2),
]


@pytest.mark.parametrize(
    ("call", "wrapping"),
    [(call, wrapping) for _, call, wrapping in FAST_CALLS],
    ids=[name for name, _, _ in FAST_CALLS],
)
def test_each_fast_function_takes_exactly_limit_levels(
    call: Callable[[Any], object], wrapping: int
) -> None:
    """LIMIT is the nesting the recursive paths handle themselves, no more and no less."""
    call(nest(LIMIT - wrapping, 1))
    with pytest.raises(Bail):
        call(nest(LIMIT - wrapping + 1, 1))


@pytest.mark.parametrize("room", [0, 1, LIMIT])
@pytest.mark.parametrize("value", [None, True, 0, 1.5, "x", "\u00e9"])
def test_a_scalar_needs_no_room(value: Any, room: int) -> None:
    check_value(value, room, [UNBOUNDED])


# Every JSON type at the top and further down, in both documents.
KITCHEN_SINK: Final[dict[str, Any]] = {
    "s": "x",
    "u": "\u00e9",
    "i": 1,
    "b": True,
    "n": None,
    "f": 1.5,
    "z": -0.0,
    "o": {"f": 2.5, "u": "\u00e9", "l": [0.5, "\u00e9", {"k": 0.25}, [], {}]},
    "l": [0.5, None, True, "\u00e9", [1.5]],
}


@example(KITCHEN_SINK, KITCHEN_SINK)
@example({"o": {"a": 1}, "l": [1]}, KITCHEN_SINK)
@example([KITCHEN_SINK], KITCHEN_SINK)
@given(json_values(), st.one_of(metadata(), json_values()))
def test_plain_json_within_the_limit_stays_on_the_fast_path(target: Any, patch: Any) -> None:
    """Exact built-in JSON types under LIMIT are the fast path's own: it never hands them over."""
    check_value(target, LIMIT, [UNBOUNDED])
    if type(target) in (dict, list):
        assert canonical(fast_copy(target)) == canonical(target)
    if type(patch) is dict:
        plain = cast("dict[str, Any]", patch)
        expected = engine_merge_outcome(target, plain)
        assert ("ok", canonical(merge_dict(target, plain, LIMIT, [UNBOUNDED]))) == expected
        assert ("ok", canonical(share_merge(target, plain, LIMIT, [UNBOUNDED]))) == expected


def test_a_cycle_hands_over_and_the_engine_names_it() -> None:
    loop: dict[str, Any] = {"a": 1}
    loop["self"] = loop
    calls: list[Callable[[], object]] = [
        partial(copy_json, loop),
        partial(merge_json, {}, loop),
        partial(merge_json, {}, loop, share=True),
        partial(merge_json, loop, {"a": 2}),
    ]
    for call in calls:
        with pytest.raises(MetadataError) as caught:
            call()
        assert caught.value.code == "circular_reference"


def at_stack_depth(extra: int, call: Callable[[], object]) -> object:
    """Run ``call`` with only ``extra`` frames left under the recursion limit."""
    depth = 0
    frame = inspect.currentframe()
    while frame is not None:
        depth += 1
        frame = frame.f_back
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(depth + extra)
    try:
        return call()
    finally:
        sys.setrecursionlimit(limit)


def copy_in_a_list(value: object) -> object:
    return copy_json([value])


def merge_into_empty(value: object) -> object:
    return merge_json({}, value)


def merge_into_value(value: object) -> object:
    return merge_json(value, {"k": {"k": 2}})


def share_into_empty(value: object) -> object:
    return merge_json({}, value, share=True)


@pytest.mark.parametrize(
    "call", [copy_json, copy_in_a_list, merge_into_empty, merge_into_value, share_into_empty]
)
def test_recursion_error_in_the_fast_path_falls_back_to_the_engine(
    call: Callable[[Any], object],
) -> None:
    value = nest(LIMIT - 10, [1, "two"])
    expected = canonical(call(value))
    assert canonical(at_stack_depth(60, lambda: call(value))) == expected

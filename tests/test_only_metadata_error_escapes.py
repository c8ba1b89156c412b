"""Only MetadataError escapes: every public function, on hostile input, in both modes.

The values come from ``strategies.hostile_values``: objects that lie about
their class, subclasses whose overrides disagree or raise, shared
sub-objects, cycles and non-JSON values, placed in requests and in stored
records. Each call runs under a time bound, and the inputs are fingerprinted
through their own storage before and after, so a hang or a change fails the
property as surely as a stray exception.
"""

from __future__ import annotations

import signal
from functools import partial
from typing import TYPE_CHECKING, Any, Final, cast

import pytest
from hypothesis import given
from hypothesis import strategies as st

from metadata_semantics import (
    UPSTREAM_LIMITS,
    Limits,
    MetadataError,
    UserMetadata,
    UserMetadataParams,
    apply_request,
    diff_merge_patch,
    explain,
    merge_metadata,
    merge_patch,
    replace_metadata,
)
from metadata_semantics.strategies import hostile_values, json_values, metadata

if TYPE_CHECKING:
    from collections.abc import Callable

# Generous: a correct call on these small values takes milliseconds, and the
# bound only has to tell a finished call from one that never returns.
_SECONDS: Final = 20.0
_LIMITS: Final[list[Limits | None]] = [None, UPSTREAM_LIMITS, Limits(max_depth=5)]


class Hung(Exception):  # noqa: N818 - the name says what was seen
    """A call did not return within the time bound."""


def _alarm(_signum: int, _frame: object) -> None:
    raise Hung(f"a call ran for more than {_SECONDS} s")


def _bounded(call: Callable[[], object], seconds: float = _SECONDS) -> None:
    """Run ``call`` under the time bound; let only MetadataError (or a result) out."""
    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        call()
    except MetadataError:
        pass
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _fingerprint(value: object) -> list[tuple[int, int, tuple[tuple[int, int], ...]]]:
    """Every container reachable from ``value`` as (id, type, member ids), read from storage.

    Each container is listed once, however often it is shared or however it
    loops, so this is linear in the distinct containers.
    """
    seen: set[int] = set()
    prints: list[tuple[int, int, tuple[tuple[int, int], ...]]] = []
    pending: list[object] = [value]
    while pending:
        current = pending.pop()
        kind = type(current)
        if id(current) in seen or not issubclass(kind, (dict, list, tuple)):
            continue
        seen.add(id(current))
        if issubclass(kind, dict):
            stored: list[tuple[object, object]] = list(_DICT_ITEMS(current))
        else:
            reader = _SEQUENCE_ITEMS if issubclass(kind, list) else _TUPLE_ITEMS
            listed: list[object] = list(reader(current))
            stored = [(index, member) for index, member in enumerate(listed)]
        pending.extend(member for _, member in stored)
        pairs: tuple[tuple[int, int], ...] = tuple((id(key), id(member)) for key, member in stored)
        prints.append((id(current), id(type(current)), pairs))
    return prints


# Storage readers that no subclass override can change.
_DICT_ITEMS: Final[Any] = cast(Any, dict).items
_SEQUENCE_ITEMS: Final[Any] = cast(Any, list).__iter__
_TUPLE_ITEMS: Final[Any] = cast(Any, tuple).__iter__


def _unchanged(call: Callable[[], object], *inputs: object) -> None:
    before = [_fingerprint(value) for value in inputs]
    _bounded(call)
    assert [_fingerprint(value) for value in inputs] == before


hostile_fields = st.one_of(
    st.none(),
    metadata(max_leaves=4),
    st.dictionaries(st.sampled_from(["a", "b", "c"]), hostile_values(), max_size=3),
    hostile_values(),
)


@given(
    stored=st.tuples(hostile_fields, hostile_fields, hostile_fields),
    request=st.tuples(hostile_fields, hostile_fields, hostile_fields),
    share=st.booleans(),
    limits=st.sampled_from(_LIMITS),
)
def test_only_metadata_error_escapes_the_writes(
    stored: tuple[Any, Any, Any], request: tuple[Any, Any, Any], share: bool, limits: Any
) -> None:
    """Every error caused by input is a MetadataError (README, "Errors"), in both modes."""
    record = UserMetadata(*stored)
    params = UserMetadataParams(*request)
    body: dict[str, Any] = {"public_metadata": request[0], "unsafe_metadata": request[2]}
    for write in (replace_metadata, merge_metadata):
        call = partial(write, record, params, limits=limits, share=share)
        _unchanged(call, stored, request)
    for method in ("PUT", "PATCH"):
        call = partial(apply_request, record, method, body, limits=limits, share=share)
        _unchanged(call, stored, body)
    for op in ("replace", "merge"):
        _unchanged(partial(explain, record, params, op), stored, request)


@given(
    target=st.one_of(hostile_values(), json_values()), patch=hostile_values(), share=st.booleans()
)
def test_only_metadata_error_escapes_merge_patch_and_diff(
    target: Any, patch: Any, share: bool
) -> None:
    """Every error caused by input is a MetadataError (README, "Errors")."""
    _unchanged(partial(merge_patch, target, patch, share=share), target, patch)
    _unchanged(partial(diff_merge_patch, target, patch), target, patch)
    _unchanged(partial(diff_merge_patch, patch, target), target, patch)


@given(
    body=st.one_of(
        hostile_values(),
        st.dictionaries(
            st.sampled_from(["public_metadata", "privateMetadata", "unsafe_metadata", "x"]),
            hostile_values(),
            max_size=3,
        ),
    ),
    naming=st.sampled_from(["snake", "camel"]),
)
def test_only_metadata_error_escapes_the_body_readers_and_writers(body: Any, naming: Any) -> None:
    """Every error caused by input is a MetadataError (README, "Errors")."""
    _unchanged(partial(UserMetadataParams.from_body, body, naming=naming), body)
    _unchanged(partial(UserMetadata.from_body, body, naming=naming), body)
    fields: dict[str, Any] = body if issubclass(type(body), dict) else {}
    plain: dict[str, Any] = dict(_DICT_ITEMS(fields))
    values: list[Any] = [plain.get(key) for key in ("public_metadata", "privateMetadata", "x")]
    _unchanged(partial(UserMetadataParams(*values).to_body, naming=naming), values)
    _unchanged(partial(UserMetadata(*values).to_body, naming=naming), values)


def test_the_time_bound_catches_a_call_that_never_returns() -> None:
    def forever() -> None:
        while True:
            pass

    with pytest.raises(Hung):
        _bounded(forever, 0.2)

"""A store of users driven through random request sequences, against a plain model.

The machine keeps a store of ``UserMetadata`` records written only through
``apply_request`` with real JSON bodies, and beside it a deliberately simple
model: a dict of plain dicts updated by the rules as the README states them
(``tests/reference.py``). Between the steps it reads, and it sends requests
that must be refused.

Invariants, checked after every step: the store equals the model; a refused
request changes nothing; every stored value is plain JSON; a field a request
leaves out is never touched.
"""

from __future__ import annotations

import copy
import json
import math
from typing import TYPE_CHECKING, Any, Final

from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, consumes, invariant, rule

from metadata_semantics import (
    FIELDS,
    MetadataError,
    UserMetadata,
    apply_request,
)
from metadata_semantics.strategies import bodies

from reference import rfc7396
from strict import same

if TYPE_CHECKING:
    import unittest

# Requests the API must refuse whatever is stored: a bad method, bodies that
# are not JSON or not a request, and a write past the upstream's 8 KB.
_REFUSED: Final[tuple[tuple[str, str | bytes], ...]] = (
    ("DELETE", "{}"),
    ("put", "{}"),
    ("PUT", "[]"),
    ("PATCH", "null"),
    ("PATCH", '{"public_metadata": 1}'),
    ("PUT", '{"private_metadata": []}'),
    ("PATCH", '{"nickname": {}}'),
    ("PUT", '{"public_metadata": {}, "publicMetadata": {}}'),
    ("PATCH", '{"public_metadata": {"a": NaN}}'),
    ("PUT", '{"public_metadata": {"a": 1e999}}'),
    ("PATCH", '{"public_metadata": {"a": 1, "a": 2}}'),
    ("PUT", '{"public_metadata": {"a": "\\ud800"}}'),
    ("PATCH", b'{"public_metadata": {"a": "\xff"}}'),
    ("PUT", '{"public_metadata": {} } x'),
    ("PATCH", "\ufeff{}"),
    ("PUT", '{"public_metadata": {"big": "' + "x" * 9000 + '"}}'),
)

# A bad member that spoils an otherwise good body.
_POISONS: Final[tuple[tuple[str, str], ...]] = (
    ("unsafe_metadata", "1"),
    ("unsafe_metadata", '"text"'),
    ("private_metadata", "[null]"),
    ("extra", "{}"),
    ("public_metadata", '{"n": -Infinity}'),
)

Model = dict[str, Any]


def plain_json(value: object) -> bool:
    """True if ``value`` is made of the seven plain JSON types only, floats finite."""
    pending = [value]
    while pending:
        item = pending.pop()
        kind = type(item)
        if kind is dict:
            members: dict[object, object] = item  # type: ignore[assignment]
            if any(type(key) is not str for key in members):
                return False
            pending.extend(members.values())
        elif kind is list:
            pending.extend(item)  # type: ignore[arg-type]
        elif kind is float:
            if not math.isfinite(item):  # type: ignore[arg-type]
                return False
        elif item is not None and kind not in (str, int, bool):
            return False
    return True


class UserStore(RuleBasedStateMachine):
    """Users written by PUT and PATCH requests, checked against a plain model."""

    users = Bundle("users")

    def __init__(self) -> None:
        super().__init__()
        self.store: dict[int, UserMetadata] = {}
        self.model: dict[int, Model] = {}
        self.next_id = 0

    def _send(self, user: int, method: str, body: dict[str, Any], as_bytes: bool) -> None:
        text = json.dumps(body, allow_nan=False)
        before = self.store[user]
        after = apply_request(before, method, text.encode() if as_bytes else text, limits=None)
        expected = self.model[user]
        for name in FIELDS:
            if name not in body:
                # Omitted: the stored value stands, exactly.
                assert same(getattr(after, name), getattr(before, name))
            elif method == "PUT":
                expected[name] = copy.deepcopy(body[name])
            else:
                expected[name] = rfc7396(expected[name], body[name])
        self.store[user] = after

    def _refused(self, user: int, method: str, body: str | bytes) -> None:
        before = self.store[user]
        snapshot = copy.deepcopy(before)
        try:
            apply_request(before, method, body)
        except MetadataError:
            pass
        else:
            raise AssertionError(f"{method} {body!r} was accepted")
        assert self.store[user] is before
        assert before == snapshot

    @rule(target=users)
    def create(self) -> int:
        user = self.next_id
        self.next_id += 1
        self.store[user] = UserMetadata()
        self.model[user] = {name: {} for name in FIELDS}
        return user

    @rule(user=users, body=bodies(), as_bytes=st.booleans())
    def put(self, user: int, body: dict[str, Any], as_bytes: bool) -> None:
        self._send(user, "PUT", body, as_bytes)

    @rule(user=users, body=bodies(), as_bytes=st.booleans())
    def patch(self, user: int, body: dict[str, Any], as_bytes: bool) -> None:
        self._send(user, "PATCH", body, as_bytes)

    @rule(user=users, method=st.sampled_from(["PUT", "PATCH"]), blank=st.sampled_from(["", " \n"]))
    def empty_body(self, user: int, method: str, blank: str) -> None:
        before = self.store[user]
        after = apply_request(before, method, blank or None)
        assert after == before

    @rule(user=users)
    def read(self, user: int) -> None:
        record = self.store[user]
        for name in FIELDS:
            assert same(getattr(record, name), self.model[user][name])

    @rule(user=users, request=st.sampled_from(_REFUSED))
    def refused(self, user: int, request: tuple[str, str | bytes]) -> None:
        self._refused(user, *request)

    @rule(
        user=users,
        body=bodies(),
        poison=st.sampled_from(_POISONS),
        method=st.sampled_from(["PUT", "PATCH"]),
    )
    def partly_bad(
        self, user: int, body: dict[str, Any], poison: tuple[str, str], method: str
    ) -> None:
        """One bad member fails the whole request: no good field is written either."""
        name, bad = poison
        members = [f"{json.dumps(key)}:{json.dumps(value)}" for key, value in body.items()]
        members.append(f"{json.dumps(name)}:{bad}")
        self._refused(user, method, "{" + ",".join(members) + "}")

    @rule(user=consumes(users))
    def forget(self, user: int) -> None:
        del self.store[user]
        del self.model[user]

    @invariant()
    def store_equals_model(self) -> None:
        assert self.store.keys() == self.model.keys()
        for user, record in self.store.items():
            for name in FIELDS:
                assert same(getattr(record, name), self.model[user][name])

    @invariant()
    def stored_values_are_plain_json(self) -> None:
        for record in self.store.values():
            for name in FIELDS:
                value: object = getattr(record, name)
                assert plain_json(value)
                assert value is None or type(value) is dict


TestUserStore: type[unittest.TestCase] = UserStore.TestCase  # pyright: ignore[reportUnknownMemberType, reportUnknownVariableType]

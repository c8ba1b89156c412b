"""Law: everything the oracle writes is strict JSON that the oracle itself accepts."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from metadata_semantics import parse_json
from metadata_semantics.__main__ import oracle_answer
from metadata_semantics.strategies import json_values

# Strings that a strict reader must refuse or handle with care: lone
# surrogates, which json.dumps writes as \\uXXXX escapes, and a valid pair.
_AWKWARD = st.sampled_from(["\ud800", "\udfff", "\udc00\ud800", "\ud83d\ude00", "~1", "/", ""])
_KEYS = st.lists(st.one_of(_AWKWARD, st.text(max_size=4)), min_size=1, max_size=3).map("".join)
_SCALARS = st.one_of(st.none(), st.integers(), _KEYS)
_VALUES: st.SearchStrategy[Any] = st.recursive(
    _SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(_KEYS, inner, max_size=3)
    ),
    max_leaves=6,
)
_FIELDS = st.sampled_from(["public_metadata", "private_metadata", "unsafe_metadata"])
_EMPTY_RECORD: dict[str, Any] = {
    "public_metadata": {},
    "private_metadata": {},
    "unsafe_metadata": {},
}


def _request(op: str, body: Any) -> bytes:
    request: dict[str, Any] = {"op": op, "body": body}
    if op != "parse":
        request["stored"] = _EMPTY_RECORD if op in ("replace", "merge") else {}
    # ensure_ascii writes each lone surrogate as an escape the oracle must refuse.
    return json.dumps(request, ensure_ascii=True).encode()


def _encoded(value: object) -> bytes:
    return json.dumps(value).encode()


_LINES = st.one_of(
    st.builds(_request, st.sampled_from(["merge_patch"]), _VALUES),
    st.builds(_request, st.sampled_from(["replace", "merge"]), st.dictionaries(_FIELDS, _VALUES)),
    st.builds(_request, st.just("parse"), st.dictionaries(_FIELDS, _VALUES).map(json.dumps)),
    json_values(max_leaves=6).map(_encoded),
    st.binary(max_size=40),
)


@given(_LINES)
def test_every_answer_is_strict_json_the_oracle_accepts(line: bytes) -> None:
    """Everything the oracle writes must be strict JSON that the oracle itself accepts."""
    answer = oracle_answer(line)
    data = answer.encode("utf-8")  # a lone surrogate has no UTF-8 form: this raises
    parsed = parse_json(data)
    assert isinstance(parsed, dict)
    assert list(parsed) in (["result"], ["error"])
    assert json.loads(data) == parsed


def test_a_lone_surrogate_in_a_path_is_written_as_the_replacement_character() -> None:
    line = _request("merge_patch", {"ok": {"\ud800x": 1}})
    answer = oracle_answer(line)
    assert answer == '{"error":{"code":"invalid_string","path":"/body/ok/\ufffdx"}}'
    assert parse_json(answer.encode("utf-8")) == {
        "error": {"code": "invalid_string", "path": "/body/ok/\ufffdx"}
    }


def test_a_valid_pair_in_a_path_stays_the_character_it_stands_for() -> None:
    line = _request("merge_patch", {"\ud83d\ude00": float("nan")}).replace(b"NaN", b"1e999")
    answer = oracle_answer(line)
    assert answer == '{"error":{"code":"non_finite_number","path":"/body/\U0001f600"}}'

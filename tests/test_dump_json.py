"""dump_json: the compact, strict, deterministic JSON writer, at any depth."""

from __future__ import annotations

import json
import math
from collections import OrderedDict
from typing import Any

import pytest
from hypothesis import given

from metadata_semantics import InvalidValueError, JSONValue, dump_json, parse_json
from metadata_semantics.strategies import bad_values, json_values

from depths import VERY_DEEP
from strict import same


@given(json_values())
def test_the_text_reads_back_as_the_same_value(value: JSONValue) -> None:
    """RFC 8259: every JSON value has a text, and that text reads back as the same value."""
    assert same(parse_json(dump_json(value)), value)


@given(json_values())
def test_the_text_is_the_standard_library_compact_form(value: JSONValue) -> None:
    expected = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    assert dump_json(value) == expected


@given(json_values())
def test_the_text_encodes_to_utf8_as_it_is(value: JSONValue) -> None:
    assert parse_json(dump_json(value).encode("utf-8")) is not None or value is None


def test_member_order_is_kept_and_nothing_is_spaced() -> None:
    assert (
        dump_json({"b": [1, 2.5, None], "a": {"é": True}}) == '{"b":[1,2.5,null],"a":{"é":true}}'
    )


def test_any_depth_is_written() -> None:
    value: Any = []
    for _ in range(VERY_DEEP):
        value = [value]
    text = dump_json(value)
    assert text == "[" * (VERY_DEEP + 1) + "]" * (VERY_DEEP + 1)


def test_subclasses_are_written_as_their_base_types() -> None:
    class Flag(int):
        __slots__ = ()

    class Text(str):
        __slots__ = ()

    value = OrderedDict([(Text("k"), [Flag(3), Text("v")])])
    assert dump_json(value) == '{"k":[3,"v"]}'


@pytest.mark.parametrize(
    ("value", "code", "path"),
    [
        ({"a": math.nan}, "non_finite_number", "/a"),
        ([1, math.inf], "non_finite_number", "/1"),
        ({"a": "\ud800"}, "invalid_string", "/a"),
        ({1: 2}, "non_string_key", "/1"),
        ({"s": {1, 2}}, "unsupported_type", "/s"),
        ([b"bytes"], "unsupported_type", "/0"),
    ],
)
def test_a_value_that_is_not_json_is_refused_with_its_path(
    value: object, code: str, path: str
) -> None:
    with pytest.raises(InvalidValueError) as raised:
        dump_json(value)
    assert raised.value.code == code
    assert raised.value.path == path


def test_a_cycle_is_refused() -> None:
    cycle: list[object] = []
    cycle.append(cycle)
    with pytest.raises(InvalidValueError) as raised:
        dump_json(cycle)
    assert raised.value.code == "circular_reference"


@given(bad_values())
def test_every_bad_value_is_a_metadata_error_never_a_crash(value: object) -> None:
    with pytest.raises(InvalidValueError):
        dump_json(value)


def test_the_input_is_not_changed() -> None:
    value: dict[str, JSONValue] = {"a": [1, {"b": None}]}
    dump_json(value)
    assert same(value, {"a": [1, {"b": None}]})

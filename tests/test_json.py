"""parse_json is strict RFC 8259, total over any input, and deep; dump_compact writes it back."""

from __future__ import annotations

import json
import sys
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from metadata_semantics import (
    ERROR_CODES,
    InvalidArgumentError,
    InvalidJSONError,
    InvalidValueError,
    JSONValue,
    MetadataError,
    json_equal,
    parse_json,
)
from metadata_semantics._json import _StrictParser, dump_compact  # pyright: ignore[reportPrivateUsage]
from metadata_semantics.strategies import json_like_texts, json_texts, json_values

from depths import HALF_DEEP, VERY_DEEP
from strict import same


def strict_parse(text: str) -> JSONValue:
    """The iterative parser alone, without the C decoder in front of it."""
    return _StrictParser(text).parse()


def outcome(text: str | bytes) -> JSONValue | MetadataError:
    """The value parse_json returns, or the error it raises."""
    try:
        return parse_json(text)
    except MetadataError as error:
        return error


# The law: a JSON text is its value ------------------------------------------


@given(json_values(), st.booleans(), st.sampled_from([None, 0, 2]))
def test_parsing_the_text_of_a_value_gives_the_value_back(
    value: JSONValue, ensure_ascii: bool, indent: int | None
) -> None:
    """RFC 8259: every JSON value has a text, and that text reads back as the same value."""
    text = json.dumps(value, ensure_ascii=ensure_ascii, indent=indent)
    assert same(parse_json(text), value)
    assert same(parse_json(text.encode("utf-8")), value)
    assert same(strict_parse(text), value)


@given(json_texts())
def test_the_strict_parser_and_the_fast_path_agree_on_every_json_text(text: str) -> None:
    assert same(strict_parse(text), parse_json(text))
    assert same(parse_json(text), json.loads(text))


@given(json_values())
def test_compact_text_is_json_dumps_compact_and_reads_back(value: JSONValue) -> None:
    expected = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    assert dump_compact(value) == expected
    assert same(parse_json(dump_compact(value)), value)


@given(json_values())
def test_the_iterative_writer_writes_what_the_c_encoder_writes(value: JSONValue) -> None:
    from metadata_semantics._json import _dump_iterative  # pyright: ignore[reportPrivateUsage]

    assert _dump_iterative(value) == dump_compact(value)


# Totality: any input gives a value or a MetadataError ---------------------------


@given(st.binary())
def test_any_bytes_give_a_value_or_a_metadata_error(data: bytes) -> None:
    result = outcome(data)
    if isinstance(result, MetadataError):
        assert result.code in ERROR_CODES
        assert isinstance(result, InvalidJSONError)
    else:
        assert same(json.loads(data), result)


@given(st.one_of(st.text(), json_like_texts()))
def test_any_text_gives_a_value_or_a_metadata_error_and_never_more_than_json_accepts(
    text: str,
) -> None:
    """Whatever parse_json accepts, Python's json accepts too, with the same value."""
    result = outcome(text)
    if isinstance(result, MetadataError):
        assert result.code in ERROR_CODES
        assert isinstance(result, InvalidJSONError)
        with pytest.raises(MetadataError):
            strict_parse(text)
    else:
        assert same(json.loads(text), result)
        assert same(strict_parse(text), result)


# Every rejection, with its code, path and offset ----------------------------------

TOO_LONG = "1" * 5000

# Each row: a text, then the code, path and offset of the error it must raise.
REJECTIONS: list[tuple[str | bytes, str, str, int]] = [
    ("", "empty_input", "", 0),
    (" \n\t\r", "empty_input", "", 4),
    (b"", "empty_input", "", 0),
    ('{"a": 1, "a": 2}', "duplicate_key", "", 9),
    ('{"x": [{"k": 1, "k": 1}]}', "duplicate_key", "/x/0", 16),
    ("NaN", "non_finite_number", "", 0),
    ('{"a": Infinity}', "non_finite_number", "/a", 6),
    ("[1, -Infinity]", "non_finite_number", "/1", 4),
    ('{"big": [1e999]}', "non_finite_number", "/big/0", 9),
    ("-1e400", "non_finite_number", "", 0),
    (f"[{TOO_LONG}]", "integer_too_long", "/0", 1),
    (f'{{"n": -{TOO_LONG}}}', "integer_too_long", "/n", 6),
    (b'{"a": "\xff"}', "invalid_utf8", "", 7),
    (b"\xc3\x28", "invalid_utf8", "", 0),
    (b'"\xed\xa0\x80"', "invalid_utf8", "", 1),
    ('"\\ud800"', "invalid_string", "", 0),
    ('{"a": ["\\udfff"]}', "invalid_string", "/a/0", 7),
    ('{"a": {"\\ud800": 1}}', "invalid_string", "/a/\ud800", 7),
    ('["\\ud83d\\u0041"]', "invalid_string", "/0", 1),
    ('["\ud800"]', "invalid_string", "/0", 1),
    ("[1] [2]", "trailing_data", "", 4),
    ('{"a": 1}}', "trailing_data", "", 8),
    ("1 x", "trailing_data", "", 2),
    ("\ufeff{}", "byte_order_mark", "", 0),
    (b"\xef\xbb\xbf{}", "byte_order_mark", "", 0),
    ("[1,]", "invalid_json", "/1", 3),
    ('{"a": 1,}', "invalid_json", "", 8),
    ('{"a" 1}', "invalid_json", "", 5),
    ("{a: 1}", "invalid_json", "", 1),
    ("[1 2]", "invalid_json", "", 3),
    ('{"a": 1 "b": 2}', "invalid_json", "", 8),
    ("[01]", "invalid_json", "", 2),
    ("[-]", "invalid_json", "/0", 2),
    ("[1.]", "invalid_json", "/0", 3),
    ("[1e]", "invalid_json", "/0", 3),
    ("[.5]", "invalid_json", "/0", 1),
    ("[+1]", "invalid_json", "/0", 1),
    ("[tru]", "invalid_json", "/0", 1),
    ("[None]", "invalid_json", "/0", 1),
    ("['a']", "invalid_json", "/0", 1),
    ('{"a": [1, {"b": "x\x01"}]}', "invalid_json", "/a/1/b", 18),
    ('["a\\x"]', "invalid_json", "/0", 3),
    ('["a\\u12"]', "invalid_json", "/0", 4),
    ('{"a": "unclosed}', "invalid_json", "/a", 6),
    ('{"unclosed: 1}', "invalid_json", "", 1),
    ("[[[", "invalid_json", "/0/0/0", 3),
    ('{"a": ', "invalid_json", "/a", 6),
    ('{"a"', "invalid_json", "", 4),
    ('[{"b" ', "invalid_json", "/0", 6),
    ("\u00a0[]", "invalid_json", "", 0),
    ("[1,\n 2,\n x]", "invalid_json", "/2", 9),
]


@pytest.mark.parametrize(("text", "code", "path", "position"), REJECTIONS)
def test_each_rejection_has_its_code_path_and_position(
    text: str | bytes, code: str, path: str, position: int
) -> None:
    with pytest.raises(InvalidJSONError) as caught:
        parse_json(text)
    error = caught.value
    assert (error.code, error.path, error.position) == (code, path, position)
    assert isinstance(error, ERROR_CODES[code].error_type)
    assert error.source == "request"
    if isinstance(text, str):
        with pytest.raises(InvalidJSONError) as again:
            strict_parse(text)
        assert (again.value.code, again.value.path) == (code, path)


# Each row: a text and the whole message of its error. The wording is not the
# contract, but it is what a person reads, so it is pinned here.
MESSAGES: list[tuple[str, str]] = [
    ('"abc', "string is never closed at line 1, column 1"),
    (
        '["a\x01"]',
        "raw control character in a string; it must be written as an escape at line 1, column 4",
    ),
    ('["a\\q"]', "invalid escape sequence in a string at line 1, column 4"),
    ('{"a": NaN}', "NaN is not JSON; JSON has no NaN or infinity at line 1, column 7"),
    ("[-Infinity]", "-Infinity is not JSON; JSON has no NaN or infinity at line 1, column 2"),
    ("{1: 2}", "expected a string key, found '1' at line 1, column 2"),
    (
        '{"\\udc00": 1}',
        "object key holds a lone surrogate, which has no UTF-8 form at line 1, column 2",
    ),
    ('["\\ud800"]', "string holds a lone surrogate, which has no UTF-8 form at line 1, column 2"),
    ('{"k": 1, "k": 2}', "object has the key 'k' twice at line 1, column 10"),
    ('{"a" 1}', "expected ':' after an object key, found '1' at line 1, column 6"),
    ('{"a"', "expected ':' after an object key, found the end of the text at line 1, column 5"),
    ("[1 2]", "expected ',' or ']' in an array, found '2' at line 1, column 4"),
    ('{"a": 1 2}', "expected ',' or '}' in an object, found '2' at line 1, column 9"),
    ("[1] x", "unexpected 'x' after the end of the JSON value at line 1, column 5"),
    ("\n\n  [tru]", "expected a JSON value, found 't' at line 3, column 4"),
    (
        "\ufeff[]",
        (
            "the text starts with a byte order mark (U+FEFF); send JSON without one"
            " at line 1, column 1"
        ),
    ),
    ("  ", "the text is empty or only whitespace at line 1, column 3"),
    # A number's text is quoted whole up to 24 characters, and cut to 20 beyond.
    (
        "[" + "1" * 20 + "e999]",
        (
            f"number {'1' * 20}e999 is too large for a double and would become infinity"
            " at line 1, column 2"
        ),
    ),
    (
        "[" + "1" * 21 + "e999]",
        (
            f"number {'1' * 20}... is too large for a double and would become infinity"
            " at line 1, column 2"
        ),
    ),
]


@pytest.mark.parametrize(("text", "message"), MESSAGES)
def test_each_rejection_explains_itself_and_says_where(text: str, message: str) -> None:
    with pytest.raises(InvalidJSONError) as caught:
        parse_json(text)
    assert caught.value.detail == message
    with pytest.raises(InvalidJSONError) as again:
        strict_parse(text)
    assert again.value.detail == message


@given(json_texts())
def test_every_prefix_of_a_json_text_is_a_value_or_a_metadata_error(text: str) -> None:
    """A text cut anywhere is judged like any other: never an IndexError or a hang."""
    for end in range(len(text)):
        prefix = text[:end]
        result = outcome(prefix)
        if isinstance(result, MetadataError):
            assert isinstance(result, InvalidJSONError)
            with pytest.raises(InvalidJSONError):
                strict_parse(prefix)
        else:
            assert same(strict_parse(prefix), result)


def test_a_duplicate_key_error_names_the_key() -> None:
    with pytest.raises(InvalidJSONError, match="'role'"):
        parse_json('{"x": {"role": 1, "role": 2}}')


def test_a_syntax_error_says_line_and_column() -> None:
    with pytest.raises(InvalidJSONError, match="line 3, column 2") as caught:
        parse_json("[1,\n2,\n x]")
    assert caught.value.position == 8


def test_byte_offsets_count_bytes_for_bytes_input() -> None:
    text = '["\u00e9\U0001f600", x]'
    with pytest.raises(InvalidJSONError) as as_text:
        parse_json(text)
    with pytest.raises(InvalidJSONError) as as_bytes:
        parse_json(text.encode("utf-8"))
    assert as_text.value.position == 7
    assert as_bytes.value.position == 11


def test_integers_at_the_conversion_limit_are_read() -> None:
    limit = sys.get_int_max_str_digits() if hasattr(sys, "get_int_max_str_digits") else 0
    if limit == 0:
        pytest.skip("this Python has no int/str conversion limit")
    digits = "9" * limit
    assert parse_json(f"[{digits}]") == [int(digits)]
    with pytest.raises(InvalidJSONError) as caught:
        parse_json(f"[{digits}9]")
    assert caught.value.code == "integer_too_long"


def test_surrogate_pairs_from_escapes_are_one_character() -> None:
    assert same(parse_json('{"\\ud83d\\ude00": "\\uD83D\\uDE00"}'), {"\U0001f600": "\U0001f600"})


def test_large_but_finite_numbers_are_kept() -> None:
    assert same(
        parse_json("[1e308, -1e308, 1e-400, -0.0, 0, -0]"), [1e308, -1e308, 0.0, -0.0, 0, 0]
    )


def test_bytearray_and_str_subclasses_are_read() -> None:
    class Text(str):
        __slots__ = ()

    assert same(parse_json(bytearray(b'{"a": 1}')), {"a": 1})
    assert same(parse_json(Text("[null]")), [None])


@pytest.mark.parametrize("value", [None, 1, ["[]"], {"a": 1}, memoryview(b"[]")])
def test_input_that_is_not_text_is_an_argument_error(value: Any) -> None:
    with pytest.raises(InvalidArgumentError) as caught:
        parse_json(value)
    assert caught.value.code == "invalid_argument"


# Depth ------------------------------------------------------------------------


@pytest.mark.parametrize("depth", [sys.getrecursionlimit() + 10, VERY_DEEP])
def test_deep_texts_parse_and_write_back(depth: int) -> None:
    arrays = "[" * depth + "]" * depth
    objects = '{"k":' * depth + '"leaf"' + "}" * depth
    mixed = '{"k":[' * depth + "1" + "]}" * depth
    for text in (arrays, objects, mixed):
        value = parse_json(text)
        assert dump_compact(value) == text
        assert json_equal(parse_json(text.encode("ascii")), value)


def test_an_error_at_depth_has_the_full_path() -> None:
    depth = VERY_DEEP
    text = '{"k":' * depth + "NaN" + "}" * depth
    with pytest.raises(InvalidJSONError) as caught:
        parse_json(text)
    assert caught.value.code == "non_finite_number"
    assert caught.value.segments == ("k",) * depth
    assert caught.value.position == 5 * depth


def test_a_duplicate_key_deep_down_is_found() -> None:
    depth = HALF_DEEP
    text = "[" * depth + '{"a":1,"a":2}' + "]" * depth
    with pytest.raises(InvalidJSONError) as caught:
        parse_json(text)
    assert (caught.value.code, caught.value.segments) == ("duplicate_key", (0,) * depth)


def test_an_integer_too_long_to_write_is_an_error_with_its_path() -> None:
    if not hasattr(sys, "get_int_max_str_digits") or sys.get_int_max_str_digits() == 0:
        pytest.skip("this Python has no int/str conversion limit")
    huge = 10 ** (sys.get_int_max_str_digits() + 1)
    with pytest.raises(InvalidValueError) as caught:
        dump_compact({"a": [1, huge]})
    assert (caught.value.code, caught.value.path) == ("integer_too_long", "/a/1")
    assert caught.value.detail == (
        "integer is longer than this Python converts to text (sys.get_int_max_str_digits())"
    )


def test_importing_the_package_does_not_import_json() -> None:
    """The json module is loaded on the first parse or measurement, not on import."""
    import subprocess

    code = "import sys, metadata_semantics; print('json' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"

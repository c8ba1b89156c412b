"""Strict JSON text in (RFC 8259) and compact JSON text out, at any depth.

:func:`parse_json` first hands the text to the C decoder of :mod:`json`, with
hooks that notice what strict JSON forbids (duplicate keys, ``NaN`` and the
infinities, numbers that overflow). Whenever the C decoder fails, a hook
objects, or the text is too deep for it, the text is parsed again by the
iterative parser below. That parser is the definition: it never recurses, so any depth works,
and it knows the path and offset of every error. The C decoder is only a
shortcut that gives the same answer for the texts it accepts.

:func:`dump_compact` is the matching writer: the C encoder with an iterative
fallback for depths the C encoder refuses. :func:`dump_json` is its public
face, which checks the value first.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Final, NoReturn, TypeAlias, cast

from ._errors import InvalidArgumentError, InvalidJSONError, InvalidValueError
from ._fast import has_utf8
from ._types import JSONValue, Metadata
from ._values import copy_json

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

__all__ = ["dump_compact", "dump_json", "parse_json"]

# A member being written: its key or index, and its value.
_Member: TypeAlias = "tuple[str | int, JSONValue]"
# json.decoder.scanstring: (text, offset after the opening quote, strict).
_Scanner: TypeAlias = "Callable[[str, int, bool], tuple[str, int]]"

_WHITESPACE: Final = frozenset(" \t\n\r")
_DIGITS: Final = frozenset("0123456789")
_BOM: Final = "\ufeff"
_LITERALS: Final[tuple[tuple[str, JSONValue], ...]] = (
    ("true", True),
    ("false", False),
    ("null", None),
)


class _Defer(Exception):  # noqa: N818 - a signal, not an error anyone sees
    """Raised in a C decoder hook: the strict parser must look at this text."""


def _pairs(pairs: list[tuple[str, JSONValue]]) -> dict[str, JSONValue]:
    obj = dict(pairs)
    if len(obj) != len(pairs):
        raise _Defer
    return obj


def _constant(_name: str) -> NoReturn:
    raise _Defer


def _float(text: str) -> float:
    value = float(text)
    if math.isinf(value):
        raise _Defer
    return value


def _utf8_clean(text: str) -> bool:
    """Tell whether ``text`` has a UTF-8 form (holds no lone surrogate)."""
    return text.isascii() or has_utf8(text)


def parse_json(text: str | bytes | bytearray, /) -> JSONValue:
    """Parse one strict JSON text (RFC 8259) and return its value.

    Accepts ``str``, or UTF-8 ``bytes`` or ``bytearray``. Raises :class:`InvalidJSONError` (a
    :class:`MetadataError`) for anything RFC 8259 or UTF-8 rejects, for
    duplicate keys, ``NaN``/``Infinity``, numbers beyond a double, integers
    too long to convert, lone surrogates and a leading byte order mark. Any
    depth works. Changes nothing.
    """
    given = cast(object, text)  # checked: callers may pass anything at run time
    if isinstance(given, str):
        return _parse(str.__str__(given))
    if isinstance(given, (bytes, bytearray)):
        raw = bytes(given)
        try:
            decoded = raw.decode("utf-8")
        except UnicodeDecodeError as error:
            raise InvalidJSONError(
                f"the text is not valid UTF-8: {error.reason} at byte offset {error.start}",
                code="invalid_utf8",
                position=error.start,
            ) from None
        try:
            return _parse(decoded)
        except InvalidJSONError as error:
            # Offsets into bytes count bytes, as a reader of the bytes expects.
            error.position = len(decoded[: error.position].encode("utf-8"))
            raise
    raise InvalidArgumentError(
        f"parse_json takes str, bytes or bytearray, not {type(text).__qualname__}",
        code="invalid_argument",
    )


def _parse(text: str) -> JSONValue:
    import json

    if _utf8_clean(text):
        try:
            value: JSONValue = json.loads(
                text, object_pairs_hook=_pairs, parse_constant=_constant, parse_float=_float
            )
        except (ValueError, RecursionError, _Defer):
            pass
        else:
            # Only a ``\ud800``-style escape can smuggle a lone surrogate into
            # the result of a clean text; most texts have none, so look first.
            if ("\\ud" not in text and "\\uD" not in text) or _result_clean(value):
                return value
    return _StrictParser(text).parse()


def _result_clean(value: JSONValue) -> bool:
    return _utf8_clean(dump_compact(value))


class _StrictParser:
    """The iterative parser: one pass, an explicit stack, exact paths and offsets."""

    __slots__ = ("containers", "end", "keys", "result", "scan", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        self.end = len(text)
        # The open containers, outermost first, and for each object the key
        # whose value is being read (``None`` before its first key). While a
        # key is read, errors report the object's own path, so the previous
        # key left in place is never looked at.
        self.containers: list[dict[str, JSONValue] | list[JSONValue]] = []
        self.keys: list[str | None] = []
        self.result: list[JSONValue] = []
        import json.decoder

        # The C string scanner is exact and fast; the stubs do not declare it.
        self.scan = cast(_Scanner, vars(json.decoder)["scanstring"])

    # Errors ----------------------------------------------------------------

    def _segments(self, *, slot: bool) -> tuple[str | int, ...]:
        segments: list[str | int] = []
        last = len(self.containers) - 1
        for depth, (container, key) in enumerate(zip(self.containers, self.keys, strict=True)):
            if depth == last and not slot:
                break
            if isinstance(container, list):
                segments.append(len(container))
            else:
                # Only the innermost object lacks its key, and only while a
                # key is being read, which reports the object's own path.
                segments.append(cast(str, key))
        return tuple(segments)

    def _where(self, pos: int) -> str:
        line = self.text.count("\n", 0, pos) + 1
        column = pos - (self.text.rfind("\n", 0, pos) + 1) + 1
        return f"line {line}, column {column}"

    def _found(self, pos: int) -> str:
        if pos >= self.end:
            return "the end of the text"
        return repr(self.text[pos])

    def _fail(
        self,
        code: str,
        detail: str,
        pos: int,
        *,
        slot: bool = True,
        segments: tuple[str | int, ...] | None = None,
    ) -> InvalidJSONError:
        if segments is None:
            segments = self._segments(slot=slot)
        return InvalidJSONError(
            f"{detail} at {self._where(pos)}", code=code, segments=segments, position=pos
        )

    def _expected(self, what: str, pos: int, *, slot: bool) -> InvalidJSONError:
        return self._fail(
            "invalid_json", f"expected {what}, found {self._found(pos)}", pos, slot=slot
        )

    # Tokens ----------------------------------------------------------------

    def _skip(self, pos: int) -> int:
        text, end = self.text, self.end
        while pos < end and text[pos] in _WHITESPACE:
            pos += 1
        return pos

    def _digits(self, pos: int) -> int:
        text, end = self.text, self.end
        while pos < end and text[pos] in _DIGITS:
            pos += 1
        return pos

    def _need_digit(self, pos: int, after: str) -> int:
        if pos >= self.end or self.text[pos] not in _DIGITS:
            raise self._expected(f"a digit after {after!r} in a number", pos, slot=True)
        return self._digits(pos)

    def _string(self, pos: int, *, slot: bool) -> tuple[str, int]:
        """Read the string whose opening quote is at ``pos``."""
        from json import JSONDecodeError

        try:
            value, after = self.scan(self.text, pos + 1, True)
        except JSONDecodeError as error:
            # The decoder's own wording is not ours to promise; say it plainly.
            if error.msg.startswith("Unterminated"):
                detail = "string is never closed"
            elif error.msg.startswith("Invalid control"):
                detail = "raw control character in a string; it must be written as an escape"
            else:
                detail = "invalid escape sequence in a string"
            raise self._fail("invalid_json", detail, error.pos, slot=slot) from None
        return value, after

    def _number(self, pos: int) -> tuple[JSONValue, int]:
        text, end, start = self.text, self.end, pos
        if text[pos] == "-":
            if text.startswith("-Infinity", pos):
                raise self._non_finite("-Infinity", pos)
            pos += 1
        if pos < end and text[pos] == "0":
            pos += 1
        else:
            pos = self._need_digit(pos, text[start:pos] or "-")
        is_float = False
        if pos < end and text[pos] == ".":
            pos = self._need_digit(pos + 1, ".")
            is_float = True
        if pos < end and text[pos] in "eE":
            pos += 1
            if pos < end and text[pos] in "+-":
                pos += 1
            pos = self._need_digit(pos, text[pos - 1])
            is_float = True
        literal = text[start:pos]
        if is_float:
            number = float(literal)
            if math.isinf(number):
                raise self._fail(
                    "non_finite_number",
                    f"number {_clip(literal)} is too large for a double and would become infinity",
                    start,
                )
            return number, pos
        try:
            return int(literal), pos
        except ValueError:
            raise self._fail(
                "integer_too_long",
                f"integer of {len(literal.lstrip('-'))} digits is longer than this Python "
                "converts from text (sys.get_int_max_str_digits())",
                start,
            ) from None

    def _non_finite(self, literal: str, pos: int) -> InvalidJSONError:
        return self._fail(
            "non_finite_number", f"{literal} is not JSON; JSON has no NaN or infinity", pos
        )

    def _scalar(self, pos: int) -> tuple[JSONValue, int]:
        text = self.text
        char = text[pos]
        if char == '"':
            value, after = self._string(pos, slot=True)
            if not _utf8_clean(value):
                raise self._fail(
                    "invalid_string",
                    "string holds a lone surrogate, which has no UTF-8 form",
                    pos,
                )
            return value, after
        if char == "-" or char in _DIGITS:
            return self._number(pos)
        for word, literal in _LITERALS:
            if text.startswith(word, pos):
                return literal, pos + len(word)
        for word in ("NaN", "Infinity"):
            if text.startswith(word, pos):
                raise self._non_finite(word, pos)
        raise self._expected("a JSON value", pos, slot=True)

    def _key(self, pos: int) -> int:
        """Read ``"key" :`` at ``pos`` into the innermost object; return where its value starts."""
        obj = cast(Metadata, self.containers[-1])
        if pos >= self.end or self.text[pos] != '"':
            raise self._expected("a string key", pos, slot=False)
        key, after = self._string(pos, slot=False)
        if not _utf8_clean(key):
            raise self._fail(
                "invalid_string",
                "object key holds a lone surrogate, which has no UTF-8 form",
                pos,
                segments=(*self._segments(slot=False), key),
            )
        if key in obj:
            raise self._fail("duplicate_key", f"object has the key {key!r} twice", pos, slot=False)
        after = self._skip(after)
        if after >= self.end or self.text[after] != ":":
            raise self._expected("':' after an object key", after, slot=False)
        self.keys[-1] = key
        return self._skip(after + 1)

    # The parse -------------------------------------------------------------

    def parse(self) -> JSONValue:
        if self.text.startswith(_BOM):
            raise self._fail(
                "byte_order_mark",
                "the text starts with a byte order mark (U+FEFF); send JSON without one",
                0,
            )
        pos = self._skip(0)
        if pos == self.end:
            raise self._fail("empty_input", "the text is empty or only whitespace", pos)
        while True:
            value, pos, complete = self._value(pos)
            if complete:
                pos = self._place(value, pos)
                if pos < 0:
                    return self.result[0]

    def _value(self, pos: int) -> tuple[JSONValue, int, bool]:
        """Read a value at ``pos``, or open a container; the flag says the value is complete."""
        text, end = self.text, self.end
        if pos >= end:
            raise self._expected("a JSON value", pos, slot=True)
        char = text[pos]
        if char not in "{[":
            value, after = self._scalar(pos)
            return value, after, True
        inner = self._skip(pos + 1)
        if char == "{":
            if inner < end and text[inner] == "}":
                return {}, inner + 1, True
            self.containers.append({})
            self.keys.append(None)
            return None, self._key(inner), False
        if inner < end and text[inner] == "]":
            return [], inner + 1, True
        self.containers.append([])
        self.keys.append(None)
        return None, inner, False

    def _place(self, value: JSONValue, pos: int) -> int:
        """Store a complete value and close every container that ends right after it.

        Returns where the next value starts, or -1 when the whole text is read.
        """
        text, end, containers, keys = self.text, self.end, self.containers, self.keys
        while containers:
            top = containers[-1]
            pos = self._skip(pos)
            separator = text[pos] if pos < end else ""
            if isinstance(top, list):
                top.append(value)
                if separator == ",":
                    return self._skip(pos + 1)
                if separator != "]":
                    raise self._expected("',' or ']' in an array", pos, slot=False)
            else:
                top[cast(str, keys[-1])] = value
                if separator == ",":
                    return self._key(self._skip(pos + 1))
                if separator != "}":
                    raise self._expected("',' or '}' in an object", pos, slot=False)
            value = containers.pop()
            keys.pop()
            pos += 1
        pos = self._skip(pos)
        if pos != end:
            raise self._fail(
                "trailing_data",
                f"unexpected {self._found(pos)} after the end of the JSON value",
                pos,
            )
        self.result.append(value)
        return -1


def _clip(literal: str) -> str:
    return literal if len(literal) <= 24 else f"{literal[:20]}..."


# Writing -------------------------------------------------------------------

_END: Final = object()
_OPENERS: Final = ("{", "[")


def dump_compact(value: JSONValue, /) -> str:
    """Return the compact JSON text of a validated value: no spaces, non-ASCII unescaped.

    ``value`` must be JSON as :func:`copy_json` returns it (acyclic, finite,
    ``str`` keys). Any depth works. Raises :class:`InvalidValueError`
    (``integer_too_long``) for an integer too long to write as text.
    """
    import json

    try:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"), check_circular=False)
    except (RecursionError, ValueError):
        return _dump_iterative(value)


def dump_json(value: object, /) -> str:
    """Return the compact JSON text of any JSON value, at any depth.

    The text has no whitespace, keeps object members in their order, writes
    non-ASCII characters as themselves (so it encodes to UTF-8 as it is) and
    is the same for equal values built the same way. Subclasses of the JSON
    types are written as their base types. Raises :class:`InvalidValueError`
    (code and path) if ``value`` is not JSON: a non-finite float, a lone
    surrogate, a non-``str`` key, a cycle, another type, or an integer too
    long to write. Changes nothing.
    """
    return dump_compact(copy_json(value, share=True))


def _dump_iterative(value: JSONValue) -> str:
    from json.encoder import encode_basestring

    parts: list[str] = []
    # Each frame: the iterator over a container's members, its closing
    # character, and whether it is an object.
    frames: list[tuple[Iterator[tuple[str | int, JSONValue]], str, bool]] = []
    path: list[str | int] = []
    current: JSONValue = value
    while True:
        if isinstance(current, dict):
            parts.append("{")
            frames.append((iter(current.items()), "}", True))
            path.append("")
        elif isinstance(current, list):
            parts.append("[")
            frames.append((enumerate(current), "]", False))
            path.append(0)
        else:
            parts.append(_scalar_text(current, path, encode_basestring))
        while frames:
            members, closing, is_object = frames[-1]
            member = next(members, _END)
            if member is _END:
                parts.append(closing)
                frames.pop()
                path.pop()
                continue
            slot, current = cast(_Member, member)
            # Only a container's opening bracket is ever a part of its own:
            # every scalar, key and closed container is written otherwise.
            if parts[-1] not in _OPENERS:
                parts.append(",")
            if is_object:
                parts.append(encode_basestring(cast(str, slot)))
                parts.append(":")
            path[-1] = slot
            break
        else:
            return "".join(parts)


def _scalar_text(value: JSONValue, path: list[str | int], quote: Callable[[str], str]) -> str:
    if isinstance(value, str):
        return quote(value)
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        try:
            return int.__repr__(value)
        except ValueError:
            raise InvalidValueError(
                "integer is longer than this Python converts to text "
                "(sys.get_int_max_str_digits())",
                code="integer_too_long",
                segments=tuple(path),
            ) from None
    return float.__repr__(cast(float, value))

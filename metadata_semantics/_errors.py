"""The error family, and the table of error codes as data.

Every failure caused by bad input is a :class:`MetadataError`. Each carries a
stable ``code`` (the contract, listed in :data:`ERROR_CODES`) and a JSON
Pointer ``path`` (RFC 6901) to the offending place. The message text is for
people and may change between releases.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Final, Literal, TypeAlias

if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = [
    "ERROR_CODES",
    "ErrorCode",
    "ErrorCodeInfo",
    "InvalidArgumentError",
    "InvalidBodyError",
    "InvalidJSONError",
    "InvalidValueError",
    "LimitExceededError",
    "MetadataError",
    "Source",
    "UnsupportedMethodError",
    "format_pointer",
    "prepend_path",
]

Source: TypeAlias = Literal["request", "stored"]
"""Which input an error was found in: the request (a client's fault) or the
stored record (the server's own data)."""


def format_pointer(segments: tuple[str | int, ...], /) -> str:
    """Join path segments into an RFC 6901 JSON Pointer (``""`` is the root)."""
    parts: list[str] = []
    for segment in segments:
        if isinstance(segment, int):
            parts.append(f"/{segment}")
        else:
            parts.append("/" + segment.replace("~", "~0").replace("/", "~1"))
    return "".join(parts)


# A path is kept as segments and only joined into a pointer when asked for,
# so that deep traversals never pay for strings they will not need.


class MetadataError(ValueError):
    """Bad input: the one base class for every error this library raises on data.

    ``code`` is a stable snake_case string from :data:`ERROR_CODES`; ``path`` is
    a JSON Pointer to the offending place; ``field`` names the metadata field
    when there is one; ``source`` says whether the request or the stored record
    held the problem. Only the type, ``code``, ``path``, ``field`` and
    ``source`` are the contract: the message wording is not.
    """

    __slots__ = ("_segments", "code", "detail", "field", "source")

    code: ErrorCode
    detail: str
    field: str | None
    source: Source

    def __init__(
        self,
        detail: str,
        /,
        *,
        code: ErrorCode,
        segments: tuple[str | int, ...] = (),
        field: str | None = None,
        source: Source = "request",
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.code = code
        self._segments = segments
        self.field = field
        self.source = source

    @property
    def segments(self) -> tuple[str | int, ...]:
        """The path as a tuple of object keys (``str``) and array indices (``int``)."""
        return self._segments

    @property
    def path(self) -> str:
        """The JSON Pointer (RFC 6901) to the offending place; ``""`` is the root."""
        return format_pointer(self._segments)

    def __str__(self) -> str:
        where: list[str] = []
        if self.source == "stored":
            where.append("stored")
        if self.field is not None:
            where.append(self.field)
        where.append(f"at {self.path!r}" if self._segments else "at the root")
        return f"{self.detail} [{self.code}; {' '.join(where)}]"

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}({self.detail!r}, code={self.code!r}, "
            f"path={self.path!r}, field={self.field!r}, source={self.source!r})"
        )

    def __reduce__(self) -> tuple[Any, ...]:
        # Keyword-only arguments are not restored by the default exception
        # pickling, which would break errors sent between processes.
        return (
            _rebuild,
            (type(self), self.detail, self.code, self._segments, self.field, self.source),
        )


def prepend_path(error: MetadataError, /, *segments: str | int) -> None:
    """Re-anchor ``error``'s path below ``segments``, for an error raised inside a larger document.

    Changes the error in place (as :meth:`BaseException.add_note` does), so
    it can be re-raised with its original traceback. Private to the package:
    an error's path is fixed once a caller sees it.
    """
    # Used where a field's value meets the request body around it. A function
    # beside the class, not a method, so that the class shows callers nothing
    # that rewrites an error; the path's storage is the class's own.
    moved = segments + error._segments  # noqa: SLF001  # pyright: ignore[reportPrivateUsage]
    error._segments = moved  # noqa: SLF001  # pyright: ignore[reportPrivateUsage]


def _rebuild(
    cls: type[MetadataError],
    detail: str,
    code: ErrorCode,
    segments: tuple[str | int, ...],
    field: str | None,
    source: Source,
) -> MetadataError:
    return cls(detail, code=code, segments=segments, field=field, source=source)


class InvalidValueError(MetadataError):
    """A value is not JSON, or a field holds something other than an object or null."""

    __slots__ = ()


class InvalidArgumentError(MetadataError):
    """An argument is of the wrong kind altogether (for example not a record)."""

    __slots__ = ()


class InvalidJSONError(InvalidValueError):
    """A JSON text is not strict JSON (RFC 8259), or holds a value that cannot be kept.

    ``position`` is the offset of the problem in the input: in bytes when the
    input was ``bytes``, in characters when it was ``str``.
    """

    __slots__ = ("position",)

    position: int

    def __init__(
        self,
        detail: str,
        /,
        *,
        code: ErrorCode,
        segments: tuple[str | int, ...] = (),
        field: str | None = None,
        source: Source = "request",
        position: int = 0,
    ) -> None:
        super().__init__(detail, code=code, segments=segments, field=field, source=source)
        self.position = position

    def __reduce__(self) -> tuple[Any, ...]:
        return (
            _rebuild_json,
            (self.detail, self.code, self._segments, self.field, self.source, self.position),
        )


def _rebuild_json(
    detail: str,
    code: ErrorCode,
    segments: tuple[str | int, ...],
    field: str | None,
    source: Source,
    position: int,
) -> InvalidJSONError:
    return InvalidJSONError(
        detail, code=code, segments=segments, field=field, source=source, position=position
    )


class InvalidBodyError(MetadataError):
    """A request body or user object has the wrong shape: not an object, or wrong members."""

    __slots__ = ()


class UnsupportedMethodError(MetadataError):
    """A request names an HTTP method other than ``PUT`` or ``PATCH``."""

    __slots__ = ()


class LimitExceededError(MetadataError):
    """The result of a write is larger or deeper than the :class:`Limits` allow.

    ``field`` names the field measured (``None`` for all three together),
    ``measured`` is what was found and ``limit`` the bound it broke, both in
    bytes for size codes and in levels for ``too_deep``.
    """

    __slots__ = ("limit", "measured")

    measured: int
    limit: int

    def __init__(
        self,
        detail: str,
        /,
        *,
        code: ErrorCode,
        measured: int,
        limit: int,
        segments: tuple[str | int, ...] = (),
        field: str | None = None,
        source: Source = "request",
    ) -> None:
        super().__init__(detail, code=code, segments=segments, field=field, source=source)
        self.measured = measured
        self.limit = limit

    def __reduce__(self) -> tuple[Any, ...]:
        return (
            _rebuild_limit,
            (
                self.detail,
                self.code,
                self.measured,
                self.limit,
                self._segments,
                self.field,
                self.source,
            ),
        )


def _rebuild_limit(
    detail: str,
    code: ErrorCode,
    measured: int,
    limit: int,
    segments: tuple[str | int, ...],
    field: str | None,
    source: Source,
) -> LimitExceededError:
    return LimitExceededError(
        detail,
        code=code,
        measured=measured,
        limit=limit,
        segments=segments,
        field=field,
        source=source,
    )


ErrorCode: TypeAlias = Literal[
    "unsupported_type",
    "non_string_key",
    "non_finite_number",
    "invalid_string",
    "circular_reference",
    "misplaced_omitted",
    "invalid_field",
    "invalid_argument",
    "integer_too_long",
    "invalid_json",
    "empty_input",
    "trailing_data",
    "duplicate_key",
    "invalid_utf8",
    "byte_order_mark",
    "invalid_body",
    "unknown_key",
    "duplicate_field",
    "missing_field",
    "unsupported_method",
    "field_too_large",
    "metadata_too_large",
    "too_deep",
    "body_too_large",
    "unpatchable_null",
    "unstorable_string",
    "unstorable_number",
    "unstorable_depth",
]
"""Every stable error code."""


@dataclass(frozen=True, slots=True)
class ErrorCodeInfo:
    """One row of the error table: a code, the class that carries it, its meaning."""

    code: ErrorCode
    error_type: type[MetadataError]
    meaning: str


def _table(*rows: ErrorCodeInfo) -> Mapping[str, ErrorCodeInfo]:
    return MappingProxyType({row.code: row for row in rows})


ERROR_CODES: Final[Mapping[str, ErrorCodeInfo]] = _table(
    ErrorCodeInfo(
        "unsupported_type",
        InvalidValueError,
        "A value has a Python type with no JSON form (set, tuple, bytes, other objects).",
    ),
    ErrorCodeInfo("non_string_key", InvalidValueError, "An object key is not a `str`."),
    ErrorCodeInfo(
        "non_finite_number",
        InvalidValueError,
        "A number is NaN or infinite: a `float`, a `NaN`/`Infinity`/`-Infinity` literal, "
        "or a JSON number too large for a double (`1e999`).",
    ),
    ErrorCodeInfo(
        "invalid_string",
        InvalidValueError,
        "A string or key holds a lone surrogate (a `str`, or a `\\ud800` escape in JSON text) "
        "and has no UTF-8 form.",
    ),
    ErrorCodeInfo(
        "circular_reference",
        InvalidValueError,
        "A container holds itself, directly or through others.",
    ),
    ErrorCodeInfo(
        "misplaced_omitted",
        InvalidValueError,
        "`OMITTED` appears inside a value; it may only stand for a whole field.",
    ),
    ErrorCodeInfo(
        "invalid_field",
        InvalidValueError,
        "A metadata field holds something other than an object or null.",
    ),
    ErrorCodeInfo(
        "invalid_argument",
        InvalidArgumentError,
        "An argument is not of the documented kind (for example not a `UserMetadata`).",
    ),
    ErrorCodeInfo(
        "integer_too_long",
        InvalidValueError,
        "An integer has more digits than Python converts to or from text "
        "(`sys.get_int_max_str_digits()`).",
    ),
    ErrorCodeInfo(
        "invalid_json",
        InvalidJSONError,
        "The text is not JSON; the message gives the line, column and offset.",
    ),
    ErrorCodeInfo("empty_input", InvalidJSONError, "The text is empty or only whitespace."),
    ErrorCodeInfo("trailing_data", InvalidJSONError, "More text follows a complete JSON value."),
    ErrorCodeInfo(
        "duplicate_key",
        InvalidJSONError,
        "An object in JSON text has the same key twice; the path is the object's.",
    ),
    ErrorCodeInfo("invalid_utf8", InvalidJSONError, "The bytes are not valid UTF-8."),
    ErrorCodeInfo(
        "byte_order_mark",
        InvalidJSONError,
        "The text starts with a byte order mark (U+FEFF), which JSON senders must not add.",
    ),
    ErrorCodeInfo(
        "invalid_body",
        InvalidBodyError,
        "A request body or user object is not a JSON object.",
    ),
    ErrorCodeInfo(
        "unknown_key",
        InvalidBodyError,
        "A request body has a member that is not one of the three fields in its naming.",
    ),
    ErrorCodeInfo(
        "duplicate_field",
        InvalidBodyError,
        "A body spells one field both ways (`public_metadata` and `publicMetadata`).",
    ),
    ErrorCodeInfo(
        "missing_field",
        InvalidBodyError,
        "A user object lacks one of the three metadata members.",
    ),
    ErrorCodeInfo(
        "unsupported_method",
        UnsupportedMethodError,
        "The HTTP method is not `PUT` or `PATCH` (methods are case-sensitive).",
    ),
    ErrorCodeInfo(
        "field_too_large",
        LimitExceededError,
        "A field of the result is larger than `Limits.max_field_bytes`.",
    ),
    ErrorCodeInfo(
        "metadata_too_large",
        LimitExceededError,
        "The three fields of the result together are larger than `Limits.max_total_bytes`.",
    ),
    ErrorCodeInfo(
        "too_deep",
        LimitExceededError,
        "A field of the result nests deeper than `Limits.max_depth`.",
    ),
    ErrorCodeInfo(
        "body_too_large",
        LimitExceededError,
        "A request body's text is longer than `Limits.max_body_bytes`; checked before parsing.",
    ),
    ErrorCodeInfo(
        "unpatchable_null",
        InvalidValueError,
        "`diff_merge_patch`: the new value holds a null object member, which no merge patch "
        "can store; use replace.",
    ),
    ErrorCodeInfo(
        "unstorable_string",
        InvalidValueError,
        "`metadata_semantics.sql.check_storable`: a string or key holds U+0000, which "
        "PostgreSQL's `jsonb` cannot store.",
    ),
    ErrorCodeInfo(
        "unstorable_number",
        InvalidValueError,
        "`metadata_semantics.sql.check_storable`: a float PostgreSQL's `jsonb` would change: "
        "`-0.0` (its sign is lost) or one of magnitude 1e16 or more (it comes back an integer).",
    ),
    ErrorCodeInfo(
        "unstorable_depth",
        InvalidValueError,
        "`metadata_semantics.sql.check_storable`: a field nests deeper than the dialect's "
        "write can take (`STORABLE_DEPTH`).",
    ),
)
"""Every error code, the exception class that carries it, and what it means."""

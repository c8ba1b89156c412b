"""The request body: reading and writing the three fields as JSON, and one whole request.

A body is where "omitted" and "null" are told apart: a key that is absent is
:data:`OMITTED`, a key holding ``null`` is ``None``. Everything here keeps
that distinction in both directions, and every error's path starts at the
body's root, spelled in the body's own naming.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Final, TypeAlias, cast

from ._errors import (
    InvalidArgumentError,
    InvalidBodyError,
    InvalidValueError,
    MetadataError,
    Source,
    UnsupportedMethodError,
    prepend_path,
)
from ._json import parse_json
from ._limits import (
    UPSTREAM_LIMITS,
    Limits,
    check_body_size,
    check_limits,
    member_budget,
    over_budget,
)
from ._records import UserMetadata, UserMetadataParams
from ._semantics import check_limits_argument, check_stored, write
from ._sentinel import OMITTED
from ._types import FIELDS, WIRE_NAMES, FieldName, Metadata, Naming
from ._values import copy_json, describe, is_array, is_object, members

if TYPE_CHECKING:
    from ._semantics import Operation

__all__ = [
    "METHODS",
    "apply_request",
    "check_result",
    "params_from_body",
    "params_to_body",
    "read_request",
    "record_from_body",
    "record_to_body",
]

# The members of a body that has passed the Mapping check.
_Members: TypeAlias = "Mapping[object, object]"

METHODS: Final[Mapping[str, Operation]] = MappingProxyType({"PUT": "replace", "PATCH": "merge"})
"""The HTTP methods a request may use, and the write each one means."""

# JSON's whitespace (RFC 8259, section 2), and no other: str.strip() with no
# argument would also take a form feed or a no-break space for a blank body.
_BLANK: Final = " \t\n\r"
_BLANK_BYTES: Final = _BLANK.encode("ascii")

# Which field each body key names, in each naming.
_FIELD_OF: Final[Mapping[str, Mapping[str, FieldName]]] = MappingProxyType(
    {
        naming: MappingProxyType(dict(zip(names, FIELDS, strict=True)))
        for naming, names in WIRE_NAMES.items()
    }
)
# Each field beside its body key, in the order of FIELDS.
_PAIRS: Final[Mapping[str, tuple[tuple[FieldName, str], ...]]] = MappingProxyType(
    {naming: tuple(zip(FIELDS, names, strict=True)) for naming, names in WIRE_NAMES.items()}
)
_OTHER: Final[Mapping[str, Naming]] = MappingProxyType({"snake": "camel", "camel": "snake"})


def _json_kind(value: object) -> str:
    kind = type(value)
    if value is None:
        return "null"
    if kind is bool:
        return "a boolean"
    if issubclass(kind, (int, float)):
        return "a number"
    if issubclass(kind, str):
        return "a string"
    if is_array(value):
        return "an array"
    return f"a {kind.__qualname__}"


def _text(value: object) -> str | None:
    """``value`` as an exact ``str`` if its real type is ``str`` or a subclass, else ``None``."""
    return str.__str__(cast(str, value)) if issubclass(type(value), str) else None


def _check_naming(naming: object) -> Naming:
    text = _text(naming)
    if text is None or text not in WIRE_NAMES:
        raise InvalidArgumentError(
            "naming must be 'snake' or 'camel', not "
            + (describe(naming) if text is None else repr(text)),
            code="invalid_argument",
        )
    return cast(Naming, text)


def _pairs(body: object, what: str, source: Source) -> list[tuple[object, object]]:
    """The members of a body, read once: a ``dict`` through its own storage.

    A ``Mapping`` that is no ``dict`` has only its own ``items()`` to read
    through; an exception raised there becomes ``invalid_body``, with the
    original as its ``__cause__``.
    """
    if is_object(body):
        return list(members(body))
    if not issubclass(type(body), Mapping):
        raise InvalidBodyError(
            f"{what} must be a JSON object, not {_json_kind(body)}",
            code="invalid_body",
            source=source,
        )
    try:
        return list(cast(_Members, body).items())
    except Exception as error:
        raise InvalidBodyError(
            f"{what} could not be read: its items() raised {type(error).__qualname__}",
            code="invalid_body",
            source=source,
        ) from error


def _read_fields(
    body: object, naming: Naming, *, what: str, source: Source, strict: bool = False
) -> dict[FieldName, tuple[str, object]]:
    """Find the three fields in a body: field name to (body key, raw value).

    ``strict`` rejects any other key, as a request must; a user object has
    other members, which are skipped. Both spellings of one field are always
    an error, since only one of them could be obeyed.
    """
    pairs = [(_text(key), key, value) for key, value in _pairs(body, what, source)]
    names = {name for name, _, _ in pairs if name is not None}
    own = _FIELD_OF[naming]
    other = _FIELD_OF[_OTHER[naming]]
    found: dict[FieldName, tuple[str, object]] = {}
    for name, key, value in pairs:
        if name is not None and name in own:
            found[own[name]] = (name, value)
            continue
        if name is not None and name in other:
            field = other[name]
            spelling = WIRE_NAMES[naming][FIELDS.index(field)]
            if spelling in names:
                raise InvalidBodyError(
                    f"{what} spells {field} twice, as {spelling!r} and as {name!r}",
                    code="duplicate_field",
                    segments=(name,),
                    field=field,
                    source=source,
                )
            if strict:
                raise InvalidBodyError(
                    f"{what} has the key {name!r}, which is the {_OTHER[naming]} spelling of "
                    f"{field}; this body is read with naming={naming!r}",
                    code="unknown_key",
                    segments=(name,),
                )
        elif strict:
            expected = ", ".join(repr(field) for field in WIRE_NAMES[naming])
            segment = describe(key) if name is None else name
            raise InvalidBodyError(
                f"{what} has the unknown key {segment!r}; the keys are {expected}",
                code="unknown_key",
                segments=(segment,),
            )
    return found


def _field_value(
    key: str, field: FieldName, value: object, *, source: Source, trusted: bool = False
) -> Metadata | None:
    """Return a body member as a field's value: ``None`` or a validated copy of an object."""
    if value is None:
        return None
    if is_object(value):
        if trusted:
            return cast(Metadata, value)
        copied = copy_json(value, field=field, source=source, base=(key,))
        return cast(Metadata, copied)
    raise InvalidValueError(
        f"{key} must be an object or null, not {_json_kind(value)}",
        code="invalid_field",
        segments=(key,),
        field=field,
        source=source,
    )


def params_from_body(
    body: object, /, *, naming: object, trusted: bool = False
) -> UserMetadataParams:
    """Read a request body into :class:`UserMetadataParams`; see ``UserMetadataParams.from_body``.

    ``trusted`` skips the copy, for a body that :func:`parse_json` has just
    built or that a write is about to validate and copy itself.
    """
    checked = _check_naming(naming)
    found = _read_fields(body, checked, what="the request body", strict=True, source="request")
    values: dict[str, Metadata | None] = {
        field: _field_value(key, field, value, source="request", trusted=trusted)
        for field, (key, value) in found.items()
    }
    return UserMetadataParams(**values)


def params_to_body(params: UserMetadataParams, /, *, naming: object) -> dict[str, Metadata | None]:
    """Write :class:`UserMetadataParams` as a request body; see ``UserMetadataParams.to_body``."""
    body: dict[str, Metadata | None] = {}
    for field, key in _PAIRS[_check_naming(naming)]:
        value: object = getattr(params, field)
        if value is not OMITTED:
            body[key] = _field_value(key, field, value, source="request")
    return body


def record_from_body(body: object, /, *, naming: object) -> UserMetadata:
    """Read the three members of a user object; see ``UserMetadata.from_body``."""
    checked = _check_naming(naming)
    found = _read_fields(body, checked, what="the user object", source="stored")
    values: list[Metadata | None] = []
    for field, key in _PAIRS[checked]:
        if field not in found:
            raise InvalidBodyError(
                f"the user object has no {key!r} member; a stored record needs all three",
                code="missing_field",
                field=field,
                source="stored",
            )
        _, value = found[field]
        values.append(_field_value(key, field, value, source="stored"))
    return UserMetadata(*values)


def record_to_body(record: UserMetadata, /, *, naming: object) -> dict[str, Metadata | None]:
    """Write the three fields of a stored record; see ``UserMetadata.to_body``."""
    return {
        key: _field_value(key, field, getattr(record, field), source="stored")
        for field, key in _PAIRS[_check_naming(naming)]
    }


def _operation(method: object) -> Operation:
    text = _text(method)
    if text is not None and text in METHODS:
        return METHODS[text]
    hint = ""
    if text is not None and text.upper() in METHODS:
        hint = f"; HTTP methods are case-sensitive, so write {text.upper()!r}"
    shown = describe(method) if text is None else repr(text)
    raise UnsupportedMethodError(
        f"method {shown} is not supported: use 'PUT' (replace) or 'PATCH' (merge){hint}",
        code="unsupported_method",
    )


def _blank(text: str | bytes) -> bool:
    if isinstance(text, str):
        return not text.strip(_BLANK)
    return not text.strip(_BLANK_BYTES)


def _body_text(body: object) -> str | bytes | None:
    """A text body as an exact ``str`` or ``bytes``, read through built-in storage, or ``None``."""
    kind = type(body)
    if issubclass(kind, str):
        return str.__str__(cast(str, body))
    if issubclass(kind, (bytes, bytearray)):
        return bytes(memoryview(cast(bytes, body)))
    return None


def _parse_body(text: str | bytes, naming: Naming) -> object:
    try:
        return parse_json(text)
    except MetadataError as error:
        # A bad value inside a field belongs to that field, as it does for a
        # mapping body, where the write finds it.
        head = error.segments[:1]
        if head and head[0] in _FIELD_OF[naming]:
            error.field = _FIELD_OF[naming][cast(str, head[0])]
        raise


def _request_params(body: object, naming: Naming, limits: Limits | None) -> UserMetadataParams:
    if body is None:
        return UserMetadataParams()
    text = _body_text(body)
    if text is None:
        # Not copied here: the write validates and copies each field once,
        # with the limits' budget, and counts only what the result holds.
        return params_from_body(body, naming=naming, trusted=True)
    check_body_size(text, limits)
    if _blank(text):
        return UserMetadataParams()
    return params_from_body(_parse_body(text, naming), naming=naming, trusted=True)


def apply_request(
    stored: UserMetadata,
    method: str,
    body: str | bytes | bytearray | Mapping[str, object] | None,
    /,
    *,
    limits: Limits | None = UPSTREAM_LIMITS,
    naming: Naming = "snake",
    share: bool = False,
) -> UserMetadata:
    """Return the record after one HTTP request: ``PUT`` replaces, ``PATCH`` merges.

    ``body`` is JSON text (``str`` or UTF-8 ``bytes``), an already decoded
    mapping, or ``None``; a missing, empty or whitespace-only body provides
    no field. Raises :class:`MetadataError` for a bad method, body or stored
    record, a text body longer than ``limits.max_body_bytes`` (before it is
    parsed), or a result beyond ``limits`` (:data:`UPSTREAM_LIMITS` by
    default), with paths from the body's root. Changes nothing. With
    ``share``, the result may hold the very objects of ``stored``.
    """
    operation = _operation(method)
    checked = _check_naming(naming)
    check_stored(stored)
    check_limits_argument(limits)
    params = _request_params(body, checked, limits)
    try:
        return write(operation, stored, params, limits, share=share)
    except MetadataError as error:
        # The write reports paths inside a field; the caller sent a body.
        if error.field is not None:
            prepend_path(error, WIRE_NAMES[checked][FIELDS.index(cast(FieldName, error.field))])
        raise


def read_request(
    method: str,
    body: str | bytes | bytearray | None,
    /,
    *,
    limits: Limits | None = UPSTREAM_LIMITS,
    naming: Naming = "snake",
) -> tuple[Operation, UserMetadataParams]:
    """Read one HTTP request without applying it: its write, and its fields.

    This is the first half of :func:`apply_request`, for a caller that
    applies the write elsewhere (in a database, say) and then checks the
    result with :func:`check_result`, passing it these ``params``: with the
    write run with no limits in between, the result, or the error's code,
    path and field, is what :func:`apply_request` gives. ``body`` is JSON
    text or ``None``; a mapping raises :class:`InvalidArgumentError`.
    Raises :class:`MetadataError` exactly where :func:`apply_request`
    would for the method, the body and its size; changes nothing.
    """
    operation = _operation(method)
    checked = _check_naming(naming)
    check_limits_argument(limits)
    text = _body_text(body)
    if text is None and body is not None:
        raise InvalidArgumentError(
            f"body must be JSON text or None, not {describe(body)}", code="invalid_argument"
        )
    return operation, _request_params(text, checked, limits)


def _over_budget(value: object, budget: int) -> bool:
    """Whether ``value`` holds more members, at every depth, than ``budget``."""
    pending: list[object] = [value]
    while pending:
        item = pending.pop()
        children: list[object]
        if isinstance(item, dict):
            children = list(cast("dict[str, object]", item).values())
        elif isinstance(item, list):
            children = list(cast("list[object]", item))
        else:
            continue
        budget -= len(children)
        if budget < 0:
            return True
        pending.extend(children)
    return False


def check_result(
    record: UserMetadata,
    limits: Limits | None,
    /,
    *,
    naming: Naming = "snake",
    params: UserMetadataParams | None = None,
) -> None:
    """Raise :class:`LimitExceededError` if a write's result breaks ``limits``.

    The second half of :func:`apply_request`: the same bounds, the same
    error (code, path and field) in the same order, with the path spelled
    from the request body's root. ``record`` must hold plain JSON.

    ``params`` is the request as :func:`read_request` returned it. When
    more than one field breaks the limits, it decides which one is reported,
    as in :func:`apply_request`: a field holding more members than the
    smaller byte bound is reported first (the request's fields before the
    kept ones, each group in field order), as a write stops building it
    there; then each field in order, depth before size, and the total last.
    Without ``params``, fields are taken in field order. Changes nothing.
    """
    checked = _check_naming(naming)
    check_stored(record)
    check_limits_argument(limits)
    if params is not None and type(params) is not UserMetadataParams:
        raise InvalidArgumentError(
            f"params must be a UserMetadataParams or None, not {describe(params)}",
            code="invalid_argument",
        )
    if limits is None:
        return
    given = (
        [] if params is None else [name for name in FIELDS if getattr(params, name) is not OMITTED]
    )
    budget = member_budget(limits)
    try:
        for name in [*given, *(name for name in FIELDS if name not in given)]:
            if _over_budget(getattr(record, name), budget):
                raise over_budget(name, limits)
        check_limits(record, limits)
    except MetadataError as error:
        if error.field is not None:
            prepend_path(error, WIRE_NAMES[checked][FIELDS.index(cast(FieldName, error.field))])
        raise

"""A stand-in reader for request bodies, used until the wire layer lands.

Provisional: everything here is to be replaced by ``parse_json`` and the
``from_body`` / ``to_body`` methods of the records. It reads just enough for
the conformance vectors and the command line: strict JSON text, and the
body and stored record in wire form.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Literal, NoReturn, TypeAlias, cast

from ._errors import InvalidValueError
from ._records import UserMetadata, UserMetadataParams
from ._sentinel import OMITTED
from ._types import FIELDS
from ._values import copy_json

if TYPE_CHECKING:
    from ._types import JSONValue

__all__ = [
    "Naming",
    "params_from_body",
    "params_to_body",
    "parse_body_text",
    "parse_json",
    "record_from_body",
    "record_to_body",
]

Naming: TypeAlias = Literal["snake", "camel"]

_CAMEL = {
    "public_metadata": "publicMetadata",
    "private_metadata": "privateMetadata",
    "unsafe_metadata": "unsafeMetadata",
}


def _fail(code: str, detail: str, *segments: str | int) -> NoReturn:
    raise InvalidValueError(detail, code=code, segments=segments)


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            _fail("duplicate_key", f"duplicate key {key!r}")
        result[key] = value
    return result


def _constant(name: str) -> NoReturn:
    _fail("non_finite_number", f"{name} is not JSON")


def parse_json(text: str | bytes, /) -> JSONValue:
    """Parse strict JSON text."""
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError:
            _fail("invalid_json", "the body is not UTF-8")
    try:
        value = json.loads(text, object_pairs_hook=_pairs, parse_constant=_constant)
    except json.JSONDecodeError as error:
        _fail("invalid_json", f"not JSON: {error.msg}")
    except RecursionError:
        _fail("invalid_json", "nested too deep")
    return copy_json(value)


def params_from_body(body: object, /, *, naming: Naming = "snake") -> UserMetadataParams:
    """Read a request body (a parsed JSON value) into params."""
    if not isinstance(body, dict):
        _fail("invalid_body", "the body must be a JSON object")
    names = {(_CAMEL[name] if naming == "camel" else name): name for name in FIELDS}
    values: dict[str, object] = {}
    for key, value in cast("dict[str, object]", body).items():
        if key not in names:
            _fail("unknown_field", f"unknown key {key!r}", key)
        if value is not None and not isinstance(value, dict):
            _fail("invalid_field", "a metadata field must be an object or null", key)
        values[names[key]] = value
    return UserMetadataParams(**cast("dict[str, Any]", values))


def record_from_body(body: object, /) -> UserMetadata:
    """Read a stored record in wire form: an object with the three fields."""
    if not isinstance(body, dict):
        _fail("invalid_body", "the record must be a JSON object")
    members = cast("dict[str, object]", body)
    for key in members:
        if key not in FIELDS:
            _fail("unknown_field", f"unknown key {key!r}", key)
    return UserMetadata(**cast("dict[str, Any]", {name: members.get(name, {}) for name in FIELDS}))


def params_to_body(params: UserMetadataParams, /) -> dict[str, JSONValue]:
    """The body of a request: omitted fields left out."""
    return {name: getattr(params, name) for name in FIELDS if getattr(params, name) is not OMITTED}


def record_to_body(record: UserMetadata, /) -> dict[str, JSONValue]:
    """The three fields of a record, in wire form."""
    return {name: getattr(record, name) for name in FIELDS}


def parse_body_text(text: str | bytes, /, *, naming: Naming = "snake") -> UserMetadataParams:
    """Read the text of a request body as the HTTP API does; blank means nothing is provided."""
    if not text.strip():
        return UserMetadataParams()
    return params_from_body(parse_json(text), naming=naming)

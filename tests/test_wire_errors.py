"""The wire's error types keep their extra attributes through pickling and in messages."""

from __future__ import annotations

import pickle
from typing import Any

import pytest

from metadata_semantics import (
    ERROR_CODES,
    ErrorCodeInfo,
    InvalidJSONError,
    LimitExceededError,
    MetadataError,
)


def roundtrip(error: MetadataError) -> MetadataError:
    restored: MetadataError = pickle.loads(pickle.dumps(error))  # noqa: S301 - our own object
    return restored


def test_a_json_error_keeps_its_position_through_pickling() -> None:
    error = InvalidJSONError("bad", code="invalid_json", segments=("a", 0), position=7)
    restored = roundtrip(error)
    assert type(restored) is InvalidJSONError
    assert (restored.code, restored.path, restored.position) == ("invalid_json", "/a/0", 7)


def test_a_limit_error_keeps_measured_and_limit_through_pickling() -> None:
    error = LimitExceededError(
        "too big",
        code="field_too_large",
        measured=9000,
        limit=8192,
        segments=("public_metadata",),
        field="public_metadata",
    )
    restored = roundtrip(error)
    assert type(restored) is LimitExceededError
    assert (restored.measured, restored.limit, restored.field, restored.path) == (
        9000,
        8192,
        "public_metadata",
        "/public_metadata",
    )
    assert str(restored) == str(error)


def _example(info: ErrorCodeInfo) -> MetadataError:
    """An error of the row's class with no attribute left at its default."""
    common: dict[str, Any] = {
        "code": info.code,
        "segments": ("public_metadata", "a", 0),
        "field": "public_metadata",
        "source": "stored",
    }
    if info.error_type is InvalidJSONError:
        return InvalidJSONError("bad text", position=11, **common)
    if info.error_type is LimitExceededError:
        return LimitExceededError("too big", measured=9000, limit=8192, **common)
    return info.error_type("bad value", **common)


def _attributes(error: MetadataError) -> tuple[object, ...]:
    return (
        type(error),
        error.args,
        error.detail,
        error.code,
        error.segments,
        error.path,
        error.field,
        error.source,
        getattr(error, "position", None),
        getattr(error, "measured", None),
        getattr(error, "limit", None),
        str(error),
        repr(error),
    )


@pytest.mark.parametrize("protocol", range(pickle.HIGHEST_PROTOCOL + 1))
@pytest.mark.parametrize("info", ERROR_CODES.values(), ids=list(ERROR_CODES))
def test_every_error_survives_pickling_with_every_attribute(
    info: ErrorCodeInfo, protocol: int
) -> None:
    error = _example(info)
    restored = pickle.loads(pickle.dumps(error, protocol=protocol))  # noqa: S301 - our own object
    assert _attributes(restored) == _attributes(error)
    assert (restored.source, restored.field, restored.detail) == (
        "stored",
        "public_metadata",
        error.detail,
    )


@pytest.mark.parametrize("info", ERROR_CODES.values(), ids=list(ERROR_CODES))
def test_every_error_blames_the_request_unless_told_otherwise(info: ErrorCodeInfo) -> None:
    if info.error_type is LimitExceededError:
        error: MetadataError = LimitExceededError("x", code=info.code, measured=2, limit=1)
    else:
        error = info.error_type("x", code=info.code)
    assert (error.source, error.field, error.segments, error.path) == ("request", None, (), "")

"""The wire's error types keep their extra attributes through pickling and in messages."""

from __future__ import annotations

import pickle

from metadata_semantics import InvalidJSONError, LimitExceededError, MetadataError


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

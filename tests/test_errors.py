"""The error family: codes as data, JSON Pointer paths, pickling, messages."""

from __future__ import annotations

import pickle
from typing import Any

import pytest
from typing_extensions import assert_never, assert_type

import metadata_semantics
from metadata_semantics import (
    ERROR_CODES,
    ErrorCode,
    InvalidValueError,
    MetadataError,
    UserMetadata,
    UserMetadataParams,
    replace_metadata,
)
from metadata_semantics._errors import format_pointer, prepend_path


def test_every_error_type_is_a_metadata_error_and_a_value_error() -> None:
    for info in ERROR_CODES.values():
        assert issubclass(info.error_type, MetadataError)
        assert issubclass(info.error_type, ValueError)
        assert info.code == info.code.lower()
        assert " " not in info.code


@pytest.mark.parametrize(
    ("segments", "pointer"),
    [
        ((), ""),
        (("a",), "/a"),
        (("a", 0, "b"), "/a/0/b"),
        (("a/b",), "/a~1b"),
        (("~1",), "/~01"),
        (("",), "/"),
        (("~", "/"), "/~0/~1"),
    ],
)
def test_paths_are_rfc6901_pointers(segments: tuple[str | int, ...], pointer: str) -> None:
    assert format_pointer(segments) == pointer
    assert MetadataError("x", code="invalid_field", segments=segments).path == pointer


def test_error_survives_pickling_with_all_its_parts() -> None:
    error = InvalidValueError(
        "bad", code="unsupported_type", segments=("a", 1), field="public_metadata", source="stored"
    )
    restored = pickle.loads(pickle.dumps(error))  # noqa: S301
    assert type(restored) is InvalidValueError
    assert (restored.code, restored.path, restored.field, restored.source, restored.detail) == (
        "unsupported_type",
        "/a/1",
        "public_metadata",
        "stored",
        "bad",
    )


def test_message_names_the_code_the_field_and_the_place() -> None:
    bad: Any = {"a/b": [{1}]}
    with pytest.raises(MetadataError) as caught:
        replace_metadata(UserMetadata(), UserMetadataParams(public_metadata=bad))
    text = str(caught.value)
    assert "unsupported_type" in text
    assert "public_metadata" in text
    assert "'/a~1b/0'" in text
    assert "InvalidValueError" in repr(caught.value)


def test_message_for_the_root_and_for_stored_data() -> None:
    error = MetadataError("broken", code="invalid_field", source="stored")
    assert str(error) == "broken [invalid_field; stored at the root]"


def test_segments_and_re_anchoring_under_a_prefix() -> None:
    error = MetadataError("x", code="invalid_field", segments=("a", 0))
    assert error.segments == ("a", 0)
    prepend_path(error, "public_metadata")
    assert error.path == "/public_metadata/a/0"


def kind_of(code: ErrorCode) -> str:
    """What went wrong, by code: a ``match`` that a type checker proves complete."""
    match code:
        case (
            "unsupported_type"
            | "non_string_key"
            | "non_finite_number"
            | "invalid_string"
            | "circular_reference"
            | "misplaced_omitted"
            | "invalid_field"
            | "integer_too_long"
            | "unpatchable_null"
            | "unstorable_string"
            | "unstorable_number"
            | "unstorable_depth"
        ):
            return "InvalidValueError"
        case (
            "invalid_json"
            | "empty_input"
            | "trailing_data"
            | "duplicate_key"
            | "invalid_utf8"
            | "byte_order_mark"
        ):
            return "InvalidJSONError"
        case "invalid_body" | "unknown_key" | "duplicate_field" | "missing_field":
            return "InvalidBodyError"
        case "field_too_large" | "metadata_too_large" | "too_deep" | "body_too_large":
            return "LimitExceededError"
        case "invalid_argument":
            return "InvalidArgumentError"
        case "unsupported_method":
            return "UnsupportedMethodError"
        case _:
            # mypy and pyright check that no code is left: were ``code`` a
            # plain ``str``, this call would not type-check.
            assert_never(code)


def test_the_code_is_typed_as_the_error_code_literal() -> None:
    with pytest.raises(MetadataError) as caught:
        UserMetadataParams.from_body({"nickname": {}})
    assert_type(caught.value.code, ErrorCode)
    assert kind_of(caught.value.code) == "InvalidBodyError"


def test_a_match_on_codes_agrees_with_the_table() -> None:
    for code, info in ERROR_CODES.items():
        assert kind_of(info.code) == info.error_type.__name__, code


def test_prepend_path_is_not_public() -> None:
    assert not hasattr(MetadataError, "prepend_path")
    assert "prepend_path" not in metadata_semantics.__all__

"""The error family: codes as data, JSON Pointer paths, pickling, messages."""

from __future__ import annotations

import pickle
from typing import Any

import pytest

from metadata_semantics import (
    ERROR_CODES,
    InvalidValueError,
    MetadataError,
    UserMetadata,
    UserMetadataParams,
    replace_metadata,
)
from metadata_semantics._errors import format_pointer


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
    assert MetadataError("x", code="c", segments=segments).path == pointer


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
    error = MetadataError("x", code="c", segments=("a", 0))
    assert error.segments == ("a", 0)
    error.prepend_path("public_metadata")
    assert error.path == "/public_metadata/a/0"

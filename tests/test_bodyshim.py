"""The stand-in body reader, until the wire layer replaces it."""

from __future__ import annotations

import pytest

from metadata_semantics import MetadataError, UserMetadataParams
from metadata_semantics._bodyshim import parse_body_text, parse_json, record_from_body


def test_bytes_are_read_as_utf8_and_bad_bytes_rejected() -> None:
    assert parse_json(b'{"a": [1]}') == {"a": [1]}
    with pytest.raises(MetadataError) as caught:
        parse_json(b"\xff")
    assert caught.value.code == "invalid_json"


def test_deep_text_is_an_error_not_a_recursion_error() -> None:
    with pytest.raises(MetadataError):
        parse_json("[" * 100_000 + "]" * 100_000)


@pytest.mark.parametrize(("body", "code"), [([], "invalid_body"), ({"x": {}}, "unknown_field")])
def test_a_stored_record_must_be_an_object_of_fields(body: object, code: str) -> None:
    with pytest.raises(MetadataError) as caught:
        record_from_body(body)
    assert caught.value.code == code


def test_a_missing_stored_field_reads_as_empty_and_a_blank_body_as_nothing() -> None:
    assert record_from_body({"public_metadata": None}).private_metadata == {}
    assert parse_body_text(b" \n") == UserMetadataParams()

"""Bad input always raises MetadataError with a code and a path, and nothing else."""

from __future__ import annotations

import enum
import math
from typing import Any, cast

import pytest
from hypothesis import given
from hypothesis import strategies as st

from metadata_semantics import (
    ERROR_CODES,
    FIELDS,
    OMITTED,
    InvalidArgumentError,
    InvalidValueError,
    MetadataError,
    UserMetadata,
    UserMetadataParams,
    merge_metadata,
    merge_patch,
    replace_metadata,
)
from metadata_semantics.strategies import bad_values, json_values, metadata, user_metadata

from strict import same

operations = st.sampled_from([replace_metadata, merge_metadata])


def _cycle() -> dict[str, Any]:
    loop: dict[str, Any] = {"a": [1]}
    loop["a"].append(loop)
    return loop


# (value placed in a field, expected code, expected path relative to the field)
REJECTIONS: list[tuple[Any, str, str]] = [
    ({"a": {1, 2}}, "unsupported_type", "/a"),
    ({"a": [1, (1, 2)]}, "unsupported_type", "/a/1"),
    ({"a": b"x"}, "unsupported_type", "/a"),
    ({"a": object()}, "unsupported_type", "/a"),
    ({"a": {"b": {1: "x"}}}, "non_string_key", "/a/b/1"),
    ({"a": [math.nan]}, "non_finite_number", "/a/0"),
    ({"a": math.inf}, "non_finite_number", "/a"),
    ({"a~b/c": -math.inf}, "non_finite_number", "/a~0b~1c"),
    ({"a": "\ud800"}, "invalid_string", "/a"),
    ({"x": {"\udfff": 1}}, "invalid_string", "/x/\udfff"),
    (_cycle(), "circular_reference", "/a/1"),
    ({"a": [OMITTED]}, "misplaced_omitted", "/a/0"),
]


@pytest.mark.parametrize(("value", "code", "path"), REJECTIONS)
@pytest.mark.parametrize("operation", [replace_metadata, merge_metadata])
def test_bad_value_in_a_request_field_names_code_and_path(
    operation: Any, value: Any, code: str, path: str
) -> None:
    with pytest.raises(InvalidValueError) as caught:
        operation(UserMetadata(), UserMetadataParams(unsafe_metadata=value))
    assert (caught.value.code, caught.value.path) == (code, path)
    assert caught.value.field == "unsafe_metadata"
    assert caught.value.source == "request"
    assert code in ERROR_CODES
    assert isinstance(caught.value, ERROR_CODES[code].error_type)


@pytest.mark.parametrize(("value", "code", "path"), REJECTIONS)
def test_bad_value_in_a_kept_stored_field_is_blamed_on_the_stored_record(
    value: Any, code: str, path: str
) -> None:
    with pytest.raises(InvalidValueError) as caught:
        replace_metadata(UserMetadata(private_metadata=value), UserMetadataParams())
    assert (caught.value.code, caught.value.path, caught.value.source) == (code, path, "stored")
    assert caught.value.field == "private_metadata"


@pytest.mark.parametrize("value", [[1], "text", 3, 1.5, True, (), {1}])
@pytest.mark.parametrize("operation", [replace_metadata, merge_metadata])
def test_a_field_that_is_not_an_object_or_null_is_rejected(operation: Any, value: Any) -> None:
    with pytest.raises(InvalidValueError) as caught:
        operation(UserMetadata(), UserMetadataParams(public_metadata=value))
    assert (caught.value.code, caught.value.path, caught.value.field) == (
        "invalid_field",
        "",
        "public_metadata",
    )


def test_a_stored_field_that_is_not_an_object_or_null_is_rejected_when_kept() -> None:
    stored = UserMetadata(public_metadata=[1])  # type: ignore[arg-type]
    with pytest.raises(InvalidValueError) as caught:
        replace_metadata(stored, UserMetadataParams())
    assert (caught.value.code, caught.value.source) == ("invalid_field", "stored")


def test_a_non_object_stored_field_counts_as_empty_under_merge() -> None:
    stored = UserMetadata(public_metadata="legacy")  # type: ignore[arg-type]
    result = merge_metadata(stored, UserMetadataParams(public_metadata={"a": 1}))
    assert same(result.public_metadata, {"a": 1})


@pytest.mark.parametrize("operation", [replace_metadata, merge_metadata])
def test_arguments_of_the_wrong_kind_are_rejected(operation: Any) -> None:
    with pytest.raises(InvalidArgumentError) as caught:
        operation({"public_metadata": {}}, UserMetadataParams())
    assert caught.value.code == "invalid_argument"
    with pytest.raises(InvalidArgumentError):
        operation(UserMetadata(), {"public_metadata": {}})


def test_a_bad_field_fails_the_write_before_any_field_is_built() -> None:
    """Classification runs first: a later bad field stops the whole write."""
    request = UserMetadataParams(public_metadata={"a": 1}, unsafe_metadata=[2])  # type: ignore[arg-type]
    with pytest.raises(InvalidValueError) as caught:
        replace_metadata(UserMetadata(), request)
    assert caught.value.field == "unsafe_metadata"


@given(user_metadata(), bad_values(), st.sampled_from(FIELDS), operations)
def test_bad_input_always_raises_metadata_error(
    stored: UserMetadata, bad: object, name: str, operation: Any
) -> None:
    """Whatever the poison and wherever it sits, only MetadataError comes out."""
    field_value: Any = bad if type(bad) is dict else {"x": bad}  # pyright: ignore[reportUnknownVariableType]
    with pytest.raises(MetadataError) as caught:
        operation(stored, UserMetadataParams(**{name: field_value}))
    assert caught.value.code in ERROR_CODES
    assert caught.value.field == name


@given(json_values(), bad_values())
def test_bad_patch_always_raises_metadata_error(target: Any, bad: object) -> None:
    with pytest.raises(MetadataError) as caught:
        merge_patch(target, bad)  # type: ignore[arg-type]
    assert caught.value.code in ERROR_CODES


@given(metadata(), st.sampled_from(["a", "b", "c"]))
def test_bad_members_that_the_patch_replaces_are_not_inspected(
    patch: dict[str, Any], key: str
) -> None:
    """Only what the result keeps of the stored value is validated."""
    patch = {**patch, key: "new"}
    result = merge_patch({key: cast("Any", {1, 2})}, patch)
    assert isinstance(result, dict)
    assert same(result[key], "new")


class Colour(enum.IntEnum):
    RED = 1


class Name(str):
    __slots__ = ()


def test_subclasses_of_json_types_come_back_as_the_plain_types() -> None:
    class Mapping(dict[str, Any]):
        pass

    class Sequence(list[Any]):
        pass

    value = Mapping(a=Sequence([Colour.RED, Name("x"), 1.5]), b=Mapping({Name("k"): True}))
    result = merge_patch({}, cast("Any", value))
    assert same(result, {"a": [1, "x", 1.5], "b": {"k": True}})
    assert type(result) is dict
    array, obj = result["a"], result["b"]
    assert type(array) is list
    assert [type(item) for item in array] == [int, str, float]
    assert type(obj) is dict
    assert [type(key) for key in obj] == [str]


def test_float_subclass_is_checked_for_finiteness() -> None:
    class Ratio(float):
        pass

    assert same(merge_patch(None, [Ratio(0.5)]), [0.5])
    with pytest.raises(InvalidValueError):
        merge_patch(None, [Ratio("nan")])


def test_bool_is_not_confused_with_int() -> None:
    result = merge_patch({"flag": 1, "count": True}, {"other": 1.0})
    assert same(result, {"flag": 1, "count": True, "other": 1.0})
    assert not same(result, {"flag": True, "count": 1, "other": 1})

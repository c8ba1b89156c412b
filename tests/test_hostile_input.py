"""Hostile input: only MetadataError escapes, nothing hangs, and every value has one view.

Each test here is a reproducer of a way the contract once broke: objects that
lie about their class, stored data that is not JSON in the sharing mode,
errors with the wrong ``source`` or ``field``, subclasses whose overrides
disagree, and work that a limit should bound.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any, cast
from unittest.mock import MagicMock, Mock

import pytest

from metadata_semantics import (
    UPSTREAM_LIMITS,
    LimitExceededError,
    Limits,
    MetadataError,
    UserMetadata,
    UserMetadataParams,
    apply_request,
    diff_merge_patch,
    explain,
    merge_metadata,
    merge_patch,
    replace_metadata,
)

from strict import same

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

SHARE = [False, True]


def _error(call: Callable[..., object], *args: Any, **kwargs: Any) -> MetadataError:
    """Call ``call`` and return the MetadataError it raises; fail on anything else."""
    with pytest.raises(MetadataError) as caught:
        call(*args, **kwargs)
    return caught.value


def _liar(kind: type) -> object:
    """An object whose ``__class__`` property claims ``kind``."""

    class Liar:
        @property  # type: ignore[misc]
        def __class__(self) -> type:  # pyright: ignore[reportIncompatibleMethodOverride]
            return kind

    return Liar()


class _Raising:
    """An object whose ``__class__`` raises when asked."""

    @property  # type: ignore[misc]
    def __class__(self) -> type:  # pyright: ignore[reportIncompatibleMethodOverride]
        raise RuntimeError("do not ask")


# Factories, not the objects: the test runner itself would ask them their class.
LIARS: list[Callable[[], Any]] = [
    lambda: Mock(spec=dict),
    lambda: MagicMock(spec=dict),
    lambda: Mock(spec=list),
    lambda: MagicMock(spec=list),
    *(lambda kind=kind: _liar(kind) for kind in (str, int, float, list, dict)),
    _Raising,
]
LIAR_IDS = [
    "Mock-dict",
    "MagicMock-dict",
    "Mock-list",
    "MagicMock-list",
    "claims-str",
    "claims-int",
    "claims-float",
    "claims-list",
    "claims-dict",
    "raising-class",
]


# 1. Objects that lie about their class ---------------------------------------


@pytest.mark.parametrize("make", LIARS, ids=LIAR_IDS)
@pytest.mark.parametrize("share", SHARE)
def test_a_lying_member_of_a_patch_is_unsupported_type(
    make: Callable[[], Any], share: bool
) -> None:
    liar = make()
    error = _error(merge_patch, {}, {"x": liar}, share=share)
    assert (error.code, error.path, error.source) == ("unsupported_type", "/x", "request")


@pytest.mark.parametrize("make", LIARS, ids=LIAR_IDS)
@pytest.mark.parametrize("share", SHARE)
@pytest.mark.parametrize("write", [replace_metadata, merge_metadata])
def test_a_lying_member_of_a_request_field_is_unsupported_type(
    make: Callable[[], Any], share: bool, write: Any
) -> None:
    liar = make()
    params = UserMetadataParams(public_metadata={"a": [liar]})
    error = _error(write, UserMetadata(), params, share=share)
    assert (error.code, error.path, error.field) == ("unsupported_type", "/a/0", "public_metadata")


@pytest.mark.parametrize("make", LIARS, ids=LIAR_IDS)
@pytest.mark.parametrize("share", SHARE)
@pytest.mark.parametrize("write", [replace_metadata, merge_metadata])
def test_a_lying_request_field_is_invalid_field_not_an_empty_patch(
    make: Callable[[], Any], share: bool, write: Any
) -> None:
    liar = make()
    stored = UserMetadata(public_metadata={"keep": 1})
    params = UserMetadataParams(public_metadata=liar)
    error = _error(write, stored, params, share=share)
    assert (error.code, error.field, error.source) == (
        "invalid_field",
        "public_metadata",
        "request",
    )


@pytest.mark.parametrize("make", LIARS, ids=LIAR_IDS)
def test_a_lying_kept_stored_member_is_unsupported_type(make: Callable[[], Any]) -> None:
    liar = make()
    stored = UserMetadata(private_metadata={"a": liar})
    error = _error(merge_metadata, stored, UserMetadataParams(public_metadata={}))
    assert (error.code, error.path, error.source) == ("unsupported_type", "/a", "stored")


@pytest.mark.parametrize("make", LIARS, ids=LIAR_IDS)
@pytest.mark.parametrize("share", SHARE)
def test_a_lying_member_of_a_mapping_body_is_unsupported_type(
    make: Callable[[], Any], share: bool
) -> None:
    liar = make()
    body = {"public_metadata": {"a": liar}}
    error = _error(apply_request, UserMetadata(), "PATCH", body, share=share)
    assert (error.code, error.path) == ("unsupported_type", "/public_metadata/a")


@pytest.mark.parametrize("make", LIARS, ids=LIAR_IDS)
def test_a_lying_body_is_invalid_body(make: Callable[[], Any]) -> None:
    liar = make()
    error = _error(apply_request, UserMetadata(), "PATCH", liar)
    assert error.code == "invalid_body"
    error = _error(UserMetadataParams.from_body, liar)
    assert error.code == "invalid_body"
    error = _error(UserMetadata.from_body, liar)
    assert error.code == "invalid_body"


@pytest.mark.parametrize("make", LIARS, ids=LIAR_IDS)
def test_a_lying_field_in_from_body_and_to_body_is_rejected(make: Callable[[], Any]) -> None:
    liar = make()
    assert _error(UserMetadataParams.from_body, {"public_metadata": liar}).code == (
        "invalid_field"
    )
    params = UserMetadataParams(public_metadata={"a": liar})
    assert _error(params.to_body).code == "unsupported_type"
    record = UserMetadata(public_metadata={"a": liar})
    assert _error(record.to_body).code == "unsupported_type"


@pytest.mark.parametrize("make", LIARS, ids=LIAR_IDS)
def test_a_lying_value_in_diff_and_explain_is_unsupported_type(make: Callable[[], Any]) -> None:
    liar = make()
    assert _error(diff_merge_patch, {}, {"a": liar}).code == "unsupported_type"
    assert _error(diff_merge_patch, {"a": liar}, {}).code == "unsupported_type"
    stored = UserMetadata(public_metadata={"a": liar})
    for op in ("replace", "merge"):
        params = UserMetadataParams(public_metadata={"b": liar})
        assert _error(explain, UserMetadata(), params, op).code == "unsupported_type"
        params = UserMetadataParams(public_metadata={"b": 1})
        assert _error(explain, stored, params, op).code == "unsupported_type"


# 2. share=True with stored data that is not JSON -------------------------------


def _cycle() -> dict[str, Any]:
    loop: dict[str, Any] = {}
    loop["self"] = loop
    return loop


STORED_POISON: list[tuple[Any, str, str]] = [
    ({"s": {1}}, "unsupported_type", "/s"),
    ({"s": "\ud800"}, "invalid_string", "/s"),
    ({"s": [1, {"\udfff": 1}]}, "invalid_string", "/s/1/\udfff"),
    (_cycle(), "circular_reference", "/self"),
    ({"n": 10**5000}, "integer_too_long", "/n"),
]


@pytest.mark.parametrize(("value", "code", "path"), STORED_POISON)
@pytest.mark.parametrize(
    "limits", [UPSTREAM_LIMITS, Limits(max_depth=5), Limits(max_field_bytes=10**9)]
)
def test_sharing_with_limits_rejects_non_json_stored_data_as_stored(
    value: Any, code: str, path: str, limits: Limits
) -> None:
    stored = UserMetadata(public_metadata=value)
    error = _error(
        apply_request, stored, "PATCH", '{"private_metadata":{}}', share=True, limits=limits
    )
    assert (error.code, error.path, error.field, error.source) == (
        code,
        "/public_metadata" + path,
        "public_metadata",
        "stored",
    )


def test_sharing_with_a_depth_limit_stops_at_a_stored_cycle() -> None:
    stored = UserMetadata(public_metadata=_cycle())
    params = UserMetadataParams(public_metadata={"a": 1})
    error = _error(merge_metadata, stored, params, share=True, limits=Limits(max_depth=5))
    assert (error.code, error.source) == ("circular_reference", "stored")


# 3. source and field ----------------------------------------------------------


def test_a_long_integer_in_the_stored_record_is_reported_as_stored() -> None:
    stored = UserMetadata(public_metadata={"n": 10**5000})
    for share in SHARE:
        error = _error(apply_request, stored, "PATCH", "{}", share=share)
        assert (error.code, error.path, error.source) == (
            "integer_too_long",
            "/public_metadata/n",
            "stored",
        )


def test_a_long_integer_is_rejected_with_or_without_limits() -> None:
    params = UserMetadataParams(public_metadata={"n": [10**5000]})
    for limits in (None, UPSTREAM_LIMITS):
        for share in SHARE:
            error = _error(replace_metadata, UserMetadata(), params, limits=limits, share=share)
            assert (error.code, error.path, error.source) == (
                "integer_too_long",
                "/n/0",
                "request",
            )


def test_a_long_integer_patch_is_rejected_by_merge_patch() -> None:
    for share in SHARE:
        assert _error(merge_patch, {}, {"n": 10**5000}, share=share).code == ("integer_too_long")
        assert _error(merge_patch, {}, -(10**5000), share=share).code == ("integer_too_long")


def test_an_integer_just_inside_the_digit_bound_is_accepted() -> None:
    digits = sys.get_int_max_str_digits()
    big = 10 ** (digits - 1)
    result = merge_patch({}, {"n": big, "m": [-big]})
    assert same(result, {"n": big, "m": [-big]})


def test_a_bad_key_that_the_request_deletes_is_reported_in_the_request() -> None:
    for share in SHARE:
        error = _error(merge_patch, {"\udfff": 1}, {"\udfff": None}, share=share)
        assert (error.code, error.path, error.source) == ("invalid_string", "/\udfff", "request")


def test_a_non_finite_number_in_a_text_body_names_its_field() -> None:
    text = _error(apply_request, UserMetadata(), "PATCH", '{"public_metadata":{"a":1e999}}')
    mapping = _error(
        apply_request, UserMetadata(), "PATCH", {"public_metadata": {"a": float("inf")}}
    )
    assert (text.code, text.path, text.field) == (
        "non_finite_number",
        "/public_metadata/a",
        "public_metadata",
    )
    assert (mapping.code, mapping.path, mapping.field) == (text.code, text.path, text.field)


def test_a_text_body_error_in_camel_naming_names_its_field() -> None:
    error = _error(
        apply_request, UserMetadata(), "PUT", '{"unsafeMetadata":{"a":[NaN]}}', naming="camel"
    )
    assert (error.path, error.field) == ("/unsafeMetadata/a/0", "unsafe_metadata")


@pytest.mark.parametrize("share", SHARE)
def test_a_bad_request_field_is_reported_before_a_bad_kept_stored_field(share: bool) -> None:
    stored = UserMetadata(public_metadata={"a": float("nan")})
    params = UserMetadataParams(private_metadata={"b": float("nan")})
    for write in (merge_metadata, replace_metadata):
        error = _error(write, stored, params, share=share)
        assert (error.field, error.source) == ("private_metadata", "request")


@pytest.mark.parametrize("share", SHARE)
def test_a_bad_request_field_is_reported_before_a_kept_stored_field_of_the_wrong_kind(
    share: bool,
) -> None:
    stored = UserMetadata(public_metadata=cast(Any, [1]))
    params = UserMetadataParams(unsafe_metadata=cast(Any, {"b": {1}}))
    error = _error(merge_metadata, stored, params, share=share)
    assert (error.code, error.field, error.source) == (
        "unsupported_type",
        "unsafe_metadata",
        "request",
    )


# 4. Subclasses with inconsistent overrides --------------------------------------


class LyingItems(dict[str, Any]):
    def items(self) -> Any:
        return [("ghost", 1)]


class LyingMapping(dict[str, Any]):
    """Every reading protocol disagrees with the storage."""

    def __contains__(self, key: object) -> bool:
        return True

    def __getitem__(self, key: str) -> Any:
        return "override"

    def get(self, key: str, default: Any = None) -> Any:  # noqa: ARG002 - it lies
        return "override"

    def __len__(self) -> int:
        return 0

    def __iter__(self) -> Iterator[str]:
        return iter(["ghost"])

    def keys(self) -> Any:
        return ["ghost"]

    def values(self) -> Any:
        return ["override"]


class LongList(list[Any]):
    def __len__(self) -> int:
        return 5


class EmptyList(list[Any]):
    def __len__(self) -> int:
        return 0


class LyingList(list[Any]):
    def __iter__(self) -> Iterator[Any]:
        return iter(["ghost"])

    def __getitem__(self, index: Any) -> Any:
        return "override"


class RaisingMapping(dict[str, Any]):
    def items(self) -> Any:
        raise RuntimeError("items")

    def __iter__(self) -> Iterator[str]:
        raise RuntimeError("iter")

    def keys(self) -> Any:
        raise RuntimeError("keys")

    def __len__(self) -> int:
        raise RuntimeError("len")

    def __contains__(self, key: object) -> bool:
        raise RuntimeError("contains")

    def __getitem__(self, key: str) -> Any:
        raise RuntimeError("getitem")


class RaisingList(list[Any]):
    def __iter__(self) -> Iterator[Any]:
        raise RuntimeError("iter")

    def __len__(self) -> int:
        raise RuntimeError("len")


def _dicts() -> list[dict[str, Any]]:
    return [
        LyingItems({"a": 1, "b": {"c": 2}}),
        LyingMapping({"a": 1, "b": {"c": 2}}),
        RaisingMapping({"a": 1, "b": {"c": 2}}),
    ]


def _lists() -> list[list[Any]]:
    return [LongList([1, {"c": 2}]), EmptyList([1, {"c": 2}]), LyingList([1, {"c": 2}])]


LIST_VIEW: Any = [1, {"c": 2}]
DICT_VIEW: Any = {"a": 1, "b": {"c": 2}}


@pytest.mark.parametrize("share", SHARE)
def test_a_dict_subclass_is_read_through_its_storage_in_a_patch(share: bool) -> None:
    for value in _dicts():
        assert same(merge_patch({"a": 0, "z": 9}, value, share=share), {**DICT_VIEW, "z": 9})
        assert same(merge_patch({}, {"x": value}, share=share), {"x": DICT_VIEW})
        assert same(merge_patch({"x": {"a": 5}}, {"x": value}, share=share), {"x": DICT_VIEW})


def test_a_dict_subclass_is_read_through_its_storage_as_a_target() -> None:
    for value in _dicts():
        assert same(merge_patch(value, {"z": 9}), {**DICT_VIEW, "z": 9})
        assert same(merge_patch({"t": value}, {"t": {"z": 9}}), {"t": {**DICT_VIEW, "z": 9}})
        assert same(merge_patch({"t": value}, {"u": 1}), {"t": DICT_VIEW, "u": 1})


def test_a_dict_subclass_target_is_read_through_its_storage_when_sharing() -> None:
    for value in _dicts():
        result = merge_patch({"t": value}, {"t": {"z": 9}}, share=True)
        assert same(result, {"t": {**DICT_VIEW, "z": 9}})


@pytest.mark.parametrize("share", SHARE)
def test_a_list_subclass_is_read_through_its_storage(share: bool) -> None:
    for value in _lists():
        assert same(merge_patch({}, {"x": value}, share=share), {"x": LIST_VIEW})
        assert same(merge_patch({}, value, share=share), LIST_VIEW)
    for value in _lists():
        assert same(merge_patch({"t": value}, {"u": 1}), {"t": LIST_VIEW, "u": 1})


def test_a_raising_list_subclass_is_read_through_its_storage() -> None:
    for share in SHARE:
        assert same(merge_patch({}, {"x": RaisingList([1])}, share=share), {"x": [1]})


@pytest.mark.parametrize("share", SHARE)
def test_subclass_fields_and_bodies_are_read_through_their_storage(share: bool) -> None:
    for value in _dicts():
        params = UserMetadataParams(public_metadata=value)
        result = replace_metadata(UserMetadata(), params, share=share)
        assert same(result.public_metadata, DICT_VIEW)
        result = merge_metadata(UserMetadata(), params, share=share)
        assert same(result.public_metadata, DICT_VIEW)
    for value in _dicts():
        body = type(value)({"public_metadata": {"a": 1}})
        result = apply_request(UserMetadata(), "PATCH", body, share=share)
        assert same(result.public_metadata, {"a": 1})


def test_subclass_values_are_read_through_their_storage_by_diff_and_explain() -> None:
    for value in _dicts():
        assert same(diff_merge_patch({}, value), DICT_VIEW)
        assert same(diff_merge_patch(value, {}), {"a": None, "b": None})
        params = UserMetadataParams(public_metadata=value)
        (public, _, _) = explain(UserMetadata(), params, "merge")
        assert public.added == ("/a", "/b")


class BadKey(str):
    __slots__ = ()

    # A dict can only hold a key that hashes; everything else raises.
    __hash__ = str.__hash__

    def __eq__(self, other: object) -> bool:
        raise RuntimeError("eq")

    def __str__(self) -> str:
        raise RuntimeError("str")

    def __repr__(self) -> str:
        raise RuntimeError("repr")


class BadRepr:
    __hash__ = object.__hash__

    def __repr__(self) -> str:
        raise RuntimeError("repr")


def test_a_key_with_raising_overrides_is_read_as_its_text() -> None:
    for share in SHARE:
        patch: dict[Any, Any] = {}
        patch[BadKey("k")] = 1
        assert same(merge_patch({"k": 0}, patch, share=share), {"k": 1})


def test_a_non_string_key_with_a_raising_repr_is_non_string_key() -> None:
    for share in SHARE:
        error = _error(merge_patch, {}, {BadRepr(): 1}, share=share)
        assert error.code == "non_string_key"
    error = _error(UserMetadataParams.from_body, cast(Any, {BadRepr(): 1}))
    assert error.code == "unknown_key"


class RaisingBodyMapping:
    """A Mapping that is no dict: its reading protocol is its own, and it raises."""

    def __getitem__(self, key: str) -> Any:
        raise RuntimeError("getitem")

    def __iter__(self) -> Iterator[str]:
        raise RuntimeError("iter")

    def __len__(self) -> int:
        raise RuntimeError("len")

    def items(self) -> Any:
        raise RuntimeError("items")

    def keys(self) -> Any:
        raise RuntimeError("keys")


def test_an_exception_in_a_mapping_body_comes_out_as_metadata_error() -> None:
    from collections.abc import Mapping

    cast(Any, Mapping).register(RaisingBodyMapping)
    body: Any = RaisingBodyMapping()
    error = _error(apply_request, UserMetadata(), "PATCH", body)
    assert error.code == "invalid_body"
    assert isinstance(error.__cause__, RuntimeError)
    error = _error(UserMetadata.from_body, body)
    assert error.code == "invalid_body"
    assert isinstance(error.__cause__, RuntimeError)


def test_a_mapping_body_that_cannot_be_read_is_named_with_its_source() -> None:
    from collections.abc import Mapping

    cast(Any, Mapping).register(RaisingBodyMapping)
    body: Any = RaisingBodyMapping()
    error = _error(apply_request, UserMetadata(), "PATCH", body)
    assert (error.detail, error.source) == (
        "the request body could not be read: its items() raised RuntimeError",
        "request",
    )
    error = _error(UserMetadata.from_body, body)
    assert (error.detail, error.source) == (
        "the user object could not be read: its items() raised RuntimeError",
        "stored",
    )


# 5. Work that a limit should bound ---------------------------------------------


def _doubling(levels: int) -> list[Any]:
    """``x = [x0, x0]`` nested ``levels`` times: 2**levels leaves from ``levels`` lists."""
    value: list[Any] = ["leaf"]
    for _ in range(levels):
        value = [value, value]
    return value


def _doubling_object(levels: int) -> dict[str, Any]:
    value: dict[str, Any] = {"leaf": 1}
    for _ in range(levels):
        value = {"a": value, "b": value}
    return value


# 64 levels expand to 2**64 leaves: these calls finish only if the work stops
# at the limit, whatever the input's expanded size.
LEVELS = 64


@pytest.mark.parametrize("share", SHARE)
def test_a_request_of_shared_sub_objects_stops_at_the_field_limit(share: bool) -> None:
    body = {"public_metadata": {"x": _doubling(LEVELS)}}
    error = _error(apply_request, UserMetadata(), "PUT", body, share=share)
    assert isinstance(error, LimitExceededError)
    assert (error.code, error.field, error.path) == (
        "field_too_large",
        "public_metadata",
        "/public_metadata",
    )
    # The write stopped as soon as the field certainly broke the bound.
    assert error.limit == 8192
    assert error.measured == 8193


@pytest.mark.parametrize("share", SHARE)
def test_a_merge_patch_of_shared_objects_stops_at_the_field_limit(share: bool) -> None:
    params = UserMetadataParams(private_metadata={"p": _doubling_object(LEVELS)})
    stored = UserMetadata(private_metadata={"p": {"a": 1}})
    error = _error(merge_metadata, stored, params, limits=UPSTREAM_LIMITS, share=share)
    assert (error.code, error.field) == ("field_too_large", "private_metadata")


@pytest.mark.parametrize("share", SHARE)
def test_a_stored_record_of_shared_sub_objects_stops_at_the_field_limit(share: bool) -> None:
    stored = UserMetadata(unsafe_metadata={"x": _doubling(LEVELS)})
    error = _error(apply_request, stored, "PATCH", '{"public_metadata":{"a":1}}', share=share)
    assert (error.code, error.field) == ("field_too_large", "unsafe_metadata")


def test_the_total_bound_stops_the_work_when_it_is_the_smaller() -> None:
    limits = Limits(max_field_bytes=10**6, max_total_bytes=100)
    params = UserMetadataParams(public_metadata={"x": _doubling(LEVELS)})
    error = _error(replace_metadata, UserMetadata(), params, limits=limits)
    assert isinstance(error, LimitExceededError)
    assert (error.code, error.field, error.measured, error.limit) == (
        "metadata_too_large",
        None,
        101,
        100,
    )


# The members each mode counts for {"a": [0]}: the sharing mode also counts
# the list it takes as it is, as the one member of the value it checks.
_COUNTED = {False: 2, True: 3}


@pytest.mark.parametrize("write", [replace_metadata, merge_metadata])
@pytest.mark.parametrize("share", SHARE)
@pytest.mark.parametrize("engine", [False, True], ids=["fast path", "engine"])
def test_the_write_stops_only_once_the_budget_is_overdrawn(
    write: Callable[..., UserMetadata], share: bool, engine: bool
) -> None:
    # A dict subclass sends the value to the engine, which keeps its own count.
    value: dict[str, Any] = _Sub(a=[0]) if engine else {"a": [0]}
    params = UserMetadataParams(public_metadata=value)
    stored = UserMetadata(public_metadata={})
    counted = _COUNTED[share]
    # A budget used up exactly lets the write go on and measure the field.
    error = _error(write, stored, params, limits=Limits(max_field_bytes=counted), share=share)
    assert isinstance(error, LimitExceededError)
    assert (error.code, error.measured, error.limit) == ("field_too_large", 9, counted)
    # One member over, and it stops there, with the bound plus one as the measure.
    error = _error(write, stored, params, limits=Limits(max_field_bytes=counted - 1), share=share)
    assert isinstance(error, LimitExceededError)
    assert (error.code, error.measured, error.limit) == ("field_too_large", counted, counted - 1)
    assert error.detail.endswith("(the write stopped there)")


def test_a_write_stopped_by_the_budget_says_where_it_stopped() -> None:
    body = {"public_metadata": {"x": _doubling(LEVELS)}}
    error = _error(apply_request, UserMetadata(), "PUT", body)
    assert error.detail == (
        "public_metadata would be more than 8192 bytes as compact JSON; "
        "the limit is 8192 bytes per field (the write stopped there)"
    )
    limits = Limits(max_field_bytes=10**6, max_total_bytes=100)
    params = UserMetadataParams(public_metadata={"x": _doubling(LEVELS)})
    error = _error(replace_metadata, UserMetadata(), params, limits=limits)
    assert error.detail == (
        "public_metadata alone would be more than 100 bytes as compact JSON; "
        "the limit is 100 bytes in total (the write stopped there)"
    )


def test_shared_sub_objects_within_the_limit_are_copied_apart() -> None:
    value = _doubling(4)
    params = UserMetadataParams(public_metadata={"x": value})
    result = replace_metadata(UserMetadata(), params, limits=UPSTREAM_LIMITS)
    assert same(result.public_metadata, {"x": value})
    copied = cast(Any, result.public_metadata)["x"]
    assert copied[0] is not copied[1]


def test_a_patch_that_shrinks_a_large_record_is_not_stopped_by_the_budget() -> None:
    # The stored field holds more members than the bound allows; the patch
    # deletes nearly all, and only what the result holds is counted.
    many: dict[str, Any] = {f"k{index}": index for index in range(10_000)}
    stored = UserMetadata(public_metadata=many)
    patch: dict[str, Any] = {f"k{index}": None for index in range(1, 10_000)}
    for share in SHARE:
        result = apply_request(stored, "PATCH", {"public_metadata": patch}, share=share)
        assert same(result.public_metadata, {"k0": 0})


def test_a_large_body_is_rejected_before_it_is_parsed() -> None:
    # Not JSON from its second character: only a size check that comes
    # before parsing reports the size rather than the syntax.
    size = 20 * 1024 * 1024
    for body in ("{" + "x" * size, b"{" + b"x" * size, bytearray(b"[" * size)):
        error = _error(apply_request, UserMetadata(), "PATCH", body)
        assert isinstance(error, LimitExceededError)
        assert (error.code, error.path, error.field, error.limit) == (
            "body_too_large",
            "",
            None,
            65536,
        )
        assert error.measured == size + (0 if isinstance(body, bytearray) else 1)


def test_a_text_body_is_measured_in_utf8_bytes() -> None:
    limits = Limits(max_body_bytes=10)
    error = _error(apply_request, UserMetadata(), "PUT", '{"é":"ééé"}', limits=limits)
    assert isinstance(error, LimitExceededError)
    assert (error.code, error.measured) == ("body_too_large", 15)
    ok = apply_request(
        UserMetadata(), "PUT", '{"public_metadata":{}}', limits=Limits(max_body_bytes=22)
    )
    assert same(ok.public_metadata, {})
    error = _error(
        apply_request, UserMetadata(), "PUT", "\ud800" * 4, limits=Limits(max_body_bytes=11)
    )
    assert (error.code, cast(LimitExceededError, error).measured) == ("body_too_large", 12)


def test_a_body_bound_does_not_apply_to_a_mapping_or_without_limits() -> None:
    body = {"public_metadata": {"a": "x" * 100}}
    result = apply_request(UserMetadata(), "PUT", body, limits=Limits(max_body_bytes=10))
    assert same(result.public_metadata, body["public_metadata"])
    result = apply_request(UserMetadata(), "PUT", "  " * 40_000, limits=None)
    assert same(result.public_metadata, {})


def test_explain_writes_no_pointer_until_one_is_read(monkeypatch: pytest.MonkeyPatch) -> None:
    from metadata_semantics import _diff  # pyright: ignore[reportPrivateUsage]
    from metadata_semantics._errors import format_pointer as real

    calls: list[int] = []

    def counting(segments: tuple[str | int, ...], /) -> str:
        calls.append(len(segments))
        return real(segments)

    monkeypatch.setattr(_diff, "format_pointer", counting)
    before: dict[str, Any] = {"leaf": 1}
    after: dict[str, Any] = {"leaf": 2}
    for _ in range(1000):
        before = {"k": before, "x": 1}
        after = {"k": after, "x": 2}
    params = UserMetadataParams(public_metadata=after)
    (public, _, _) = explain(UserMetadata(public_metadata=before), params, "merge")
    assert len(public.edits) == 1001
    assert calls == []
    assert public.edits[-1].pointer == "/k" * 1000 + "/leaf"
    assert public.edits[0].pointer == "/x"
    assert calls == [1001, 1]


class _Sub(dict[str, Any]):
    """A plain dict subclass: it sends every walk to the engine."""


def test_the_engine_stops_at_the_budget_too() -> None:
    value: Any = _Sub(leaf=1)
    for _ in range(LEVELS):
        value = _Sub(a=value, b=value)
    params = UserMetadataParams(public_metadata={"x": value})
    for share in SHARE:
        error = _error(
            replace_metadata, UserMetadata(), params, limits=UPSTREAM_LIMITS, share=share
        )
        assert (error.code, error.field) == ("field_too_large", "public_metadata")
        error = _error(merge_metadata, UserMetadata(), params, limits=UPSTREAM_LIMITS, share=share)
        assert (error.code, error.field) == ("field_too_large", "public_metadata")


def test_an_object_of_shared_objects_stops_on_the_fast_path() -> None:
    params = UserMetadataParams(public_metadata={"x": _doubling_object(LEVELS)})
    error = _error(replace_metadata, UserMetadata(), params, limits=UPSTREAM_LIMITS)
    assert (error.code, error.field) == ("field_too_large", "public_metadata")


def test_a_long_integer_kept_from_the_target_is_the_stored_record_s() -> None:
    error = _error(merge_patch, {"n": 10**5000, "m": 1}, {"a": 1})
    assert (error.code, error.path, error.source) == ("integer_too_long", "/n", "stored")
    # One the patch replaces is never looked at.
    assert same(merge_patch({"n": 10**5000}, {"n": 1}), {"n": 1})


def test_a_key_too_long_to_show_is_named_by_its_type() -> None:
    error = _error(merge_patch, {}, {10**5000: 1})
    assert error.code == "non_string_key"
    assert "int too long to show" in str(error)


def test_json_equal_reads_subclasses_through_their_storage() -> None:
    from metadata_semantics import json_equal

    for value in _dicts():
        assert json_equal(value, DICT_VIEW)
        assert json_equal(DICT_VIEW, value)
    for items in _lists():
        assert json_equal(items, LIST_VIEW)
    # What is not JSON equals only itself, and no code of its class runs.
    thing = BadRepr()
    assert json_equal(cast(Any, [thing]), cast(Any, [thing]))
    assert not json_equal(cast(Any, [BadRepr()]), cast(Any, [BadRepr()]))


def test_an_edit_made_by_hand_is_frozen_and_compares_by_value() -> None:
    from dataclasses import FrozenInstanceError

    from metadata_semantics import Edit

    edit = Edit("added", "/a", None, 1)
    assert edit == Edit("added", "/a", None, 1)
    assert edit != Edit("added", "/b", None, 1)
    assert edit != ("added", "/a", None, 1)
    assert hash(edit) == hash(Edit("added", "/a", None, 1))
    assert repr(edit) == "Edit(kind='added', pointer='/a', old=None, new=1)"
    with pytest.raises(FrozenInstanceError):
        edit.kind = "removed"
    with pytest.raises(FrozenInstanceError):
        del edit.new


def test_an_edit_found_by_explain_equals_one_made_by_hand() -> None:
    from metadata_semantics import Edit

    params = UserMetadataParams(public_metadata={"a": {"b": 2}})
    (public, _, _) = explain(UserMetadata(public_metadata={"a": {"b": 1}}), params, "merge")
    assert public.edits == (Edit("changed", "/a/b", 1, 2),)
    assert public.edits[0].pointer is public.edits[0].pointer

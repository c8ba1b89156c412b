"""The OMITTED sentinel keeps its identity and refuses to pass for JSON."""

from __future__ import annotations

import copy
import json
import pickle

import pytest
from typing_extensions import assert_type

from metadata_semantics import OMITTED, Metadata, Omittable, Omitted, UserMetadataParams


def test_repr_is_the_name() -> None:
    assert repr(OMITTED) == "OMITTED"
    assert str(OMITTED) == "OMITTED"


def test_sentinel_is_truthy_so_value_or_default_cannot_lose_data() -> None:
    assert bool(OMITTED) is True

    def value_or_empty(value: object) -> object:
        return value or {}

    assert value_or_empty(OMITTED) is OMITTED


def test_identity_survives_copy_and_deepcopy() -> None:
    assert copy.copy(OMITTED) is OMITTED
    assert copy.deepcopy(OMITTED) is OMITTED
    assert copy.deepcopy({"x": [OMITTED]})["x"][0] is OMITTED


@pytest.mark.parametrize("protocol", range(pickle.HIGHEST_PROTOCOL + 1))
def test_identity_survives_every_pickle_protocol(protocol: int) -> None:
    assert pickle.loads(pickle.dumps(OMITTED, protocol=protocol)) is OMITTED  # noqa: S301
    params = UserMetadataParams(public_metadata={"a": 1})
    restored = pickle.loads(pickle.dumps(params, protocol=protocol))  # noqa: S301
    assert restored.private_metadata is OMITTED
    assert restored == params


def test_json_dumps_refuses_the_sentinel() -> None:
    with pytest.raises(TypeError):
        json.dumps(OMITTED)
    with pytest.raises(TypeError):
        json.dumps({"public_metadata": OMITTED})


def test_sentinel_is_not_a_string_or_none() -> None:
    assert not isinstance(OMITTED, str)
    assert OMITTED is not None
    text: object = "OMITTED"
    assert text != OMITTED


def test_is_omitted_narrows_for_type_checkers() -> None:
    # The assert_type calls are checked by mypy and pyright; at run time they
    # pass values through, and the branches below must both be reachable.
    def describe(value: Omittable[Metadata | None]) -> str:
        if value is OMITTED:
            assert_type(value, Omitted)
            return "omitted"
        assert_type(value, "Metadata | None")
        return "null" if value is None else "object"

    assert describe(OMITTED) == "omitted"
    assert describe(None) == "null"
    assert describe({}) == "object"

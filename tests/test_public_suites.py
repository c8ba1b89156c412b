"""Public RFC 7396 suites, and the examples of the reference page.

The suites are other projects' data, loaded as they are (see
`data/merge-patch-suites/README.md`). Each file names its fields its own way.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from metadata_semantics import (
    OMITTED,
    UserMetadata,
    UserMetadataParams,
    merge_metadata,
    merge_patch,
    replace_metadata,
)

from strict import same

SUITES = Path(__file__).parent / "data" / "merge-patch-suites"

# Which field holds the target and which the expected result, per file.
_SHAPES = {
    "rfc7396-appendix-a.json": ("target", "result"),
    "java-json-tools_HEAD_mergepatch_patch-object.json": ("victim", "result"),
    "java-json-tools_HEAD_mergepatch_patch-nonobject.json": ("victim", "patch"),
    "idubrov_merge_tests.json": ("doc", "expected"),
    "evanphx_v5_merge_extra.json": ("doc", "expected"),
    "java-json-tools_draft_mergepatch.json": ("doc", "expected"),
}

# The draft-era file strips nulls inside arrays. RFC 7396 says an array in a
# patch is a plain value, so the array (nulls included) replaces the target.
_PRE_RFC_DRAFT = "java-json-tools_draft_mergepatch.json"
_CONTRADICTS_RFC = {22, 23, 24, 25}


def _cases() -> list[Any]:
    cases: list[Any] = []
    for name, (target_key, result_key) in _SHAPES.items():
        for index, case in enumerate(json.loads((SUITES / name).read_text("utf-8"))):
            marks: list[pytest.MarkDecorator] = []
            if name == _PRE_RFC_DRAFT and index in _CONTRADICTS_RFC:
                marks.append(pytest.mark.xfail(reason="pre-RFC draft drops nulls in arrays"))
            cases.append(
                pytest.param(
                    case[target_key],
                    case["patch"],
                    case[result_key],
                    id=f"{name.removesuffix('.json')}[{index}]",
                    marks=marks,
                )
            )
    return cases


def test_every_suite_file_is_loaded() -> None:
    assert {path.name for path in SUITES.glob("*.json")} == set(_SHAPES)


@pytest.mark.parametrize(("target", "patch", "expected"), _cases())
def test_public_suite_case(target: Any, patch: Any, expected: Any) -> None:
    assert same(merge_patch(target, patch), expected)


def test_the_draft_cases_that_differ_are_exactly_the_nulls_in_arrays() -> None:
    cases = json.loads((SUITES / _PRE_RFC_DRAFT).read_text("utf-8"))
    differing = {
        index
        for index, case in enumerate(cases)
        if not same(merge_patch(case["doc"], case["patch"]), case["expected"])
    }
    assert differing == _CONTRADICTS_RFC
    for index in differing:
        assert "null" in json.dumps(cases[index]["patch"])


def test_reference_example_replace_sets_role_and_drops_the_rest() -> None:
    """The reference page's `replaceUserMetadata(userId, {publicMetadata: {role:
    'admin'}})`: public metadata becomes exactly `{"role": "admin"}`; the other
    two fields, omitted, are kept."""
    stored = UserMetadata(
        public_metadata={"role": "member", "plan": {"tier": "pro"}},
        private_metadata={"stripe": "cus_1"},
        unsafe_metadata=None,
    )
    request = UserMetadataParams(public_metadata={"role": "admin"})
    assert request.private_metadata is OMITTED
    result = replace_metadata(stored, request)
    assert same(result.public_metadata, {"role": "admin"})
    assert same(result.private_metadata, {"stripe": "cus_1"})
    assert result.unsafe_metadata is None


def test_reference_example_merge_keeps_the_other_keys() -> None:
    """The same request as a deep merge (`updateUserMetadata`) keeps `plan`."""
    stored = UserMetadata(public_metadata={"role": "member", "plan": {"tier": "pro"}})
    result = merge_metadata(stored, UserMetadataParams(public_metadata={"role": "admin"}))
    assert same(result.public_metadata, {"role": "admin", "plan": {"tier": "pro"}})


@pytest.mark.parametrize("operation", [replace_metadata, merge_metadata])
def test_reference_null_and_empty_object(operation: Any) -> None:
    """ "`{}` (empty object) to clear the field" under replace; "`null` to overwrite
    the field with a JSON `null` value" under both."""
    stored = UserMetadata(public_metadata={"a": 1}, private_metadata={"b": 2})
    result = operation(stored, UserMetadataParams(public_metadata=None, private_metadata={}))
    assert result.public_metadata is None
    expected_private = {} if operation is replace_metadata else {"b": 2}
    assert same(result.private_metadata, expected_private)

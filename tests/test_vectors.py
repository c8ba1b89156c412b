"""The shipped conformance vectors: their format, their coverage, and no drift."""

from __future__ import annotations

import importlib.util
import inspect
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jsonschema
import pytest

from metadata_semantics import (
    ERROR_CODES,
    RULES,
    InvalidArgumentError,
    UserMetadata,
    UserMetadataParams,
    conformance,
    merge_patch,
)
from metadata_semantics import merge_metadata as library_merge
from metadata_semantics import replace_metadata as library_replace
from metadata_semantics.conformance import (
    Failure,
    Report,
    check,
    load_vectors,
    vector_text,
)

if TYPE_CHECKING:
    from types import ModuleType

ROOT = Path(__file__).parent.parent


def generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("vector_tool", ROOT / "tools" / "vectors.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


DOCUMENT: dict[str, Any] = json.loads(vector_text())
VECTORS = load_vectors()

# Codes that no vector operation can produce, and why.
UNREACHABLE = {
    "unsupported_type": "a JSON document holds only JSON types",
    "non_string_key": "JSON object keys are always strings",
    "circular_reference": "JSON text cannot hold a cycle",
    "misplaced_omitted": "OMITTED is a Python value",
    "invalid_argument": "the vector ops always pass records",
    "unpatchable_null": "raised by diff_merge_patch, which is not a vector op",
    "unstorable_string": "raised by metadata_semantics.sql.check_storable, not by a write",
    "unstorable_number": "raised by metadata_semantics.sql.check_storable, not by a write",
    "unstorable_depth": "raised by metadata_semantics.sql.check_storable, not by a write",
    "empty_input": "a blank body provides nothing rather than failing",
    "invalid_utf8": "a vector's body is a JSON string, always valid Unicode",
    "missing_field": "a vector's stored record always has the three fields",
    "unsupported_method": "the ops name the write, not an HTTP method",
    "field_too_large": "the vector ops apply no limits",
    "metadata_too_large": "the vector ops apply no limits",
    "body_too_large": "the vector ops apply no limits",
    "too_deep": "the vector ops apply no limits",
}


def test_the_shipped_vectors_are_what_the_library_computes_now() -> None:
    """The file cannot drift: rebuilding it from its inputs gives the same text."""
    tool = generator()
    assert tool.render(tool.build()) == vector_text()
    assert tool.main(["--check"]) == 0


def test_the_vectors_and_the_schema_agree() -> None:
    schema = json.loads(vector_text("schema.json"))
    jsonschema.Draft202012Validator.check_schema(schema)
    validator: Any = jsonschema.Draft202012Validator(schema)
    validator.validate(DOCUMENT)


def test_the_schema_rejects_a_case_with_both_result_and_error() -> None:
    schema = json.loads(vector_text("schema.json"))
    bad = {**DOCUMENT, "cases": [{**DOCUMENT["cases"][0], "error": {"code": "x", "path": ""}}]}
    validator: Any = jsonschema.Draft202012Validator(schema)
    with pytest.raises(jsonschema.ValidationError):
        validator.validate(bad)


def test_there_are_at_least_150_cases_with_unique_ids() -> None:
    ids = [vector.id for vector in VECTORS]
    assert len(ids) >= 150
    assert len(set(ids)) == len(ids)
    assert all(vector.id.startswith(vector.group + "/") for vector in VECTORS)


def test_group_counts_are_right_and_no_group_is_empty() -> None:
    counted = {group["name"]: group["count"] for group in DOCUMENT["groups"]}
    for name, count in counted.items():
        assert count == sum(vector.group == name for vector in VECTORS) > 0
    assert {vector.group for vector in VECTORS} == set(counted)


def test_every_row_of_the_semantics_table_has_a_vector() -> None:
    ids = {vector.id for vector in VECTORS}
    for operation, state in RULES:
        assert f"rules/{operation}/{state}/stored-object" in ids
        assert f"rules/{operation}/{state}/stored-null" in ids


def test_every_error_code_a_vector_can_reach_is_reached() -> None:
    reached = {vector.error.code for vector in VECTORS if vector.error is not None}
    assert reached <= set(ERROR_CODES)
    assert set(UNREACHABLE) <= set(ERROR_CODES)
    assert reached == set(ERROR_CODES) - set(UNREACHABLE)


def test_every_op_and_both_namings_appear() -> None:
    assert {vector.op for vector in VECTORS} == {"replace", "merge", "merge_patch", "parse"}
    assert {vector.naming for vector in VECTORS if vector.op == "parse"} == {"snake", "camel"}


def test_public_suite_cases_name_their_source() -> None:
    suites = {"rfc7396-appendix-a", "java-json-tools-object", "java-json-tools-nonobject"}
    suites |= {"idubrov", "evanphx", "java-json-tools-draft"}
    from_suites = [vector for vector in VECTORS if vector.group in suites]
    assert len(from_suites) == 15 + 10 + 3 + 3 + 16 + 22
    assert all(vector.source for vector in from_suites)


def test_hazard_flags_mark_the_numbers_a_double_cannot_hold() -> None:
    flagged = {vector.id: vector.hazards for vector in VECTORS if vector.hazards}
    assert "integer-beyond-2^53" in flagged["numbers/big-int-kept"]
    assert "integral-float" in flagged["numbers/float-replaces-int"]
    assert "numbers/max-safe-integer" not in flagged
    assert "numbers/true-replaces-1" not in flagged


def test_the_library_passes_every_vector() -> None:
    report = check(
        library_replace, library_merge, merge_patch=merge_patch, parse=conformance.library_parse
    )
    assert report.ok, report.summary()
    assert len(report.passed) == len(VECTORS)
    assert report.skipped == ()


def test_callables_not_given_skip_their_vectors() -> None:
    report = check(library_replace, library_merge)
    skipped = {vector.id for vector in VECTORS if vector.op in {"merge_patch", "parse"}}
    assert set(report.skipped) == skipped
    assert report.ok


def test_a_wrong_implementation_is_reported_case_by_case() -> None:
    """Replace done as a merge fails exactly the cases where the two differ."""
    report = check(library_merge, library_merge)
    failed = {failure.id for failure in report.failures}
    assert "rules/replace/object/stored-object" in failed
    assert "reference/replace-role-admin" in failed
    assert "rules/replace/omitted/stored-object" not in failed
    assert not report.ok
    summary = report.summary().splitlines()
    assert summary[0].endswith(f"{len(report.failures)} failed, {len(report.skipped)} skipped")
    assert "FAIL rules/replace/object/stored-object: expected result" in report.summary()


def test_a_crash_and_a_wrong_error_are_failures() -> None:
    def crash(_stored: UserMetadata, _params: UserMetadataParams) -> UserMetadata:
        raise RuntimeError("boom")

    def lenient(stored: UserMetadata, _params: UserMetadataParams) -> UserMetadata:
        return stored

    rules_only = [vector for vector in VECTORS if vector.group in {"rules", "errors"}]
    crashed = check(crash, crash, vectors=rules_only)
    assert all(failure.got == "RuntimeError: boom" for failure in crashed.failures)
    lax = check(lenient, lenient, vectors=rules_only)
    wrong = {failure.id: failure for failure in lax.failures}
    assert wrong["errors/merge/request-field-array"].expected == (
        "error invalid_field at '/public_metadata'"
    )
    assert wrong["errors/merge/request-field-array"].got.startswith("result ")


def test_the_from_body_guess_for_parse_fails_once_and_clearly() -> None:
    """A new user's natural guess, parse=UserMetadataParams.from_body, takes a decoded
    body rather than the body's text: one error says so before any vector runs."""
    calls: list[str] = []

    def counting(stored: UserMetadata, params: UserMetadataParams) -> UserMetadata:
        calls.append("write")
        return library_replace(stored, params)

    with pytest.raises(InvalidArgumentError) as caught:
        check(counting, counting, parse=UserMetadataParams.from_body)  # type: ignore[arg-type]
    assert caught.value.code == "invalid_argument"
    assert str(caught.value) == (
        "parse= must be called as parse(text: str, naming: Naming, /) -> UserMetadataParams, "
        "and UserMetadataParams.from_body cannot be; UserMetadataParams.from_body reads a "
        "decoded body, not its text: pass parse=conformance.library_parse "
        "[invalid_argument; at the root]"
    )
    assert calls == []


@pytest.mark.parametrize("keyword", ["replace", "merge", "merge_patch", "parse"])
def test_a_callable_that_cannot_take_its_arguments_is_refused_by_name(keyword: str) -> None:
    def one(value: object) -> object:
        return value

    callables: dict[str, Any] = {
        "replace": library_replace,
        "merge": library_merge,
        "merge_patch": None,
        "parse": None,
        keyword: one,
    }
    replace = callables.pop("replace")
    merge = callables.pop("merge")
    with pytest.raises(
        InvalidArgumentError,
        match=rf"^{keyword}= must be called as {keyword}\(.*\.one cannot be \[",
    ):
        check(replace, merge, **callables)


def test_something_not_callable_is_refused() -> None:
    with pytest.raises(
        InvalidArgumentError, match=r"^merge_patch= .* and 'not a function' cannot"
    ):
        check(library_replace, library_merge, merge_patch="not a function")  # type: ignore[arg-type]


def test_a_callable_whose_signature_cannot_be_read_is_tried(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def unreadable(_function: object) -> inspect.Signature:
        raise ValueError("no signature found")

    rules_only = [vector for vector in VECTORS if vector.group == "rules"]
    monkeypatch.setattr(inspect, "signature", unreadable)
    report = check(library_replace, library_merge, vectors=rules_only)
    assert report.ok, report.summary()
    assert report.passed


def test_the_documented_call_with_the_library_s_own_callables_passes_everything() -> None:
    report = conformance.check(
        library_replace, library_merge, merge_patch=merge_patch, parse=conformance.library_parse
    )
    assert report.summary() == f"{len(VECTORS)} passed, 0 failed, 0 skipped"


def test_failure_and_report_are_plain_data() -> None:
    report = Report(("a/b",), (Failure("c/d", "x", "y"),))
    assert not report.ok
    assert report.summary() == "1 passed, 1 failed, 0 skipped\nFAIL c/d: expected x; got y"

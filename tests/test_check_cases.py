"""The checker's cases: the HTTP-only data is well formed, agrees with the library and the server.

Every expectation in ``http_cases.json`` is what the library computes, every
rejection status is what the reference server answers, and every vector is
either sent over HTTP or has a reason it cannot be.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

import jsonschema
import pytest

from metadata_semantics import FIELDS, UPSTREAM_LIMITS, MetadataError, UserMetadata, apply_request
from metadata_semantics.check import Case, load_suite, select
from metadata_semantics.check._cases import DEFAULT_STORED, case_text, padded_field, vector_rule
from metadata_semantics.conformance import load_vectors
from metadata_semantics.server import ERROR_MAP

SUITE = load_suite()
DOCUMENT: dict[str, Any] = json.loads(case_text())
HTTP = [case for case in SUITE.cases if case.source == "http"]


def test_the_http_cases_and_their_schema_agree() -> None:
    schema = json.loads(case_text("http_cases.schema.json"))
    jsonschema.Draft202012Validator.check_schema(schema)
    validator: Any = jsonschema.Draft202012Validator(schema)
    validator.validate(DOCUMENT)


def test_case_ids_are_unique_and_every_rule_and_question_is_known() -> None:
    ids = [case.id for case in SUITE.cases]
    assert len(ids) == len(set(ids))
    rules = {rule.name for rule in SUITE.rules}
    assert {case.rule for case in SUITE.cases} == rules
    for question in SUITE.questions:
        assert set(question.rules) <= rules
        assert set(question.cases) <= set(ids)
        assert any(question.covers(case.id, case.rule) for case in SUITE.cases)


def test_every_rejection_is_answered_as_the_reference_server_answers_it() -> None:
    for code, rejection in SUITE.rejections.items():
        assert (rejection.status, rejection.code) == (
            ERROR_MAP[code].status,
            ERROR_MAP[code].clerk_code,
        )


@pytest.mark.parametrize("raw", DOCUMENT["cases"], ids=lambda raw: raw["id"])
def test_each_library_rejection_is_what_apply_request_raises(raw: dict[str, Any]) -> None:
    case = next(case for case in HTTP if case.id == raw["id"])
    if "library_code" not in raw:
        assert raw["expect"] == "written" or "status" in raw
        return
    with pytest.raises(MetadataError) as caught:
        apply_request(
            UserMetadata.from_body(case.stored), case.method, case.body, limits=UPSTREAM_LIMITS
        )
    assert caught.value.code == raw["library_code"]


def test_an_open_case_is_one_the_spec_leaves_open() -> None:
    """Only limits, Content-Type variants and JSON-number hazards are open."""
    for case in SUITE.cases:
        if case.open:
            assert case.rule == "limits" or "content-type" in case.id or case.source == "vectors"


def test_every_vector_is_sent_or_cannot_be_expressed_over_http() -> None:
    sent = {case.id for case in SUITE.cases if case.source == "vectors"}
    for vector in load_vectors():
        if vector.id in sent:
            continue
        stored_ok = isinstance(vector.stored, dict) and all(
            isinstance(vector.stored.get(name), dict | type(None)) for name in FIELDS
        )
        reasons = [
            vector.op == "parse" and vector.naming == "camel",
            vector.op in {"replace", "merge"} and not stored_ok,
            vector.op == "merge_patch" and not isinstance(vector.body, dict),
            vector.op == "merge_patch" and not isinstance(vector.stored, dict | type(None)),
        ]
        assert any(reasons), vector.id


def test_the_cases_by_rule() -> None:
    assert Counter(case.rule for case in SUITE.cases) == {
        "replace": 27,
        "merge": 44,
        "nulls": 29,
        "arrays": 25,
        "empty-body": 11,
        "errors": 45,
        "limits": 10,
        "auth": 5,
        "concurrency": 1,
    }


def test_a_padded_field_has_exactly_the_size_asked() -> None:
    for size, char in ((10, "x"), (4096, "x"), (8210, "\u00e9"), (4010, "\u00e9")):
        field = padded_field({"$pad": size, "char": char})
        assert len(json.dumps(field, separators=(",", ":"), ensure_ascii=False).encode()) == size
    with pytest.raises(ValueError, match="no field of 11 bytes"):
        padded_field({"$pad": 11, "char": "\u00e9"})
    with pytest.raises(ValueError, match="no field of 3 bytes"):
        padded_field({"$pad": 3})


def test_whitespace_goes_inside_the_body_and_keeps_it_json() -> None:
    (case,) = select(SUITE.cases, ["http/limits/whitespace-not-counted"])
    assert case.body is not None
    assert case.body.startswith(b"{" + b" " * 6000 + b'"public_metadata"')
    assert json.loads(case.body)["public_metadata"]["pad"] == "x" * (6000 - 10)


def test_a_vector_is_grouped_by_what_it_exercises() -> None:
    by_id = {vector.id: vector for vector in load_vectors()}

    def rule(vector_id: str, body: Any) -> str:
        return vector_rule(by_id[vector_id], body)

    assert rule("errors/parse/not-json", None) == "errors"
    assert rule("empty-body/merge-nothing", {}) == "empty-body"
    assert rule("array-nulls/merge-keeps-nulls", {}) == "arrays"
    assert rule("rules/merge/object/stored-object", {"a": [1]}) == "arrays"
    assert rule("rules/merge/object/stored-object", {"a": {"b": None}}) == "nulls"
    assert rule("rules/merge/object/stored-object", {"a": {"b": 1}}) == "merge"
    assert rule("rules/replace/object/stored-object", {"a": 1}) == "replace"


def test_select_matches_ids_by_shell_pattern_or_a_rule_by_name() -> None:
    assert select(SUITE.cases, []) == SUITE.cases
    assert {case.rule for case in select(SUITE.cases, ["auth"])} == {"auth"}
    assert [case.id for case in select(SUITE.cases, ["http/replace/put-*"])] == [
        "http/replace/put-twice"
    ]
    assert select(SUITE.cases, ["nothing-like-this"]) == ()


def test_the_suite_finds_a_rule_by_name() -> None:
    assert SUITE.rule("empty-body").title == "empty body"
    with pytest.raises(KeyError):
        SUITE.rule("no-such-rule")


def test_a_concurrency_case_sends_one_new_key_per_request() -> None:
    (case,) = select(SUITE.cases, ["concurrency"])
    bodies = [json.loads(body) for body in case.parallel_bodies()]
    assert len(bodies) == case.parallel == 8
    keys = {key for body in bodies for key in body["public_metadata"]}
    assert len(keys) == 8
    assert case.expected is not None
    assert set(case.expected["public_metadata"]) == keys | set(DEFAULT_STORED["public_metadata"])  # type: ignore[arg-type]


def test_a_loaded_case_is_plain_data() -> None:
    assert all(isinstance(case, Case) for case in SUITE.cases)
    assert [case.id for case in load_suite(vectors=()).cases] == [case.id for case in HTTP]

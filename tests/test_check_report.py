"""The checker's reports: text grouped by rule, JSON in its schema, JUnit XML that parses."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from typing import TYPE_CHECKING, Any, cast

import jsonschema
import pytest

from metadata_semantics import MetadataError
from metadata_semantics.check import CheckReport, check_server
from metadata_semantics.check._cases import case_text
from metadata_semantics.server import Config, SQLiteStore

from check_client import HandleClient
from check_servers import KEY, broken_servers, reference

if TYPE_CHECKING:
    from metadata_semantics.server import Request, Response

    from check_servers import Handler


def report_of(handler: Handler, *only: str) -> CheckReport:
    store = SQLiteStore(":memory:")
    try:
        client = HandleClient(store, Config((KEY,)), handler)
        return check_server("http://127.0.0.1:1", KEY, client=client, only=only, run_id="r")
    finally:
        store.close()


@pytest.fixture(scope="module")
def no_put() -> CheckReport:
    """A run with failures, blocked cases and differences all at once."""
    return report_of(
        broken_servers()["put-missing"][1](), "rules/*", "http/limits/*", "errors/parse/not-json"
    )


@pytest.fixture(scope="module")
def clean() -> CheckReport:
    return report_of(reference, "auth", "rules/merge/*")


def test_the_json_report_has_its_schema(no_put: CheckReport, clean: CheckReport) -> None:
    schema = json.loads(case_text("report.schema.json"))
    jsonschema.Draft202012Validator.check_schema(schema)
    validator: Any = jsonschema.Draft202012Validator(schema)
    for report in (no_put, clean):
        document = json.loads(json.dumps(report.json()))
        validator.validate(document)
    summary = cast("dict[str, Any]", no_put.json())["summary"]
    assert summary == {"pass": 8, "fail": 9, "difference": 4, "blocked": 8}


def test_the_junit_report_parses_and_counts_each_verdict(no_put: CheckReport) -> None:
    root = ET.fromstring(  # noqa: S314 - the checker's own output
        no_put.junit()
    )
    assert root.tag == "testsuites"
    assert (root.get("tests"), root.get("failures"), root.get("errors")) == ("29", "9", "8")
    suites = {suite.get("name"): suite for suite in root}
    assert list(suites) == [
        "replace",
        "merge",
        "nulls",
        "arrays",
        "empty-body",
        "errors",
        "limits",
        "auth",
        "concurrency",
    ]
    replace = suites["replace"]
    assert replace.get("failures") == "9"
    assert len(replace.findall("testcase/failure")) == 9
    assert len(root.findall("testsuite/testcase/error")) == 8
    assert len(root.findall("testsuite/testcase/system-out")) == 4
    first = replace.find("testcase/failure")
    assert first is not None
    assert first.get("message") == "answered 404 resource_not_found where the write must succeed"


def test_junit_holds_characters_xml_cannot(clean: CheckReport) -> None:
    report = report_of(
        broken_servers()["malformed-json-accepted"][1](),
        "errors/parse/lone-surrogate",
        "hazard-keys/escaped-keys/parse",
    )
    assert (
        ET.fromstring(  # noqa: S314 - the checker's own output
            report.junit()
        )
        is not None
    )
    broken = report_of(broken_servers()["shallow-merge"][1](), "hazard-keys/escaped-keys/parse")
    assert (
        ET.fromstring(  # noqa: S314 - the checker's own output
            broken.junit()
        )
        is not None
    )
    del clean


def test_the_text_report_groups_by_rule_and_shows_each_failure(no_put: CheckReport) -> None:
    text = no_put.text()
    lines = text.splitlines()
    assert (
        lines[0]
        == "check-server http://127.0.0.1:1: 29 cases, 8 passed, 9 failed, 4 differences, "
        "8 blocked"
    )
    assert lines[2].split() == ["rule", "passed", "failed", "differ", "blocked"]
    assert lines[3].split() == ["replace", "0", "9", "0", "2"]
    assert lines[7].split() == ["empty", "body", "0", "0", "0", "0"]
    assert "failures:" in lines
    assert (
        "  [replace] rules/replace/omitted/stored-object: "
        "replace: public_metadata omitted over a object stored value" in lines
    )
    assert "    request:  PUT /v1/users/{user_id}/metadata  {}" in lines
    assert "    diagnosis: PUT answered 404: the route seems missing" in lines
    assert any(line.startswith("differences (the spec leaves it open") for line in lines)
    assert (
        "  size-accounting: What exactly does the 8 KB bound count: each field or the total, "
        "bytes or characters, compact or as sent?" in lines
    )
    assert lines[-1] == "users: 29 created, 29 deleted"


def test_a_clean_run_has_no_failure_section(clean: CheckReport) -> None:
    text = clean.text()
    assert "failures:" not in text
    assert "differences (" not in text
    assert "    no case of this run bears on it" in text
    assert clean.exit_status == 0


def test_long_values_are_shortened(no_put: CheckReport) -> None:
    text = no_put.text()
    assert "... (" in text
    assert max(len(line) for line in text.splitlines()) < 500


def test_a_request_left_unanswered_is_shown_as_such() -> None:
    def no_answer_to_patch(request: Request, store: SQLiteStore, config: Config) -> Response:
        if request.method == "PATCH":
            raise MetadataError("the connection closed", code="invalid_argument")
        return reference(request, store, config)

    report = report_of(no_answer_to_patch, "rules/merge/object/stored-object")
    assert report.exit_status == 1
    answers = [line for line in report.text().splitlines() if line.startswith("    answer:")]
    assert answers == ["    answer:   (no answer) the server failed (invalid_argument)"]

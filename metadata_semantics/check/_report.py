"""The run's report: text for people, JSON for machines, JUnit XML for CI.

Every form groups the cases by rule (in the order of ``http_cases.json``),
sets failures apart from differences, and answers the open questions about
the server with the cases that bear on them. None of them holds the secret
key: it is never part of a result.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import TYPE_CHECKING, Final, cast

from metadata_semantics import JSONValue, dump_json

if TYPE_CHECKING:
    from ._cases import Question, Suite
    from ._runner import CaseResult, Exchange, RunResult

__all__ = ["FORMAT", "VERDICTS", "junit_xml", "report_json", "report_text", "rule_counts"]

FORMAT: Final = "metadata-semantics check-server report"
VERDICTS: Final = ("pass", "fail", "difference", "blocked")
_SHOWN: Final = 300
_SECTIONS: Final = (
    ("failures", ("fail", "blocked")),
    (
        "differences (the spec leaves it open, or a rejection came with another status or code)",
        ("difference",),
    ),
)
_KEPT: Final = 2000
# Characters XML 1.0 cannot hold at all, even escaped.
_NOT_XML: Final = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _short(text: str, limit: int = _SHOWN) -> str:
    return text if len(text) <= limit else f"{text[:limit]}... ({len(text)} characters)"


def _json(value: JSONValue) -> str:
    return dump_json(value)


def _body(body: bytes | None, limit: int = _SHOWN) -> str:
    if body is None:
        return "(no body)"
    return _short(body.decode("utf-8", errors="replace"), limit)


def rule_counts(suite: Suite, result: RunResult, /) -> list[tuple[str, dict[str, int]]]:
    """For each rule, in order, how many cases it reports per verdict."""
    counts: dict[str, dict[str, int]] = {
        rule.name: dict.fromkeys(VERDICTS, 0) for rule in suite.rules
    }
    for case in result.results:
        counts[case.rule][case.verdict] += 1
    return list(counts.items())


def _total(result: RunResult, verdict: str) -> int:
    return sum(1 for case in result.results if case.verdict == verdict)


def _request_line(exchange: Exchange) -> str:
    return f"{exchange.method} {exchange.path}  {_body(exchange.body)}"


def _main_exchange(case: CaseResult) -> Exchange | None:
    # The case's own request: the first to the route the case is about.
    for exchange in case.exchanges:
        if exchange.method == case.case.method and exchange.path != "/v1/users":
            return exchange
    return None


def _answer_line(exchange: Exchange) -> str:
    # A success carries the user object, whose ids change from run to run;
    # the records compared below say what matters in it.
    if exchange.status is None:
        return f"(no answer) {_body(exchange.answer, 120)}"
    if 200 <= exchange.status < 300:
        return str(exchange.status)
    return f"{exchange.status}  {_body(exchange.answer, 120)}"


def _failure_lines(case: CaseResult) -> list[str]:
    lines = [f"  [{case.rule}] {case.case.id}: {case.case.description}"]
    exchange = _main_exchange(case)
    if exchange is not None:
        lines.append(f"    request:  {_request_line(exchange)}")
        lines.append(f"    answer:   {_answer_line(exchange)}")
    if case.expected is not None or case.actual is not None:
        lines.append(f"    expected: {_short(_json(case.expected))}")
        lines.append(f"    actual:   {_short(_json(case.actual))}")
    if case.diagnosis is not None:
        lines.append(f"    diagnosis: {case.diagnosis}")
    lines.extend(f"    - {problem.message}" for problem in case.problems)
    return lines


def _question_lines(question: Question, result: RunResult) -> list[str]:
    evidence = [case for case in result.results if question.covers(case.case.id, case.rule)]
    if not evidence:
        return [f"  {question.name}: {question.text}", "    no case of this run bears on it"]
    tally = ", ".join(
        f"{sum(1 for case in evidence if case.verdict == verdict)} {verdict}"
        for verdict in VERDICTS
    )
    lines = [f"  {question.name}: {question.text}", f"    {len(evidence)} cases: {tally}"]
    lines.extend(
        f"    {case.case.id}: {case.problems[0].message}" for case in evidence if case.problems
    )
    return lines


def report_text(suite: Suite, result: RunResult, /) -> str:
    """The report for people: counts by rule, each failure, each difference, the questions."""
    head = (
        f"check-server {result.base_url}: {len(result.results)} cases, "
        f"{_total(result, 'pass')} passed, {_total(result, 'fail')} failed, "
        f"{_total(result, 'difference')} differences, {_total(result, 'blocked')} blocked"
    )
    lines = [
        head,
        "",
        f"{'rule':<12} {'passed':>7} {'failed':>7} {'differ':>7} {'blocked':>8}",
    ]
    for name, counts in rule_counts(suite, result):
        title = suite.rule(name).title
        lines.append(
            f"{title:<12} {counts['pass']:>7} {counts['fail']:>7} "
            f"{counts['difference']:>7} {counts['blocked']:>8}"
        )
    for heading, verdicts in _SECTIONS:
        chosen = [case for case in result.results if case.verdict in verdicts]
        if chosen:
            lines.extend(["", f"{heading}:"])
            for name, _ in rule_counts(suite, result):
                for case in chosen:
                    if case.rule == name:
                        lines.extend(_failure_lines(case))
    lines.extend(["", "questions:"])
    for question in suite.questions:
        lines.extend(_question_lines(question, result))
    lines.extend(["", _users_line(result)])
    return "\n".join(lines) + "\n"


def _users_line(result: RunResult) -> str:
    line = f"users: {result.created} created"
    if result.kept:
        line += f", {len(result.kept)} kept: {' '.join(result.kept)}"
    if result.left_behind:
        line += f", {len(result.left_behind)} COULD NOT BE DELETED: {' '.join(result.left_behind)}"
    deleted = result.created - len(result.kept) - len(result.left_behind)
    return f"{line}, {deleted} deleted"


def _exchange_json(exchange: Exchange) -> JSONValue:
    return {
        "method": exchange.method,
        "path": exchange.path,
        "body": None if exchange.body is None else _body(exchange.body, _KEPT),
        "status": exchange.status,
        "answer": _body(exchange.answer, _KEPT),
    }


def _case_json(case: CaseResult) -> JSONValue:
    return {
        "id": case.case.id,
        "rule": case.rule,
        "case_rule": case.case.rule,
        "verdict": case.verdict,
        "description": case.case.description,
        "checks": case.case.checks,
        "open": case.case.open,
        "problems": [
            {"severity": problem.severity, "message": problem.message} for problem in case.problems
        ],
        "diagnosis": case.diagnosis,
        "pointer": case.pointer,
        "expected": case.expected,
        "actual": case.actual,
        "exchanges": [_exchange_json(exchange) for exchange in case.exchanges],
    }


def report_json(suite: Suite, result: RunResult, /) -> JSONValue:
    """The report as one JSON value, in the shape ``report.schema.json`` describes."""
    rules: list[JSONValue] = [
        {"name": name, **cast("dict[str, JSONValue]", counts)}
        for name, counts in rule_counts(suite, result)
    ]
    questions: list[JSONValue] = [
        {
            "name": question.name,
            "text": question.text,
            "cases": [
                {
                    "id": case.case.id,
                    "verdict": case.verdict,
                    "problems": [p.message for p in case.problems],
                }
                for case in result.results
                if question.covers(case.case.id, case.rule)
            ],
        }
        for question in suite.questions
    ]
    return {
        "format": FORMAT,
        "version": 1,
        "base_url": result.base_url,
        "summary": {verdict: _total(result, verdict) for verdict in VERDICTS},
        "exit_status": result.exit_status,
        "rules": rules,
        "cases": [_case_json(case) for case in result.results],
        "questions": questions,
        "users": {
            "created": result.created,
            "kept": list(result.kept),
            "left_behind": list(result.left_behind),
        },
        "seconds": round(result.seconds, 3),
    }


def _xml_text(text: str) -> str:
    return _NOT_XML.sub(lambda match: f"\\u{ord(match.group()):04x}", text)


def junit_xml(suite: Suite, result: RunResult, /) -> bytes:
    """The report as JUnit XML: one test suite per rule, one test case per case.

    A failure is ``<failure>``, a blocked case ``<error>``, a difference a
    passing test with its message in ``<system-out>``.
    """
    root = ET.Element("testsuites", name="metadata-semantics check-server")
    totals = dict.fromkeys(VERDICTS, 0)
    for name, counts in rule_counts(suite, result):
        element = ET.SubElement(
            root,
            "testsuite",
            name=name,
            tests=str(sum(counts.values())),
            failures=str(counts["fail"]),
            errors=str(counts["blocked"]),
            skipped="0",
        )
        for case in result.results:
            if case.rule != name:
                continue
            totals[case.verdict] += 1
            test = ET.SubElement(
                element, "testcase", classname=f"check-server.{name}", name=_xml_text(case.case.id)
            )
            details = _xml_text("\n".join(_failure_lines(case)))
            first = _xml_text(case.problems[0].message) if case.problems else ""
            if case.verdict == "fail":
                ET.SubElement(test, "failure", message=first).text = details
            elif case.verdict == "blocked":
                ET.SubElement(test, "error", message=first).text = details
            elif case.verdict == "difference":
                ET.SubElement(test, "system-out").text = details
    root.set("tests", str(len(result.results)))
    root.set("failures", str(totals["fail"]))
    root.set("errors", str(totals["blocked"]))
    return cast("bytes", ET.tostring(root, encoding="utf-8", xml_declaration=True))

"""docs/checker.md is true: its case counts, options and example report are the code's."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from metadata_semantics.check import load_suite
from metadata_semantics.check._cli import KEY_VARIABLE, add_arguments

from check_servers import example_report

ROOT = Path(__file__).parent.parent
DOC = ROOT / "docs" / "checker.md"
EXAMPLE = ("shallow-merge", "--only", "rules/*", "--only", "evanphx/*", "--only", "http/limits/*")


def section(name: str) -> str:
    match = re.search(
        rf"<!-- {name}:start -->\n(.*?)<!-- {name}:end -->", DOC.read_text("utf-8"), re.DOTALL
    )
    assert match is not None, f"docs/checker.md has no {name} section"
    return match.group(1)


def render_counts() -> str:
    suite = load_suite()
    lines = [
        "| rule | cases | from the vectors | HTTP-only | open | what it checks |",
        "|---|---:|---:|---:|---:|---|",
    ]
    for rule in suite.rules:
        cases = [case for case in suite.cases if case.rule == rule.name]
        vectors = sum(case.source == "vectors" for case in cases)
        opened = sum(case.open for case in cases)
        lines.append(
            f"| {rule.title} | {len(cases)} | {vectors} | {len(cases) - vectors} | {opened} "
            f"| {rule.description} |"
        )
    vectors = sum(case.source == "vectors" for case in suite.cases)
    opened = sum(case.open for case in suite.cases)
    total = len(suite.cases)
    lines.append(f"| **all** | **{total}** | {vectors} | {total - vectors} | {opened} | |")
    return "\n".join(lines) + "\n"


def test_the_case_counts_are_the_suite() -> None:
    assert section("case-counts") == render_counts()


def test_the_example_report_is_what_the_command_prints_now() -> None:
    """A real run against a broken server, made by the command the doc names."""
    assert section("example-report") == f"```text\n{example_report(*EXAMPLE)}```\n"
    command = "python tests/check_servers.py " + " ".join(
        part if part.startswith("-") or "*" not in part else f"'{part}'" for part in EXAMPLE
    )
    assert command in DOC.read_text("utf-8").replace("\n", " ")


def test_every_option_of_the_command_is_documented() -> None:
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    text = DOC.read_text("utf-8")
    options = [option for action in parser._actions for option in action.option_strings]
    assert len(options) > 10
    for option in options:
        if option not in {"-h", "--help"}:
            assert f"| `{option}" in text, option
    assert f"`${KEY_VARIABLE}`" in text


def test_the_readme_links_the_checker() -> None:
    readme = (ROOT / "README.md").read_text("utf-8")
    assert "(docs/checker.md)" in readme
    assert "check-server" in readme

"""The README is true: its tables are the package's data, and its examples run."""

from __future__ import annotations

import doctest
import re
from pathlib import Path

from metadata_semantics import ERROR_CODES, RULES, FieldState

README = Path(__file__).parent.parent / "README.md"

_STATE_LABELS: dict[FieldState, str] = {
    "omitted": "`OMITTED`",
    "null": "`None`",
    "empty": "`{}`",
    "object": "an object",
}


def section(name: str) -> str:
    text = README.read_text("utf-8")
    match = re.search(rf"<!-- {name}:start -->\n(.*?)<!-- {name}:end -->", text, re.DOTALL)
    assert match is not None, f"README has no {name} section"
    return match.group(1)


def render_rules() -> str:
    lines = [
        "| request field | `replace_metadata` (PUT) | `merge_metadata` (PATCH) |",
        "|---|---|---|",
    ]
    for state, label in _STATE_LABELS.items():
        replace = RULES["replace", state].outcome
        merge = RULES["merge", state].outcome
        lines.append(f"| {label} | {replace} | {merge} |")
    return "\n".join(lines) + "\n"


def render_error_codes() -> str:
    lines = ["| code | raised as | meaning |", "|---|---|---|"]
    lines.extend(
        f"| `{info.code}` | `{info.error_type.__name__}` | {info.meaning} |"
        for info in ERROR_CODES.values()
    )
    return "\n".join(lines) + "\n"


def test_readme_rules_table_is_the_rules_data() -> None:
    assert section("rules-table") == render_rules()


def test_rules_table_covers_every_operation_and_state() -> None:
    assert set(RULES) == {(op, state) for op in ("replace", "merge") for state in _STATE_LABELS}


def test_readme_error_table_is_the_error_codes_data() -> None:
    assert section("error-codes") == render_error_codes()


def test_readme_examples_run() -> None:
    blocks = re.findall(r"```pycon\n(.*?)```", README.read_text("utf-8"), re.DOTALL)
    assert blocks, "README has no examples"
    parser = doctest.DocTestParser()
    test = parser.get_doctest("\n".join(blocks), {}, "README.md", str(README), 0)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    runner.run(test)
    result = runner.summarize(verbose=False)
    assert result.attempted > 10
    assert result.failed == 0

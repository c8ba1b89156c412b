"""The mutation ledger: every survivor has a reason, and no reason outlives its mutant."""

from __future__ import annotations

from pathlib import Path

from scripts import load_script

_ROOT = Path(__file__).parents[1]
_PATH = _ROOT / "tests" / "mutation" / "run_mutation.py"
runner = load_script(_PATH, "mutation_runner")

SAMPLE = """\
# Surviving mutants

Some prose that mentions `metadata_semantics._values.x_f__mutmut_9` in passing.

- `metadata_semantics._values.x_f__mutmut_1`: equivalent: the reason.
- `metadata_semantics._json.x_g__mutmut_2`: message wording only.
"""


def test_the_ledger_reads_only_entry_lines() -> None:
    assert runner.read_ledger(SAMPLE) == {
        "metadata_semantics._values.x_f__mutmut_1": "equivalent: the reason.",
        "metadata_semantics._json.x_g__mutmut_2": "message wording only.",
    }


def test_a_survivor_without_a_reason_and_a_reason_without_a_survivor_are_both_reported() -> None:
    statuses = {
        "metadata_semantics._values.x_f__mutmut_1": "survived",
        "metadata_semantics._values.x_f__mutmut_3": "no tests",
        "metadata_semantics._json.x_g__mutmut_2": "killed",
        "metadata_semantics._json.x_g__mutmut_4": "timeout",
    }
    unexplained, stale = runner.audit(statuses, runner.read_ledger(SAMPLE))
    assert unexplained == ["metadata_semantics._values.x_f__mutmut_3"]
    assert stale == ["metadata_semantics._json.x_g__mutmut_2"]


def test_timeouts_and_kills_are_the_detected_statuses() -> None:
    assert frozenset({"killed", "timeout"}) == runner.DETECTED


def test_the_shipped_ledger_names_each_mutant_once_in_a_mutated_module() -> None:
    text = runner.LEDGER.read_text("utf-8")
    entries = runner.read_ledger(text)
    lines = [line for line in text.splitlines() if runner._ENTRY.match(line)]
    assert len(lines) == len(entries) > 0
    configuration = (_ROOT / "pyproject.toml").read_text("utf-8")
    for name, reason in entries.items():
        module = name.rpartition(".x")[0]
        assert f'"{module.replace(".", "/")}.py"' in configuration, name
        assert reason.strip(), name


def test_a_method_recorded_under_the_package_is_found_in_the_module_that_defines_it() -> None:
    homes = {
        "xǁMetadataErrorǁ__str__": {"metadata_semantics._errors"},
        "x_merge_patch": {"metadata_semantics._values"},
    }
    assert runner.rehome("metadata_semantics.xǁMetadataErrorǁ__str__", homes) == [
        "metadata_semantics._errors.xǁMetadataErrorǁ__str__"
    ]
    # A name already in its own module, or one mutmut did not mutate, stays.
    assert runner.rehome("metadata_semantics._values.x_merge_patch", homes) == [
        "metadata_semantics._values.x_merge_patch"
    ]
    assert runner.rehome("metadata_semantics.x_unknown", homes) == ["metadata_semantics.x_unknown"]

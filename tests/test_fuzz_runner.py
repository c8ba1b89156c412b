"""The time-boxed fuzz runner: its budget, the targets it finds, and its counting."""

from __future__ import annotations

import importlib
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from hypothesis import settings

from scripts import load_script

if TYPE_CHECKING:
    import types
    from collections.abc import Iterator

_PATH = Path(__file__).parent / "fuzz" / "run.py"
runner = load_script(_PATH, "fuzz_runner")


def test_budget_defaults_to_three_minutes() -> None:
    assert runner.budget_from({}) == 180
    assert runner.budget_from({"FUZZ_SECONDS": " "}) == 180


def test_budget_is_read_from_the_environment_up_to_ten_minutes() -> None:
    assert runner.budget_from({"FUZZ_SECONDS": "45"}) == 45
    assert runner.budget_from({"FUZZ_SECONDS": "600"}) == 600


@pytest.mark.parametrize("text", ["601", "0", "-5", "soon", "nan"])
def test_a_budget_outside_the_box_is_refused(text: str) -> None:
    with pytest.raises(runner.BudgetError):
        runner.budget_from({"FUZZ_SECONDS": text})


_SAMPLE = """
import pytest
from hypothesis import given, strategies as st


@given(st.integers())
def test_passes(number):
    assert isinstance(number, int)


@given(st.integers())
def test_wants_a_fixture(tmp_path, number):
    pass


def test_plain():
    pass


@pytest.mark.skip(reason="sample")
@given(st.integers())
def test_skipped(number):
    pass


@given(st.booleans())
def test_fails(flag):
    assert flag
"""


@pytest.fixture
def sample(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[types.ModuleType]:
    """A test module on disk (the runner reloads it each round); the profile is restored."""
    (tmp_path / "fuzz_runner_sample.py").write_text(_SAMPLE, "utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))  # pyright: ignore[reportUnknownMemberType]
    profile = os.environ.get("HYPOTHESIS_PROFILE", "dev")
    yield importlib.import_module("fuzz_runner_sample")
    sys.modules.pop("fuzz_runner_sample", None)
    settings.load_profile(profile)


def test_targets_are_the_given_tests_that_need_no_fixture_and_are_not_skipped(
    sample: types.ModuleType,
) -> None:
    names = [target.attribute for target in runner.targets_in(sample)]
    assert names == ["test_passes", "test_fails"]


def test_a_target_is_run_and_counted_until_its_share_is_spent(sample: types.ModuleType) -> None:
    target = runner.Target(sample.__name__, "test_passes", machine=False)
    outcome = runner.run_target(target, 0.5)
    assert outcome.error is None
    assert outcome.examples >= runner.FIRST_ROUND


def test_a_failing_target_stops_with_its_error(sample: types.ModuleType) -> None:
    target = runner.Target(sample.__name__, "test_fails", machine=False)
    outcome = runner.run_target(target, 5)
    assert isinstance(outcome.error, AssertionError)
    assert outcome.examples >= 1

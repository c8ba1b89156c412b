"""Run the property tests under the ``fuzz`` profile for a fixed wall-clock budget.

Hypothesis counts examples, not seconds, so this runner makes the time box
itself. The budget is split evenly across the groups of targets below, and a
group's share evenly across its targets. Each target (one ``@given`` test)
is run in rounds of a few hundred examples until its share is spent; a round
that ends short of its quota means Hypothesis has tried everything the
strategies can produce, and the target stops early.

Usage, from the project root::

    python tests/fuzz/run.py            # budget from FUZZ_SECONDS, default 180
    FUZZ_SECONDS=600 python tests/fuzz/run.py

It prints the examples run per target and per group. A failing target
prints Hypothesis's falsifying example and its ``@reproduce_failure`` blob,
the other targets still run, and the exit status is 1.
"""

from __future__ import annotations

import functools
import importlib
import inspect
import os
import sys
import time
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, cast

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping, Sequence
    from types import ModuleType

TESTS: Final = Path(__file__).resolve().parent.parent
DEFAULT_SECONDS: Final = 180.0
MAX_SECONDS: Final = 600.0

# Each group names the test modules whose ``@given`` tests and state
# machines are its targets: the core properties, the wire boundary (any bytes
# or text into ``parse_json`` and ``apply_request``), and the command-line
# ``oracle`` fed random lines.
GROUPS: Final[dict[str, tuple[str, ...]]] = {
    "core": (
        "test_semantics_laws",
        "test_rfc7396",
        "test_differential_sqlite",
        "test_bad_input",
        "test_purity",
        "test_equality",
        "test_stateful",
    ),
    "wire": ("test_json", "test_apply_request", "test_body"),
    "oracle": ("test_cli", "test_oracle_stream"),
}

FIRST_ROUND: Final = 25
LARGEST_ROUND: Final = 2_000
# A round aims at this fraction of the time left, so the last one cannot
# overshoot the share by much.
ROUND_FRACTION: Final = 0.25


class BudgetError(ValueError):
    """FUZZ_SECONDS is not a number of seconds between 1 and the maximum."""


def budget_from(environ: Mapping[str, str], /) -> float:
    """The total budget in seconds, from ``FUZZ_SECONDS`` (at most 600)."""
    text = environ.get("FUZZ_SECONDS", "").strip()
    if not text:
        return DEFAULT_SECONDS
    try:
        seconds = float(text)
    except ValueError:
        raise BudgetError(f"FUZZ_SECONDS must be a number of seconds, not {text!r}") from None
    if not 1 <= seconds <= MAX_SECONDS:
        raise BudgetError(f"FUZZ_SECONDS must be between 1 and {MAX_SECONDS:g}, not {text}")
    return seconds


@dataclass(frozen=True, slots=True)
class Target:
    """One ``@given`` test or state machine: ``attribute`` of module ``module``."""

    module: str
    attribute: str
    machine: bool

    @property
    def name(self) -> str:
        return f"{self.module}::{self.attribute}"


@dataclass(frozen=True, slots=True)
class Outcome:
    """What running one target for its share did."""

    name: str
    examples: int
    seconds: float
    exhausted: bool
    error: BaseException | None


def _skipped(owner: object) -> bool:
    """True if pytest would skip this module or test unconditionally here."""
    marks: object = getattr(owner, "pytestmark", [])
    # A module may set one mark or a list of them.
    listed = list(cast("Iterable[object]", marks)) if isinstance(marks, list) else [marks]
    for mark in listed:
        name = getattr(mark, "name", None)
        args: tuple[object, ...] = getattr(mark, "args", ())
        if name == "skip" or (name == "skipif" and args and args[0]):
            return True
    return False


def _is_machine(value: object, module_name: str) -> bool:
    """True for a state machine class defined in the module, not one imported into it."""
    from hypothesis.stateful import RuleBasedStateMachine

    return (
        isinstance(value, type)
        and issubclass(value, RuleBasedStateMachine)
        and value.__module__ == module_name
    )


def targets_in(module: ModuleType, /) -> list[Target]:
    """Every ``@given`` test and state machine of a module that needs no pytest fixture."""
    if _skipped(module):
        return []
    found: list[Target] = []
    members: dict[str, object] = vars(module)
    for name, value in members.items():
        if _is_machine(value, module.__name__):
            found.append(Target(module.__name__, name, machine=True))
            continue
        if not name.startswith("test_") or not hasattr(value, "hypothesis") or _skipped(value):
            continue
        # A test that still takes arguments wants pytest fixtures or parameters.
        if inspect.signature(cast("Callable[..., object]", value)).parameters:
            continue
        found.append(Target(module.__name__, name, machine=False))
    return found


def run_round(target: Target, size: int, counter: list[int], /) -> None:
    """Run ``target`` once for ``size`` examples, adding each one run to ``counter[0]``."""
    from hypothesis import settings, stateful

    run_machine = cast(
        "Callable[..., None]",
        stateful.run_state_machine_as_test,  # pyright: ignore[reportUnknownMemberType]
    )
    settings.register_profile("fuzz-round", settings.get_profile("fuzz"), max_examples=size)
    settings.load_profile("fuzz-round")
    # ``@given`` takes the default settings when it decorates, so the module
    # is run again to build its tests under this round's profile.
    module = importlib.reload(sys.modules[target.module])
    value: Any = getattr(module, target.attribute)
    if target.machine:
        machine = cast("type[stateful.RuleBasedStateMachine]", value)

        class Counted(machine):  # type: ignore[misc, valid-type]
            def __init__(self) -> None:
                counter[0] += 1
                super().__init__()

        Counted.__name__ = Counted.__qualname__ = target.attribute
        run_machine(Counted, settings=settings.default)
        return
    handle = value.hypothesis
    inner = handle.inner_test

    @functools.wraps(inner)
    def counted(*args: Any, **kwargs: Any) -> Any:
        counter[0] += 1
        return inner(*args, **kwargs)

    # Replacing ``inner_test`` is Hypothesis's hook for wrapping a test's body.
    handle.inner_test = counted
    value()


def run_target(target: Target, seconds: float, /) -> Outcome:
    """Run one target in rounds until ``seconds`` are spent or it fails."""
    counter = [0]
    start = time.monotonic()
    end = start + seconds
    size = FIRST_ROUND
    exhausted = False
    error: BaseException | None = None
    while time.monotonic() < end:
        before = counter[0]
        round_start = time.monotonic()
        try:
            run_round(target, size, counter)
        except Exception as failure:  # noqa: BLE001 - every failure is reported, then counted
            error = failure
            break
        ran = counter[0] - before
        if ran < size:
            exhausted = True
            break
        per_example = (time.monotonic() - round_start) / ran
        left = end - time.monotonic()
        # Later examples are larger than the first ones, so a round grows at
        # most twofold, whatever the last one's pace promises.
        fits = left * ROUND_FRACTION / per_example
        size = int(max(FIRST_ROUND, min(2 * size, LARGEST_ROUND, fits)))
    return Outcome(target.name, counter[0], time.monotonic() - start, exhausted, error)


def report_failure(outcome: Outcome, /) -> None:
    """Print the failure with Hypothesis's notes: the example and the blob."""
    assert outcome.error is not None
    print(f"\nFAILED {outcome.name}", flush=True)
    traceback.print_exception(outcome.error, file=sys.stdout)
    if sys.version_info < (3, 11):  # pragma: no cover - notes are printed from 3.11 on
        for note in getattr(outcome.error, "__notes__", []):
            print(note)
    sys.stdout.flush()


def load_groups(groups: dict[str, tuple[str, ...]], /) -> dict[str, list[Target]]:
    """Import each group's modules and collect their targets."""
    loaded: dict[str, list[Target]] = {}
    for group, modules in groups.items():
        found: list[Target] = []
        for module_name in modules:
            found.extend(targets_in(importlib.import_module(module_name)))
        loaded[group] = found
    return loaded


def main(argv: Sequence[str] | None = None) -> int:
    """Fuzz every group for its share of the budget; 0 if nothing failed."""
    del argv
    try:
        budget = budget_from(os.environ)
    except BudgetError as error:
        print(error, file=sys.stderr)
        return 2
    sys.path.insert(0, str(TESTS))
    os.environ["HYPOTHESIS_PROFILE"] = "fuzz"
    importlib.import_module("conftest")  # registers and loads the profiles
    groups = load_groups(GROUPS)
    # A group with nothing to run leaves its share to the others.
    share = budget / max(1, sum(1 for targets in groups.values() if targets))
    print(f"fuzz: {budget:g}s budget, {share:g}s per group: {', '.join(groups)}", flush=True)
    failures: list[Outcome] = []
    total = 0
    for group, targets in groups.items():
        if not targets:
            # Said loudly rather than failed: a group's modules may not have
            # grown a property test yet.
            print(f"\n[{group}] WARNING: no property tests found, nothing fuzzed", flush=True)
            continue
        each = share / len(targets)
        print(f"\n[{group}] {len(targets)} targets, {each:.1f}s each", flush=True)
        group_total = 0
        for target in targets:
            outcome = run_target(target, each)
            group_total += outcome.examples
            note = " (search space exhausted)" if outcome.exhausted else ""
            status = "FAILED" if outcome.error is not None else "ok"
            print(
                f"  {status:<6} {outcome.examples:>8} examples {outcome.seconds:6.1f}s "
                f"{outcome.name}{note}",
                flush=True,
            )
            if outcome.error is not None:
                failures.append(outcome)
                report_failure(outcome)
        print(f"[{group}] {group_total} examples", flush=True)
        total += group_total
    print(f"\nfuzz: {total} examples in all; {len(failures)} failed", flush=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

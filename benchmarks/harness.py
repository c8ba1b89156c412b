"""Timing and checking: answers checked before timing, interleaved rounds, min and median.

Each implementation is a ``prepare(shape)`` that returns a zero-argument
callable or raises :class:`Unsupported` with the reason the table shows. The
callable is run once and its answer compared type-strictly with the shape's
known result, and its inputs compared with their copies, before it is ever
timed. Timing runs every implementation of a shape in turn, round after
round, in a rotating order, so a noisy moment hits them all alike.
"""

from __future__ import annotations

import gc
import os
import platform
import statistics
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from metadata_semantics import json_equal, merge_patch

if TYPE_CHECKING:
    from collections.abc import Callable

    from shapes import Shape

ROOT = Path(__file__).resolve().parent.parent


class Unsupported(Exception):  # noqa: N818 - a verdict, not a failure of the harness
    """The implementation cannot run this shape; the message says why, for the table."""


@dataclass(frozen=True, slots=True)
class Prepared:
    """A ready call, its answer extractor, and what it may mutate by design."""

    call: Callable[[], Any]
    answer: Callable[[Any], Any] = lambda result: result
    inputs: tuple[Any, ...] = ()
    """The objects the call receives, checked afterwards for mutation."""
    mutates: bool = False
    """True for an in-place implementation: it is timed on its own copy."""


@dataclass(frozen=True, slots=True)
class Implementation:
    name: str
    prepare: Callable[[Shape], Prepared]
    note: str = ""


@dataclass(slots=True)
class Result:
    name: str
    note: str
    verdict: str = ""
    """Empty when timed; otherwise why there is no time (wrong result, RecursionError...)."""
    times: list[float] = field(default_factory=list)
    """Seconds per call, one per round."""

    @property
    def best(self) -> float:
        return min(self.times)

    @property
    def median(self) -> float:
        return statistics.median(self.times)


def private_copy(value: Any) -> Any:
    """A deep copy at any depth, by the library under test in its default mode."""
    # Merging an empty patch copies the target whole, nulls and all.
    holder = merge_patch({"v": value}, {})
    assert isinstance(holder, dict)
    return holder["v"]


def verify(implementation: Implementation, shape: Shape) -> tuple[Prepared | None, str]:
    """Run once and check the answer; return the prepared call or the verdict."""
    try:
        prepared = implementation.prepare(shape)
    except Unsupported as reason:
        return None, str(reason)
    snapshots = [private_copy(item) for item in prepared.inputs]
    try:
        result = prepared.call()
    except RecursionError:
        return None, "RecursionError"
    except Exception as error:  # noqa: BLE001 - the table reports any failure by its type
        message = str(error).split("\n")[0][:60]
        return None, f"fails: {type(error).__name__} ({message})"
    if not json_equal(prepared.answer(result), shape.expected):
        return None, "wrong result"
    if not prepared.mutates:
        for before, after in zip(snapshots, prepared.inputs, strict=True):
            if not json_equal(before, after):
                return None, "mutates its input"
    return prepared, ""


def _batch(call: Callable[[], Any], number: int) -> float:
    # CPU time of this thread, not wall time: on a shared machine the time
    # the scheduler hands to other processes would otherwise count as ours.
    loop = range(number)
    start = time.thread_time()
    for _ in loop:
        call()
    return time.thread_time() - start


def calibrate(call: Callable[[], Any], budget: float) -> int:
    """How many calls make one batch of about ``budget`` seconds."""
    number = 1
    while True:
        elapsed = _batch(call, number)
        if elapsed >= budget / 4 or number >= 1 << 20:
            return max(1, round(number * budget / max(elapsed, 1e-9)))
        number *= 4


def interleave(
    calls: list[tuple[Result, Callable[[], Any]]], *, rounds: int, budget: float
) -> None:
    """Time each call into its result, round after round, in a rotating order."""
    timed = [(result, call, calibrate(call, budget)) for result, call in calls]
    enabled = gc.isenabled()
    gc.disable()  # as timeit does: a collection would land on whoever is running
    try:
        for round_number in range(rounds):
            shift = round_number % max(1, len(timed))
            for result, call, number in timed[shift:] + timed[:shift]:
                result.times.append(_batch(call, number) / number)
            gc.collect()
    finally:
        if enabled:
            gc.enable()


def measure(
    shape: Shape, implementations: list[Implementation], *, rounds: int, budget: float
) -> list[Result]:
    """Check every implementation on ``shape``, then time the ones that pass, interleaved."""
    results: list[Result] = []
    calls: list[tuple[Result, Callable[[], Any]]] = []
    for implementation in implementations:
        result = Result(implementation.name, implementation.note)
        prepared, result.verdict = verify(implementation, shape)
        results.append(result)
        if prepared is not None:
            calls.append((result, prepared.call))
    interleave(calls, rounds=rounds, budget=budget)
    return results


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _commit() -> str:
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return commit + (" (with uncommitted changes)" if dirty else "")


def environment() -> dict[str, str]:
    """What the numbers were measured on."""
    return {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "machine": f"{_cpu_model()}, {os.cpu_count()} logical cores, {platform.system()}",
        "commit": _commit(),
    }


def micros(seconds: float) -> str:
    value = seconds * 1e6
    if value >= 10_000:
        return f"{value / 1000:,.1f} ms"
    if value >= 100:
        return f"{value:,.0f} µs"
    return f"{value:.2f} µs"

"""Check the performance targets; exit non-zero if any falls short.

    python benchmarks/check_targets.py             # about a minute
    python benchmarks/check_targets.py --rounds 30 # steadier on a noisy machine

Every target is a ratio between two timings taken in the same run, in
interleaved rounds, so it holds on any machine: the minimum over the rounds
is used, as the least disturbed estimate of what a call costs. Import time
is absolute: the median of five ``python -X importtime`` runs.

This is a benchmark, not a test: shared machines are noisy, so CI does not
run it.
"""

from __future__ import annotations

import argparse
import operator
import os
import statistics
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import Result, environment, interleave, verify
from peers import (
    json_merge_patch_in_place,
    json_merge_patch_pure,
    orjson_baseline,
    ours,
)
from shapes import Shape, chain, chain_merge, eight_kb_merge, replace_8kb, sectioned_mb_merge

from metadata_semantics import (
    Limits,
    MetadataError,
    UserMetadata,
    UserMetadataParams,
    apply_request,
    explain,
    json_equal,
    merge_metadata,
    merge_patch,
    replace_metadata,
)

if TYPE_CHECKING:
    from collections.abc import Callable

    from harness import Implementation


@dataclass(frozen=True, slots=True)
class Target:
    label: str
    numerator: str
    denominator: str
    relation: str
    """``<=`` (at most) or ``>=`` (at least)."""
    bound: float


TARGETS: list[Target] = [
    Target(
        "merge 8 KB, default: deepcopy + json-merge-patch / ours",
        "8kb deepcopy+jmp",
        "8kb default",
        ">=",
        4.0,
    ),
    Target(
        "merge 8 KB, default: ours / orjson round trip of the stored document",
        "8kb default",
        "8kb orjson",
        "<=",
        2.0,
    ),
    Target(
        "replace 8 KB value, default: ours / orjson round trip of the value",
        "replace default",
        "replace orjson",
        "<=",
        2.0,
    ),
    Target(
        "share: 1-key patch into 1 MB in 10 sections / the same into 8 KB",
        "1mb share",
        "8kb share",
        "<=",
        3.0,
    ),
    Target(
        "share, 8 KB: ours / json-merge-patch in place (which mutates)",
        "8kb share",
        "8kb jmp in place",
        "<=",
        1.5,
    ),
    Target(
        "share, 8 KB: deepcopy + json-merge-patch / ours",
        "8kb deepcopy+jmp",
        "8kb share",
        ">=",
        100.0,
    ),
]

DEPTHS = (10_000, 100_000)
DEPTH_BOUND = 15.0
IMPORT_BOUND_MS = 10.0
IMPORT_PARTS = ("metadata_semantics", "dataclasses", "typing", "enum")
"""The package, then the standard modules it pulls in that cost the most."""


def _checked(implementation: Implementation, shape: Shape) -> Callable[[], Any]:
    prepared, verdict = verify(implementation, shape)
    if prepared is None:
        raise SystemExit(f"{implementation.name} on {shape.name}: {verdict}")
    return prepared.call


def ratio_calls() -> dict[str, Callable[[], Any]]:
    small, large, replace = eight_kb_merge(), sectioned_mb_merge(), replace_8kb()
    return {
        "8kb default": _checked(ours(share=False), small),
        "8kb share": _checked(ours(share=True), small),
        "8kb deepcopy+jmp": _checked(json_merge_patch_pure(), small),
        "8kb jmp in place": _checked(json_merge_patch_in_place(), small),
        "8kb orjson": _checked(orjson_baseline(), small),
        "1mb share": _checked(ours(share=True), large),
        "replace default": _checked(ours(share=False), replace),
        "replace orjson": _checked(orjson_baseline(), replace),
    }


def depth_calls(depth: int) -> dict[str, Callable[[], Any]]:
    """Every public function at one depth, in both modes, each checked once first."""
    shape = chain_merge(depth)
    stored, patch, expected = shape.stored, shape.patch, shape.expected
    record = UserMetadata(public_metadata=stored)
    merge_request = UserMetadataParams(public_metadata=patch)
    replace_request = UserMetadataParams(private_metadata=chain(depth, "new"))
    body = {"public_metadata": patch}
    calls: dict[str, Callable[[], Any]] = {}
    for share in (False, True):
        mode = "share" if share else "default"

        def merge_value(share: bool = share) -> Any:
            return merge_patch(stored, patch, share=share)

        def merge_record(share: bool = share) -> Any:
            return merge_metadata(record, merge_request, share=share).public_metadata

        def replace_record(share: bool = share) -> Any:
            return replace_metadata(record, replace_request, share=share).private_metadata

        def request(share: bool = share) -> Any:
            result = apply_request(record, "PATCH", body, limits=None, share=share)
            return result.public_metadata

        assert json_equal(merge_value(), expected)
        assert json_equal(merge_record(), expected)
        assert json_equal(replace_record(), chain(depth, "new"))
        calls[f"merge_patch ({mode})"] = merge_value
        calls[f"merge_metadata ({mode})"] = merge_record
        assert json_equal(request(), expected)
        calls[f"replace_metadata ({mode})"] = replace_record
        calls[f"apply_request ({mode})"] = request
    return calls


HOSTILE_TARGETS: list[Target] = [
    Target(
        "shared sub-objects, default limits: 2**64 leaves / 2**22 leaves",
        "doubling 64",
        "doubling 22",
        "<=",
        1.5,
    ),
    Target(
        "shared sub-objects, 2**64 leaves: limit 16 KB / limit 8 KB",
        "doubling 64, 16 KB",
        "doubling 64",
        "<=",
        3.0,
    ),
    Target(
        "a 20 MB body, default limits: rejected / parse_json of 64 KB",
        "20 MB body",
        "64 KB parse",
        "<=",
        1.0,
    ),
    Target(
        "explain, merge: depth 20,000 / depth 2,000",
        "explain 20000",
        "explain 2000",
        "<=",
        15.0,
    ),
]


def _doubling(levels: int) -> list[Any]:
    value: list[Any] = ["leaf"]
    for _ in range(levels):
        value = [value, value]
    return value


def _rejects(call: Callable[[], Any], code: str) -> Callable[[], Any]:
    """``call``, checked once to fail with ``code``, as a call that swallows that error."""

    def rejected() -> None:
        try:
            call()
        except MetadataError as error:
            if error.code != code:
                raise
        else:
            raise AssertionError(f"expected {code}")

    rejected()
    return rejected


def _explain_call(depth: int) -> Callable[[], Any]:
    before: dict[str, Any] = {"leaf": 1}
    after: dict[str, Any] = {"leaf": 2}
    for _ in range(depth):
        before = {"k": before, "x": 1}
        after = {"k": after, "x": 2}
    record = UserMetadata(public_metadata=before)
    params = UserMetadataParams(public_metadata=after)
    assert len(explain(record, params, "merge")[0].edits) == depth + 1
    return lambda: explain(record, params, "merge")


def hostile_calls() -> dict[str, Callable[[], Any]]:
    """Work that a limit bounds: each call is checked once to give the expected answer."""
    bigger = Limits(max_field_bytes=16384, max_total_bytes=16384)
    body = "{" + '"public_metadata":{"a":"' + "x" * (20 * 1024 * 1024) + '"}}'
    small = "{" + '"public_metadata":{"a":"' + "x" * (64 * 1024 - 30) + '"}}'
    from metadata_semantics import parse_json

    calls: dict[str, Callable[[], Any]] = {}
    for levels in (22, 64):
        shared = {"public_metadata": {"x": _doubling(levels)}}
        calls[f"doubling {levels}"] = _rejects(
            lambda shared=shared: apply_request(UserMetadata(), "PUT", shared), "field_too_large"
        )
    shared = {"public_metadata": {"x": _doubling(64)}}
    calls["doubling 64, 16 KB"] = _rejects(
        lambda: apply_request(UserMetadata(), "PUT", shared, limits=bigger), "field_too_large"
    )
    calls["20 MB body"] = _rejects(
        lambda: apply_request(UserMetadata(), "PATCH", body), "body_too_large"
    )
    calls["64 KB parse"] = lambda: parse_json(small)
    calls["explain 2000"] = _explain_call(2000)
    calls["explain 20000"] = _explain_call(20000)
    return calls


def check_ratios(
    targets: list[Target], calls: dict[str, Callable[[], Any]], rounds: int, budget: float
) -> int:
    """Time ``calls`` in interleaved rounds and print each target; return how many missed."""
    results = {name: Result(name, "") for name in calls}
    interleave(
        [(results[name], call) for name, call in calls.items()], rounds=rounds, budget=budget
    )
    failures = 0
    for target in targets:
        numerator, denominator = results[target.numerator], results[target.denominator]
        best = numerator.best / denominator.best
        median = numerator.median / denominator.median
        ok = verdict(best, target.relation, target.bound)
        failures += not ok
        print(
            f"{'PASS' if ok else 'FAIL'}  {target.label}: {best:,.2f} "
            f"(target {target.relation} {target.bound:g}; medians give {median:,.2f}; "
            f"{numerator.best * 1000:,.2f} ms / {denominator.best * 1000:,.2f} ms)"
        )
    return failures


def import_times_ms(runs: int = 5) -> dict[str, float]:
    """Median cumulative import times from ``-X importtime``: the package and its heaviest parts.

    Byte-code caching is allowed and one unmeasured import runs first, so
    the numbers are those of an installed package, not of compiling it.
    """
    env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    command = [sys.executable, "-X", "importtime", "-c", "import metadata_semantics"]
    subprocess.run(command, capture_output=True, check=True, env=env)
    samples: dict[str, list[float]] = {name: [] for name in IMPORT_PARTS}
    for _ in range(runs):
        report = subprocess.run(command, capture_output=True, text=True, check=True, env=env)
        for line in report.stderr.splitlines():
            parts = [part.strip() for part in line.split("|")]
            if len(parts) == 3 and parts[2] in samples:
                samples[parts[2]].append(int(parts[1]) / 1000)
    return {name: statistics.median(times) for name, times in samples.items() if times}


def verdict(value: float, relation: str, bound: float) -> bool:
    compare = operator.le if relation == "<=" else operator.ge
    return compare(value, bound)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15, help="interleaved rounds (15)")
    parser.add_argument("--budget", type=float, default=0.005, help="seconds per batch (0.005)")
    parser.add_argument(
        "--hostile", action="store_true", help="only the targets for hostile input"
    )
    options = parser.parse_args(argv)
    if options.hostile:
        env = environment()
        print(f"{env['date']} | {env['python']} | {env['machine']} | commit {env['commit']}")
        failures = check_ratios(
            HOSTILE_TARGETS, hostile_calls(), max(3, options.rounds // 3), options.budget
        )
        print(f"{failures} target(s) missed" if failures else "all targets met")
        return 1 if failures else 0

    env = environment()
    print(f"{env['date']} | {env['python']} | {env['machine']} | commit {env['commit']}")
    failures = 0

    calls = ratio_calls()
    results = {name: Result(name, "") for name in calls}
    interleave(
        [(results[name], call) for name, call in calls.items()],
        rounds=options.rounds,
        budget=options.budget,
    )
    for target in TARGETS:
        best = results[target.numerator].best / results[target.denominator].best
        median = results[target.numerator].median / results[target.denominator].median
        ok = verdict(best, target.relation, target.bound)
        failures += not ok
        print(
            f"{'PASS' if ok else 'FAIL'}  {target.label}: {best:,.2f} "
            f"(target {target.relation} {target.bound:g}; medians give {median:,.2f})"
        )

    shallow, deep = (depth_calls(depth) for depth in DEPTHS)
    depth_results = {(name, depth): Result(name, "") for depth in DEPTHS for name in shallow}
    interleave(
        [(depth_results[name, DEPTHS[0]], call) for name, call in shallow.items()]
        + [(depth_results[name, DEPTHS[1]], call) for name, call in deep.items()],
        rounds=max(3, options.rounds // 2),
        budget=options.budget,
    )
    for name in shallow:
        low, high = depth_results[name, DEPTHS[0]], depth_results[name, DEPTHS[1]]
        growth = high.best / low.best
        ok = growth <= DEPTH_BOUND
        failures += not ok
        print(
            f"{'PASS' if ok else 'FAIL'}  depth {DEPTHS[1]:,} / depth {DEPTHS[0]:,}, {name}: "
            f"{growth:,.2f} (target <= {DEPTH_BOUND:g}; {high.best * 1000:,.0f} ms at "
            f"{DEPTHS[1]:,})"
        )

    failures += check_ratios(
        HOSTILE_TARGETS, hostile_calls(), max(3, options.rounds // 3), options.budget
    )

    times = import_times_ms()
    milliseconds = times.pop("metadata_semantics")
    ok = milliseconds <= IMPORT_BOUND_MS
    failures += not ok
    parts = ", ".join(f"{name} {value:.1f} ms" for name, value in times.items())
    print(
        f"{'PASS' if ok else 'FAIL'}  import metadata_semantics: {milliseconds:.1f} ms "
        f"(target <= {IMPORT_BOUND_MS:g} ms; median of 5, python -X importtime; "
        f"of which {parts})"
    )
    print(f"{failures} target(s) missed" if failures else "all targets met")
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Run the benchmark suite and print the results as Markdown.

    python benchmarks/run.py                 # every shape, the default rounds
    python benchmarks/run.py --quick         # fewer, shorter rounds
    python benchmarks/run.py --shape 8kb     # one shape (repeatable)
    python benchmarks/run.py --output FILE   # also write the Markdown to FILE

Peers come from the ``bench`` extra: ``pip install -e '.[bench]'``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import Result, environment, measure, micros
from peers import all_implementations
from shapes import all_shapes

NOT_APPLICABLE = "n/a"


def table(results: list[Result]) -> list[str]:
    timed = [result for result in results if not result.verdict]
    fastest = min((result.best for result in timed), default=0.0)
    lines = [
        "| implementation | min | median | vs fastest (min) | note |",
        "|---|---:|---:|---:|---|",
    ]
    for result in results:
        if result.verdict.startswith(NOT_APPLICABLE):
            continue  # the implementation has no such operation at all
        if result.verdict:
            lines.append(f"| {result.name} | {result.verdict} | — | — | {result.note} |")
        else:
            ratio = result.best / fastest
            lines.append(
                f"| {result.name} | {micros(result.best)} | {micros(result.median)} "
                f"| {ratio:,.1f}x | {result.note} |"
            )
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7, help="interleaved rounds (default 7)")
    parser.add_argument(
        "--budget", type=float, default=0.02, help="seconds per timed batch (default 0.02)"
    )
    parser.add_argument("--quick", action="store_true", help="3 rounds of 5 ms batches")
    parser.add_argument("--shape", action="append", help="run only this shape (repeatable)")
    parser.add_argument("--output", type=Path, help="also write the Markdown here")
    options = parser.parse_args(argv)
    rounds, budget = (3, 0.005) if options.quick else (options.rounds, options.budget)

    env = environment()
    command = "python " + " ".join(["benchmarks/run.py", *(argv or sys.argv[1:])])
    lines = [
        f"Measured {env['date']} with `{command.strip()}`.",
        "",
        f"- Python: {env['python']}",
        f"- Machine: {env['machine']}",
        f"- Commit: {env['commit']}",
        (
            "- Method: every implementation's answer is checked type-strictly, and its inputs "
            f"for mutation, before it is timed; then {rounds} interleaved rounds, each a batch "
            f"of about {budget * 1000:g} ms of CPU time per implementation, garbage collection "
            "off inside a batch; min and median are CPU time per call (the thread's own, so "
            "other processes on the machine do not count); the last column divides each min "
            "by the fastest min of its table. A table leaves out the implementations that "
            "have no such operation at all (a merge library has no replace)."
        ),
    ]
    implementations = all_implementations()
    for shape in all_shapes():
        if options.shape and shape.name not in options.shape:
            continue
        print(f"running {shape.name}...", file=sys.stderr)
        results = measure(shape, implementations, rounds=rounds, budget=budget)
        lines += ["", f"#### {shape.title}", "", *table(results)]
    markdown = "\n".join(lines) + "\n"
    print(markdown)
    if options.output:
        options.output.write_text(markdown, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Mutation testing: how many small breaks of the code does the suite catch?

Usage, from the project root (needs ``pip install -e '.[verify]'``)::

    python tests/mutation/run_mutation.py            # 2 workers, target 95%
    MUTATION_WORKERS=1 python tests/mutation/run_mutation.py

The git-tracked files are copied to a scratch directory (kept between runs
under ``$TMPDIR/metadata-semantics-mutation``, so a second run only redoes
what changed and the earlier survivors; delete it to start from nothing),
and ``mutmut`` mutates the modules listed under
``[tool.mutmut]`` in pyproject.toml. Each mutant runs the tests that reach
it under the derandomized ``mutation`` Hypothesis profile.

The report gives the score and every mutant that was not killed. A mutant
that makes the suite run past mutmut's time limit counts as detected: the
suite did not pass with it. ``tests/MUTANTS.md`` is the ledger of survivors,
one ``- `name`: reason`` line each. The exit status is 1 when the score is
below the target, when a survivor has no line in the ledger, or when the
ledger lists a mutant that no longer survives.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Final

ROOT: Final = Path(__file__).resolve().parents[2]
LEDGER: Final = ROOT / "tests" / "MUTANTS.md"
TARGET: Final = 0.95
DETECTED: Final = frozenset({"killed", "timeout"})
_ENTRY: Final = re.compile(r"^- `(?P<name>[^`]+)`: (?P<reason>.+)$")


def read_ledger(text: str) -> dict[str, str]:
    """Map each mutant named on a ``- `name`: reason`` line to its reason."""
    entries: dict[str, str] = {}
    for line in text.splitlines():
        match = _ENTRY.match(line)
        if match:
            entries[match["name"]] = match["reason"]
    return entries


def audit(statuses: dict[str, str], ledger: dict[str, str]) -> tuple[list[str], list[str]]:
    """Return the undetected mutants the ledger does not explain, and its stale lines."""
    undetected = {name for name, status in statuses.items() if status not in DETECTED}
    return sorted(undetected - ledger.keys()), sorted(ledger.keys() - undetected)


def _copy_tree(destination: Path) -> None:
    files = subprocess.run(
        ["git", "ls-files", "-z"],  # noqa: S607 - git from PATH, as a developer runs it
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.split(b"\0")
    for name in filter(None, files):
        source = ROOT / os.fsdecode(name)
        target = destination / os.fsdecode(name)
        if not source.is_file():
            continue
        if target.exists() and target.read_bytes() == source.read_bytes():
            continue  # unchanged: keep its timestamp so mutmut keeps its results
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target)


def _mutmut(*arguments: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "mutmut", *arguments]
    environment = {**os.environ, "HYPOTHESIS_PROFILE": "mutation"}
    return subprocess.run(
        command, cwd=cwd, env=environment, text=True, capture_output=True, check=False
    )


def _homes(mutants: Path) -> dict[str, set[str]]:
    """Map each mutated function's mangled name to the modules that define it."""
    homes: dict[str, set[str]] = {}
    for meta in mutants.rglob("*.py.meta"):
        module = ".".join(meta.relative_to(mutants).with_suffix("").with_suffix("").parts)
        for function in json.loads(meta.read_text("utf-8"))["hash_by_function_name"]:
            homes.setdefault(function, set()).add(module)
    return homes


def rehome(name: str, homes: dict[str, set[str]]) -> list[str]:
    """Return the names under which mutmut looks up the function recorded as ``name``.

    mutmut records a call as ``function.__module__`` plus the mangled name, but
    looks tests up by the module the function is written in. The package sets
    ``__module__`` of its public classes and their methods to the package
    itself (``_public.claim``), so their calls are recorded under
    ``metadata_semantics.`` and every mutant of such a method would count as
    reached by no test.
    """
    module, _, function = name.rpartition(".")
    found = homes.get(function, set())
    if not found or module in found:
        return [name]
    return sorted(f"{home}.{function}" for home in found)


def _rehome_stats(scratch: Path) -> bool:
    """Move the tests mutmut recorded under the package to the methods' own modules.

    Return whether anything moved, so that the mutants it marked as reached
    by no test are run again.
    """
    mutants = scratch / "mutants"
    stats_path = mutants / "mutmut-stats.json"
    if not stats_path.exists():
        return False
    stats = json.loads(stats_path.read_text("utf-8"))
    homes = _homes(mutants)
    moved = False
    tests: dict[str, list[str]] = {}
    for name, names in stats["tests_by_mangled_function_name"].items():
        for home in rehome(name, homes):
            moved = moved or home != name
            tests[home] = sorted({*tests.get(home, []), *names})
    callers: dict[str, list[str]] = {}
    for name, names in stats.get("function_dependencies", {}).items():
        rehomed = {home for caller in names for home in rehome(caller, homes)}
        for home in rehome(name, homes):
            callers[home] = sorted({*callers.get(home, []), *rehomed})
    stats["tests_by_mangled_function_name"] = tests
    stats["function_dependencies"] = callers
    stats_path.write_text(json.dumps(stats, indent=4), "utf-8")
    return moved


def _statuses(scratch: Path) -> dict[str, str]:
    listing = _mutmut("results", "--all", "true", cwd=scratch).stdout
    statuses: dict[str, str] = {}
    for line in listing.splitlines():
        name, _, status = line.strip().rpartition(": ")
        if name:
            statuses[name] = status
    return statuses


def main() -> int:
    """Run mutmut in the scratch copy, print the score and survivors, check the target."""
    scratch = Path(tempfile.gettempdir()) / "metadata-semantics-mutation"
    scratch.mkdir(exist_ok=True)
    _copy_tree(scratch)
    workers = os.environ.get("MUTATION_WORKERS", "2")
    start = time.monotonic()
    run = _mutmut("run", "--max-children", workers, cwd=scratch)
    if run.returncode != 0:
        print(run.stdout[-4000:], run.stderr[-4000:], sep="\n")
        return 1
    # mutmut keeps a verdict until the function it mutated changes. A kill
    # stays true while tests are only added, but a survivor from an earlier
    # run must face the tests written since, so every survivor runs again,
    # and so does every mutant counted as reached by no test before its
    # method's tests were found (see rehome).
    _rehome_stats(scratch)
    statuses = _statuses(scratch)
    undetected = sorted(name for name, status in statuses.items() if status not in DETECTED)
    if undetected:
        again = _mutmut("run", "--max-children", workers, *undetected, cwd=scratch)
        if again.returncode != 0:
            print(again.stdout[-4000:], again.stderr[-4000:], sep="\n")
            return 1
        statuses = _statuses(scratch)
    took = time.monotonic() - start
    counts = Counter(statuses.values())
    total = len(statuses)
    detected = sum(counts[status] for status in DETECTED)
    score = detected / total if total else 0.0
    print(
        f"mutation: {detected}/{total} detected ({score:.1%}; "
        f"{counts['killed']} killed, {counts['timeout']} timed out) in {took:.0f}s; "
        f"{dict(counts)}"
    )
    ledger = read_ledger(LEDGER.read_text("utf-8"))
    for name, status in sorted(statuses.items()):
        if status not in DETECTED:
            print(f"  {status}: {name}: {ledger.get(name, 'NOT IN THE LEDGER')}")
    unexplained, stale = audit(statuses, ledger)
    for name in stale:
        print(f"mutation: the ledger lists {name}, which did not survive this run")
    failed = False
    if unexplained:
        print(f"mutation: {len(unexplained)} survivors have no line in {LEDGER.name}")
        failed = True
    if stale:
        print(f"mutation: {len(stale)} lines of {LEDGER.name} are stale")
        failed = True
    if score < TARGET:
        print(f"mutation: below the {TARGET:.0%} target")
        failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

"""Mutation testing: how many small breaks of the code does the suite catch?

Usage, from the project root (needs ``pip install -e '.[verify]'``)::

    python tests/mutation/run_mutation.py            # 2 workers, target 95%
    MUTATION_WORKERS=1 python tests/mutation/run_mutation.py

The git-tracked files are copied to a scratch directory (kept between runs
under ``$TMPDIR/metadata-semantics-mutation``, so a second run only redoes
what changed), and ``mutmut`` mutates the modules listed under
``[tool.mutmut]`` in pyproject.toml. Each mutant runs the tests that reach
it under the derandomized ``mutation`` Hypothesis profile. The report gives
killed/total and every survivor; ``tests/MUTANTS.md`` says why each
survivor is harmless. The exit status is 1 below the target.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Final

ROOT: Final = Path(__file__).resolve().parents[2]
TARGET: Final = 0.95


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


def main() -> int:
    """Run mutmut in the scratch copy, print the score and survivors, check the target."""
    scratch = Path(tempfile.gettempdir()) / "metadata-semantics-mutation"
    scratch.mkdir(exist_ok=True)
    _copy_tree(scratch)
    workers = os.environ.get("MUTATION_WORKERS", "2")
    start = time.monotonic()
    run = _mutmut("run", "--max-children", workers, cwd=scratch)
    took = time.monotonic() - start
    if run.returncode != 0:
        print(run.stdout[-4000:], run.stderr[-4000:], sep="\n")
        return 1
    listing = _mutmut("results", "--all", "true", cwd=scratch).stdout
    statuses: dict[str, str] = {}
    for line in listing.splitlines():
        name, _, status = line.strip().rpartition(": ")
        if name:
            statuses[name] = status
    counts = Counter(statuses.values())
    total = len(statuses)
    killed = counts["killed"]
    score = killed / total if total else 0.0
    print(f"mutation: {killed}/{total} killed ({score:.1%}) in {took:.0f}s; {dict(counts)}")
    for name, status in sorted(statuses.items()):
        if status != "killed":
            print(f"  {status}: {name}")
    if score < TARGET:
        print(f"mutation: below the {TARGET:.0%} target")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

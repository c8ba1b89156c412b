"""Run the core laws under the CrossHair backend, each for a bounded time.

Usage, from the project root (needs ``pip install -e '.[verify]'``)::

    python tests/symbolic/run_symbolic.py                 # every law, 120 s each
    SYMBOLIC_SECONDS=300 python tests/symbolic/run_symbolic.py test_rfc7396_section_2

Each law in ``tests/symbolic/properties.py`` runs in its own process with
Hypothesis's ``crosshair`` backend, and is stopped when its time is up. The
report says, per law, how many paths were run and how the run ended:
``exhausted`` (CrossHair ran out of paths: every input of the domain was
covered), ``bounded`` (the example budget ran out first), ``timed out`` or
``FAILED`` (with the counterexample). The exit status is 1 if any law failed.
"""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Final

HERE: Final = Path(__file__).resolve().parent
TESTS: Final = HERE.parent
DEFAULT_SECONDS: Final = 120
MAX_EXAMPLES: Final = 1_000


def _laws() -> list[str]:
    sys.path[:0] = [str(TESTS), str(HERE)]
    module = importlib.import_module("properties")
    return [name for name in vars(module) if name.startswith("test_")]


def run_one(name: str, /) -> int:
    """In a child process: run one law under CrossHair, printing a line per path."""
    sys.path[:0] = [str(TESTS), str(HERE)]
    from hypothesis import HealthCheck, settings

    importlib.import_module("conftest")
    settings.register_profile(
        "symbolic",
        backend="crosshair",
        max_examples=MAX_EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
        print_blob=True,
    )
    settings.load_profile("symbolic")
    module = importlib.import_module("properties")
    law: Any = getattr(module, name)
    inner = law.hypothesis.inner_test

    def counted(*args: Any, **kwargs: Any) -> Any:
        print("path", flush=True)
        return inner(*args, **kwargs)

    law.hypothesis.inner_test = counted
    law()
    print("done", flush=True)
    return 0


def _verdict(stdout: str, returncode: int | None) -> tuple[str, int]:
    lines = stdout.splitlines()
    paths = lines.count("path")
    if returncode is None:
        return "timed out", paths
    if returncode != 0:
        return "FAILED", paths
    return ("exhausted" if paths < MAX_EXAMPLES else "bounded"), paths


def main(argv: list[str]) -> int:
    """Run every law named in ``argv`` (all by default) and report."""
    if argv[:1] == ["--one"]:
        return run_one(argv[1])
    seconds = float(os.environ.get("SYMBOLIC_SECONDS", DEFAULT_SECONDS))
    names = argv or _laws()
    failed = 0
    print(f"symbolic: CrossHair backend, {seconds:g}s per law, {MAX_EXAMPLES} paths at most")
    for name in names:
        start = time.monotonic()
        with subprocess.Popen(
            [sys.executable, __file__, "--one", name],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        ) as child:
            try:
                output, _ = child.communicate(timeout=seconds)
                returncode: int | None = child.returncode
            except subprocess.TimeoutExpired:
                child.kill()
                output, _ = child.communicate()
                returncode = None
        verdict, paths = _verdict(output, returncode)
        took = time.monotonic() - start
        print(f"  {verdict:<10} {paths:>5} paths {took:6.1f}s {name}", flush=True)
        if verdict == "FAILED":
            failed += 1
            print("\n".join(line for line in output.splitlines() if line != "path"))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

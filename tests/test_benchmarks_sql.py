"""benchmarks/sql.py runs end to end on both databases and refuses a way that writes wrongly.

No timing is asserted: the machine is shared. What is checked is that the
script runs, measures every case it promises, and that its check before
timing fails when a way writes the wrong result.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from postgres import ENVIRONMENT

if TYPE_CHECKING:
    from postgres import Cluster

ROOT = Path(__file__).parent.parent
SCRIPT = ROOT / "benchmarks" / "sql.py"

CASES = {
    (dialect, method, size)
    for dialect in ("sqlite", "postgresql")
    for method in ("PATCH", "PUT")
    for size in ("small", "4 KB")
}


def load_benchmark(monkeypatch: pytest.MonkeyPatch) -> Any:
    """The script as a module, loaded by path (benchmarks/ is not a package)."""
    # The script puts benchmarks/ first on sys.path; the test's end takes it off.
    monkeypatch.setattr(sys, "path", list(sys.path))
    spec = importlib.util.spec_from_file_location("sql_benchmark", SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    # Dataclasses look their module up by name while the class is built.
    monkeypatch.setitem(sys.modules, spec.name, module)
    spec.loader.exec_module(module)
    return module


def test_the_quick_run_measures_every_case_on_both_databases(postgres: Cluster) -> None:
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--quick", "--json", "--postgres", postgres.database()],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    document = json.loads(done.stdout)
    assert document["environment"]["sqlite_version"].startswith("SQLite 3.")
    assert document["environment"]["postgresql_version"].startswith("PostgreSQL ")
    clock = document["environment"]["postgresql_clock"]
    if not os.environ.get(ENVIRONMENT):
        # The session's own cluster is local: its backend's CPU time is counted.
        assert clock.endswith("and of its PostgreSQL backend process")
    else:  # a server named by the environment may be on another machine
        assert clock.startswith(("CPU time", "wall-clock time"))
    writes = document["writes"]
    assert {(row["dialect"], row["method"], row["size"]) for row in writes} == CASES
    assert len(writes) == len(CASES)
    for row in writes:
        check_ways(row, "one_statement_us", "round_trip_us")
    assert [row["dialect"] for row in document["bulk"]] == ["sqlite", "postgresql"]
    for row in document["bulk"]:
        assert row["users"] == 2000
        check_ways(row, "one_update_s", "python_loop_s")


def check_ways(row: dict[str, Any], fast: str, slow: str) -> None:
    """Both ways were timed on both clocks, and the ratio is made of those times."""
    for clock in ("cpu", "wall"):
        for way in (fast, slow):
            assert 0 < row[way][clock]["min"] <= row[way][clock]["median"]
    ratio = row["ratio"]
    assert ratio["of_mins"] == pytest.approx(row[slow]["cpu"]["min"] / row[fast]["cpu"]["min"])
    assert ratio["median_per_round"] > 0
    assert ratio["wall_median_per_round"] > 0


def test_the_table_has_a_row_per_case_and_the_saved_json_the_same_rows(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    benchmark = load_benchmark(monkeypatch)
    saved = tmp_path / "sql.json"
    arguments = ["--quick", "--dialect", "sqlite", "--users", "300", "--save", str(saved)]
    assert benchmark.main(arguments) == 0
    table = capsys.readouterr().out
    for method in ("PATCH", "PUT"):
        assert table.count(f"| SQLite | {method} |") == 2
    assert "| SQLite | 300 |" in table
    document = json.loads(saved.read_text("utf-8"))
    assert len(document["writes"]) == 4
    assert [row["users"] for row in document["bulk"]] == [300]


def test_a_round_trip_that_merges_wrongly_is_refused_before_it_is_timed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    benchmark = load_benchmark(monkeypatch)
    # A PATCH that replaces instead of merging keeps no stored key the patch leaves out.
    monkeypatch.setitem(benchmark._WRITES, "merge", benchmark.replace_metadata)
    with pytest.raises(SystemExit, match=r"sqlite round trip PATCH: wrong result"):
        benchmark.main(["--quick", "--dialect", "sqlite"])


def test_a_bulk_loop_that_merges_wrongly_is_refused_before_it_is_timed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    benchmark = load_benchmark(monkeypatch)

    def replaces(_target: object, patch: object, **_options: object) -> object:
        return patch

    # A loop that stores the patch itself loses every key the patch leaves out.
    monkeypatch.setattr(benchmark, "merge_patch", replaces)
    with pytest.raises(SystemExit, match=r"sqlite bulk, Python loop: wrong result"):
        benchmark.main(["--quick", "--dialect", "sqlite", "--users", "300"])

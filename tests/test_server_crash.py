"""Nothing lost, nothing half-written: ``kill -9`` at random moments, then a restart.

``serve`` runs as a child process on a file database while several clients
write. After a random number of acknowledged writes it is killed with
SIGKILL, restarted on the same file, and checked: ``PRAGMA integrity_check``
is ``ok`` and every write the server acknowledged is there. Several rounds.
"""

from __future__ import annotations

import http.client
import os
import random
import re
import select
import signal
import sqlite3
import subprocess
import sys
import threading
from typing import IO, TYPE_CHECKING, cast

from metadata_semantics import JSONValue, parse_json

if TYPE_CHECKING:
    from pathlib import Path

_KEY = "sk_test_crash"
_ROUNDS = 4
_WRITERS = 4
_USER = "user_crash"


def _start(db: Path, seed: Path | None = None) -> tuple[subprocess.Popen[bytes], int]:
    child = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "metadata_semantics",
            "serve",
            "--port",
            "0",
            "--db",
            str(db),
            "--secret-key",
            _KEY,
            "--no-limits",
            *(["--seed", str(seed)] if seed else []),
        ],
        stdout=subprocess.PIPE,
        bufsize=0,
    )
    stdout = cast("IO[bytes]", child.stdout)
    ready, _, _ = select.select([stdout], [], [], 60)
    assert ready
    match = re.fullmatch(rb"listening on http://127\.0\.0\.1:([0-9]+)\n", stdout.readline())
    assert match is not None
    return child, int(match.group(1))


def _write(port: int, writer: int, index: int) -> bool:
    """Send one PATCH; tell whether the server acknowledged it with a 200."""
    body = f'{{"public_metadata":{{"w{writer}":{{"k{index}":{index}}}}}}}'
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request(
            "PATCH", f"/v1/users/{_USER}/metadata", body, {"Authorization": f"Bearer {_KEY}"}
        )
        response = connection.getresponse()
        response.read()
    except OSError:
        return False
    finally:
        connection.close()
    return response.status == 200


def test_every_acknowledged_write_survives_kill_9_and_the_database_stays_whole(
    tmp_path: Path,
) -> None:
    db = tmp_path / "users.db"
    seed = tmp_path / "seed.json"
    seed.write_text(f'{{"users": [{{"id": "{_USER}"}}]}}')
    # Not for secrets: only picks when to kill, from a seed that can be replayed.
    rng = random.Random(os.environ.get("CRASH_SEED", "12"))  # noqa: S311
    acknowledged: set[tuple[int, int]] = set()
    lock = threading.Lock()
    next_index = [0] * _WRITERS
    for round_number in range(_ROUNDS):
        child, port = _start(db, seed if round_number == 0 else None)
        target = rng.randint(10, 120)
        enough = threading.Event()
        count = [0]

        def writer(
            number: int,
            port: int = port,
            target: int = target,
            enough: threading.Event = enough,
            count: list[int] = count,
        ) -> None:
            for _ in range(2000):
                index = next_index[number]
                next_index[number] += 1
                if not _write(port, number, index):
                    return
                with lock:
                    acknowledged.add((number, index))
                    count[0] += 1
                    if count[0] >= target:
                        enough.set()

        threads = [threading.Thread(target=writer, args=(n,)) for n in range(_WRITERS)]
        for thread in threads:
            thread.start()
        assert enough.wait(timeout=120)
        child.kill()  # SIGKILL, mid-stream: some writes are in flight
        assert child.wait(timeout=60) == -signal.SIGKILL
        for thread in threads:
            thread.join(timeout=120)
            assert not thread.is_alive()
        assert child.stdout is not None
        child.stdout.close()

        check = sqlite3.connect(db)
        assert check.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        row = check.execute("SELECT public_metadata FROM users WHERE id = ?", (_USER,)).fetchone()
        check.close()
        stored = cast("dict[str, dict[str, int]]", parse_json(row[0]))
        for number, index in acknowledged:
            assert stored[f"w{number}"][f"k{index}"] == index

    # A last restart serves the same data.
    child, port = _start(db)
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("GET", f"/v1/users/{_USER}", headers={"Authorization": f"Bearer {_KEY}"})
    final = cast("dict[str, JSONValue]", parse_json(connection.getresponse().read()))
    connection.close()
    child.send_signal(signal.SIGTERM)
    assert child.wait(timeout=60) == 0
    assert child.stdout is not None
    child.stdout.close()
    metadata = cast("dict[str, dict[str, int]]", final["public_metadata"])
    assert sum(len(keys) for keys in metadata.values()) >= len(acknowledged)
    assert len(acknowledged) >= _ROUNDS * 10

"""Fuzz the reference server over HTTP from its own OpenAPI document, for a fixed time.

This starts ``metadata-semantics serve`` on a free loopback port with a file
database, points Schemathesis at the document the server publishes at
``/__admin/openapi.json``, and stops the server. Schemathesis must find no
5xx answer and no answer that the document does not describe: every status,
header, content type and body schema, keys enforced, a deleted user gone and
a created one there. It runs every check but one: a body the document allows
may still be refused, since JSON Schema cannot state the 8 KB bound or what
strict JSON refuses (duplicate keys, lone surrogates, integers too long), so
"a valid body is accepted" is no rule of this server.

Usage, from the project root, with the ``schemathesis`` extra installed::

    python tests/fuzz/schemathesis_server.py       # SCHEMATHESIS_SECONDS, default 60

The exit status is Schemathesis's: 0 when it found nothing.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Final

DEFAULT_SECONDS: Final = 60
# Long enough for a server to start on a loaded machine, short enough that a
# server that never starts cannot hold CI.
START_SECONDS: Final = 60
STOP_SECONDS: Final = 30


def _schemathesis() -> str:
    beside = Path(sys.executable).parent / "schemathesis"
    return str(beside) if beside.exists() else "schemathesis"


def main() -> int:
    """Serve, fuzz for the budget, stop the server; return Schemathesis's status."""
    seconds = int(os.environ.get("SCHEMATHESIS_SECONDS", DEFAULT_SECONDS))
    key = "sk_test_" + secrets.token_hex(16)
    environment = {**os.environ, "METADATA_SEMANTICS_SECRET_KEYS": key}
    with tempfile.TemporaryDirectory() as folder:
        serve = ["serve", "--port", "0", "--db", str(Path(folder) / "users.db")]
        server = subprocess.Popen(
            [sys.executable, "-m", "metadata_semantics", *serve],
            env=environment,
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            assert server.stdout is not None
            first = server.stdout.readline().strip()
            if not first.startswith("listening on http://127.0.0.1:"):
                print(f"the server did not start: {first!r}", file=sys.stderr)
                return 1
            url = first.removeprefix("listening on ")
            print(f"fuzzing {url} for {seconds}s", flush=True)
            options = (
                *("--url", url, "-H", f"Authorization: Bearer {key}"),
                *("--max-time", str(seconds), "--workers", "1"),
                *("--checks", "all", "--exclude-checks", "positive_data_acceptance"),
                *("--generation-database", "none", "--no-color"),
            )
            done = subprocess.run(
                [_schemathesis(), "run", f"{url}/__admin/openapi.json", *options],
                cwd=folder,
                check=False,
                timeout=seconds + START_SECONDS + STOP_SECONDS,
            )
            return done.returncode
        finally:
            server.terminate()
            try:
                server.wait(timeout=STOP_SECONDS)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


if __name__ == "__main__":
    sys.exit(main())

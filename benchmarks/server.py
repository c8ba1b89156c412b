"""Requests per second and latency of ``metadata-semantics serve``, against a bare ceiling.

The same run measures, over keep-alive connections on loopback:

- the reference server (``PATCH`` with a 1 KB body, ``PUT`` with a 1 KB
  body, ``GET``), once on an SQLite file and once on ``:memory:``, and with
  ``--postgres`` once more on PostgreSQL (a throwaway cluster started for
  the run by ``tests/postgres.py``, or the database ``--postgres-url`` names);
- a bare standard-library HTTP server that answers every request with a
  fixed 200 JSON body: the ceiling of the HTTP layer both are built on.

Both servers are tuned alike: HTTP/1.1 keep-alive, ``TCP_NODELAY`` and one
write per response. The load comes from ``wrk`` where it is installed, and
otherwise from this file: one process per connection, each sending a fixed
number of requests through ``http.client`` and timing every one. Either way
the load is bounded in count or time, goes only to 127.0.0.1, and stops by
itself. Usage, from the project root::

    python benchmarks/server.py                   # 4 connections, 4,000 requests a row
    python benchmarks/server.py --requests 20000 --connections 8
    python benchmarks/server.py --stdlib          # the built-in generator even with wrk
    python benchmarks/server.py --postgres        # PostgreSQL too (needs initdb, psycopg)

It prints one row per measurement and the ratio of each to the ceiling; with
``--postgres``, also each PostgreSQL row against the same row on an SQLite file.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from collections.abc import Generator

KEY: Final = "sk_test_benchmark"
HOST: Final = "127.0.0.1"
FIXED: Final = b'{"object":"user","id":"user_bench"}'
# About 1 KB of metadata, so that PATCH and PUT carry a realistic body.
BODY: Final = json.dumps(
    {"public_metadata": {"plan": {"tier": "pro", "seats": 10}, "notes": "n" * 960}},
    separators=(",", ":"),
).encode()


class _Bare(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        head = (
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(FIXED)}\r\n\r\n"
        ).encode("ascii")
        self.wfile.write(head + FIXED)

    do_GET = do_PUT = do_PATCH = _answer  # noqa: N815 - the names http.server dispatches to

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base's name
        pass


def _bare_main() -> None:
    server = ThreadingHTTPServer((HOST, 0), _Bare)
    server.daemon_threads = True
    print(f"listening on http://{HOST}:{server.server_address[1]}", flush=True)
    server.serve_forever()


@dataclass(frozen=True)
class Row:
    """One measurement: what was sent where, and how fast it was answered."""

    name: str
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float

    @property
    def rate(self) -> float:
        """Requests answered per second."""
        return self.requests / self.seconds


def _start(command: list[str]) -> tuple[subprocess.Popen[str], int]:
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None
    first = process.stdout.readline()
    match = re.fullmatch(r"listening on http://127\.0\.0\.1:(\d+)\n", first)
    if match is None:
        process.kill()
        raise SystemExit(f"the server did not start: {first!r}")
    return process, int(match[1])


def _stop(process: subprocess.Popen[str]) -> None:
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _headers(body: bytes) -> dict[str, str]:
    return {
        "Authorization": f"Bearer {KEY}",
        "Content-Type": "application/json",
        "Content-Length": str(len(body)),
    }


def _create_user(port: int) -> str:
    connection = http.client.HTTPConnection(HOST, port, timeout=30)
    connection.request("POST", "/v1/users", body=b"{}", headers=_headers(b"{}"))
    answer = json.loads(connection.getresponse().read())
    connection.close()
    return str(answer["id"])


def _worker(job: tuple[int, str, str, bytes, int]) -> list[float]:
    port, method, path, body, count = job
    connection = http.client.HTTPConnection(HOST, port, timeout=30)
    connection.sock = socket.create_connection((HOST, port), timeout=30)
    connection.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    headers = _headers(body)
    times: list[float] = []
    for _ in range(count):
        start = time.perf_counter()
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        response.read()
        times.append(time.perf_counter() - start)
        if response.status != 200:
            raise SystemExit(f"{method} {path} answered {response.status}")
    connection.close()
    return times


def _stdlib_load(
    pool: ProcessPoolExecutor,
    name: str,
    port: int,
    method: str,
    path: str,
    body: bytes,
    args: argparse.Namespace,
) -> Row:
    each = args.requests // args.connections
    # A short untimed round first, so that no row pays for starting workers
    # or warming the server's caches.
    list(pool.map(_worker, [(port, method, path, body, max(1, each // 10))] * args.connections))
    jobs = [(port, method, path, body, each)] * args.connections
    start = time.perf_counter()
    results = list(pool.map(_worker, jobs))
    seconds = time.perf_counter() - start
    times = sorted(t for result in results for t in result)
    cuts = statistics.quantiles(times, n=100)
    return Row(name, len(times), seconds, cuts[49] * 1000, cuts[98] * 1000)


_WRK_SCRIPT: Final = """
wrk.method = "{method}"
wrk.body = {body}
wrk.headers["Authorization"] = "Bearer {key}"
wrk.headers["Content-Type"] = "application/json"
"""


def _find(pattern: str, text: str) -> re.Match[str]:
    match = re.search(pattern, text)
    if match is None:
        raise SystemExit(f"wrk printed no {pattern!r}:\n{text}")
    return match


def _wrk_load(
    name: str, port: int, method: str, path: str, body: bytes, args: argparse.Namespace
) -> Row:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(_WRK_SCRIPT.format(method=method, body=json.dumps(body.decode()), key=KEY))
    try:
        done = subprocess.run(
            [
                *("wrk", "-t2", f"-c{args.connections}", f"-d{args.seconds}s", "--latency"),
                *("-s", script.name, f"http://{HOST}:{port}{path}"),
            ],
            capture_output=True,
            text=True,
            check=True,
            timeout=args.seconds + 60,
        )
    finally:
        Path(script.name).unlink()
    text = done.stdout
    total = int(_find(r"(\d+) requests in", text)[1])
    seconds = float(_find(r"requests in ([\d.]+)s", text)[1])

    def quantile(label: str) -> float:
        value, unit = _find(rf"{label}%\s+([\d.]+)(us|ms|s)", text).groups()
        return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]

    return Row(name, total, seconds, quantile("50"), quantile("99"))


@contextlib.contextmanager
def _postgres(url: str | None) -> Generator[str | None]:
    """Yield the ``postgresql://`` URL of a database for the run, or ``None`` without one.

    With no ``url``, a throwaway cluster is started for the run (Unix socket
    only) and stopped at the end.
    """
    if url is not None:
        yield url
        return
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
    from urllib.parse import quote

    import psycopg.conninfo

    from postgres import start_cluster

    with start_cluster() as cluster:
        parts = psycopg.conninfo.conninfo_to_dict(cluster.database())
        host = quote(str(parts["host"]), safe="")
        yield f"postgresql://{parts['user']}@/{parts['dbname']}?host={host}"


def _report(rows: list[Row]) -> None:
    """Print the table of every row against the ceiling, and PostgreSQL against SQLite."""
    ceiling = {row.name: row.rate for row in rows if row.name.startswith("bare")}
    print("\n| measurement | req/s | p50 ms | p99 ms | of the bare server |")
    print("|---|---:|---:|---:|---:|")
    for row in rows:
        # A read is held against the bare GET, a write against the bare PATCH.
        base = ceiling["bare GET" if "GET" in row.name else "bare PATCH 1 KB"]
        cells = f"{row.rate:,.0f} | {row.p50_ms:.2f} | {row.p99_ms:.2f} | {row.rate / base:.0%}"
        print(f"| {row.name} | {cells} |")
    rates = {row.name: row.rate for row in rows}
    if "GET (postgresql)" in rates:
        print("\n| on PostgreSQL | of the same on an SQLite file |")
        print("|---|---:|")
        for name in ("PATCH 1 KB", "PUT 1 KB", "GET"):
            ratio = rates[f"{name} (postgresql)"] / rates[f"{name} (file)"]
            print(f"| {name} | {ratio:.0%} |")


def main() -> None:
    """Measure every row and print the table with each row's ratio to the ceiling."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--requests", type=int, default=4000, help="requests a row (built-in load)"
    )
    parser.add_argument("--connections", type=int, default=4, help="keep-alive connections")
    parser.add_argument("--seconds", type=int, default=5, help="seconds a row (wrk)")
    parser.add_argument("--stdlib", action="store_true", help="use the built-in load generator")
    parser.add_argument(
        "--postgres", action="store_true", help="also run the server on a throwaway PostgreSQL"
    )
    parser.add_argument(
        "--postgres-url", metavar="URL", help="run it on this PostgreSQL database instead"
    )
    args = parser.parse_args()
    wanted = args.postgres or args.postgres_url is not None
    use_wrk = shutil.which("wrk") is not None and not args.stdlib
    print(
        f"load: {'wrk' if use_wrk else 'http.client'}, {args.connections} connections, "
        f"CPython {sys.version.split()[0]}, {os.cpu_count()} cores"
    )
    rows: list[Row] = []
    with (
        ProcessPoolExecutor(args.connections) as pool,
        tempfile.TemporaryDirectory() as folder,
        _postgres(args.postgres_url) if wanted else contextlib.nullcontext() as postgres,
    ):

        def measure(name: str, port: int, method: str, path: str, body: bytes) -> None:
            if use_wrk:
                rows.append(_wrk_load(name, port, method, path, body, args))
            else:
                rows.append(_stdlib_load(pool, name, port, method, path, body, args))
            row = rows[-1]
            latency = f"p50 {row.p50_ms:6.2f} ms  p99 {row.p99_ms:6.2f} ms"
            print(f"  {row.name:<22} {row.rate:9.0f} req/s  {latency}", flush=True)

        bare, port = _start([sys.executable, __file__, "--bare"])
        try:
            measure("bare GET", port, "GET", "/", b"")
            measure("bare PATCH 1 KB", port, "PATCH", "/", BODY)
        finally:
            _stop(bare)
        databases = {"file": str(Path(folder) / "users.db"), "memory": ":memory:"}
        if postgres is not None:
            databases["postgresql"] = postgres
        for label, db in databases.items():
            serve, port = _start(
                [
                    sys.executable,
                    "-m",
                    "metadata_semantics",
                    "serve",
                    *("--port", "0", "--db", db),
                    *("--secret-key", KEY),
                ]
            )
            try:
                user = f"/v1/users/{_create_user(port)}"
                measure(f"PATCH 1 KB ({label})", port, "PATCH", f"{user}/metadata", BODY)
                measure(f"PUT 1 KB ({label})", port, "PUT", f"{user}/metadata", BODY)
                measure(f"GET ({label})", port, "GET", user, b"")
            finally:
                _stop(serve)
    _report(rows)


if __name__ == "__main__":
    if sys.argv[1:] == ["--bare"]:
        _bare_main()
    else:
        main()

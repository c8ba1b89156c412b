"""``metadata-semantics check-server``: the checker as a command.

Only the argument definitions load with the command line; the checker loads
when the command runs. Exit statuses: 0 every case passed (differences are
allowed), 1 a case failed or was blocked, 2 a usage error or a server that
cannot be reached or refuses the key, 130 interrupted (after cleaning up).
"""

from __future__ import annotations

import json
import os
import sys
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    import argparse
    from collections.abc import Callable, Mapping
    from typing import TextIO

    from ._cases import Case
    from ._client import Client

__all__ = ["KEY_VARIABLE", "add_arguments", "run"]

KEY_VARIABLE: Final = "METADATA_SEMANTICS_CHECK_KEY"
"""The environment variable the secret key is read from when ``--secret-key`` is not given."""

_PROG: Final = "metadata-semantics check-server"
_LIVE_KEY: Final = "sk_live_"
_INTERRUPTED: Final = 130


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the options of ``check-server`` to ``parser``."""
    parser.add_argument(
        "base_url",
        nargs="?",
        metavar="BASE_URL",
        help="the server's base URL, e.g. http://127.0.0.1:8000 or https://api.clerk.com",
    )
    parser.add_argument(
        "--secret-key", metavar="KEY", help=f"the secret key (default: ${KEY_VARIABLE})"
    )
    parser.add_argument("--json", metavar="FILE", help="write the report as JSON to FILE")
    parser.add_argument("--junit", metavar="FILE", help="write the report as JUnit XML to FILE")
    parser.add_argument(
        "--only",
        action="append",
        default=[],
        metavar="PATTERN",
        help="run only the cases whose id matches this shell pattern, or of this rule "
        "(repeatable)",
    )
    parser.add_argument("--list", action="store_true", help="list the cases and exit")
    parser.add_argument(
        "--dry-run", action="store_true", help="print the requests each case would send, and exit"
    )
    parser.add_argument(
        "--keep", action="store_true", help="leave the users created for inspection"
    )
    parser.add_argument(
        "--rps", type=float, default=5.0, metavar="N", help="requests per second (5; 0: no limit)"
    )
    parser.add_argument(
        "--timeout", type=float, default=10.0, metavar="SECONDS", help="per request (10)"
    )
    parser.add_argument(
        "--allow-insecure",
        action="store_true",
        help="allow plain http:// to a host that is not loopback",
    )
    parser.add_argument(
        "--replace-route",
        default="PUT /v1/users/{user_id}/metadata",
        metavar="'METHOD PATH'",
        help="where replace writes go (default: 'PUT /v1/users/{user_id}/metadata')",
    )
    parser.add_argument(
        "--email-domain",
        metavar="DOMAIN",
        help="give each user an address at DOMAIN, for instances that need one",
    )
    parser.add_argument(
        "--allow-live-key",
        action="store_true",
        help=f"allow a production key ({_LIVE_KEY}...)",
    )


class _Usage(Exception):  # noqa: N818 - a message for the user, then exit 2
    pass


def _route(text: str) -> tuple[str, str]:
    method, _, path = text.strip().partition(" ")
    path = path.strip()
    if not method.isalpha() or not path.startswith("/") or "{user_id}" not in path:
        raise _Usage("--replace-route must be 'METHOD /path/with/{user_id}'")
    return method.upper(), path


def _key(arguments: argparse.Namespace, environ: Mapping[str, str]) -> str:
    key = arguments.secret_key or environ.get(KEY_VARIABLE, "")
    if not key:
        raise _Usage(f"no secret key: give --secret-key KEY or set ${KEY_VARIABLE}")
    if key.startswith(_LIVE_KEY) and not arguments.allow_live_key:
        raise _Usage(
            "refusing a production key: the checker creates and deletes users "
            "(use a development instance, or --allow-live-key)"
        )
    return key


def _list(cases: tuple[Case, ...], out: TextIO) -> None:
    width = max((len(case.id) for case in cases), default=0)
    for case in cases:
        note = "  (open)" if case.open else ""
        out.write(f"{case.rule:<12} {case.id:<{width}}  {case.description}{note}\n")
    out.write(f"{len(cases)} cases\n")


def _progress(err: TextIO) -> Callable[[int, int, Case], None] | None:
    def show(number: int, total: int, case: Case) -> None:
        err.write(f"\r\x1b[K[{number:>{len(str(total))}}/{total}] {case.id}"[:120])
        err.flush()

    return show if err.isatty() else None


def run(
    arguments: argparse.Namespace,
    /,
    *,
    environ: Mapping[str, str] | None = None,
    out: TextIO | None = None,
    err: TextIO | None = None,
    client: Client | None = None,
) -> int:
    """Run the command; return its exit status. ``client`` replaces the HTTP client (tests)."""
    from . import KeyRefusedError, UnreachableError, UsageError

    stdout = out or sys.stdout
    stderr = err or sys.stderr
    try:
        return _run(arguments, os.environ if environ is None else environ, stdout, stderr, client)
    except (_Usage, UsageError, UnreachableError, KeyRefusedError) as error:
        stderr.write(f"{_PROG}: {error}\n")
        return 2
    except KeyboardInterrupt:
        stderr.write(f"\n{_PROG}: interrupted; every user created so far was deleted\n")
        return _INTERRUPTED


def _run(
    arguments: argparse.Namespace,
    environ: Mapping[str, str],
    out: TextIO,
    err: TextIO,
    client: Client | None,
) -> int:
    from . import Settings, check_server, load_suite, plan, select

    route = _route(arguments.replace_route)
    cases = select(load_suite().cases, arguments.only)
    if not cases:
        raise _Usage(f"no case matches {' or '.join(arguments.only)}")
    if arguments.list:
        _list(cases, out)
        return 0
    if arguments.dry_run:
        settings = Settings("", keep=arguments.keep, replace_route=route)
        for case in cases:
            out.write(f"{case.id}\n")
            out.writelines(f"  {line}\n" for line in plan(case, settings))
        return 0
    if not arguments.base_url:
        raise _Usage("BASE_URL is needed to run the cases")
    if arguments.rps < 0 or arguments.timeout <= 0:
        raise _Usage("--rps must be 0 or more and --timeout more than 0")
    report = check_server(
        arguments.base_url,
        _key(arguments, environ),
        client=client,
        only=arguments.only,
        keep=arguments.keep,
        rps=arguments.rps,
        timeout=arguments.timeout,
        allow_insecure=arguments.allow_insecure,
        replace_route=route,
        email_domain=arguments.email_domain,
        progress=_progress(err),
    )
    if err.isatty():
        err.write("\r\x1b[K")
    out.write(report.text())
    if arguments.json:
        text = json.dumps(report.json(), indent=1, ensure_ascii=True)
        with open(arguments.json, "w", encoding="utf-8") as file:  # noqa: PTH123
            file.write(text + "\n")
    if arguments.junit:
        with open(arguments.junit, "wb") as file:  # noqa: PTH123
            file.write(report.junit())
    return report.exit_status

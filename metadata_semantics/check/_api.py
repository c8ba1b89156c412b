"""The checker's entry point: run the cases against a server and keep the report."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from ._cases import load_suite, select
from ._client import StdlibClient, parse_base_url
from ._report import junit_xml, report_json, report_text
from ._runner import REPLACE_ROUTE, Settings, run

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from metadata_semantics import JSONValue

    from ._cases import Case, Suite
    from ._client import Client
    from ._runner import RunResult

__all__ = ["DEFAULT_RPS", "DEFAULT_TIMEOUT", "CheckReport", "check_server"]

DEFAULT_RPS: Final = 5.0
"""Requests per second unless told otherwise: well under any hosted API's rate limit."""

DEFAULT_TIMEOUT: Final = 10.0
"""Seconds each socket operation of a request may take."""


@dataclass(frozen=True, slots=True)
class CheckReport:
    """A finished run with the cases it drew on, ready to print in any form."""

    suite: Suite
    result: RunResult

    @property
    def exit_status(self) -> int:
        """0 when every case passed (differences allowed), else 1."""
        return self.result.exit_status

    def text(self) -> str:
        """The report for people."""
        return report_text(self.suite, self.result)

    def json(self) -> JSONValue:
        """The report as a JSON value."""
        return report_json(self.suite, self.result)

    def junit(self) -> bytes:
        """The report as JUnit XML."""
        return junit_xml(self.suite, self.result)


def check_server(
    base_url: str,
    secret_key: str,
    *,
    client: Client | None = None,
    only: Iterable[str] = (),
    keep: bool = False,
    rps: float = DEFAULT_RPS,
    timeout: float = DEFAULT_TIMEOUT,
    allow_insecure: bool = False,
    replace_route: tuple[str, str] | None = None,
    email_domain: str | None = None,
    run_id: str | None = None,
    progress: Callable[[int, int, Case], None] | None = None,
) -> CheckReport:
    """Run the cases matching ``only`` (all by default) against the server at ``base_url``.

    ``client`` replaces the HTTP client (tests answer in-process); otherwise
    requests go through :class:`StdlibClient` at ``rps`` per second with
    ``timeout``. Creates, and deletes before returning or raising, one user
    per case (``keep`` leaves them). Raises :class:`UsageError` for a bad or
    insecure URL, :class:`UnreachableError` when the server does not answer,
    and :class:`KeyRefusedError` when it refuses the key.
    """
    base = parse_base_url(base_url, allow_insecure=allow_insecure)
    suite = load_suite()
    cases = select(suite.cases, only)
    settings = Settings(
        secret_key,
        keep=keep,
        replace_route=replace_route or REPLACE_ROUTE,
        email_domain=email_domain,
        run_id=run_id,
    )
    sender = client or StdlibClient(base, timeout=timeout, rps=rps)
    result = run(sender, cases, settings, base_url=str(base), progress=progress)
    return CheckReport(suite, result)

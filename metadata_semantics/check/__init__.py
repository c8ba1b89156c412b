"""Check a running server's metadata endpoints against the spec, over HTTP.

Point :func:`check_server` (or ``metadata-semantics check-server``) at a
server that speaks the Clerk Backend API's user routes, and it runs every
conformance vector HTTP can express and the HTTP-only cases against it, on
users it creates, marks and deletes itself. The result says, rule by rule,
what passed, what failed, and where the server differs from the reference
in ways the spec leaves open. Importing :mod:`metadata_semantics` does not
import this package, and importing this package is cheap: each name loads
its module when first used.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:
    from ._api import DEFAULT_RPS, DEFAULT_TIMEOUT, CheckReport, check_server
    from ._cases import Case, Question, Rejection, RuleInfo, Suite, load_suite, select
    from ._client import (
        BaseURL,
        Client,
        HttpRequest,
        HttpResponse,
        RateLimit,
        StdlibClient,
        TransportError,
        UsageError,
        parse_base_url,
        send_together,
    )
    from ._judge import MODELS, WrongMerge, diagnose, first_difference
    from ._report import junit_xml, report_json, report_text
    from ._runner import (
        MARK,
        REPLACE_ROUTE,
        CaseResult,
        Exchange,
        KeyRefusedError,
        Problem,
        RunResult,
        Settings,
        UnreachableError,
        Verdict,
        plan,
        run,
    )

__all__ = [
    "DEFAULT_RPS",
    "DEFAULT_TIMEOUT",
    "MARK",
    "MODELS",
    "REPLACE_ROUTE",
    "BaseURL",
    "Case",
    "CaseResult",
    "CheckReport",
    "Client",
    "Exchange",
    "HttpRequest",
    "HttpResponse",
    "KeyRefusedError",
    "Problem",
    "Question",
    "RateLimit",
    "Rejection",
    "RuleInfo",
    "RunResult",
    "Settings",
    "StdlibClient",
    "Suite",
    "TransportError",
    "UnreachableError",
    "UsageError",
    "Verdict",
    "WrongMerge",
    "check_server",
    "diagnose",
    "first_difference",
    "junit_xml",
    "load_suite",
    "parse_base_url",
    "plan",
    "report_json",
    "report_text",
    "run",
    "select",
    "send_together",
]

# Which private module holds each public name.
_HOMES: Final = {
    "_api": ("DEFAULT_RPS", "DEFAULT_TIMEOUT", "CheckReport", "check_server"),
    "_cases": ("Case", "Question", "Rejection", "RuleInfo", "Suite", "load_suite", "select"),
    "_client": (
        "BaseURL",
        "Client",
        "HttpRequest",
        "HttpResponse",
        "RateLimit",
        "StdlibClient",
        "TransportError",
        "UsageError",
        "parse_base_url",
        "send_together",
    ),
    "_judge": ("MODELS", "WrongMerge", "diagnose", "first_difference"),
    "_report": ("junit_xml", "report_json", "report_text"),
    "_runner": (
        "MARK",
        "REPLACE_ROUTE",
        "CaseResult",
        "Exchange",
        "KeyRefusedError",
        "Problem",
        "RunResult",
        "Settings",
        "UnreachableError",
        "Verdict",
        "plan",
        "run",
    ),
}
_HOME_OF: Final = {name: module for module, names in _HOMES.items() for name in names}


def __getattr__(name: str) -> Any:
    """Load a public name from its module on first use."""
    module = _HOME_OF.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value

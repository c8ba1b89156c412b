"""Runs the cases against a server through a :class:`~._client.Client`.

For each case: create a fresh user (``POST /v1/users``, marked with an
``external_id`` that starts with :data:`MARK`), bring it to the case's stored
state, send the case's request with its exact body bytes, read the user back
and compare the three fields type-strictly. A rejected request must get a
4xx and leave the record as it was, on two reads. Every user created is
deleted after its case and, whatever happens (a failure, an exception,
Ctrl-C), before :func:`run` returns or raises, unless ``keep`` is set. No
other user is ever read, listed or written: every user id the runner sends
is one that its own ``POST`` returned.
"""

from __future__ import annotations

import itertools
import secrets
import time
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Final, Literal, cast

from metadata_semantics import FIELDS, JSONValue, MetadataError, dump_json, json_equal, parse_json

from ._cases import PARALLEL_FIELD, PARALLEL_KEY
from ._client import HttpRequest, HttpResponse, TransportError
from ._judge import WrongMerge, diagnose, first_difference, settle

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from ._cases import Case, Record
    from ._client import Client

__all__ = [
    "MARK",
    "REPLACE_ROUTE",
    "USERS",
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
]

MARK: Final = "msc-check-"
"""Every user the checker creates has an ``external_id`` that starts with this."""

USERS: Final = "/v1/users"
USER: Final = "/v1/users/{user_id}"
METADATA: Final = "/v1/users/{user_id}/metadata"
REPLACE_ROUTE: Final = ("PUT", METADATA)
"""The method and path of a replace write, unless the settings say otherwise."""
WRONG_KEY: Final = "sk_test_metadata_semantics_check_wrong_key"
JSON_TYPE: Final = "application/json"

Verdict = Literal["pass", "fail", "difference", "blocked"]


class UnreachableError(Exception):
    """The server gave no HTTP answer to the run's first request."""


class KeyRefusedError(Exception):
    """The server refused the secret key when the run created its first user."""


@dataclass(frozen=True, slots=True)
class Settings:
    """How a run talks to the server.

    ``replace_route`` is the method and path that replace metadata, for a
    server that does not replace with ``PUT`` on the metadata route; ``email_domain``
    gives each user a unique address there, for instances that need one.
    ``run_id`` names the run in every ``external_id`` (random by default).
    """

    secret_key: str
    keep: bool = False
    replace_route: tuple[str, str] = REPLACE_ROUTE
    email_domain: str | None = None
    run_id: str | None = None


@dataclass(frozen=True, slots=True)
class Exchange:
    """One request of a case and its answer. ``path`` shows ``{user_id}``, not the id."""

    method: str
    path: str
    body: bytes | None
    status: int | None
    answer: bytes


@dataclass(frozen=True, slots=True)
class Problem:
    """Something wrong with an answer: ``hard`` fails the case, ``open`` is a difference."""

    severity: Literal["hard", "open"]
    message: str


@dataclass(frozen=True, slots=True)
class CaseResult:
    """What one case found.

    ``rule`` is where the result is reported: the case's own rule, or the
    rule a recognised wrong merge or a missing route breaks (``diagnosis``
    says which). ``expected`` and ``actual`` are the records compared,
    ``pointer`` the first place they differ.
    """

    case: Case
    verdict: Verdict
    rule: str
    problems: tuple[Problem, ...]
    exchanges: tuple[Exchange, ...]
    expected: JSONValue = None
    actual: JSONValue = None
    pointer: str | None = None
    diagnosis: str | None = None
    fits: tuple[WrongMerge, ...] = ()


@dataclass(frozen=True, slots=True)
class RunResult:
    """A whole run: every case's result, the users created, kept and left behind."""

    base_url: str
    results: tuple[CaseResult, ...]
    created: int
    kept: tuple[str, ...] = ()
    left_behind: tuple[str, ...] = ()
    seconds: float = 0.0

    @property
    def exit_status(self) -> int:
        """0 when no case failed or was blocked and no user was left behind unasked, else 1."""
        bad = any(result.verdict in {"fail", "blocked"} for result in self.results)
        return 1 if bad or self.left_behind else 0


class _BlockedError(Exception):
    """The case could not be set up; the message says why."""


@dataclass
class _Trace:
    exchanges: list[Exchange] = field(default_factory=list[Exchange])
    problems: list[Problem] = field(default_factory=list[Problem])

    def hard(self, message: str) -> None:
        self.problems.append(Problem("hard", message))

    def open(self, message: str) -> None:
        self.problems.append(Problem("open", message))


def _text(body: bytes, limit: int = 200) -> str:
    text = body.decode("utf-8", errors="replace")
    return text if len(text) <= limit else text[:limit] + f"... ({len(body)} bytes)"


def _json_or_none(body: bytes) -> JSONValue:
    """The JSON value of an answer's body, or ``None`` if it is not strict JSON."""
    try:
        return parse_json(body)
    except MetadataError:
        return None


def _error_code(body: bytes) -> str | None:
    """``errors[0].code`` of a Clerk-style error body, if it has one."""
    value = _json_or_none(body)
    errors = value.get("errors") if isinstance(value, dict) else None
    first = errors[0] if isinstance(errors, list) and errors else None
    code = first.get("code") if isinstance(first, dict) else None
    return code if isinstance(code, str) else None


def _answered(response: HttpResponse) -> str:
    code = _error_code(response.body)
    return f"{response.status}" + (f" {code}" if code else "")


def _record(body: bytes) -> Record | str:
    """The three fields of a user object, or a sentence saying why there are none."""
    try:
        value = parse_json(body)
    except MetadataError as error:
        return f"the answer is not JSON ({error.code})"
    if not isinstance(value, dict):
        return "the answer is not a JSON object"
    missing = [name for name in FIELDS if name not in value]
    if missing:
        return f"the user object has no {missing[0]}"
    return {name: value[name] for name in FIELDS}


class _Run:
    def __init__(self, client: Client, settings: Settings) -> None:
        self.client = client
        self.settings = settings
        self.run_id = settings.run_id or secrets.token_hex(4)
        self.numbers = itertools.count(1)
        self.live: list[str] = []
        self.kept: list[str] = []
        self.seen: set[str] = set()
        self.created = 0

    # -- requests -------------------------------------------------------------

    def _request(
        self,
        method: str,
        path: str,
        user_id: str,
        body: bytes | None = None,
        *,
        auth: str = "key",
        content_type: str | None = JSON_TYPE,
    ) -> HttpRequest:
        headers: list[tuple[str, str]] = []
        if auth != "missing":
            key = self.settings.secret_key if auth == "key" else WRONG_KEY
            headers.append(("Authorization", f"Bearer {key}"))
        if body is not None and content_type is not None:
            headers.append(("Content-Type", content_type))
        return HttpRequest(method, path.format(user_id=user_id), tuple(headers), body)

    def _send(
        self, trace: _Trace | None, request: HttpRequest, shown: str
    ) -> HttpResponse | TransportError:
        try:
            response = self.client.send(request)
        except TransportError as error:
            answer: HttpResponse | TransportError = error
        else:
            answer = response
        if trace is not None:
            trace.exchanges.append(_exchange(request, shown, answer))
        return answer

    # -- users ----------------------------------------------------------------

    def create(self, stored: Record, trace: _Trace) -> str:
        """Create a marked user holding ``stored`` and return its id; raises ``_BlockedError``."""
        user_id, answer = self._post(stored, trace)
        nulls = {name: None for name, value in stored.items() if value is None}
        if nulls:
            method, path = self.settings.replace_route
            body_bytes = dump_json(cast("JSONValue", nulls)).encode("utf-8")
            set_null = self._send(trace, self._request(method, path, user_id, body_bytes), path)
            if isinstance(set_null, TransportError) or not 200 <= set_null.status < 300:
                got = (
                    str(set_null) if isinstance(set_null, TransportError) else _answered(set_null)
                )
                raise _BlockedError(f"setting a field to null with {method} {path} got {got}")
            answer = set_null
        record = _record(answer.body)
        if isinstance(record, str):
            raise _BlockedError(f"setting up the user: {record}")
        where = first_difference(cast("JSONValue", stored), cast("JSONValue", record))
        if where is not None:
            raise _BlockedError(
                f"the user does not hold the starting state: it differs at {where!r}"
            )
        return user_id

    def _post(self, stored: Record, trace: _Trace) -> tuple[str, HttpResponse]:
        """``POST /v1/users`` a marked user with the object fields of ``stored``."""
        mark = f"{MARK}{self.run_id}-{next(self.numbers)}"
        body: dict[str, JSONValue] = {"external_id": mark}
        if self.settings.email_domain:
            body["email_address"] = [f"{mark}@{self.settings.email_domain}"]
            body["skip_password_requirement"] = True
        # Object fields go with the create; a null field needs a replace
        # afterwards, since a create cannot store a top-level null.
        body.update({name: value for name, value in stored.items() if value is not None})
        request = self._request("POST", USERS, "", dump_json(body).encode("utf-8"))
        answer = self._send(trace, request, USERS)
        if isinstance(answer, TransportError):
            if not self.created:
                raise UnreachableError(str(answer))
            raise _BlockedError(f"creating the user got no answer: {answer}")
        if answer.status in {401, 403} and not self.created:
            raise KeyRefusedError(f"POST {USERS} answered {_answered(answer)}")
        created = _json_or_none(answer.body) if 200 <= answer.status < 300 else None
        user_id = created.get("id") if isinstance(created, dict) else None
        if not isinstance(user_id, str) or not user_id:
            raise _BlockedError(f"POST {USERS} answered {_answered(answer)} with no user id")
        marked = cast("dict[str, JSONValue]", created).get("external_id")
        if (marked is not None and marked != mark) or user_id in self.seen:
            # Not provably the user just made: never touch it, not even to delete.
            raise _BlockedError(f"POST {USERS} answered with a user that is not the one it made")
        self.seen.add(user_id)
        self.created += 1
        self.live.append(user_id)
        return user_id, answer

    def read(self, user_id: str, trace: _Trace) -> Record | None:
        """Read the user's three fields; a problem (and ``None``) if that fails."""
        answer = self._send(trace, self._request("GET", USER, user_id), USER)
        if isinstance(answer, TransportError):
            trace.hard(f"reading the user back got no answer: {answer}")
            return None
        if answer.status != 200:
            trace.hard(f"reading the user back answered {_answered(answer)}")
            return None
        record = _record(answer.body)
        if isinstance(record, str):
            trace.hard(f"reading the user back: {record}")
            return None
        return record

    def delete(self, user_id: str, *, even_if_kept: bool = False) -> None:
        """Delete one of the run's users (kept instead with ``keep``); a 404 means it is gone."""
        if self.settings.keep and not even_if_kept:
            self.kept.append(user_id)
        else:
            answer = self._send(None, self._request("DELETE", USER, user_id), USER)
            if isinstance(answer, TransportError) or answer.status not in {200, 202, 204, 404}:
                return
        self.live.remove(user_id)

    # -- one case -------------------------------------------------------------

    def case(self, case: Case) -> CaseResult:
        trace = _Trace()
        try:
            user_id = self.create(case.stored, trace)
        except _BlockedError as blocked:
            trace.hard(f"blocked: {blocked}")
            return _result(case, "blocked", case.rule, trace)
        try:
            return self._exercise(case, user_id, trace)
        finally:
            if user_id in self.live:
                self.delete(user_id)

    def _exercise(self, case: Case, user_id: str, trace: _Trace) -> CaseResult:
        if case.user == "deleted":
            self.delete(user_id, even_if_kept=True)
        method, path = _target(case, self.settings)
        bodies = case.parallel_bodies() if case.parallel else (case.body,) * case.repeat
        requests = [
            self._request(
                method, path, user_id, body, auth=case.auth, content_type=case.content_type
            )
            for body in bodies
        ]
        if case.parallel:
            answers = self.client.send_parallel(requests)
            trace.exchanges.extend(
                _exchange(request, path, answer)
                for request, answer in zip(requests, answers, strict=True)
            )
            return self._judge(case, user_id, trace, answers)
        result: CaseResult | None = None
        for request in requests:
            answer = self._send(trace, request, path)
            result = self._judge(case, user_id, trace, [answer])
        return cast("CaseResult", result)

    def _judge(
        self,
        case: Case,
        user_id: str,
        trace: _Trace,
        answers: Sequence[HttpResponse | TransportError],
    ) -> CaseResult:
        if case.expected is None:
            return self._judge_rejected(case, user_id, trace, answers[0])
        rule = case.rule
        diagnosis: str | None = None
        severity: Callable[[str], None] = trace.open if case.open else trace.hard
        accepted = True
        for answer in answers:
            accepted = accepted and isinstance(answer, HttpResponse) and answer.status < 300
            if isinstance(answer, TransportError):
                trace.hard(f"no answer: {answer}")
            elif answer.status >= 500:
                trace.hard(f"answered {_answered(answer)}: a server error")
            elif answer.status in {404, 405} and case.user == "own":
                # The user exists (the checker just made it): the route is missing.
                rule = "replace" if case.method == "PUT" else "merge"
                diagnosis = f"{case.method} answered {answer.status}: the route seems missing"
                trace.hard(f"answered {_answered(answer)} where the write must succeed")
            elif not 200 <= answer.status < 300:
                severity(f"answered {_answered(answer)} where the reference accepts the write")
        actual = self.read(user_id, trace)
        pointer = None
        if actual is not None:
            pointer = first_difference(cast("JSONValue", case.expected), cast("JSONValue", actual))
        fits: tuple[WrongMerge, ...] = ()
        if pointer is not None:
            severity(f"the record differs from the expected one at {pointer!r}")
            if case.parallel:
                trace.hard(_lost(case, cast("Record", actual)))
            fits = self._wrong_merge(case, cast("Record", actual)) if accepted else ()
        return _result(
            case,
            _verdict(trace),
            rule,
            trace,
            expected=cast("JSONValue", case.expected),
            actual=cast("JSONValue", actual),
            pointer=pointer,
            diagnosis=diagnosis,
            fits=fits,
        )

    @staticmethod
    def _wrong_merge(case: Case, actual: Record) -> tuple[WrongMerge, ...]:
        if case.method != "PATCH" or case.parallel or case.body is None:
            return ()
        try:
            body = parse_json(case.body)
        except MetadataError:
            return ()
        return diagnose(case.stored, body, actual)

    def _judge_rejected(
        self, case: Case, user_id: str, trace: _Trace, answer: HttpResponse | TransportError
    ) -> CaseResult:
        accepted = _judge_refusal(case, answer, trace)
        actual: Record | None = None
        if case.user == "deleted":
            self._still_gone(user_id, trace)
        elif not (accepted and case.open):
            # A rejected request changes nothing, as two reads in a row must show.
            for _ in range(2):
                actual = self.read(user_id, trace)
                if actual is not None and not json_equal(
                    cast("JSONValue", case.stored), cast("JSONValue", actual)
                ):
                    break
        pointer = None
        if actual is not None:
            pointer = first_difference(cast("JSONValue", case.stored), cast("JSONValue", actual))
            if pointer is not None:
                trace.hard(f"the rejected request changed the record at {pointer!r}")
        return _result(
            case,
            _verdict(trace),
            case.rule,
            trace,
            expected=cast("JSONValue", case.stored),
            actual=cast("JSONValue", actual),
            pointer=pointer,
        )

    def _still_gone(self, user_id: str, trace: _Trace) -> None:
        answer = self._send(trace, self._request("GET", USER, user_id), USER)
        if isinstance(answer, TransportError):
            trace.hard(f"reading the deleted user got no answer: {answer}")
        elif 200 <= answer.status < 300:
            trace.hard("the request to a deleted user brought it back")


def _lost(case: Case, actual: Record) -> str:
    """Say how many of a concurrency case's parallel writes left no trace."""
    field = actual.get(PARALLEL_FIELD)
    keys = [PARALLEL_KEY.format(index) for index in range(case.parallel)]
    lost = [key for key in keys if not isinstance(field, dict) or key not in field]
    return f"{len(lost)} of the {case.parallel} parallel writes were lost"


def _judge_refusal(case: Case, answer: HttpResponse | TransportError, trace: _Trace) -> bool:
    """Judge the answer to a request that must be rejected; tell whether it was accepted."""
    rejection = case.rejection
    assert rejection is not None  # every case expects a record or a rejection
    expected = f"{rejection.status} {rejection.code}"
    if isinstance(answer, TransportError):
        trace.hard(f"no answer: {answer}")
    elif 200 <= answer.status < 300:
        message = f"accepted ({answer.status}) where the reference rejects with {expected}"
        (trace.open if case.open else trace.hard)(message)
        return True
    elif not 400 <= answer.status < 500:
        trace.hard(f"answered {_answered(answer)} where a 4xx must reject the request")
    elif answer.status != rejection.status or _error_code(answer.body) != rejection.code:
        trace.open(f"rejected with {_answered(answer)} where the reference answers {expected}")
    return False


def _target(case: Case, settings: Settings) -> tuple[str, str]:
    """The method and path a case's request goes to."""
    if case.route == "user":
        return case.method, USER
    if case.method == "PUT":
        return settings.replace_route
    return case.method, METADATA


def _exchange(request: HttpRequest, shown: str, answer: HttpResponse | TransportError) -> Exchange:
    if isinstance(answer, TransportError):
        return Exchange(request.method, shown, request.body, None, str(answer).encode("utf-8"))
    return Exchange(request.method, shown, request.body, answer.status, answer.body)


def _verdict(trace: _Trace) -> Verdict:
    if any(problem.severity == "hard" for problem in trace.problems):
        return "fail"
    return "difference" if trace.problems else "pass"


def _result(
    case: Case,
    verdict: Verdict,
    rule: str,
    trace: _Trace,
    **found: object,
) -> CaseResult:
    return CaseResult(
        case,
        verdict,
        rule,
        tuple(trace.problems),
        tuple(trace.exchanges),
        **found,  # type: ignore[arg-type]
    )


def _diagnosed(results: list[CaseResult]) -> tuple[CaseResult, ...]:
    """Put each wrong record down to the wrong merge the whole run's evidence points to."""
    chosen = settle([result.fits for result in results])
    return tuple(
        result if model is None else replace(result, rule=model.rule, diagnosis=model.says)
        for result, model in zip(results, chosen, strict=True)
    )


def plan(case: Case, settings: Settings, /) -> list[str]:
    """The requests one case sends to a server that behaves, one line each, without the key."""
    method, path = _target(case, settings)
    lines = [f"POST {USERS}  (a user marked {MARK}..., holding the starting state)"]
    if any(value is None for value in case.stored.values()):
        lines.append(
            f"{' '.join(settings.replace_route)}  (the null fields of the starting state)"
        )
    if case.user == "deleted":
        lines.append(f"DELETE {USER}")
    bodies = case.parallel_bodies() if case.parallel else (case.body,) * case.repeat
    together = f"  (x{case.parallel}, sent at once)" if case.parallel else ""
    for body in bodies[:1] if case.parallel else bodies:
        shown = "no body" if body is None else _text(body, 80)
        lines.append(f"{method} {path}  {shown}  [key: {case.auth}]{together}")
        reads = 1 if case.expected is not None else 2
        if case.user == "own":
            lines.extend([f"GET {USER}"] * reads)
    if case.user == "deleted":
        lines.append(f"GET {USER}  (must stay gone)")
    elif not settings.keep:
        lines.append(f"DELETE {USER}")
    return lines


def run(
    client: Client,
    cases: Sequence[Case],
    settings: Settings,
    /,
    *,
    base_url: str = "",
    progress: Callable[[int, int, Case], None] | None = None,
) -> RunResult:
    """Run ``cases`` in order and return every result.

    Every user created is deleted before this returns or raises (unless
    ``settings.keep``), also on :class:`KeyboardInterrupt`. Raises
    :class:`UnreachableError` if the first request gets no HTTP answer, and
    :class:`KeyRefusedError` if the first create answers 401 or 403.
    """
    state = _Run(client, settings)
    started = time.monotonic()
    results: list[CaseResult] = []
    left: list[str] = []
    try:
        for number, case in enumerate(cases, 1):
            if progress is not None:
                progress(number, len(cases), case)
            results.append(state.case(case))
    finally:
        for user_id in list(state.live):
            state.delete(user_id)
        left = list(state.live)
    return RunResult(
        base_url,
        _diagnosed(results),
        state.created,
        tuple(state.kept),
        tuple(left),
        time.monotonic() - started,
    )

"""The SDK matrix as data: each case, what each SDK can send of it, and what must result.

One stored record, one request per case, written once for both SDKs. What
must result is never written down: :func:`expected` asks the library's own
``apply_request``, in-process, for the record the server must hold after the
request. The SDK tests compare what each SDK reads back with that; the table
in ``docs/sdks.md`` is rendered from the same data.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Final, Literal

from metadata_semantics import (
    MetadataError,
    UserMetadata,
    UserMetadataParams,
    apply_request,
    dump_json,
    json_equal,
)

if TYPE_CHECKING:
    from collections.abc import Mapping

    from metadata_semantics import JSONValue

Method = Literal["PUT", "PATCH"]
Sdk = Literal["javascript", "python"]

METHODS: Final[tuple[Method, ...]] = ("PUT", "PATCH")
SDKS: Final[tuple[Sdk, ...]] = ("javascript", "python")

JS_PACKAGE: Final = "@clerk/backend"
JS_VERSION: Final = "3.25.0"
PY_PACKAGE: Final = "clerk-backend-api"
PY_VERSION: Final = "7.0.0"

STORED: Final = UserMetadata(
    public_metadata={"role": "member", "plan": {"tier": "pro", "seats": 5}},
    private_metadata={"stripe": {"customer": "cus_1", "card": "visa"}},
    unsafe_metadata={"theme": "dark", "beta": True, "ratio": 0.5},
)
"""The record every case starts from, unless it says otherwise."""

CLERK_ERRORS: Final[Mapping[str, tuple[int, str]]] = MappingProxyType(
    {"field_too_large": (422, "form_param_exceeds_allowed_size")}
)
"""The status and Clerk error code an SDK sees for each library error the matrix causes.

Written here, apart from the server's error map, so that a change to that
map is caught rather than followed."""

OVERSIZED: Final = "x" * 9000
"""A string past the 8 KB a field may hold under the server's default limits."""


@dataclass(frozen=True, slots=True)
class Case:
    """One row of the matrix: a request for both methods, from one stored record.

    ``python_can_send`` is false when ``clerk-backend-api`` has no way to say
    the request: its write methods leave out every argument that is ``None``,
    so a top-level null never leaves the machine.
    """

    ident: str
    label: str
    params: UserMetadataParams
    # A factory, because a UserMetadata is unhashable (its equality is JSON's).
    stored: UserMetadata = field(default_factory=lambda: STORED)
    python_can_send: bool = True
    shown: str = ""
    """How the table shows the request, when its JSON is too long to print."""

    def sdks(self) -> tuple[Sdk, ...]:
        """The SDKs that can send this case's request."""
        return SDKS if self.python_can_send else ("javascript",)

    def key(self, method: Method) -> str:
        """A short id for the case and method, for test ids and driver results."""
        return f"{method}-{self.ident}"


CASES: Final[tuple[Case, ...]] = (
    Case(
        "omitted",
        "two fields omitted",
        UserMetadataParams(public_metadata={"plan": {"seats": 10}}),
    ),
    Case("empty", "`{}`", UserMetadataParams(private_metadata={})),
    Case("null", "`null`", UserMetadataParams(public_metadata=None), python_can_send=False),
    Case(
        "nested-nulls",
        "nested nulls",
        UserMetadataParams(
            public_metadata={"role": None, "plan": {"tier": None}, "trial": {"ends": None}}
        ),
    ),
    Case(
        "camel-keys",
        "nested camelCase keys",
        UserMetadataParams(unsafe_metadata={"themeColor": {"darkMode": True}, "ratio": 1.5}),
    ),
    Case(
        "scalars",
        "arrays and scalars",
        UserMetadataParams(
            unsafe_metadata={"count": 3, "ratio": 2.5, "beta": False, "tags": ["a", 1, None]}
        ),
    ),
    Case(
        "stored-null",
        "a stored null",
        UserMetadataParams(private_metadata={}, unsafe_metadata={"theme": "light"}),
        stored=UserMetadata(
            public_metadata={"role": "member"}, private_metadata=None, unsafe_metadata=None
        ),
    ),
    Case("none", "every field omitted", UserMetadataParams()),
    Case(
        "oversized",
        "an oversized field",
        UserMetadataParams(unsafe_metadata={"blob": OVERSIZED}),
        shown=f'`unsafe_metadata`: `{{"blob":"x…x"}}` ({len(OVERSIZED):,} `x`)',
    ),
)
"""Every case; each runs under both ``PUT`` and ``PATCH``."""


def expected(case: Case, method: Method) -> UserMetadata | MetadataError:
    """The record the server must hold after the case's request, or the error it must raise.

    This is the library's ``apply_request`` on the request's JSON body, with
    the limits the server applies by default. Changes nothing.
    """
    try:
        return apply_request(case.stored, method, case.params.to_body())
    except MetadataError as error:
        return error


def pairs(sdk: Sdk, *, refused: bool) -> list[tuple[Case, Method]]:
    """The cases and methods ``sdk`` can send whose write the rules refuse, or allow."""
    return [
        (case, method)
        for case in CASES
        if sdk in case.sdks()
        for method in METHODS
        if isinstance(expected(case, method), MetadataError) == refused
    ]


def fields(record: UserMetadata) -> dict[str, JSONValue]:
    """The three fields of ``record``, as the HTTP API spells them."""
    return _json_object(record.to_body())


def body(params: UserMetadataParams) -> dict[str, JSONValue]:
    """The request's JSON body, as the HTTP API spells it: omitted fields left out."""
    return _json_object(params.to_body())


def http_error(error: MetadataError) -> tuple[int, str]:
    """The status and Clerk ``code`` an SDK must see for ``error``, from :data:`CLERK_ERRORS`."""
    return CLERK_ERRORS[error.code]


def camel_params(params: UserMetadataParams) -> dict[str, JSONValue]:
    """The request as the JavaScript SDK takes it: fields in camel case, omitted ones left out."""
    return _json_object(params.to_body(naming="camel"))


def _json_object(members: Mapping[str, JSONValue]) -> dict[str, JSONValue]:
    return dict(members)


# ---- the table in docs/sdks.md ---------------------------------------------------------


def _code(value: JSONValue) -> str:
    return f"`{dump_json(value)}`"


def _describe_request(params: UserMetadataParams) -> str:
    provided = [f"`{name}`: {_code(value)}" for name, value in params.to_body().items()]
    return "; ".join(provided) if provided else "(no field)"


def _describe_result(case: Case, result: UserMetadata | MetadataError) -> str:
    if isinstance(result, MetadataError):
        status, clerk_code = http_error(result)
        return f"{status} `{clerk_code}` (`{result.code}`)"
    before = fields(case.stored)
    changed = [
        f"`{name}` → {_code(value)}"
        for name, value in fields(result).items()
        if not json_equal(value, before[name])
    ]
    return "; ".join(changed) if changed else "nothing changes"


def outcome(case: Case, method: Method, sdk: Sdk) -> str:
    """What the SDK gets, in the table's words; the SDK tests prove each one."""
    if sdk == "python" and not case.python_can_send:
        return "cannot send it: `None` leaves the field out"
    result = expected(case, method)
    if isinstance(result, MetadataError):
        status, clerk_code = http_error(result)
        kind = "`ClerkAPIResponseError`" if sdk == "javascript" else "`ClerkErrors`"
        return f"{kind}, status {status}, code `{clerk_code}`"
    return "reads back the expected record"


def stored_description(case: Case) -> str:
    """The case's stored record, if it is not the common one."""
    if case.stored == STORED:
        return ""
    return (
        " (stored: "
        + ", ".join(f"`{name}`: {_code(value)}" for name, value in fields(case.stored).items())
        + ")"
    )


def render_table() -> str:
    """The matrix results table of ``docs/sdks.md``, from :data:`CASES`."""
    lines = [
        (
            "| case | request | method | expected (`apply_request`) "
            f"| `{JS_PACKAGE}` {JS_VERSION} | `{PY_PACKAGE}` {PY_VERSION} |"
        ),
        "|---|---|---|---|---|---|",
    ]
    for case in CASES:
        for method in METHODS:
            cells = [
                case.label + stored_description(case),
                case.shown or _describe_request(case.params),
                f"`{method}`",
                _describe_result(case, expected(case, method)),
                outcome(case, method, "javascript"),
                outcome(case, method, "python"),
            ]
            lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"

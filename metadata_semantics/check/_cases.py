"""The cases the checker sends: every vector HTTP can express, and the HTTP-only cases.

A case is data: a stored state to start from, one request (method, exact
body bytes, headers), and what must follow. Vectors come from
:mod:`metadata_semantics.conformance`; the HTTP-only cases, the rules they
are grouped by, the questions they answer and the status each rejection
gets are in ``http_cases.json`` beside this module.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources
from typing import TYPE_CHECKING, Any, Final, Literal, TypeAlias, cast

from metadata_semantics import (
    FIELDS,
    UPSTREAM_LIMITS,
    JSONValue,
    UserMetadata,
    apply_request,
    dump_json,
)
from metadata_semantics.conformance import Vector, load_vectors

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

__all__ = [
    "CASES_FILE",
    "DEFAULT_STORED",
    "SCHEMA_FILE",
    "Case",
    "Question",
    "Record",
    "Rejection",
    "RuleInfo",
    "Suite",
    "case_text",
    "load_suite",
    "padded_field",
    "select",
]

CASES_FILE: Final = "http_cases.json"
SCHEMA_FILE: Final = "http_cases.schema.json"

Record: TypeAlias = "dict[str, JSONValue]"
"""The three metadata fields of a user, by their wire names."""

Auth: TypeAlias = Literal["key", "missing", "wrong"]

DEFAULT_STORED: Final[Mapping[str, JSONValue]] = {
    "public_metadata": {"role": "member"},
    "private_metadata": {"plan": "pro"},
    "unsafe_metadata": {},
}
"""The state an HTTP-only case starts from unless it says otherwise."""

JSON_TYPE: Final = "application/json"

# The key each parallel PATCH of a concurrency case adds, numbered.
PARALLEL_FIELD: Final = "public_metadata"
PARALLEL_KEY: Final = "parallel-{}"


@dataclass(frozen=True, slots=True)
class Rejection:
    """How the reference server answers a rejected request: status and ``errors[0].code``."""

    status: int
    code: str


@dataclass(frozen=True, slots=True)
class RuleInfo:
    """A rule the cases are grouped by."""

    name: str
    title: str
    description: str


@dataclass(frozen=True, slots=True)
class Question:
    """A question about a real server that the run answers: its cases by rule or by id."""

    name: str
    text: str
    rules: tuple[str, ...]
    cases: tuple[str, ...]

    def covers(self, case_id: str, rule: str, /) -> bool:
        """Tell whether the case ``case_id``, reported under ``rule``, bears on this question."""
        return rule in self.rules or case_id in self.cases


@dataclass(frozen=True, slots=True, eq=False)
class Case:
    """One case: a state to start from, a request, and what must follow.

    ``expected`` is the record after the request, or ``None`` when the request
    must be rejected (``rejection`` then says how the reference answers). An
    ``open`` case checks something the spec leaves open or that a careful
    server may do otherwise: a mismatch is a difference, not a failure.
    ``user`` is ``"deleted"`` when the request goes to a user the checker
    created and deleted, ``route`` is ``"user"`` for ``/v1/users/{id}``.
    """

    id: str
    rule: str
    description: str
    checks: str
    source: Literal["vectors", "http"]
    method: str
    stored: Record
    body: bytes | None
    expected: Record | None
    rejection: Rejection | None = None
    content_type: str | None = JSON_TYPE
    auth: Auth = "key"
    route: Literal["metadata", "user"] = "metadata"
    user: Literal["own", "deleted"] = "own"
    open: bool = False
    repeat: int = 1
    parallel: int = 0

    def parallel_bodies(self) -> tuple[bytes, ...]:
        """The bodies of a concurrency case's parallel requests, one new key each."""
        return tuple(
            dump_json({PARALLEL_FIELD: {PARALLEL_KEY.format(index): index}}).encode("utf-8")
            for index in range(self.parallel)
        )


@dataclass(frozen=True, slots=True)
class Suite:
    """Every case, the rules in report order, the questions, and the rejection map."""

    cases: tuple[Case, ...]
    rules: tuple[RuleInfo, ...]
    questions: tuple[Question, ...]
    rejections: Mapping[str, Rejection]

    def rule(self, name: str, /) -> RuleInfo:
        """Return the rule called ``name``; raises :class:`KeyError` if there is none."""
        for rule in self.rules:
            if rule.name == name:
                return rule
        raise KeyError(name)


def case_text(name: str = CASES_FILE, /) -> str:
    """Return the text of a data file beside this module."""
    return resources.files(__package__ or __name__).joinpath(name).read_text(encoding="utf-8")


def _compact(value: JSONValue) -> bytes:
    return dump_json(value).encode("utf-8")


def padded_field(spec: Mapping[str, Any]) -> JSONValue:
    """The field ``{"$pad": N, ...}`` stands for; raises :class:`ValueError` if none can."""
    # {"$pad": N} stands for a field whose compact UTF-8 JSON is exactly N
    # bytes: one key ("pad" unless "key" says) holding a run of "char".
    key = spec.get("key", "pad")
    char = spec.get("char", "x")
    room = spec["$pad"] - len(_compact({key: ""}))
    count, left = divmod(room, len(char.encode("utf-8")))
    if left or count < 0:
        raise ValueError(f"no field of {spec['$pad']} bytes is made of {char!r}")
    return {key: char * count}


def _expand(fields: Mapping[str, Any]) -> Record:
    expanded: Record = {}
    for name, value in fields.items():
        pad = isinstance(value, dict) and "$pad" in value
        expanded[name] = padded_field(cast("Mapping[str, Any]", value)) if pad else value
    return expanded


def _body(raw: Mapping[str, Any]) -> bytes | None:
    if "body_text" in raw:
        return cast("str", raw["body_text"]).encode("utf-8")
    if "body_hex" in raw:
        return bytes.fromhex(cast("str", raw["body_hex"]))
    if "body" not in raw:
        return None
    text = _compact(_expand(raw["body"]))
    spaces = cast("int", raw.get("spaces", 0))
    # Whitespace between tokens is part of JSON; it goes after the opening brace.
    return text[:1] + b" " * spaces + text[1:]


def _fields(record: UserMetadata) -> Record:
    return {name: getattr(record, name) for name in FIELDS}


def _http_case(raw: Mapping[str, Any], rejections: Mapping[str, Rejection]) -> Case:
    stored = _expand(raw.get("stored", DEFAULT_STORED))
    body = _body(raw)
    method = raw["method"]
    expected: Record | None = None
    rejection: Rejection | None = None
    if raw["expect"] == "rejected":
        rejection = (
            Rejection(raw["status"], raw["code"])
            if "status" in raw
            else rejections[raw["library_code"]]
        )
    elif raw.get("parallel", 0):
        expected = dict(stored)
        added = {PARALLEL_KEY.format(index): index for index in range(raw["parallel"])}
        expected[PARALLEL_FIELD] = {
            **cast("dict[str, JSONValue]", stored[PARALLEL_FIELD]),
            **added,
        }
    else:
        written = apply_request(
            UserMetadata.from_body(stored), method, body, limits=UPSTREAM_LIMITS
        )
        expected = _fields(written)
    return Case(
        id=raw["id"],
        rule=raw["rule"],
        description=raw["description"],
        checks=raw["checks"],
        source="http",
        method=method,
        stored=stored,
        body=body,
        expected=expected,
        rejection=rejection,
        content_type=raw.get("content_type", JSON_TYPE),
        auth=raw.get("auth", "key"),
        route=raw.get("route", "metadata"),
        user=raw.get("user", "own"),
        open=raw.get("open", False),
        repeat=raw.get("repeat", 1),
        parallel=raw.get("parallel", 0),
    )


def _holds(value: JSONValue, kind: type) -> bool:
    """Tell whether ``value`` holds a ``kind`` outside any array (``list``: anywhere)."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, kind):
            return True
        if isinstance(item, dict):
            stack.extend(item.values())
    return False


def vector_rule(vector: Vector, body: JSONValue, /) -> str:
    """The rule a vector's case is grouped by, from its group and what its body holds."""
    if vector.group in {"errors", "empty-body"}:
        return vector.group
    if vector.group == "array-nulls" or _holds(body, list):
        return "arrays"
    if _holds(body, type(None)):
        return "nulls"
    return "replace" if vector.op in {"replace", "parse"} else "merge"


def _is_record(value: JSONValue) -> bool:
    return isinstance(value, dict) and all(
        isinstance(value.get(name), dict | type(None)) for name in FIELDS
    )


def _vector_case(vector: Vector, rejections: Mapping[str, Rejection]) -> Case | None:
    """The case that sends ``vector`` over HTTP, or ``None`` if HTTP cannot express it."""
    stored: JSONValue
    body: JSONValue
    expected: JSONValue
    text: bytes
    if vector.op == "merge_patch":
        # RFC 7396 alone, as a PATCH of one field: the target must be storable
        # (an object or null) and the patch an object.
        if not isinstance(vector.body, dict) or not _is_record(
            {"public_metadata": vector.stored, "private_metadata": {}, "unsafe_metadata": {}}
        ):
            return None
        stored = {"public_metadata": vector.stored, "private_metadata": {}, "unsafe_metadata": {}}
        body = {"public_metadata": vector.body}
        expected = {**stored, "public_metadata": vector.result}
        method, text = "PATCH", _compact(body)
    elif vector.op == "parse":
        # The HTTP API reads snake_case bodies only. A body that must be
        # rejected goes as a PATCH over a full record; one that is read goes
        # as a PUT over empty fields, so the record after it shows the fields.
        if vector.naming != "snake":
            return None
        text = cast("str", vector.body).encode("utf-8")
        method = "PATCH" if vector.error else "PUT"
        fresh: Record = {name: {} for name in FIELDS}
        stored = dict(DEFAULT_STORED) if vector.error else fresh
        body = vector.result
        expected = None if vector.error else {**fresh, **cast("Record", body)}
    else:
        if not _is_record(vector.stored):
            return None
        stored, body = vector.stored, vector.body
        expected = vector.result
        method, text = ("PUT" if vector.op == "replace" else "PATCH"), _compact(body)
    return Case(
        id=vector.id,
        rule=vector_rule(vector, body),
        description=vector.description,
        checks=f"conformance vector {vector.id}",
        source="vectors",
        method=method,
        stored=cast("Record", stored),
        body=text,
        expected=None if vector.error else cast("Record", expected),
        rejection=None if vector.error is None else rejections[vector.error.code],
        open=bool(vector.hazards),
    )


def load_suite(vectors: Iterable[Vector] | None = None) -> Suite:
    """Load every case: the vectors HTTP can express (in file order), then the HTTP-only ones.

    ``vectors`` replaces the shipped vectors (for tests). Changes nothing.
    """
    document = json.loads(case_text())
    rejections = {
        code: Rejection(answer["status"], answer["code"])
        for code, answer in document["rejections"].items()
    }
    cases = [
        case
        for vector in (load_vectors() if vectors is None else vectors)
        if (case := _vector_case(vector, rejections)) is not None
    ]
    cases.extend(_http_case(raw, rejections) for raw in document["cases"])
    return Suite(
        cases=tuple(cases),
        rules=tuple(RuleInfo(**raw) for raw in document["rules"]),
        questions=tuple(
            Question(raw["name"], raw["text"], tuple(raw["rules"]), tuple(raw["cases"]))
            for raw in document["questions"]
        ),
        rejections=rejections,
    )


def select(cases: Iterable[Case], patterns: Iterable[str], /) -> tuple[Case, ...]:
    """The cases whose id or rule matches any of the shell-style ``patterns`` (all if none)."""
    from fnmatch import fnmatchcase

    wanted = tuple(patterns)
    return tuple(
        case
        for case in cases
        if not wanted
        or any(fnmatchcase(case.id, pattern) or case.rule == pattern for pattern in wanted)
    )

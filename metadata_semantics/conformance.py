"""Check an implementation of the write semantics against the conformance vectors.

The vectors ship inside the package (``metadata_semantics/vectors/``) as
plain JSON that any language can load; their format is described in the
README beside them. This module loads them and runs them against Python
callables, so that another implementation embedded in Python can prove it
behaves exactly as this one does::

    from metadata_semantics import conformance

    report = conformance.check(
        my_replace, my_merge, merge_patch=my_merge_patch, parse=my_parse
    )
    assert report.ok, report.summary()

Each callable is called positionally, with these signatures:

- ``replace(stored: UserMetadata, request: UserMetadataParams, /) -> UserMetadata``
  and ``merge`` alike: the two writes, as :func:`replace_metadata` and
  :func:`merge_metadata` are (see :data:`WriteFunction`);
- ``merge_patch(target: JSONValue, patch: JSONValue, /) -> JSONValue``:
  RFC 7396 alone, as :func:`merge_patch` is (see :data:`MergePatchFunction`);
- ``parse(text: str, naming: Naming, /) -> UserMetadataParams``: the text of
  a request body, not yet decoded, and the naming (``"snake"`` or
  ``"camel"``) to read it in, as :func:`library_parse` is (see
  :data:`ParseFunction`). A blank text provides no field.

Each signals bad input by raising :class:`MetadataError`, whose ``code``
and ``path`` are compared with the vector's. This library's own callables
pass every vector.

Results are compared as JSON values, type-strictly and with key order free.
"""

from __future__ import annotations

import inspect
import json
from dataclasses import dataclass, field
from importlib import resources
from typing import TYPE_CHECKING, Any, Final, Literal, TypeAlias, cast

from ._errors import InvalidArgumentError, MetadataError, format_pointer
from ._json import parse_json
from ._records import UserMetadata, UserMetadataParams
from ._semantics import merge_metadata, replace_metadata
from ._semantics import merge_patch as _merge_patch
from ._types import FIELDS
from ._values import json_equal
from ._wire import params_from_body

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping

    from ._types import JSONValue, Naming

__all__ = [
    "ExpectedError",
    "Failure",
    "MergePatchFunction",
    "Op",
    "Outcome",
    "ParseFunction",
    "Report",
    "Vector",
    "WriteFunction",
    "check",
    "library_parse",
    "load_vectors",
    "outcome",
    "vector_text",
]

Op: TypeAlias = Literal["replace", "merge", "merge_patch", "parse"]
"""What a vector exercises: one of the two writes, RFC 7396 alone, or body reading."""

WriteFunction: TypeAlias = "Callable[[UserMetadata, UserMetadataParams], UserMetadata]"
"""``(stored: UserMetadata, request: UserMetadataParams, /) -> UserMetadata``.

A write, as :func:`~metadata_semantics.replace_metadata` and
:func:`~metadata_semantics.merge_metadata` are: called with the stored record
and the request, it returns the record after the write.
"""

MergePatchFunction: TypeAlias = "Callable[[JSONValue, JSONValue], JSONValue]"
"""``(target: JSONValue, patch: JSONValue, /) -> JSONValue``.

RFC 7396 on any two JSON values, as :func:`~metadata_semantics.merge_patch` is.
"""

ParseFunction: TypeAlias = "Callable[[str, Naming], UserMetadataParams]"
"""``(text: str, naming: Naming, /) -> UserMetadataParams``.

Reads the *text* of a request body, not yet decoded (blank text provides
no field), in ``naming``, as :func:`library_parse` does. Not
:meth:`UserMetadataParams.from_body <metadata_semantics.UserMetadataParams.from_body>`,
which takes a decoded body.
"""

VECTORS_FILE: Final = "vectors.json"
SCHEMA_FILE: Final = "schema.json"


@dataclass(frozen=True, slots=True)
class ExpectedError:
    """The error a vector expects: its stable code and JSON Pointer path."""

    code: str
    path: str


@dataclass(frozen=True, slots=True)
class Vector:
    """One conformance case, as loaded from the shipped JSON."""

    id: str
    group: str
    description: str
    op: Op
    stored: JSONValue
    body: JSONValue
    naming: Naming
    result: JSONValue
    error: ExpectedError | None
    hazards: tuple[str, ...]
    source: str | None


@dataclass(frozen=True, slots=True)
class Outcome:
    """What an implementation did with one vector: a result, or an error."""

    result: JSONValue = None
    error: ExpectedError | None = None

    def matches(self, vector: Vector, /) -> bool:
        """Tell whether this is what ``vector`` expects (JSON equality, type-strict)."""
        if vector.error is not None:
            return self.error == vector.error
        return self.error is None and json_equal(self.result, vector.result)

    def describe(self) -> str:
        """The outcome as one line of text."""
        if self.error is not None:
            return f"error {self.error.code} at {self.error.path!r}"
        return "result " + json.dumps(self.result, ensure_ascii=False, sort_keys=True)


@dataclass(frozen=True, slots=True)
class Failure:
    """A vector an implementation did not pass, with what was expected and what came."""

    id: str
    expected: str
    got: str


@dataclass(frozen=True, slots=True)
class Report:
    """The result of a conformance run."""

    passed: tuple[str, ...]
    failures: tuple[Failure, ...]
    skipped: tuple[str, ...] = field(default=())

    @property
    def ok(self) -> bool:
        """True when no vector failed."""
        return not self.failures

    def summary(self) -> str:
        """A few lines for a person: the counts, then one line per failing case id."""
        lines = [
            f"{len(self.passed)} passed, {len(self.failures)} failed, {len(self.skipped)} skipped"
        ]
        lines.extend(
            f"FAIL {failure.id}: expected {failure.expected}; got {failure.got}"
            for failure in self.failures
        )
        return "\n".join(lines)


def vector_text(name: str = VECTORS_FILE, /) -> str:
    """Return the text of a file shipped in ``metadata_semantics/vectors/``."""
    folder = resources.files(__package__ or __name__).joinpath("vectors")
    return folder.joinpath(name).read_text(encoding="utf-8")


def _vector(raw: dict[str, Any]) -> Vector:
    error = raw.get("error")
    return Vector(
        id=raw["id"],
        group=raw["group"],
        description=raw["description"],
        op=raw["op"],
        stored=raw.get("stored"),
        body=raw.get("body"),
        naming=raw.get("naming", "snake"),
        result=raw.get("result"),
        error=None if error is None else ExpectedError(error["code"], error["path"]),
        hazards=tuple(raw.get("hazards", ())),
        source=raw.get("source"),
    )


def load_vectors() -> tuple[Vector, ...]:
    """Load every shipped vector, in file order."""
    document = json.loads(vector_text())
    return tuple(_vector(raw) for raw in document["cases"])


_BLANK: Final = " \t\n\r"


def library_parse(text: str | bytes, naming: Naming, /) -> UserMetadataParams:
    """Read a request body's text as the HTTP API does: this library's :data:`ParseFunction`.

    Text that is empty or only JSON whitespace provides no field; anything
    else is strict JSON read with :meth:`UserMetadataParams.from_body`.
    Raises :class:`MetadataError` with a path from the body's root.
    """
    if isinstance(text, bytes):
        if not text.strip(_BLANK.encode("ascii")):
            return UserMetadataParams()
    elif not text.strip(_BLANK):
        return UserMetadataParams()
    return params_from_body(parse_json(text), naming=naming, trusted=True)


def _raw_record(stored: JSONValue) -> UserMetadata:
    # Built without checks on purpose: a vector may hold a stored field that
    # is not an object, and the write under test must be the one to say so.
    members = cast("dict[str, Any]", stored)
    return UserMetadata(**{name: members[name] for name in FIELDS})


def _raw_params(body: JSONValue) -> UserMetadataParams:
    members = cast("dict[str, Any]", body)
    return UserMetadataParams(**{name: members[name] for name in FIELDS if name in members})


def _error_path(error: MetadataError, op: Op) -> str:
    # The writes give paths relative to the field; a body reader gives them
    # from the body's root already.
    if op == "parse" or error.field is None:
        return error.path
    return format_pointer((error.field,)) + error.path


def outcome(
    vector: Vector,
    /,
    *,
    replace: WriteFunction = replace_metadata,
    merge: WriteFunction = merge_metadata,
    merge_patch: MergePatchFunction = _merge_patch,
    parse: ParseFunction = library_parse,
) -> Outcome:
    """Run one vector through the given callables (this library's by default).

    An error counts only if it is a :class:`MetadataError`; its path is
    taken from the root of the stored record or body that held the problem.
    Any other exception propagates.
    """
    try:
        if vector.op == "merge_patch":
            return Outcome(merge_patch(vector.stored, vector.body))
        if vector.op == "parse":
            params = parse(cast("str", vector.body), vector.naming)
            return Outcome(cast("JSONValue", params.to_body()))
        write = replace if vector.op == "replace" else merge
        record = write(_raw_record(vector.stored), _raw_params(vector.body))
        return Outcome({name: getattr(record, name) for name in FIELDS})
    except MetadataError as error:
        return Outcome(error=ExpectedError(error.code, _error_path(error, vector.op)))


# Each callable ``check`` takes, and the signature to name when it cannot be
# called with two positional arguments, as every one of them is.
_SIGNATURES: Final[tuple[tuple[str, str], ...]] = (
    ("replace", "(stored: UserMetadata, request: UserMetadataParams, /) -> UserMetadata"),
    ("merge", "(stored: UserMetadata, request: UserMetadataParams, /) -> UserMetadata"),
    ("merge_patch", "(target: JSONValue, patch: JSONValue, /) -> JSONValue"),
    ("parse", "(text: str, naming: Naming, /) -> UserMetadataParams"),
)


def _takes_two(function: object) -> bool:
    try:
        inspect.signature(cast("Callable[..., object]", function)).bind(None, None)
    except TypeError:
        return False
    except ValueError:
        # No signature to read (some built-ins): let the calls decide.
        return True
    return True


def _check_callables(callables: Mapping[str, object]) -> None:
    """Refuse, once and before any vector runs, a callable that cannot take its arguments."""
    for name, signature in _SIGNATURES:
        function = callables[name]
        if function is None:
            continue
        if not callable(function) or not _takes_two(function):
            hint = ""
            # The natural guess for parse=: bound methods of one function on
            # one class compare equal.
            if function == UserMetadataParams.from_body:
                hint = (
                    "; UserMetadataParams.from_body reads a decoded body, not its text: "
                    "pass parse=conformance.library_parse"
                )
            given = getattr(function, "__qualname__", None) or repr(function)
            raise InvalidArgumentError(
                f"{name}= must be called as {name}{signature}, and {given} cannot be{hint}",
                code="invalid_argument",
            )


def check(
    replace: WriteFunction,
    merge: WriteFunction,
    /,
    *,
    merge_patch: MergePatchFunction | None = None,
    parse: ParseFunction | None = None,
    vectors: Iterable[Vector] | None = None,
) -> Report:
    """Run every vector against the given callables and report each failing case id.

    Each callable is called positionally:

    - ``replace(stored: UserMetadata, request: UserMetadataParams, /) -> UserMetadata``
      and ``merge`` with the same signature (:data:`WriteFunction`), as
      :func:`~metadata_semantics.replace_metadata` and
      :func:`~metadata_semantics.merge_metadata`;
    - ``merge_patch(target: JSONValue, patch: JSONValue, /) -> JSONValue``
      (:data:`MergePatchFunction`), as :func:`~metadata_semantics.merge_patch`;
    - ``parse(text: str, naming: Naming, /) -> UserMetadataParams``
      (:data:`ParseFunction`), as :func:`library_parse`: the body's text, not
      a decoded body.

    ``merge_patch`` and ``parse`` are optional: vectors for a callable not
    given are skipped, not passed. ``vectors`` defaults to every shipped
    vector. Changes nothing. An exception other than :class:`MetadataError`
    from a callable counts as a failure of that vector. Raises
    :class:`~metadata_semantics.InvalidArgumentError` (``invalid_argument``)
    before running any vector if a callable cannot take its arguments, such as
    ``parse=UserMetadataParams.from_body``.
    """
    _check_callables(
        {"replace": replace, "merge": merge, "merge_patch": merge_patch, "parse": parse}
    )
    passed: list[str] = []
    failures: list[Failure] = []
    skipped: list[str] = []
    for vector in load_vectors() if vectors is None else vectors:
        if (vector.op == "merge_patch" and merge_patch is None) or (
            vector.op == "parse" and parse is None
        ):
            skipped.append(vector.id)
            continue
        expected = Outcome(vector.result, vector.error)
        try:
            got = outcome(
                vector,
                replace=replace,
                merge=merge,
                merge_patch=_merge_patch if merge_patch is None else merge_patch,
                parse=library_parse if parse is None else parse,
            )
        except Exception as error:  # noqa: BLE001 - a crash is a failure to report, not to raise
            failures.append(
                Failure(vector.id, expected.describe(), f"{type(error).__name__}: {error}")
            )
            continue
        if got.matches(vector):
            passed.append(vector.id)
        else:
            failures.append(Failure(vector.id, expected.describe(), got.describe()))
    return Report(tuple(passed), tuple(failures), tuple(skipped))

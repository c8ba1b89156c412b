"""Build the conformance vectors from their inputs and this library's answers.

The inputs are written out below, group by group, and the public RFC 7396
suites are read from ``tests/data/merge-patch-suites``. Every expected result
or error is what the library computes now, and a public suite's own expected
result must agree with it or the build stops.

    python tools/vectors.py --write   # rewrite metadata_semantics/vectors/vectors.json
    python tools/vectors.py --check   # exit 1 if the shipped file is out of date
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any, Final, cast

from metadata_semantics import FIELDS, json_equal
from metadata_semantics.conformance import Vector, outcome

ROOT: Final = Path(__file__).resolve().parent.parent
SHIPPED: Final = ROOT / "metadata_semantics" / "vectors" / "vectors.json"
SUITES: Final = ROOT / "tests" / "data" / "merge-patch-suites"

Case = dict[str, Any]

GROUPS: Final[dict[str, str]] = {
    "rules": "Every row of the semantics table, on a stored object and on a stored null.",
    "errors": "Every error code that a vector operation can reach, with its path.",
    "reference": "The examples of the replaceUserMetadata reference page.",
    "rfc7396-appendix-a": "RFC 7396 Appendix A, all 15 examples "
    "(https://www.rfc-editor.org/rfc/rfc7396#appendix-A).",
    "java-json-tools-object": "java-json-tools/json-patch, "
    "src/test/resources/jsonpatch/mergepatch/patch-object.json.",
    "java-json-tools-nonobject": "java-json-tools/json-patch, "
    "src/test/resources/jsonpatch/mergepatch/patch-nonobject.json "
    "(the result is the patch itself).",
    "idubrov": "idubrov/json-patch (Rust), specs/merge_tests.json.",
    "evanphx": "evanphx/json-patch (Go), v5/merge_test.go, transcribed.",
    "java-json-tools-draft": "java-json-tools/json-patch, a draft-era mergepatch.json; "
    "the four cases that drop nulls inside arrays contradict RFC 7396 and are left out.",
    "hazard-keys": "Keys that break naive implementations: __proto__, constructor, the "
    "empty key, a/b, ~1, non-BMP text and other inherited property names.",
    "numbers": "true beside 1, 1 beside 1.0, -0.0, and integers past 2^53.",
    "array-nulls": "Nulls inside arrays: an array is one value and is never merged.",
    "empty-body": "The empty body, and bodies that provide nothing.",
}

STORED: Final[Case] = {
    "public_metadata": {"role": "member", "plan": {"tier": "pro", "seats": 5}},
    "private_metadata": {"stripe_id": "cus_123"},
    "unsafe_metadata": {"theme": "dark"},
}
NULL_STORED: Final[Case] = dict.fromkeys(FIELDS)


def record(public: Any = None, private: Any = None, unsafe: Any = None) -> Case:
    return dict(zip(FIELDS, (public, private, unsafe), strict=True))


def case(group: str, name: str, description: str, op: str, **parts: Any) -> Case:
    return {"id": f"{group}/{name}", "group": group, "description": description, "op": op, **parts}


# -- the semantics table ----------------------------------------------------

_STATES: Final[dict[str, Any]] = {
    "omitted": ...,
    "null": None,
    "empty": {},
    "object": {"plan": {"seats": 10}, "role": None, "new": [1, None]},
}


def rules() -> list[Case]:
    cases: list[Case] = []
    for op in ("replace", "merge"):
        for index, (state, value) in enumerate(_STATES.items()):
            name = FIELDS[index % 3]
            for label, stored in (("stored-object", STORED), ("stored-null", NULL_STORED)):
                body = {} if value is ... else {name: value}
                cases.append(
                    case(
                        "rules",
                        f"{op}/{state}/{label}",
                        f"{op}: {name} {state if state != 'empty' else '{}'} "
                        f"over a {label.removeprefix('stored-')} stored value",
                        op,
                        stored=stored,
                        body=body,
                    )
                )
    cases.extend(
        case(
            "rules",
            f"{op}/each-field-on-its-own",
            f"{op}: null, {{}} and an object in one body, each field handled alone",
            op,
            stored=STORED,
            body={
                "public_metadata": None,
                "private_metadata": {},
                "unsafe_metadata": {"theme": None, "font": "serif"},
            },
        )
        for op in ("replace", "merge")
    )
    return cases


# -- errors -----------------------------------------------------------------

_PARSE_ERRORS: Final[list[tuple[str, str, str]]] = [
    ("not-json", "{", "a body that is not JSON"),
    ("single-quotes", "{'public_metadata': {}}", "single quotes are not JSON"),
    ("trailing-data", '{"public_metadata": {}} x', "data after the JSON value"),
    ("trailing-comma", '{"public_metadata": {"a": 1,}}', "a trailing comma"),
    ("array-body", "[]", "a body that is an array, not an object"),
    ("null-body", "null", "a body that is null"),
    ("number-body", "5", "a body that is a number"),
    ("unknown-key", '{"public_metadata": {}, "metadata": {}}', "a key that names no field"),
    ("camel-key-in-snake-body", '{"publicMetadata": {}}', "camelCase where snake_case is used"),
    ("field-number", '{"public_metadata": 5}', "a field that is a number"),
    ("field-array", '{"private_metadata": [1]}', "a field that is an array"),
    ("field-string", '{"unsafe_metadata": "x"}', "a field that is a string"),
    ("field-true", '{"public_metadata": true}', "a field that is true"),
    ("duplicate-field", '{"public_metadata": {}, "public_metadata": null}', "a field twice"),
    ("duplicate-nested-key", '{"public_metadata": {"a": 1, "a": 2}}', "a nested key twice"),
    ("nan", '{"public_metadata": {"a": NaN}}', "the NaN literal"),
    ("infinity", '{"public_metadata": {"a": Infinity}}', "the Infinity literal"),
    ("minus-infinity", '{"public_metadata": {"a": [-Infinity]}}', "the -Infinity literal"),
    ("overflow", '{"public_metadata": {"a": 1e999}}', "a number that overflows a double"),
    ("lone-surrogate", '{"public_metadata": {"a": "\\ud800"}}', "a lone surrogate escape"),
    ("lone-surrogate-key", '{"public_metadata": {"\\udfff": 1}}', "a lone surrogate in a key"),
    ("byte-order-mark", '\ufeff{"public_metadata": {}}', "a leading byte order mark"),
    (
        "integer-too-long",
        '{"public_metadata": {"n": ' + "9" * 5000 + "}}",
        "an integer of 5000 digits, too long to convert",
    ),
    (
        "both-spellings",
        '{"public_metadata": {}, "publicMetadata": {}}',
        "one field spelled both ways",
    ),
    (
        "both-spellings-other-first",
        '{"privateMetadata": null, "private_metadata": {}}',
        "one field spelled both ways, the other spelling first",
    ),
    (
        "key-problems-before-values",
        '{"public_metadata": 5, "nope": {}}',
        "an unknown key is reported before a bad field value",
    ),
    (
        "values-in-body-order",
        '{"unsafe_metadata": 5, "public_metadata": []}',
        "of two bad field values, the first in the body is reported",
    ),
    ("syntax-before-structure", "[1, 2", "a syntax error is reported before the body's shape"),
]


def errors() -> list[Case]:
    cases = [
        case("errors", f"parse/{name}", description, "parse", body=text)
        for name, text, description in _PARSE_ERRORS
    ]
    cases.append(
        case(
            "errors",
            "parse/snake-key-in-camel-body",
            "snake_case where camelCase is used",
            "parse",
            body='{"public_metadata": {}}',
            naming="camel",
        )
    )
    cases.extend(
        case(
            "errors",
            f"{op}/request-fields-in-field-order",
            f"{op}: of two bad request fields, the first in field order is reported",
            op,
            stored=STORED,
            body={"unsafe_metadata": 1, "private_metadata": 2},
        )
        for op in ("replace", "merge")
    )
    cases.append(
        case(
            "errors",
            "merge/request-before-stored",
            "merge: a bad request field is reported before a bad stored field it keeps",
            "merge",
            stored=record([1], {}, {}),
            body={"unsafe_metadata": 3},
        )
    )
    bad_fields = [("array", [1]), ("string", "text"), ("number", 5), ("true", True)]
    for op in ("replace", "merge"):
        for index, (label, value) in enumerate(bad_fields):
            name = FIELDS[index % 3]
            cases.append(
                case(
                    "errors",
                    f"{op}/request-field-{label}",
                    f"{op}: the request's {name} is a {label}, not an object or null",
                    op,
                    stored=STORED,
                    body={name: value},
                )
            )
        cases.append(
            case(
                "errors",
                f"{op}/stored-field-array-kept",
                f"{op}: a stored field that is an array is kept, and so rejected",
                op,
                stored=record({"a": 1}, [1], {}),
                body={"public_metadata": {}},
            )
        )
    cases.append(
        case(
            "errors",
            "replace/stored-field-array-overwritten",
            "replace: a bad stored field that the write overwrites is never looked at",
            "replace",
            stored=record({"a": 1}, [1], {}),
            body={"private_metadata": {"b": 2}},
        )
    )
    return cases


# -- the reference page -------------------------------------------------------

_MEMBER: Final[Case] = record({"role": "member", "plan": {"tier": "pro"}}, {"stripe": "cus_1"}, {})


def reference() -> list[Case]:
    admin = {"public_metadata": {"role": "admin"}}
    return [
        case(
            "reference",
            "replace-role-admin",
            "replaceUserMetadata with publicMetadata {role: 'admin'}: the plan is dropped",
            "replace",
            stored=_MEMBER,
            body=admin,
        ),
        case(
            "reference",
            "merge-role-admin",
            "the same request as a deep merge keeps the plan",
            "merge",
            stored=_MEMBER,
            body=admin,
        ),
        case(
            "reference",
            "replace-omitted-fields-kept",
            "a field left out of the request keeps its stored value",
            "replace",
            stored=_MEMBER,
            body={"unsafe_metadata": {"seen": True}},
        ),
        case(
            "reference",
            "replace-empty-clears",
            "{} (empty object) clears the field",
            "replace",
            stored=_MEMBER,
            body={"public_metadata": {}},
        ),
        case(
            "reference",
            "replace-null-stores-null",
            "null overwrites the field with a JSON null",
            "replace",
            stored=_MEMBER,
            body={"private_metadata": None},
        ),
        case(
            "reference",
            "replace-nested-keys-dropped",
            "nested keys present before but absent in the new value are dropped",
            "replace",
            stored=record({"plan": {"tier": "pro", "seats": 5}, "x": 1}),
            body={"public_metadata": {"plan": {"seats": 10}}},
        ),
        case(
            "reference",
            "parse-curl-body",
            "the body of the reference page's curl example",
            "parse",
            body='{\n  "public_metadata": {\n    "role": "admin"\n  }\n}',
        ),
        case(
            "reference",
            "parse-sdk-body-camel",
            "the SDK example's parameters, spelled in camelCase",
            "parse",
            body='{"publicMetadata": {"role": "admin"}}',
            naming="camel",
        ),
    ]


# -- public suites ----------------------------------------------------------

# file, group, target key, result key (None: the result is the patch itself)
_SUITES: Final[list[tuple[str, str, str, str | None]]] = [
    ("rfc7396-appendix-a.json", "rfc7396-appendix-a", "target", "result"),
    (
        "java-json-tools_HEAD_mergepatch_patch-object.json",
        "java-json-tools-object",
        "victim",
        "result",
    ),
    (
        "java-json-tools_HEAD_mergepatch_patch-nonobject.json",
        "java-json-tools-nonobject",
        "victim",
        None,
    ),
    ("idubrov_merge_tests.json", "idubrov", "doc", "expected"),
    ("evanphx_v5_merge_extra.json", "evanphx", "doc", "expected"),
    ("java-json-tools_draft_mergepatch.json", "java-json-tools-draft", "doc", "expected"),
]
# The draft-era cases that strip nulls inside arrays, which RFC 7396 keeps.
_DRAFT_CONTRADICTS_RFC: Final = frozenset({22, 23, 24, 25})


def public_suites() -> list[Case]:
    cases: list[Case] = []
    for file, group, target_key, result_key in _SUITES:
        for index, raw in enumerate(json.loads((SUITES / file).read_text("utf-8"))):
            if group == "java-json-tools-draft" and index in _DRAFT_CONTRADICTS_RFC:
                continue
            number = index + 1
            description = raw.get("comment") or f"case {number} of the suite"
            cases.append(
                case(
                    group,
                    f"{number:02d}",
                    description,
                    "merge_patch",
                    stored=raw[target_key],
                    body=raw["patch"],
                    source=f"{file} #{number}",
                    published=raw["patch"] if result_key is None else raw[result_key],
                )
            )
    return cases


# -- hazard keys ------------------------------------------------------------

_HAZARD_KEYS: Final[list[tuple[str, str]]] = [
    ("proto", "__proto__"),
    ("constructor", "constructor"),
    ("prototype", "prototype"),
    ("tostring", "toString"),
    ("hasownproperty", "hasOwnProperty"),
    ("empty", ""),
    ("slash", "a/b"),
    ("tilde-one", "~1"),
    ("non-bmp", "\U0001f600"),
]


def hazard_keys() -> list[Case]:
    cases: list[Case] = []
    for label, key in _HAZARD_KEYS:
        stored = record({key: {"old": 1}, "other": 1}, {}, {})
        cases.extend(
            [
                case(
                    "hazard-keys",
                    f"{label}/replace",
                    f"replace stores the key {key!r} as a plain key",
                    "replace",
                    stored=NULL_STORED,
                    body={"public_metadata": {key: {"x": 1}}},
                ),
                case(
                    "hazard-keys",
                    f"{label}/merge-into",
                    f"merge descends into the stored key {key!r}",
                    "merge",
                    stored=stored,
                    body={"public_metadata": {key: {"new": 2}}},
                ),
                case(
                    "hazard-keys",
                    f"{label}/merge-remove",
                    f"merge removes the key {key!r} with null",
                    "merge",
                    stored=stored,
                    body={"public_metadata": {key: None}},
                ),
            ]
        )
    cases.extend(
        [
            case(
                "hazard-keys",
                "proto/merge-patch-new-object",
                "a new __proto__ member is an own key, not a prototype",
                "merge_patch",
                stored={},
                body={"__proto__": {"polluted": True}},
            ),
            case(
                "hazard-keys",
                "proto/parse",
                "a body holding __proto__ inside a field reads as a plain key",
                "parse",
                body='{"public_metadata": {"__proto__": {"admin": true}}}',
            ),
            case(
                "hazard-keys",
                "escaped-keys/parse",
                "escapes in keys are decoded, non-BMP ones from surrogate pairs",
                "parse",
                body='{"public_metadata": {"\\u0061\\/b": 1, "\\ud83d\\ude00": 2, "\\u0000": 3}}',
            ),
        ]
    )
    return cases


# -- numbers ----------------------------------------------------------------


def numbers() -> list[Case]:
    big = 2**53 + 1
    return [
        case(
            "numbers",
            "true-replaces-1",
            "merge: true is not 1, so the value changes",
            "merge",
            stored=record({"flag": 1, "count": True}),
            body={"public_metadata": {"flag": True, "count": 1}},
        ),
        case(
            "numbers",
            "true-and-1-kept-apart",
            "replace keeps true and 1 as written",
            "replace",
            stored=NULL_STORED,
            body={"public_metadata": {"a": True, "b": 1, "c": False, "d": 0}},
        ),
        case(
            "numbers",
            "float-replaces-int",
            "merge: 1.0 is not 1 (a JavaScript consumer cannot tell them apart)",
            "merge",
            stored=record({"n": 1}),
            body={"public_metadata": {"n": 1.0}},
        ),
        case(
            "numbers",
            "int-replaces-float",
            "merge: 1 is not 1.0",
            "merge",
            stored=record({"n": 1.0}),
            body={"public_metadata": {"n": 1}},
        ),
        case(
            "numbers",
            "negative-zero",
            "merge_patch keeps -0.0 apart from 0",
            "merge_patch",
            stored={"z": 0},
            body={"z": -0.0},
        ),
        case(
            "numbers",
            "big-int-kept",
            "an integer past 2^53 is kept exactly by a merge that does not touch it",
            "merge",
            stored=record({"id": big, "n": 1}),
            body={"public_metadata": {"n": 2}},
        ),
        case(
            "numbers",
            "big-ints-written",
            "integers past 2^53 and past 2^64 are written exactly",
            "replace",
            stored=NULL_STORED,
            body={"public_metadata": {"a": big, "b": -(2**63) - 1, "c": 10**30}},
        ),
        case(
            "numbers",
            "max-safe-integer",
            "2^53 - 1 is an ordinary integer in every language",
            "merge_patch",
            stored={},
            body={"n": 2**53 - 1, "m": -(2**53) + 1},
        ),
        case(
            "numbers",
            "parse-big-int",
            "reading a body keeps an integer past 2^53 exactly",
            "parse",
            body='{"public_metadata": {"id": 9007199254740993}}',
        ),
        case(
            "numbers",
            "parse-float-form",
            "reading a body keeps 1.0 a float and 1 an integer",
            "parse",
            body='{"public_metadata": {"f": 1.0, "i": 1, "e": 1e2}}',
        ),
        case(
            "numbers",
            "parse-small-floats",
            "fractions and exponents that any double holds",
            "parse",
            body='{"public_metadata": {"a": 0.5, "b": -1.25e-3, "c": 1e300}}',
        ),
        case(
            "numbers",
            "bool-array",
            "arrays of booleans and numbers are not confused",
            "merge_patch",
            stored={"a": [1, 0]},
            body={"a": [True, False]},
        ),
    ]


# -- nulls inside arrays ----------------------------------------------------


def array_nulls() -> list[Case]:
    return [
        case(
            "array-nulls",
            "replace-keeps-nulls",
            "replace stores nulls inside arrays",
            "replace",
            stored=STORED,
            body={"public_metadata": {"a": [None, 1, None]}},
        ),
        case(
            "array-nulls",
            "merge-keeps-nulls",
            "merge stores an array with nulls whole; the nulls do not delete",
            "merge",
            stored=record({"a": [1, 2, 3]}),
            body={"public_metadata": {"a": [None]}},
        ),
        case(
            "array-nulls",
            "merge-object-in-array",
            "an object inside an array is not merged: its null members are stored",
            "merge",
            stored=record({"a": [{"b": 1, "c": 2}]}),
            body={"public_metadata": {"a": [{"b": None}]}},
        ),
        case(
            "array-nulls",
            "merge-patch-array-root",
            "an array patch replaces the target whole, nulls and all",
            "merge_patch",
            stored={"a": 1},
            body=[None, {"a": None}],
        ),
        case(
            "array-nulls",
            "merge-patch-only-nulls",
            "an array of nulls is a value",
            "merge_patch",
            stored={"a": [1]},
            body={"a": [None, None]},
        ),
        case(
            "array-nulls",
            "merge-patch-nested-arrays",
            "nested arrays with nulls replace whole",
            "merge_patch",
            stored={"a": [[1], [2]]},
            body={"a": [[None], []]},
        ),
        case(
            "array-nulls",
            "parse-nulls-in-array",
            "reading a body keeps nulls inside arrays",
            "parse",
            body='{"unsafe_metadata": {"a": [null, {"b": null}]}}',
        ),
        case(
            "array-nulls",
            "merge-null-array-member-in-stored",
            "a stored array holding nulls is kept by a merge that does not touch it",
            "merge",
            stored=record({"a": [None], "b": 1}),
            body={"public_metadata": {"b": 2}},
        ),
    ]


# -- the empty body ---------------------------------------------------------


def empty_body() -> list[Case]:
    return [
        case("empty-body", "parse-empty", "an empty body provides nothing", "parse", body=""),
        case(
            "empty-body",
            "parse-whitespace",
            "a body of whitespace provides nothing",
            "parse",
            body=" \n\t\r ",
        ),
        case("empty-body", "parse-empty-object", "{} provides nothing", "parse", body="{}"),
        case(
            "empty-body",
            "parse-empty-object-camel",
            "{} provides nothing, camelCase too",
            "parse",
            body=" {} ",
            naming="camel",
        ),
        case(
            "empty-body",
            "replace-nothing",
            "replace with no fields keeps the whole record",
            "replace",
            stored=STORED,
            body={},
        ),
        case(
            "empty-body",
            "merge-nothing",
            "merge with no fields keeps the whole record",
            "merge",
            stored=STORED,
            body={},
        ),
        case(
            "empty-body",
            "merge-nothing-null-record",
            "a null stored field stays null when nothing is provided",
            "merge",
            stored=NULL_STORED,
            body={},
        ),
        case(
            "empty-body",
            "merge-patch-empty",
            "an empty patch leaves an object as it is",
            "merge_patch",
            stored={"a": [1]},
            body={},
        ),
    ]


# -- building -----------------------------------------------------------------

_BEYOND_DOUBLE: Final = 2**53


def hazards(*values: Any) -> list[str]:
    """The JavaScript interop hazards in the values: numbers JSON.parse cannot keep apart."""
    found: set[str] = set()
    stack = list(values)
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            stack.extend(cast("dict[str, Any]", value).values())
        elif isinstance(value, list):
            stack.extend(cast("list[object]", value))
        elif type(value) is int and abs(value) > _BEYOND_DOUBLE:
            found.add("integer-beyond-2^53")
        elif type(value) is float and value.is_integer():
            found.add("integral-float")
    return sorted(found)


def _integer(text: str) -> int:
    # Past 15 digits an integer may not fit a double; exactness is not needed here.
    return 2**53 + 1 if len(text.lstrip("-")) > 15 else int(text)


def _parsed(case: Case) -> Any:
    if case["op"] != "parse":
        return None
    try:
        return json.loads(case["body"].lstrip("\ufeff"), parse_int=_integer)
    except ValueError:
        return None


def build() -> dict[str, Any]:
    """Every case, with its expected outcome from the library."""
    inputs = [
        *rules(),
        *errors(),
        *reference(),
        *public_suites(),
        *hazard_keys(),
        *numbers(),
        *array_nulls(),
        *empty_body(),
    ]
    cases: list[Case] = []
    for raw in inputs:
        published = raw.pop("published", ...)
        vector = Vector(
            id=raw["id"],
            group=raw["group"],
            description=raw["description"],
            op=raw["op"],
            stored=raw.get("stored"),
            body=raw["body"],
            naming=raw.get("naming", "snake"),
            result=None,
            error=None,
            hazards=(),
            source=raw.get("source"),
        )
        got = outcome(vector)
        if got.error is None:
            raw["result"] = got.result
        else:
            raw["error"] = {"code": got.error.code, "path": got.error.path}
        if published is not ... and not json_equal(published, got.result):
            raise SystemExit(f"{raw['id']}: the library disagrees with the published suite")
        flags = hazards(raw.get("stored"), raw["body"], _parsed(raw), raw.get("result"))
        if flags:
            raw["hazards"] = flags
        cases.append(raw)
    ids = [raw["id"] for raw in cases]
    if len(set(ids)) != len(ids):
        raise SystemExit("two cases share an id")
    return {
        "format": "metadata-semantics conformance vectors",
        "version": 1,
        "groups": [
            {
                "name": name,
                "description": description,
                "count": sum(raw["group"] == name for raw in cases),
            }
            for name, description in GROUPS.items()
        ],
        "cases": cases,
    }


def render(document: dict[str, Any]) -> str:
    # ASCII only: an error path may hold a lone surrogate, which has no UTF-8 form.
    return json.dumps(document, indent=1, ensure_ascii=True) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Build the conformance vectors.")
    action = parser.add_mutually_exclusive_group(required=True)
    action.add_argument("--write", action="store_true", help="rewrite the shipped file")
    action.add_argument("--check", action="store_true", help="fail if it is out of date")
    arguments = parser.parse_args(argv)
    text = render(build())
    if arguments.write:
        SHIPPED.write_text(text, "utf-8")
        return 0
    if SHIPPED.read_text("utf-8") != text:
        sys.stderr.write(f"{SHIPPED} is out of date: run python tools/vectors.py --write\n")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

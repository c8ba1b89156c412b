"""The command-line tool: ``python -m metadata_semantics`` or ``metadata-semantics``.

Exit codes: 0 success, 1 invalid input (the error code and path on stderr,
one line), 2 usage. Bad input never shows a traceback.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Final, TextIO, cast

from ._diff import diff_merge_patch
from ._errors import MetadataError
from ._explain import explain
from ._json import dump_compact, parse_json
from ._records import UserMetadata, UserMetadataParams
from ._semantics import merge_metadata, replace_metadata
from ._sentinel import OMITTED
from ._types import FIELDS
from ._wire import record_from_body
from .conformance import (
    SCHEMA_FILE,
    VECTORS_FILE,
    ExpectedError,
    Vector,
    library_parse,
    outcome,
    vector_text,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence

    from ._explain import Change
    from ._semantics import Operation
    from ._types import JSONValue, Naming
    from .conformance import Op

__all__ = ["main", "oracle_answer"]

_PROG: Final = "metadata-semantics"


class UsageError(Exception):
    """A problem with how the tool was called rather than with the data: exit 2."""


def _compact(value: JSONValue) -> str:
    return dump_compact(value)


def _pretty(value: JSONValue) -> str:
    try:
        return json.dumps(value, indent=2, ensure_ascii=False) + "\n"
    except RecursionError:
        # Too deep to indent: the compact writer takes any depth.
        return dump_compact(value) + "\n"


def _read(name: str) -> bytes:
    # Bytes, so that text that is not UTF-8 is reported as bad input.
    if name == "-":
        return sys.stdin.buffer.read()
    try:
        return Path(name).read_bytes()
    except OSError as error:
        raise UsageError(f"cannot read {name}: {error}") from None


def _stored(name: str) -> UserMetadata:
    return record_from_body(parse_json(_read(name)), naming="snake")


def _request(arguments: argparse.Namespace) -> tuple[UserMetadata, UserMetadataParams]:
    if arguments.stored == "-" and arguments.body == "-":
        raise UsageError("--stored and --body cannot both be read from stdin")
    stored = _stored(arguments.stored)
    params = library_parse(_read(arguments.body), arguments.naming)
    return stored, params


# -- explain, for people and for machines ------------------------------------

_SIGNS: Final[Mapping[str, tuple[str, str]]] = {
    "added": ("+", "32"),  # green
    "changed": ("~", "33"),  # yellow
    "removed": ("-", "31"),  # red
}
_ACTION_WORDS: Final[Mapping[str, str]] = {
    "kept": "kept",
    "replaced": "replaced",
    "cleared": "cleared",
    "set_null": "set to null",
    "merged": "merged",
}


def _paint(text: str, colour: str, *, on: bool) -> str:
    return f"\x1b[{colour}m{text}\x1b[0m" if on else text


def _use_colour(out: TextIO) -> bool:
    # https://no-color.org: any non-empty NO_COLOR turns colour off.
    return out.isatty() and not os.environ.get("NO_COLOR")


def _render_changes(changes: list[Change], *, colour: bool) -> str:
    width = max(len(name) for name in FIELDS) + 2
    lines: list[str] = []
    for change in changes:
        lines.append(f"{change.field:<{width}}{_ACTION_WORDS[change.action]}")
        for edit in change.edits:
            sign, code = _SIGNS[edit.kind]
            if edit.kind == "added":
                detail = _compact(edit.new)
            elif edit.kind == "removed":
                detail = f"(was {_compact(edit.old)})"
            else:
                detail = f"{_compact(edit.old)} -> {_compact(edit.new)}"
            lines.append(_paint(f"  {sign} {edit.pointer}  {detail}", code, on=colour))
    return "\n".join(lines) + "\n"


def _changes_json(changes: list[Change]) -> JSONValue:
    result: list[JSONValue] = []
    for change in changes:
        edits: list[JSONValue] = []
        for edit in change.edits:
            item: dict[str, JSONValue] = {"kind": edit.kind, "pointer": edit.pointer}
            if edit.kind != "added":
                item["old"] = edit.old
            if edit.kind != "removed":
                item["new"] = edit.new
            edits.append(item)
        result.append({"field": change.field, "action": change.action, "edits": edits})
    return result


# -- the commands ----------------------------------------------------------


def _run_write(arguments: argparse.Namespace) -> int:
    stored, params = _request(arguments)
    write = replace_metadata if arguments.command == "replace" else merge_metadata
    # Both inputs were read and checked whole, so the write itself cannot fail.
    record = write(stored, params)
    sys.stdout.write(_pretty(cast("JSONValue", record.to_body())))
    return 0


def _run_explain(arguments: argparse.Namespace) -> int:
    stored, params = _request(arguments)
    changes = explain(stored, params, cast("Operation", arguments.op))
    if arguments.json:
        sys.stdout.write(_pretty(_changes_json(changes)))
    else:
        sys.stdout.write(_render_changes(changes, colour=_use_colour(sys.stdout)))
    return 0


def _run_diff(arguments: argparse.Namespace) -> int:
    if arguments.old == "-" and arguments.new == "-":
        raise UsageError("OLD and NEW cannot both be read from stdin")
    old = parse_json(_read(arguments.old))
    new = parse_json(_read(arguments.new))
    sys.stdout.write(_pretty(diff_merge_patch(old, new)))
    return 0


def _run_vectors(arguments: argparse.Namespace) -> int:
    if arguments.out is None:
        sys.stdout.write(vector_text())
        return 0
    folder = Path(arguments.out)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for name in (VECTORS_FILE, SCHEMA_FILE, "README.md"):
            (folder / name).write_text(vector_text(name), "utf-8")
    except OSError as error:
        raise UsageError(f"cannot write to {folder}: {error}") from None
    sys.stdout.write(f"wrote {VECTORS_FILE}, {SCHEMA_FILE} and README.md to {folder}\n")
    return 0


_OPS: Final[Mapping[str, Op]] = {
    "replace": "replace",
    "merge": "merge",
    "merge_patch": "merge_patch",
    "parse": "parse",
}
_NAMINGS: Final[Mapping[str, Naming]] = {"snake": "snake", "camel": "camel"}


def _bad_request(detail: str, *segments: str) -> MetadataError:
    return MetadataError(detail, code="invalid_argument", segments=segments)


def _fields_only(value: object, member: str, *, all_three: bool) -> None:
    if not isinstance(value, dict):
        raise _bad_request(f"{member} must be an object", member)
    keys = set(cast("dict[str, object]", value))
    if not keys <= set(FIELDS) or (all_three and keys != set(FIELDS)):
        raise _bad_request(f"{member} must hold only the three field names", member)


def _oracle_vector(line: bytes) -> Vector:
    request = parse_json(line)
    if not isinstance(request, dict):
        raise _bad_request("a request is a JSON object")
    op_name = request.get("op")
    if not isinstance(op_name, str) or op_name not in _OPS:
        raise _bad_request(f"op must be one of {', '.join(_OPS)}", "op")
    op = _OPS[op_name]
    naming_name = request.get("naming", "snake")
    if not isinstance(naming_name, str) or naming_name not in _NAMINGS:
        raise _bad_request("naming must be snake or camel", "naming")
    naming = _NAMINGS[naming_name]
    if "body" not in request:
        raise _bad_request("a request needs a body", "body")
    body = request["body"]
    stored = request.get("stored")
    if op == "parse":
        if not isinstance(body, str):
            raise _bad_request("a parse body is the body's text, as a string", "body")
    elif "stored" not in request:
        raise _bad_request("a request needs stored", "stored")
    elif op != "merge_patch":
        _fields_only(stored, "stored", all_three=True)
        _fields_only(body, "body", all_three=False)
    return Vector(
        "oracle/line",
        "oracle",
        "",
        op,
        stored,
        body,
        naming,
        None,
        None,
        (),
        None,
    )


def oracle_answer(line: bytes, /) -> str:
    """Answer one oracle request line with one line of JSON (no newline at the end).

    The answer is ``{"result": ...}`` or ``{"error": {"code": ..., "path": ...}}``.
    Never raises for any input line; changes nothing.
    """
    try:
        got = outcome(_oracle_vector(line))
        if got.error is None:
            return '{"result":' + dump_compact(got.result) + "}"
        error = got.error
    except MetadataError as raised:
        error = ExpectedError(raised.code, raised.path)
    # ASCII: a lone surrogate in a path has no UTF-8 form.
    answer = {"error": {"code": error.code, "path": error.path}}
    return json.dumps(answer, ensure_ascii=True, separators=(",", ":"))


def _run_oracle(_arguments: argparse.Namespace) -> int:
    for line in sys.stdin.buffer:
        if not line.strip():
            continue
        sys.stdout.write(oracle_answer(line) + "\n")
        sys.stdout.flush()
    return 0


def _demo(out: TextIO) -> None:
    stored = UserMetadata(
        public_metadata={"role": "member", "plan": {"tier": "pro", "seats": 5}},
        private_metadata={"stripe_id": "cus_123"},
        unsafe_metadata={"theme": "dark"},
    )
    request = UserMetadataParams(
        public_metadata={"plan": {"seats": 10}},
        unsafe_metadata=None,
    )
    replaced = replace_metadata(stored, request)
    merged = merge_metadata(stored, request)

    width = max(len(name) for name in FIELDS) + 2
    out.write("stored record\n")
    out.writelines(f"  {name:<{width}}{_compact(getattr(stored, name))}\n" for name in FIELDS)
    body: dict[str, JSONValue] = {
        name: getattr(request, name) for name in FIELDS if getattr(request, name) is not OMITTED
    }
    out.write("\nrequest body (a field left out is OMITTED: kept by both writes)\n")
    out.write(f"  {_compact(body)}\n\n")

    rows = [("field", "replace (PUT)", "merge (PATCH)")]
    rows.extend(
        (name, _compact(getattr(replaced, name)), _compact(getattr(merged, name)))
        for name in FIELDS
    )
    middle = max(len(row[1]) for row in rows) + 2
    out.writelines(f"  {name:<{width}}{left:<{middle}}{right}\n" for name, left, right in rows)
    colour = _use_colour(out)
    writes: tuple[tuple[Operation, str], ...] = (
        ("replace", "what replace (PUT) does"),
        ("merge", "what merge (PATCH) does"),
    )
    for op, title in writes:
        out.write(f"\n{title}\n")
        text = _render_changes(explain(stored, request, op), colour=colour)
        out.writelines(f"  {line}\n" for line in text.splitlines())


def _run_demo(_arguments: argparse.Namespace) -> int:
    _demo(sys.stdout)
    return 0


def _run_serve(arguments: argparse.Namespace) -> int:
    from .server._cli import run  # loaded only for this command

    return run(arguments)


_COMMANDS: Final[Mapping[str, Callable[[argparse.Namespace], int]]] = {
    "replace": _run_write,
    "merge": _run_write,
    "explain": _run_explain,
    "diff": _run_diff,
    "vectors": _run_vectors,
    "oracle": _run_oracle,
    "demo": _run_demo,
    "serve": _run_serve,
}


def _request_options(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--stored", required=True, metavar="FILE", help="the stored record as JSON ('-': stdin)"
    )
    command.add_argument(
        "--body", required=True, metavar="FILE", help="the request body's text ('-': stdin)"
    )
    command.add_argument(
        "--naming",
        choices=("snake", "camel"),
        default="snake",
        help="the body's field names: public_metadata (snake, the default) or publicMetadata",
    )


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=_PROG,
        description="Replace (PUT) and deep-merge (PATCH) semantics for user metadata.",
        epilog="exit codes: 0 success, 1 invalid input, 2 usage",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    formatter = argparse.RawDescriptionHelpFormatter

    def add(name: str, summary: str, description: str, example: str) -> argparse.ArgumentParser:
        return commands.add_parser(
            name,
            help=summary,
            description=description,
            epilog=f"example:\n  {example}",
            formatter_class=formatter,
        )

    for name, method in (("replace", "PUT"), ("merge", "PATCH")):
        _request_options(
            add(
                name,
                f"print the record after a {name} write ({method})",
                f"Read a stored record and a request body, and print the record after a "
                f"{name} write ({method}).",
                f'echo \'{{"public_metadata": {{"role": "admin"}}}}\' | '
                f"{_PROG} {name} --stored user.json --body -",
            )
        )
    explain_command = add(
        "explain",
        "say what a write would change, field by field",
        "Say what a write would do to each field (kept, replaced, cleared, set to null, "
        "merged) and list the keys it adds (+), changes (~) and removes (-).",
        f"{_PROG} explain merge --stored user.json --body request.json",
    )
    explain_command.add_argument("op", choices=("replace", "merge"), help="the write")
    _request_options(explain_command)
    explain_command.add_argument("--json", action="store_true", help="print JSON for machines")
    diff_command = add(
        "diff",
        "print the smallest merge patch from one JSON value to another",
        "Print the smallest RFC 7396 merge patch that turns OLD into NEW. Fails (exit 1) "
        "when no merge patch can, because NEW holds a null object member: use replace.",
        f"{_PROG} diff before.json after.json",
    )
    diff_command.add_argument("old", metavar="OLD", help="a JSON file ('-': stdin)")
    diff_command.add_argument("new", metavar="NEW", help="a JSON file ('-': stdin)")
    vectors_command = add(
        "vectors",
        "write out the conformance vectors",
        "Print the conformance vectors (JSON), or write them with their schema and format "
        "description into a folder.",
        f"{_PROG} vectors --out spec/",
    )
    vectors_command.add_argument("--out", metavar="DIR", help="write the files into DIR")
    add(
        "oracle",
        "answer one JSON request per line on stdin",
        "Read one JSON request per line on stdin, shaped like a conformance vector "
        '({"op", "stored", "body", "naming"}), and write one JSON answer per line: '
        '{"result": ...} or {"error": {"code": ..., "path": ...}}. A bad line gets an '
        "error answer; the oracle carries on.",
        f'echo \'{{"op": "merge_patch", "stored": {{"a": 1}}, "body": {{"a": null}}}}\''
        f" | {_PROG} oracle",
    )
    add(
        "demo",
        "show one stored record, one request, and both writes side by side",
        "Show one stored record and one request, with the replace and merge results side by "
        "side, and what each write changes.",
        f"{_PROG} demo",
    )
    from .server._cli import add_arguments as add_serve_arguments

    add_serve_arguments(
        add(
            "serve",
            "run the reference HTTP server (Clerk's metadata endpoints)",
            "Serve the user metadata subset of the Clerk Backend API v1 over HTTP, with "
            "SQLite storage; see docs/server.md.",
            f"{_PROG} serve --port 0",
        )
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code (0 success, 1 invalid input, 2 usage)."""
    parser = _parser()
    try:
        arguments = parser.parse_args(argv)
    except SystemExit as stop:
        return cast("int", stop.code)
    try:
        return _COMMANDS[arguments.command](arguments)
    except MetadataError as error:
        where = error.path
        source = " in the stored record" if error.source == "stored" else ""
        detail = " ".join(error.detail.split())
        sys.stderr.write(f"{_PROG}: {error.code} at {where!r}{source}: {detail}\n")
        return 1
    except UsageError as error:
        sys.stderr.write(f"{_PROG}: {error}\n")
        return 2


if __name__ == "__main__":
    sys.exit(main())

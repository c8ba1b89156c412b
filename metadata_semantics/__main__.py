"""The command-line tool: ``python -m metadata_semantics`` or ``metadata-semantics``.

The exit status says what to fix: 1 the input, 2 the command line, 3 the
streams or the disk; 128 + N means that signal N stopped the tool, as a shell
reports it. :data:`EXIT_STATUSES` is the whole table. No failure shows a
traceback, and everything the tool writes is UTF-8 whatever the locale.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import re
import sys
import textwrap
from pathlib import Path
from typing import IO, TYPE_CHECKING, Final, NoReturn, TextIO, TypeVar, cast

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
    from collections.abc import Callable, Iterator, Mapping, Sequence

    from _typeshed import SupportsWrite

    from ._explain import Change
    from ._semantics import Operation
    from ._types import JSONValue, Naming
    from .conformance import Op

__all__ = ["EXIT_STATUSES", "main", "oracle_answer"]

_PROG: Final = "metadata-semantics"
_T = TypeVar("_T")

# One rule: the status says what to fix. Below 128, what went wrong; 128 + N,
# the signal N that stopped the tool (POSIX numbers), as a shell reports it.
_SUCCESS: Final = 0
_BAD_INPUT: Final = 1
_USAGE: Final = 2
_IO_FAILURE: Final = 3
_INTERRUPTED: Final = 128 + 2  # SIGINT
_BROKEN_PIPE: Final = 128 + 13  # SIGPIPE

EXIT_STATUSES: Final[Mapping[int, str]] = {
    _SUCCESS: "success",
    _BAD_INPUT: (
        "bad input: an input file is missing, unreadable or not valid, or stdin holds "
        "data that is not valid; stderr names the input, the error code and the path"
    ),
    _USAGE: (
        "usage: the command line is wrong (an unknown command or option, a missing "
        "argument, stdin named twice)"
    ),
    _IO_FAILURE: (
        "I/O failure: stdin or stdout is closed or fails (a full disk, for one), or the "
        "--out folder cannot be written"
    ),
    _INTERRUPTED: "interrupted by Ctrl-C (SIGINT)",
    _BROKEN_PIPE: (
        "stdout's reader went away before all the output was written (a broken pipe, "
        "as if stopped by SIGPIPE); nothing is said on stderr"
    ),
}
"""Every exit status of :func:`main`, with what it means."""


class _ExitError(Exception):
    """A failure that ends the command with ``status`` and says ``message`` on stderr.

    An empty ``message`` says nothing. ``usage``, if given, goes before it.
    """

    def __init__(self, message: str, status: int, *, prog: str = _PROG, usage: str = "") -> None:
        super().__init__(message)
        self.text = f"{usage}{prog}: {message}" if message else ""
        self.status = status


def _reason(error: OSError) -> str:
    # The operating system's words without Python's "[Errno N]" and the name.
    return error.strerror or str(error)


def _put(stream: TextIO, text: str) -> None:
    """Write ``text`` to ``stream``'s bytes as UTF-8, whatever its encoding says.

    A stream with no bytes under it (``redirect_stdout(io.StringIO())``)
    takes the text as it is. Raises :class:`OSError` as the stream does.
    """
    buffer: IO[bytes] | None = getattr(stream, "buffer", None)
    if buffer is None:
        stream.write(text)
        return
    # Values are strict JSON and hold no lone surrogate; should one slip
    # through, an escape is better than a traceback.
    data = memoryview(text.encode("utf-8", "backslashreplace"))
    while data:
        # A buffered write can return short when the reader leaves
        # mid-write; writing the rest is what reports the broken pipe.
        written = buffer.write(data)
        if not written:
            raise OSError(0, "the write made no progress")
        data = data[written:]


def _say(text: str) -> None:
    """Write ``text`` and a newline to stderr; with no stderr there is no one to tell."""
    stream = sys.stderr
    if stream is None:  # pyright: ignore[reportUnnecessaryComparison]
        return
    # The status still says what went wrong if stderr fails too.
    with contextlib.suppress(OSError):
        stream.flush()
        _put(stream, f"{text}\n")
        stream.flush()


def _silence_stdout() -> None:
    # Output that could not be written stays in the buffer, and the flush at
    # exit would fail again ("Exception ignored"): give it the null device.
    try:
        descriptor = sys.stdout.fileno()
        null = os.open(os.devnull, os.O_WRONLY)
    except (OSError, ValueError):
        return
    with contextlib.suppress(OSError):
        os.dup2(null, descriptor)
    os.close(null)


def _output_failure(error: OSError) -> _ExitError:
    _silence_stdout()
    if isinstance(error, BrokenPipeError):
        return _ExitError("", _BROKEN_PIPE)
    return _ExitError(f"cannot write to stdout: {_reason(error)}", _IO_FAILURE)


def _write(text: str, *, flush: bool = False) -> None:
    """Write ``text`` to stdout as UTF-8 bytes, whatever the locale; flush if asked.

    Raises :class:`_ExitError` when stdout fails.
    """
    try:
        _put(sys.stdout, text)
        if flush:
            sys.stdout.flush()
    except OSError as error:
        raise _output_failure(error) from None


def _flush() -> None:
    try:
        sys.stdout.flush()
    except OSError as error:
        raise _output_failure(error) from None


def _compact(value: JSONValue) -> str:
    return dump_compact(value)


def _pretty(value: JSONValue) -> str:
    try:
        return json.dumps(value, indent=2, ensure_ascii=False) + "\n"
    except RecursionError:
        # Too deep to indent: the compact writer takes any depth.
        return dump_compact(value) + "\n"


def _stdin(role: str) -> IO[bytes]:
    stream = sys.stdin
    if stream is None:  # pyright: ignore[reportUnnecessaryComparison]
        raise _ExitError(f"cannot read {role} from stdin: stdin is closed", _IO_FAILURE)
    return stream.buffer


def _stdin_failure(role: str, error: OSError) -> _ExitError:
    return _ExitError(f"cannot read {role} from stdin: {_reason(error)}", _IO_FAILURE)


def _read(name: str, role: str) -> bytes:
    """Read the input ``role`` (as the usage line names it) from file ``name`` or stdin.

    Bytes, so that text that is not UTF-8 is reported as bad input. A file
    that cannot be read is bad input; a stdin that cannot is an I/O failure.
    """
    if name == "-":
        stream = _stdin(role)
        try:
            return stream.read()
        except OSError as error:
            raise _stdin_failure(role, error) from None
    try:
        return Path(name).read_bytes()
    except OSError as error:
        raise _ExitError(f"cannot read {role} {name}: {_reason(error)}", _BAD_INPUT) from None


def _problem(error: MetadataError, where: str = "") -> str:
    detail = " ".join(error.detail.split())
    return f"{error.code} at {error.path!r}{where}: {detail}"


def _load(name: str, role: str, parse: Callable[[bytes], _T]) -> _T:
    """Read and parse one input; an error in it names the input it came from."""
    data = _read(name, role)
    try:
        return parse(data)
    except MetadataError as error:
        shown = "(stdin)" if name == "-" else name
        raise _ExitError(_problem(error, f" in {role} {shown}"), _BAD_INPUT) from None


def _stored_record(data: bytes) -> UserMetadata:
    return record_from_body(parse_json(data), naming="snake")


def _request(arguments: argparse.Namespace) -> tuple[UserMetadata, UserMetadataParams]:
    if arguments.stored == "-" and arguments.body == "-":
        raise _ExitError("--stored and --body cannot both be read from stdin", _USAGE)
    stored = _load(arguments.stored, "--stored", _stored_record)
    naming: Naming = arguments.naming
    params = _load(arguments.body, "--body", lambda data: library_parse(data, naming))
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
    # Any non-empty value counts (no-color.org, force-color.org). NO_COLOR
    # wins over FORCE_COLOR, which wins over TERM=dumb, which wins over
    # whether stdout is a terminal.
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return os.environ.get("TERM") != "dumb" and out.isatty()


def _action_words(change: Change) -> str:
    # A write that touches a field but changes nothing must not read as a change.
    if change.unchanged and change.action != "kept":
        return "unchanged"
    return _ACTION_WORDS[change.action]


def _render_changes(changes: list[Change], *, colour: bool) -> str:
    width = max(len(name) for name in FIELDS) + 2
    lines: list[str] = []
    for change in changes:
        lines.append(f"{change.field:<{width}}{_action_words(change)}")
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
        result.append(
            {
                "field": change.field,
                "action": change.action,
                "unchanged": change.unchanged,
                "edits": edits,
            }
        )
    return result


# -- the commands ----------------------------------------------------------


def _run_write(arguments: argparse.Namespace) -> int:
    stored, params = _request(arguments)
    write = replace_metadata if arguments.command == "replace" else merge_metadata
    # Both inputs were read and checked whole, so the write itself cannot fail.
    record = write(stored, params)
    _write(_pretty(cast("JSONValue", record.to_body())))
    return _SUCCESS


def _run_explain(arguments: argparse.Namespace) -> int:
    stored, params = _request(arguments)
    changes = explain(stored, params, cast("Operation", arguments.op))
    if arguments.json:
        _write(_pretty(_changes_json(changes)))
    else:
        _write(_render_changes(changes, colour=_use_colour(sys.stdout)))
    return _SUCCESS


def _run_diff(arguments: argparse.Namespace) -> int:
    if arguments.old == "-" and arguments.new == "-":
        raise _ExitError("OLD and NEW cannot both be read from stdin", _USAGE)
    old = _load(arguments.old, "OLD", parse_json)
    new = _load(arguments.new, "NEW", parse_json)
    _write(_pretty(diff_merge_patch(old, new)))
    return _SUCCESS


def _run_vectors(arguments: argparse.Namespace) -> int:
    if arguments.out is None:
        _write(vector_text())
        return _SUCCESS
    folder = Path(arguments.out)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for name in (VECTORS_FILE, SCHEMA_FILE, "README.md"):
            (folder / name).write_text(vector_text(name), "utf-8")
    except OSError as error:
        raise _ExitError(f"cannot write to {folder}: {_reason(error)}", _IO_FAILURE) from None
    _write(f"wrote {VECTORS_FILE}, {SCHEMA_FILE} and README.md to {folder}\n")
    return _SUCCESS


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


_LONE_SURROGATE: Final = re.compile("[\ud800-\udfff]")


def oracle_answer(line: bytes, /) -> str:
    """Answer one oracle request line with one line of JSON (no newline at the end).

    The answer is ``{"result": ...}`` or ``{"error": {"code": ..., "path": ...}}``,
    strict JSON that the oracle itself accepts: a path segment holding a lone
    surrogate, which no strict JSON can, has U+FFFD in its place. Never raises
    for any input line; changes nothing.
    """
    try:
        got = outcome(_oracle_vector(line))
        if got.error is None:
            return '{"result":' + dump_compact(got.result) + "}"
        error = got.error
    except MetadataError as raised:
        error = ExpectedError(raised.code, raised.path)
    # A lone surrogate in a key has no UTF-8 form and no strict JSON form, so
    # the path names it with U+FFFD, as a UTF-8 decoder does.
    path = _LONE_SURROGATE.sub("\ufffd", error.path)
    return dump_compact({"error": {"code": error.code, "path": path}})


def _requests() -> Iterator[bytes]:
    stream = _stdin("requests")
    try:
        yield from stream
    except OSError as error:
        raise _stdin_failure("requests", error) from None


def _run_oracle(_arguments: argparse.Namespace) -> int:
    for line in _requests():
        if not line.strip():
            continue
        _write(oracle_answer(line) + "\n", flush=True)
    return _SUCCESS


def _demo(out: TextIO, *, colour: bool) -> None:
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
    writes: tuple[tuple[Operation, str], ...] = (
        ("replace", "what replace (PUT) does"),
        ("merge", "what merge (PATCH) does"),
    )
    for op, title in writes:
        out.write(f"\n{title}\n")
        text = _render_changes(explain(stored, request, op), colour=colour)
        out.writelines(f"  {line}\n" for line in text.splitlines())


def _run_demo(_arguments: argparse.Namespace) -> int:
    text = io.StringIO()
    _demo(text, colour=_use_colour(sys.stdout))
    _write(text.getvalue())
    return _SUCCESS


def _run_sql(arguments: argparse.Namespace) -> int:
    from . import sql  # loaded only for this command

    dialect: sql.Dialect = arguments.dialect
    done = sql.statements(dialect)
    lines = [
        f"-- The setup SQL of metadata-semantics for {dialect}: run it once; it is idempotent."
    ]
    lines.append(sql.script(dialect))
    lines.append(
        "-- The two writes, one statement each, for the application to run with the\n"
        "-- parameters body (the request's provided fields as JSON text), now and id,\n"
        "-- after read_request and check_storable, and before check_result\n"
        "-- (see docs/sql.md)."
    )
    writes: tuple[tuple[Operation, str], ...] = (("replace", "PUT"), ("merge", "PATCH"))
    for operation, method in writes:
        statement = done.writes[operation]
        lines.append(
            f"-- {operation} ({method}):\n"
            + "".join(f"--   {line}\n" for line in statement.splitlines())
        )
    _write("\n".join(line.rstrip("\n") + "\n" for line in lines))
    return _SUCCESS


def _run_serve(arguments: argparse.Namespace) -> int:
    from .server._cli import run  # loaded only for this command

    return run(arguments)


def _check_server(arguments: argparse.Namespace) -> int:
    from .check._cli import run  # loaded only for this command

    return run(arguments)


_COMMANDS: Final[Mapping[str, Callable[[argparse.Namespace], int]]] = {
    "replace": _run_write,
    "merge": _run_write,
    "explain": _run_explain,
    "diff": _run_diff,
    "vectors": _run_vectors,
    "oracle": _run_oracle,
    "demo": _run_demo,
    "sql": _run_sql,
    "serve": _run_serve,
    "check-server": _check_server,
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


class _Parser(argparse.ArgumentParser):
    """The tool's parser: help goes out as UTF-8, and a usage error is a :class:`_ExitError`."""

    def print_help(self, file: SupportsWrite[str] | None = None) -> None:  # noqa: ARG002
        """Write the help to stdout, whatever ``file`` says."""
        _write(self.format_help())

    def error(self, message: str) -> NoReturn:
        """Raise :class:`_ExitError` with the usage line and ``message``: exit 2."""
        raise _ExitError(f"error: {message}", _USAGE, prog=self.prog, usage=self.format_usage())


def _statuses_epilog() -> str:
    rows = (
        textwrap.fill(meaning, 79, initial_indent=f"  {status:<5}", subsequent_indent=" " * 7)
        for status, meaning in EXIT_STATUSES.items()
    )
    return "exit statuses:\n" + "\n".join(rows)


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog=_PROG,
        description="Replace (PUT) and deep-merge (PATCH) semantics for user metadata.",
        epilog=_statuses_epilog(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
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
        "merged, or unchanged when it touches the field but changes nothing) and list the "
        "keys it adds (+), changes (~) and removes (-).",
        f"{_PROG} explain merge --stored user.json --body request.json",
    )
    # The metavar is the name that the usage line and its errors both use.
    explain_command.add_argument(
        "op", metavar="WRITE", choices=("replace", "merge"), help="the write: replace or merge"
    )
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
        '{"result": ...} or {"error": {"code": ..., "path": ...}}, in strict JSON (U+FFFD '
        "stands for a lone surrogate in a path). A bad line gets an error answer; the "
        "oracle carries on.",
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
    sql_command = add(
        "sql",
        "print the SQL setup of a dialect, to paste into a migration",
        "Print the setup SQL of a dialect (the users table, and for PostgreSQL the "
        "metadata_merge_patch function), then the two write statements as comments; "
        "see docs/sql.md.",
        f"{_PROG} sql postgresql > migration.sql",
    )
    sql_command.add_argument(
        "dialect", metavar="DIALECT", choices=("sqlite", "postgresql"), help="sqlite or postgresql"
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
    from .check._cli import add_arguments as add_check_arguments

    add_check_arguments(
        add(
            "check-server",
            "check a running server's metadata endpoints against the spec",
            "Run the conformance vectors and the HTTP-only cases against a server, on users "
            "it creates and deletes; see docs/checker.md.",
            f"{_PROG} check-server http://127.0.0.1:8000 --secret-key KEY",
        )
    )
    return parser


def _run(argv: Sequence[str] | None) -> int:
    if sys.stdout is None:  # pyright: ignore[reportUnnecessaryComparison]
        raise _ExitError("cannot write to stdout: stdout is closed", _IO_FAILURE)
    try:
        arguments = _parser().parse_args(argv)
    except SystemExit as stop:
        # Only --help exits from inside the parser: errors raise _ExitError.
        status = cast("int", stop.code)
    else:
        status = _COMMANDS[arguments.command](arguments)
    # Output still buffered must fail here, not at exit.
    _flush()
    return status


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line with ``argv`` (default: ``sys.argv[1:]``); return the exit status.

    :data:`EXIT_STATUSES` lists every status. A failure says what went wrong
    in one line on stderr, after the usage line for a usage error, and says
    nothing for a broken pipe or Ctrl-C; it never shows a traceback. Output
    goes to stdout as UTF-8 bytes.
    """
    try:
        return _run(argv)
    except MetadataError as error:
        _say(f"{_PROG}: {_problem(error)}")
        return _BAD_INPUT
    except _ExitError as failure:
        if failure.text:
            _say(failure.text)
        return failure.status
    except KeyboardInterrupt:
        return _INTERRUPTED


if __name__ == "__main__":
    sys.exit(main())

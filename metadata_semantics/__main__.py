"""The command-line tool: ``python -m metadata_semantics`` or ``metadata-semantics``."""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING, Final, TextIO

from ._records import UserMetadata, UserMetadataParams
from ._semantics import merge_metadata, replace_metadata
from ._sentinel import OMITTED
from ._types import FIELDS

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence

    from ._types import JSONValue

__all__ = ["main"]


def _compact(value: JSONValue) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


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


def _run_demo(_arguments: argparse.Namespace) -> int:
    _demo(sys.stdout)
    return 0


_COMMANDS: Final[Mapping[str, Callable[[argparse.Namespace], int]]] = {"demo": _run_demo}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="metadata-semantics",
        description="Replace (PUT) and deep-merge (PATCH) semantics for user metadata.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    commands.add_parser(
        "demo",
        help="show one stored record, one request, and both writes side by side",
        description="Show one stored record and one request, with the replace and merge "
        "results side by side.",
        epilog="example: metadata-semantics demo",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the process exit code (0 success, 2 usage)."""
    arguments = _parser().parse_args(argv)
    return _COMMANDS[arguments.command](arguments)


if __name__ == "__main__":
    sys.exit(main())

"""docs/server.md is true: its tables are the server's data, and its examples run."""

from __future__ import annotations

import doctest
import json
import re
from pathlib import Path

import pytest

from metadata_semantics import JSONValue, dump_json
from metadata_semantics.__main__ import _parser  # pyright: ignore[reportPrivateUsage]
from metadata_semantics.server import ERROR_MAP, ROUTES, SERVER_ERRORS, USER_FIELDS, SQLiteStore
from metadata_semantics.server._cli import load_seed

from served import config

DOC = Path(__file__).parent.parent / "docs" / "server.md"
README = Path(__file__).parent.parent / "README.md"


def section(name: str) -> str:
    text = DOC.read_text("utf-8")
    match = re.search(rf"<!-- {name}:start -->\n(.*?)<!-- {name}:end -->", text, re.DOTALL)
    assert match is not None, f"docs/server.md has no {name} section"
    return match.group(1)


def test_the_error_map_table_is_the_data() -> None:
    lines = ["| library code | status | Clerk-style code |", "|---|---|---|"]
    lines.extend(
        f"| `{code}` | {kind.status} | `{kind.clerk_code}` |" for code, kind in ERROR_MAP.items()
    )
    assert section("error-map") == "\n".join(lines) + "\n"


def test_the_server_errors_table_is_the_data() -> None:
    lines = ["| case | status | Clerk-style code |", "|---|---|---|"]
    lines.extend(
        f"| `{name}` | {kind.status} | `{kind.clerk_code}` |"
        for name, kind in SERVER_ERRORS.items()
    )
    assert section("server-errors") == "\n".join(lines) + "\n"


def test_the_routes_table_is_the_data() -> None:
    lines = [f"| `{route.method}` | `{route.pattern}` | {route.summary} |" for route in ROUTES]
    assert section("routes-table") == "\n".join(lines) + "\n"


def _field(name: str, default: JSONValue) -> str:
    # Members whose value is always the user's own show no default.
    if default is None and name in {
        "id",
        "public_metadata",
        "private_metadata",
        "unsafe_metadata",
        "updated_at",
        "created_at",
    }:
        return f"`{name}`"
    return f"`{name}` (`{dump_json(default)}`)"


def test_the_user_fields_are_the_data() -> None:
    assert section("user-fields") == ", ".join(_field(n, d) for n, d in USER_FIELDS) + "\n"


def test_the_examples_run() -> None:
    blocks = re.findall(r"```pycon\n(.*?)```", DOC.read_text("utf-8"), re.DOTALL)
    assert len(blocks) == 2
    parser = doctest.DocTestParser()
    test = parser.get_doctest("\n".join(blocks), {}, "server.md", str(DOC), 0)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    runner.run(test)
    result = runner.summarize(verbose=False)
    assert result.attempted > 15
    assert result.failed == 0


def test_every_command_line_shown_parses() -> None:
    blocks = re.findall(r"```sh\n(.*?)```", DOC.read_text("utf-8"), re.DOTALL)
    lines = [
        line
        for block in blocks
        for line in block.splitlines()
        if line.startswith("metadata-semantics ")
    ]
    assert len(lines) == 5
    for line in lines:
        words = line.split()
        assert words[:2] == ["metadata-semantics", "serve"]
        arguments = _parser().parse_args(words[1:])
        assert arguments.command == "serve"


def test_the_seed_example_loads() -> None:
    (text,) = re.findall(r"```json\n(\{\n  \"users\".*?)```", DOC.read_text("utf-8"), re.DOTALL)
    store = SQLiteStore(":memory:")
    assert load_seed(text.encode(), store, config()) == 2
    alice = store.get("user_alice")
    store.close()
    assert alice is not None
    assert alice.metadata.private_metadata == {"stripe_id": "cus_1"}


def test_the_error_example_has_the_shape_the_server_sends() -> None:
    (text,) = re.findall(r"```json\n(\{\"errors\".*?)```", DOC.read_text("utf-8"), re.DOTALL)
    example = json.loads(text)
    assert set(example) == {"errors", "clerk_trace_id"}
    assert set(example["errors"][0]) == {"code", "message", "long_message", "meta"}


@pytest.mark.parametrize("name", ["METADATA_SEMANTICS_SECRET_KEYS", ":memory:", "/__admin/"])
def test_the_doc_names_what_the_code_uses(name: str) -> None:
    assert name in DOC.read_text("utf-8")


def test_the_readme_links_the_server_doc() -> None:
    text = README.read_text("utf-8")
    assert "## The reference server" in text
    assert "(docs/server.md)" in text

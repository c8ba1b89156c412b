"""``docs/sdks.md`` is true: its matrix is the tests' case data, and its examples run.

The examples are written for a server on port 8000 with the key
``sk_test_local``; here each runs against a live ``serve`` with that key on a
free port, whose address replaces ``http://127.0.0.1:8000`` in the text.
"""

from __future__ import annotations

import doctest
import os
import re
import subprocess
from pathlib import Path
from typing import Final

from metadata_semantics import json_equal, parse_json
from metadata_semantics.server import SQLiteStore

from sdkcases import STORED, fields, render_table
from sdkserve import JS_DIR, node_or_skip, serve

DOC: Final = Path(__file__).parent.parent / "docs" / "sdks.md"
DOC_URL: Final = "http://127.0.0.1:8000"
DOC_KEY: Final = "sk_test_local"
RUN_SECONDS: Final = 60.0


def text() -> str:
    return DOC.read_text("utf-8")


def blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", text(), re.DOTALL)


def on_port(example: str, url: str) -> str:
    """``example`` aimed at the server at ``url`` instead of the one the docs show."""
    assert DOC_URL in example
    return example.replace(DOC_URL, url)


def test_the_matrix_table_is_the_case_data() -> None:
    match = re.search(
        r"<!-- sdk-matrix:start -->\n(.*?)<!-- sdk-matrix:end -->", text(), re.DOTALL
    )
    assert match is not None, "docs/sdks.md has no sdk-matrix section"
    assert match.group(1) == render_table()


def test_the_stored_record_shown_is_the_one_the_cases_start_from() -> None:
    (shown,) = blocks("json")
    assert json_equal(parse_json(shown), fields(STORED))


def test_the_serve_command_shown_uses_the_examples_port_and_key() -> None:
    (command,) = blocks("sh")[:1]
    assert command == f"metadata-semantics serve --port 8000 --secret-key {DOC_KEY}\n"
    assert blocks("text")[0] == f"listening on {DOC_URL}\n"


def test_the_python_examples_run() -> None:
    names: dict[str, object] = {}
    with serve(DOC_KEY) as url:
        examples = on_port("\n".join(blocks("pycon")), url)
        parser = doctest.DocTestParser()
        test = parser.get_doctest(examples, names, DOC.name, str(DOC), 0)
        runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
        try:
            runner.run(test, clear_globs=False)
        finally:
            # The examples open an in-memory database; the docs need not show it closed.
            for value in test.globs.values():
                if isinstance(value, SQLiteStore):
                    value.close()
            test.globs.clear()
        result = runner.summarize(verbose=False)
    assert result.attempted > 20
    assert result.failed == 0


def test_the_javascript_example_prints_what_the_docs_say() -> None:
    node = node_or_skip()
    (example,) = blocks("js")
    printed = blocks("text")[1]
    with serve(DOC_KEY) as url:
        completed = subprocess.run(
            [node, "--input-type=module"],
            input=on_port(example, url).encode("utf-8"),
            capture_output=True,
            # Run from the SDK's folder, so that its node_modules resolve.
            cwd=JS_DIR,
            env={**os.environ, "CLERK_TELEMETRY_DISABLED": "1"},
            timeout=RUN_SECONDS,
            check=False,
        )
    assert completed.returncode == 0, completed.stderr.decode("utf-8", errors="replace")
    assert completed.stdout.decode("utf-8") == printed

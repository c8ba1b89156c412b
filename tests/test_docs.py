"""The README and docs/ are true: their tables are the package's data, their examples run,
and every page is reachable and every link resolves.

Pages are found on disk, so a new page under docs/ is checked without editing this file.
"""

from __future__ import annotations

import doctest
import re
from pathlib import Path
from urllib.parse import unquote

import pytest

from metadata_semantics import ERROR_CODES, RULES, FieldState

ROOT = Path(__file__).parent.parent
README = ROOT / "README.md"
DOCS = ROOT / "docs"
PAGES = (README, *sorted(DOCS.glob("*.md")))

# The README holds what a newcomer takes in at once; the rest is in docs/.
README_MAX_BYTES = 12 * 1024

_STATE_LABELS: dict[FieldState, str] = {
    "omitted": "`OMITTED`",
    "null": "`None`",
    "empty": "`{}`",
    "object": "an object",
}


def page_id(page: Path) -> str:
    return page.relative_to(ROOT).as_posix()


def sections(page: Path, name: str) -> list[str]:
    text = page.read_text("utf-8")
    return re.findall(rf"<!-- {name}:start -->\n(.*?)<!-- {name}:end -->", text, re.DOTALL)


def render_rules() -> str:
    lines = [
        "| request field | `replace_metadata` (PUT) | `merge_metadata` (PATCH) |",
        "|---|---|---|",
    ]
    for state, label in _STATE_LABELS.items():
        replace = RULES["replace", state].outcome
        merge = RULES["merge", state].outcome
        lines.append(f"| {label} | {replace} | {merge} |")
    return "\n".join(lines) + "\n"


def render_error_codes() -> str:
    lines = ["| code | raised as | meaning |", "|---|---|---|"]
    lines.extend(
        f"| `{info.code}` | `{info.error_type.__name__}` | {info.meaning} |"
        for info in ERROR_CODES.values()
    )
    return "\n".join(lines) + "\n"


def test_the_readme_fits_a_newcomer() -> None:
    assert len(README.read_bytes()) <= README_MAX_BYTES


def test_readme_rules_table_is_the_rules_data() -> None:
    assert sections(README, "rules-table") == [render_rules()]


def test_rules_page_table_is_the_rules_data() -> None:
    assert sections(DOCS / "rules.md", "rules-table") == [render_rules()]


def test_rules_table_covers_every_operation_and_state() -> None:
    assert set(RULES) == {(op, state) for op in ("replace", "merge") for state in _STATE_LABELS}


def test_errors_page_table_is_the_error_codes_data() -> None:
    assert sections(DOCS / "errors.md", "error-codes") == [render_error_codes()]


@pytest.mark.parametrize("page", PAGES, ids=page_id)
def test_every_table_on_a_page_is_the_data(page: Path) -> None:
    # A copy of a table on any other page must not drift either.
    for table in sections(page, "rules-table"):
        assert table == render_rules()
    for table in sections(page, "error-codes"):
        assert table == render_error_codes()


# Pages whose examples talk to a live server: their own test starts one and
# runs them there.
RUN_ELSEWHERE = {"sdks.md": "test_sdk_docs.py"}


def examples(page: Path) -> list[str]:
    return re.findall(r"```pycon\n(.*?)```", page.read_text("utf-8"), re.DOTALL)


def test_pages_run_elsewhere_have_their_own_test() -> None:
    for page, test in RUN_ELSEWHERE.items():
        assert examples(DOCS / page)
        assert (Path(__file__).parent / test).is_file()


@pytest.mark.parametrize(
    "page",
    [page for page in PAGES if examples(page) and page.name not in RUN_ELSEWHERE],
    ids=page_id,
)
def test_the_examples_on_a_page_run(page: Path) -> None:
    # Each page is a session of its own, so each page's examples stand alone.
    parser = doctest.DocTestParser()
    test = parser.get_doctest("\n".join(examples(page)), {}, page.name, str(page), 0)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    runner.run(test)
    result = runner.summarize(verbose=False)
    assert result.attempted > 0
    assert result.failed == 0


def test_the_pages_hold_examples() -> None:
    assert sum(len(examples(page)) for page in PAGES) > 10
    assert examples(README)


# [text](target): a relative target is a file of the repository, with an
# optional #anchor; links to the web are not followed.
_LINK: re.Pattern[str] = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
_FENCE: re.Pattern[str] = re.compile(r"```.*?```", re.DOTALL)


def links(page: Path) -> list[str]:
    return _LINK.findall(_FENCE.sub("", page.read_text("utf-8")))


def anchor(heading: str) -> str:
    """The anchor a Markdown renderer gives a heading (GitHub's rule)."""
    text = heading.strip().lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def anchors(page: Path) -> set[str]:
    text = _FENCE.sub("", page.read_text("utf-8"))
    return {anchor(match) for match in re.findall(r"^#+ (.*)$", text, re.MULTILINE)}


def test_anchors_are_spelled_as_a_renderer_spells_them() -> None:
    assert anchor("Structural sharing (`share=True`)") == "structural-sharing-sharetrue"
    assert anchor("The oracle") == "the-oracle"


def broken_links(page: Path) -> list[str]:
    broken: list[str] = []
    for target in links(page):
        if re.match(r"[a-z]+:", target):
            continue
        path, _, fragment = target.partition("#")
        resolved = (page.parent / unquote(path)).resolve() if path else page
        if not resolved.exists() or (fragment and fragment not in anchors(resolved)):
            broken.append(target)
    return broken


@pytest.mark.parametrize("page", PAGES, ids=page_id)
def test_every_link_on_a_page_resolves(page: Path) -> None:
    assert broken_links(page) == []


def test_every_docs_page_is_linked_from_the_readme() -> None:
    linked = {
        (README.parent / target.partition("#")[0]).resolve()
        for target in links(README)
        if not re.match(r"[a-z]+:", target)
    }
    for page in DOCS.glob("*.md"):
        assert page.resolve() in linked, f"README does not link {page_id(page)}"


def test_a_broken_link_is_found(tmp_path: Path) -> None:
    (tmp_path / "other.md").write_text("# Other page\n", "utf-8")
    page = tmp_path / "page.md"
    page.write_text(
        "# Title\n\n[gone](missing.md) [here](#title) [nowhere](#nowhere) "
        "[there](other.md#other-page) [not there](other.md#title) [web](https://example.org)\n"
        "```\n[in code](ignored.md)\n```\n",
        "utf-8",
    )
    assert broken_links(page) == ["missing.md", "#nowhere", "other.md#title"]

"""The law of each dialect's merge alone: it is ``merge_patch``.

PostgreSQL's ``metadata_merge_patch(target jsonb, patch jsonb)`` is this
project's PL/pgSQL; SQLite's ``json_patch()`` is the engine's own, and is
the merge of SQLite's PATCH statement. Both are run on RFC 7396 Appendix A,
on every case of the public suites (compared with ``merge_patch``, which
the suites' own test holds to the RFC) and on Hypothesis values. Every
document crosses as ``dump_json`` text, the form the stores write.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from metadata_semantics import JSONValue, dump_json, merge_patch, parse_json
from metadata_semantics.sql import DIALECTS, Dialect
from metadata_semantics.strategies import json_values, metadata

from sqldb import Database, open_database, query, storable
from strict import same

if TYPE_CHECKING:
    from collections.abc import Iterator

SUITES = Path(__file__).parent / "data" / "merge-patch-suites"

_MERGES = {
    "sqlite": "SELECT json_patch(:target, :patch)",
    "postgresql": "SELECT metadata_merge_patch(%(target)s::jsonb, %(patch)s::jsonb)::text",
}


@pytest.fixture(scope="module", params=DIALECTS)
def database(request: pytest.FixtureRequest) -> Iterator[Database]:
    yield from open_database(request.param, request)


def engine_merge(database: Database, target: JSONValue, patch: JSONValue) -> JSONValue:
    """``MergePatch(target, patch)`` computed by the database, read back as Python values."""
    cursor = database.connection.execute(
        query(_MERGES[database.dialect]), {"target": dump_json(target), "patch": dump_json(patch)}
    )
    (text,) = cursor.fetchone()
    return parse_json(text)


def _suite_cases() -> list[Any]:
    cases: list[Any] = []
    for path in sorted(SUITES.glob("*.json")):
        for index, case in enumerate(json.loads(path.read_text("utf-8"))):
            target = case.get("target", case.get("victim", case.get("doc")))
            cases.append(pytest.param(target, case["patch"], id=f"{path.stem}[{index}]"))
    return cases


SUITE_CASES = _suite_cases()


def test_every_suite_case_is_read() -> None:
    # The 15 examples of RFC 7396 Appendix A, and the other five files.
    appendix = [case for case in SUITE_CASES if case.id.startswith("rfc7396-appendix-a[")]
    assert len(appendix) == 15
    assert len({case.id.split("[")[0] for case in SUITE_CASES}) == 6


@pytest.mark.parametrize(("target", "patch"), SUITE_CASES)
def test_the_merge_is_merge_patch_on_the_public_suites(
    database: Database, target: JSONValue, patch: JSONValue
) -> None:
    """RFC 7396 section 3 and Appendix A: the database's merge computes MergePatch."""
    assert same(engine_merge(database, target, patch), merge_patch(target, patch))


@given(st.data())
def test_the_merge_is_merge_patch_on_any_values(database: Database, data: st.DataObject) -> None:
    """RFC 7396 section 2: ``MergePatch(Target, Patch)``, for any JSON target and patch.

    Values are mapped out of the dialect's documented differences
    (``sqldb.storable``) on purpose; patches are mostly objects, where the
    merge does its work.
    """
    dialect: Dialect = database.dialect
    target = storable(data.draw(json_values()), dialect)
    patch = storable(data.draw(st.one_of(metadata(), json_values())), dialect)
    assert same(engine_merge(database, target, patch), merge_patch(target, patch))

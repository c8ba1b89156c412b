"""The differential proof: each dialect's one-statement write is ``apply_request``.

Hypothesis draws a stored record, a method, a request (each field omitted,
null, ``{}`` or an object) and limits (none, the upstream's, or small ones
that many results break), and runs them twice: through ``apply_request``,
and through a store's three steps on a real row (``read_request`` and
``check_storable``, the dialect's ``UPDATE`` in a transaction, then
``read_fields`` and ``check_result``), in SQLite (in memory) and in
PostgreSQL (the session's cluster). The results are equal type-strictly; an
error is the same code, path and field; a refused write leaves the row as
it was, ``updated_at`` included.

The generators stay out of the documented differences on purpose: values
pass through ``sqldb.storable``, which moves them off what
``check_storable`` refuses for the dialect (U+0000, ``-0.0`` and floats of
1e16 or more in PostgreSQL), and they nest far less deep than either
dialect's ``STORABLE_DEPTH``. Key order is not compared: JSON objects have
none, and ``same`` ignores it.

Run with ``-s`` to see how many cases each dialect ran.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from metadata_semantics import (
    FIELDS,
    UPSTREAM_LIMITS,
    Limits,
    MetadataError,
    UserMetadata,
    UserMetadataParams,
    apply_request,
    dump_json,
)
from metadata_semantics.sql import DIALECTS, Dialect
from metadata_semantics.strategies import params, user_metadata

from sqldb import Database, open_database, storable
from strict import same

if TYPE_CHECKING:
    from collections.abc import Iterator

_BOUND = st.one_of(st.none(), st.integers(min_value=0, max_value=150))

LIMITS = st.one_of(
    st.none(),
    st.just(UPSTREAM_LIMITS),
    st.builds(
        Limits,
        max_field_bytes=_BOUND,
        max_total_bytes=_BOUND,
        max_depth=st.one_of(st.none(), st.integers(min_value=0, max_value=4)),
        max_body_bytes=st.one_of(st.none(), st.integers(min_value=0, max_value=300)),
    ),
)

# Cases run, per dialect and outcome, for the report at the end of the module.
COUNTS: dict[str, dict[str, int]] = {}


@pytest.fixture(scope="module", params=DIALECTS)
def database(request: pytest.FixtureRequest) -> Iterator[Database]:
    counts = COUNTS.setdefault(request.param, {"written": 0, "refused": 0})
    yield from open_database(request.param, request)
    print(  # noqa: T201 - the case counts, seen with -s
        f"\n-- differential, {request.param}: {counts['written'] + counts['refused']} cases, "
        f"{counts['written']} written, {counts['refused']} refused"
    )


def _moved(record: UserMetadata | UserMetadataParams, dialect: Dialect) -> dict[str, object]:
    return {name: storable(getattr(record, name), dialect) for name in FIELDS}


def outcome(call: object) -> tuple[str, object]:
    assert callable(call)
    try:
        record = call()
    except MetadataError as error:
        return "error", (error.code, error.path, error.field)
    assert isinstance(record, UserMetadata)
    return "result", [getattr(record, name) for name in FIELDS]


@given(
    data=st.data(),
    method=st.sampled_from(["PUT", "PATCH"]),
    limits=LIMITS,
    empty=st.booleans(),
)
def test_the_write_statement_is_apply_request(
    database: Database, data: st.DataObject, method: str, limits: Limits | None, empty: bool
) -> None:
    """Replace and merge follow the rules table exactly, in the database as in Python:
    the same record, or the same error and an unchanged row."""
    dialect = database.dialect
    stored = UserMetadata(**_moved(data.draw(user_metadata(), "stored"), dialect))  # type: ignore[arg-type]
    request = UserMetadataParams(**_moved(data.draw(params(), "request"), dialect))  # type: ignore[arg-type]
    body = None if empty and request == UserMetadataParams() else dump_json(request.to_body())
    database.store(stored)

    expected = outcome(lambda: apply_request(stored, method, body, limits=limits))
    actual = outcome(lambda: database.write(method, body, limits=limits))

    assert actual[0] == expected[0], (actual, expected)
    updated_at, row = database.read()
    if actual[0] == "error":
        assert actual[1] == expected[1]
        assert updated_at == 0
        assert same(
            [getattr(row, name) for name in FIELDS], [getattr(stored, name) for name in FIELDS]
        )
        COUNTS[dialect]["refused"] += 1
    else:
        assert same(actual[1], expected[1])
        assert updated_at == 1
        assert same([getattr(row, name) for name in FIELDS], actual[1])
        COUNTS[dialect]["written"] += 1


# Each case is several writes: a quarter of the profile's cases, at most 100,
# keeps the suite's time down.
@settings(max_examples=max(1, min(settings().max_examples // 4, 100)))
@given(
    data=st.data(),
    methods=st.lists(st.sampled_from(["PUT", "PATCH"]), min_size=2, max_size=5),
)
def test_a_sequence_of_writes_stays_apply_request(
    database: Database, data: st.DataObject, methods: list[str]
) -> None:
    """Each write starts from what the last one stored: text a statement wrote (its key
    spellings, PostgreSQL's number forms and key order) is read back as the library's."""
    dialect = database.dialect
    stored = UserMetadata(**_moved(data.draw(user_metadata(), "stored"), dialect))  # type: ignore[arg-type]
    database.store(stored)
    for method in methods:
        request = UserMetadataParams(**_moved(data.draw(params(), "request"), dialect))  # type: ignore[arg-type]
        body = dump_json(request.to_body())
        stored = apply_request(stored, method, body, limits=None)
        result = database.write(method, body, limits=None)
        assert result is not None
        assert same(
            [getattr(result, name) for name in FIELDS], [getattr(stored, name) for name in FIELDS]
        )

"""Where a database cannot hold what the library can: each difference shown in the engine,
and either refused up front by ``check_storable`` or harmless by construction.

Measured on PostgreSQL 15 and SQLite 3.40; ``docs/sql.md`` has the table.
"""

from __future__ import annotations

import math
import sqlite3
from typing import TYPE_CHECKING, Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from metadata_semantics import (
    InvalidArgumentError,
    InvalidValueError,
    JSONValue,
    MetadataError,
    UserMetadata,
    UserMetadataParams,
    dump_json,
    json_equal,
    parse_json,
)
from metadata_semantics.sql import FLOAT_CEILING, STORABLE_DEPTH, check_storable

from sqldb import Database, open_database, query
from strict import same

if TYPE_CHECKING:
    from collections.abc import Iterator


@pytest.fixture(scope="module")
def pg(request: pytest.FixtureRequest) -> Iterator[Database]:
    yield from open_database("postgresql", request)


@pytest.fixture
def lite(request: pytest.FixtureRequest) -> Iterator[Database]:
    yield from open_database("sqlite", request)


def round_trip(database: Database, value: JSONValue) -> JSONValue:
    """``value`` as the dialect's JSON type gives it back: written as text, read as text."""
    sql = {"postgresql": "SELECT %(v)s::jsonb::text", "sqlite": "SELECT json(:v)"}
    (text,) = database.connection.execute(
        query(sql[database.dialect]), {"v": dump_json(value)}
    ).fetchone()
    return parse_json(text)


def refusal(value: JSONValue, dialect: Any) -> tuple[str, str] | None:
    try:
        check_storable(UserMetadataParams(public_metadata={"v": value}), dialect)
    except InvalidValueError as error:
        return error.code, error.path
    return None


def json_size(value: JSONValue) -> int:
    """Size as the limits measure it: UTF-8 bytes of compact JSON."""
    return len(dump_json(value).encode("utf-8"))


def nested(depth: int) -> dict[str, JSONValue]:
    """An object ``depth`` containers deep, as ``Limits.max_depth`` counts."""
    value: dict[str, JSONValue] = {}
    for _ in range(depth - 1):
        value = {"k": value}
    return value


# PostgreSQL: U+0000 -------------------------------------------------------------------


@pytest.mark.parametrize("value", ["a\x00b", {"\x00": 1}], ids=["string", "key"])
def test_postgresql_cannot_hold_u0000(pg: Database, value: JSONValue) -> None:
    import psycopg

    with pytest.raises(psycopg.errors.UntranslatableCharacter):
        round_trip(pg, value)
    assert refusal(value, "sqlite") is None
    with pg.connection.transaction():
        assert same(round_trip(pg, "a\\u0000"), "a\\u0000")  # the escape's text is fine


@pytest.mark.parametrize(
    ("body", "path"),
    [
        ('{"public_metadata": {"a": ["\\u0000"]}}', "/public_metadata/a/0"),
        ('{"unsafe_metadata": {"k\\u0000": 1}}', "/unsafe_metadata/k\x00"),
    ],
)
def test_u0000_is_refused_up_front_and_the_row_is_unchanged(
    pg: Database, body: str, path: str
) -> None:
    pg.store(UserMetadata(public_metadata={"a": 1}))
    with pytest.raises(InvalidValueError) as caught:
        pg.write("PATCH", body)
    assert (caught.value.code, caught.value.path, caught.value.source) == (
        "unstorable_string",
        path,
        "request",
    )
    updated_at, row = pg.read()
    assert updated_at == 0
    assert same(row.public_metadata, {"a": 1})


# PostgreSQL: numbers ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "comes_back"),
    [
        (-0.0, 0.0),
        (1e16, 10**16),
        (-1e16, -(10**16)),
        (1e22, 10**22),
        (1.5e300, 15 * 10**299),
    ],
)
def test_postgresql_changes_these_floats_and_they_are_refused(
    pg: Database, value: float, comes_back: JSONValue
) -> None:
    assert same(round_trip(pg, value), comes_back)
    assert not same(comes_back, value)
    assert refusal(value, "postgresql") == ("unstorable_number", "/public_metadata/v")
    # The change is not only of type: the limits would measure another size.
    assert json_size(comes_back) != json_size(value) or value == 0


@pytest.mark.parametrize(
    "value",
    [0.0, 1.0, 1, 9999999999999998.0, 2.0**53, 2**53 + 1, -(2**63), 10**40, 5e-324, 1e-7, 0.1],
)
def test_postgresql_keeps_every_other_number_exactly(pg: Database, value: JSONValue) -> None:
    # 1.0 stays a float beside 1, integers past 2**53 keep every digit, and
    # the smallest floats come back from their long decimal text exactly.
    assert same(round_trip(pg, value), value)
    assert refusal(value, "postgresql") is None


@given(st.one_of(st.floats(allow_nan=False, allow_infinity=False), st.integers()))
def test_check_storable_accepts_exactly_the_numbers_postgresql_keeps(
    pg: Database, value: float
) -> None:
    """A number passes ``check_storable`` if and only if ``jsonb`` gives it back unchanged."""
    kept = same(round_trip(pg, value), value)
    assert kept is (refusal(value, "postgresql") is None)


def test_the_float_ceiling_is_where_python_starts_writing_an_exponent() -> None:
    below = math.nextafter(FLOAT_CEILING, 0.0)
    assert "e" not in repr(below)
    assert repr(FLOAT_CEILING) == "1e+16"


# PostgreSQL: key order ----------------------------------------------------------------


def test_postgresql_orders_keys_by_length_then_bytes_which_equality_ignores(
    pg: Database,
) -> None:
    value: JSONValue = {"bb": 1, "a": 2, "\u00e9": 3, "c": 4}
    back = round_trip(pg, value)
    assert isinstance(back, dict)
    assert list(back) == ["a", "c", "bb", "\u00e9"]
    assert json_equal(back, value)
    assert json_size(back) == json_size(value)
    assert refusal(value, "postgresql") is None


# Depth --------------------------------------------------------------------------------


def test_postgresql_merge_takes_storable_depth_and_the_check_refuses_one_more(
    pg: Database,
) -> None:
    import psycopg

    bound = STORABLE_DEPTH["postgresql"]
    pg.store(UserMetadata(public_metadata=nested(bound)))
    body = dump_json({"public_metadata": nested(bound)})
    result = pg.write("PATCH", body, limits=None)
    assert result is not None
    assert json_equal(result.public_metadata, nested(bound))
    with pytest.raises(InvalidValueError) as caught:
        pg.write("PATCH", dump_json({"public_metadata": nested(bound + 1)}), limits=None)
    assert caught.value.code == "unstorable_depth"
    assert len(caught.value.segments) == bound + 1
    # The engine's own limit, which the bound keeps clear of: the merge
    # function recurses once per level of the patch.
    with pytest.raises(psycopg.errors.StatementTooComplex), pg.connection.transaction():
        pg.connection.execute(
            "SELECT metadata_merge_patch('{}', %(p)s::jsonb)", {"p": dump_json(nested(3000))}
        )


@pytest.mark.parametrize("method", ["PUT", "PATCH"])
def test_sqlite_takes_storable_depth_and_the_check_refuses_one_more(
    lite: Database, method: str
) -> None:
    bound = STORABLE_DEPTH["sqlite"]
    lite.store(UserMetadata(public_metadata=nested(bound)))
    result = lite.write(method, dump_json({"public_metadata": nested(bound)}), limits=None)
    assert result is not None
    assert json_equal(result.public_metadata, nested(bound))
    with pytest.raises(InvalidValueError) as caught:
        lite.write(method, dump_json({"public_metadata": nested(bound + 1)}), limits=None)
    assert caught.value.code == "unstorable_depth"
    # The engine's own limit: 2,000 levels in 3.40, 1,000 from 3.45.
    with pytest.raises(sqlite3.OperationalError, match="malformed JSON"):
        round_trip(lite, nested(2001))


# SQLite: numbers and U+0000 are no difference -----------------------------------------


def test_sqlite_keeps_what_postgresql_changes(lite: Database) -> None:
    value: JSONValue = {"z": -0.0, "big": 1e22, "int": 10**40, "nul\x00": "a\x00"}
    lite.store(UserMetadata())
    result = lite.write("PUT", dump_json({"public_metadata": value}), limits=None)
    assert result is not None
    assert same(result.public_metadata, value)
    assert refusal(value, "sqlite") is None


# SQLite: escaped keys and duplicate keys ----------------------------------------------


def test_sqlite_matches_keys_by_their_escaped_text(lite: Database) -> None:
    # The same key spelled two ways is two keys to json_patch.
    (text,) = lite.connection.execute(
        "SELECT json_patch(:t, :p)", {"t": '{"\\u00e9": 1}', "p": '{"\u00e9": null}'}
    ).fetchone()
    assert text == '{"\\u00e9":1}'


KEYS = ["\u00e9", "\U0001f600", "\x00", "\x1f", '"', "\\", "/", "\u2028", "\x7f"]


@pytest.mark.parametrize("key", KEYS)
def test_canonical_text_spells_each_key_one_way_so_sqlite_matches_it(
    lite: Database, key: str
) -> None:
    # dump_json writes a key the same way every time (non-ASCII as itself,
    # controls, quote and backslash escaped), and json_patch copies the
    # spellings it is given, so stored text and patch text always agree.
    lite.store(UserMetadata(public_metadata={key: 1, "other": {key: 2}}))
    body = dump_json({"public_metadata": {key: None, "other": {key: 3}}})
    result = lite.write("PATCH", body)
    assert result is not None
    assert same(result.public_metadata, {"other": {key: 3}})
    # Text that a replace wrote (through ``->``) and a merge wrote (through
    # json_patch) spells the key the same way again.
    lite.write("PUT", dump_json({"public_metadata": {key: 1}}))
    lite.write("PATCH", dump_json({"public_metadata": {"other": {key: 3}}}))
    result = lite.write("PATCH", dump_json({"public_metadata": {key: None}}))
    assert result is not None
    assert same(result.public_metadata, {"other": {key: 3}})
    _, row = lite.read()
    assert same(row.public_metadata, {"other": {key: 3}})


def test_sqlite_patches_only_the_first_of_duplicate_keys_which_no_text_of_ours_has(
    lite: Database,
) -> None:
    (text,) = lite.connection.execute(
        "SELECT json_patch(:t, :p)", {"t": '{"a": 1, "a": 2}', "p": '{"a": 3}'}
    ).fetchone()
    assert text == '{"a":3,"a":2}'
    # A body cannot carry one, and dump_json, a dict's text, cannot write one.
    with pytest.raises(MetadataError) as caught:
        lite.write("PATCH", '{"public_metadata": {"a": 1, "a": 2}}')
    assert caught.value.code == "duplicate_key"


# The check itself ---------------------------------------------------------------------


def test_a_record_is_checked_as_stored_in_its_naming() -> None:
    record = UserMetadata(private_metadata={"a": [1, {"b": -0.0}]})
    with pytest.raises(InvalidValueError) as caught:
        check_storable(record, "postgresql", naming="camel")
    error = caught.value
    assert (error.code, error.path, error.field, error.source) == (
        "unstorable_number",
        "/privateMetadata/a/1/b",
        "private_metadata",
        "stored",
    )
    check_storable(record, "sqlite")


def test_the_first_problem_in_field_and_document_order_is_reported() -> None:
    params = UserMetadataParams(
        public_metadata={"a": "ok", "b": ["\x00", -0.0]}, unsafe_metadata={"c": 1e20}
    )
    with pytest.raises(InvalidValueError) as caught:
        check_storable(params, "postgresql")
    assert caught.value.path == "/public_metadata/b/0"


def test_bad_arguments_are_refused() -> None:
    with pytest.raises(ValueError, match="unknown SQL dialect"):
        check_storable(UserMetadataParams(), "mysql")  # type: ignore[arg-type]
    with pytest.raises(InvalidArgumentError):
        check_storable(UserMetadataParams(), "sqlite", naming="kebab")  # type: ignore[arg-type]
    with pytest.raises(InvalidArgumentError):
        check_storable({}, "sqlite")  # type: ignore[arg-type]

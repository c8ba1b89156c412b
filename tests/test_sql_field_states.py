"""The three field states survive the trip to SQL: every row of the rules table, in each dialect.

A request field is omitted (keep), null (store JSON null) or an object;
``{}`` is an object that clears under replace and changes nothing under
merge, except that a null stored value becomes ``{}``. Each cell of
``RULES`` is run against each kind of stored value, and the row the
statement leaves is compared with the cell's action, computed here from
the table, and with ``apply_request``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from metadata_semantics import (
    FIELDS,
    OMITTED,
    RULES,
    UserMetadata,
    UserMetadataParams,
    apply_request,
    dump_json,
    merge_patch,
)
from metadata_semantics.sql import DIALECTS

from sqldb import Database, open_database
from strict import same

if TYPE_CHECKING:
    from collections.abc import Iterator

    from metadata_semantics import FieldState, JSONValue, Operation

METHOD = {"replace": "PUT", "merge": "PATCH"}
GIVEN: dict[FieldState, object] = {
    "omitted": OMITTED,
    "null": None,
    "empty": {},
    "object": {"n": {"x": None, "y": [None, 2]}, "b": None, "c": 1.0},
}
STORED: dict[str, JSONValue] = {
    "null": None,
    "empty": {},
    "object": {"n": {"x": 1, "z": 2}, "b": "gone", "keep": 1},
}


@pytest.fixture(scope="module", params=DIALECTS)
def database(request: pytest.FixtureRequest) -> Iterator[Database]:
    yield from open_database(request.param, request)


def expected_value(operation: Operation, state: FieldState, stored: JSONValue) -> JSONValue:
    """What the table says the field becomes, read from the cell's action."""
    given = GIVEN[state]
    action = RULES[operation, state].action
    if action == "keep":
        return stored
    if action == "set_null":
        return None
    if action == "overwrite":
        return given  # type: ignore[return-value]
    return merge_patch(stored if isinstance(stored, dict) else {}, given)  # type: ignore[arg-type]


@pytest.mark.parametrize("field", FIELDS)
@pytest.mark.parametrize("stored_kind", list(STORED))
@pytest.mark.parametrize(("operation", "state"), list(RULES))
def test_each_cell_of_the_rules_table_holds_in_sql(
    database: Database, operation: Operation, state: FieldState, stored_kind: str, field: str
) -> None:
    """Each request field is handled on its own: omitted keeps, null stores null, an object
    replaces or merges; the other two fields, omitted, keep their values."""
    others: dict[str, JSONValue] = {"a": 1}
    stored = UserMetadata(**dict.fromkeys(FIELDS, others) | {field: STORED[stored_kind]})  # type: ignore[arg-type]
    request = UserMetadataParams(**{field: GIVEN[state]})  # type: ignore[arg-type]
    body = dump_json(request.to_body())
    # The state is in the text: an omitted field's key is absent, null is a null.
    assert (f'"{field}"' in body) is (state != "omitted")
    database.store(stored)

    result = database.write(METHOD[operation], body)

    assert result is not None
    expected = [
        expected_value(operation, state, STORED[stored_kind]) if name == field else others
        for name in FIELDS
    ]
    assert same([getattr(result, name) for name in FIELDS], expected)
    _, row = database.read()
    assert same([getattr(row, name) for name in FIELDS], expected)
    in_python = apply_request(stored, METHOD[operation], body)
    assert same([getattr(in_python, name) for name in FIELDS], expected)


@pytest.mark.parametrize("method", ["PUT", "PATCH"])
def test_a_write_to_no_such_user_returns_no_row(database: Database, method: str) -> None:
    database.store(UserMetadata())
    assert database.write(method, '{"public_metadata": {}}', user_id="nobody") is None

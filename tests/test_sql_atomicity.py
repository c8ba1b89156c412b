"""Atomicity: a write whose result breaks the limits changes nothing, in each dialect.

The limits apply to the result, which only the statement computes; the
store checks it in the same transaction and rolls back, so the row, and
its ``updated_at``, are as they were.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from metadata_semantics import (
    FIELDS,
    LimitExceededError,
    Limits,
    UserMetadata,
    read_request,
)
from metadata_semantics.sql import DIALECTS, write_parameters

from sqldb import Database, open_database, query
from strict import same

if TYPE_CHECKING:
    from collections.abc import Iterator

STORED = UserMetadata(public_metadata={"a": "x" * 50}, private_metadata={"p": 1})
# Each breaks one bound only through what the row already holds.
OVER = [
    ("PATCH", '{"public_metadata": {"b": "y"}}', Limits(max_field_bytes=60), "field_too_large"),
    ("PATCH", '{"unsafe_metadata": {"u": 1}}', Limits(max_total_bytes=70), "metadata_too_large"),
    ("PATCH", '{"public_metadata": {"d": {"e": {}}}}', Limits(max_depth=2), "too_deep"),
    ("PUT", '{"private_metadata": {"x": "z"}}', Limits(max_field_bytes=20), "field_too_large"),
]


@pytest.fixture(scope="module", params=DIALECTS)
def database(request: pytest.FixtureRequest) -> Iterator[Database]:
    yield from open_database(request.param, request)


def fields(record: UserMetadata) -> list[object]:
    return [getattr(record, name) for name in FIELDS]


@pytest.mark.parametrize(("method", "body", "limits", "code"), OVER)
def test_a_write_over_the_limits_is_rolled_back(
    database: Database, method: str, body: str, limits: Limits, code: str
) -> None:
    """The size limits apply to the result; a rejected write changes nothing."""
    database.store(STORED)
    with pytest.raises(LimitExceededError) as caught:
        database.write(method, body, limits=limits)
    assert caught.value.code == code
    updated_at, row = database.read()
    assert updated_at == 0
    assert same(fields(row), fields(STORED))


@pytest.mark.parametrize(("method", "body", "limits", "code"), OVER)
def test_the_statement_alone_would_have_written_it(
    database: Database, method: str, body: str, limits: Limits, code: str
) -> None:
    # What the rollback undoes: the same statement, committed on its own,
    # does change the row. Without this, the test above could pass for a
    # statement that never wrote anything.
    del code
    database.store(STORED)
    operation, params = read_request(method, body, limits=limits)
    text = database.statements.writes[operation]
    database.connection.execute(query(text), write_parameters(params, "user_1", 5))
    updated_at, row = database.read()
    assert updated_at == 5
    assert not same(fields(row), fields(STORED))

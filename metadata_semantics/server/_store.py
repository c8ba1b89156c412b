"""What the server keeps: a user as stored, and the interface every store offers.

A store holds users and the log of requests received. It knows nothing of
HTTP. Each write is one atomic step: :meth:`Store.write` applies a request,
already read and validated in Python, to the stored row in one SQL statement
under the database's row lock, hands the new metadata to a check, and
commits, or writes nothing at all if the check raises.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final, Protocol

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from metadata_semantics import JSONValue, Operation, UserMetadata, UserMetadataParams

__all__ = [
    "USER_ID",
    "USER_ID_MAX",
    "Store",
    "StoreError",
    "StoredUser",
    "UnstorableError",
    "valid_user_id",
]

USER_ID_MAX: Final = 64
"""The longest user id accepted, in characters."""

USER_ID: Final = re.compile(r"user_[0-9A-Za-z]{1,59}")
"""A user id: ``user_`` and base62 characters, at most :data:`USER_ID_MAX` in all."""


def valid_user_id(text: str, /) -> bool:
    """Tell whether ``text`` is a well-formed user id; only such ids ever reach SQL."""
    # The length is checked first so that a hostile 10 KB id costs nothing.
    return len(text) <= USER_ID_MAX and USER_ID.fullmatch(text) is not None


class StoreError(Exception):
    """A database that cannot be opened or set up; the message says why in one line."""


class UnstorableError(Exception):
    r"""A value the store's database cannot hold, found when the database refused it.

    For example a string holding ``\u0000`` (PostgreSQL's ``jsonb`` has no
    such character) or a value nested deeper than the database's JSON
    functions go. Nothing was written. The server answers it with a 422.
    """


@dataclass(frozen=True, slots=True)
class StoredUser:
    """One user as a store keeps it.

    ``profile`` holds the members given when the user was created, apart from
    the metadata (``external_id``, ``first_name``, ``email_addresses``, ...).
    Times are Unix milliseconds.
    """

    id: str
    created_at: int
    updated_at: int
    profile: Mapping[str, JSONValue]
    metadata: UserMetadata


class Store(Protocol):
    """Users by id, and the request log. Every method is safe to call from many threads."""

    def create(self, user: StoredUser, /) -> None:
        """Store a new user, or replace the one with the same id."""
        ...

    def get(self, user_id: str, /) -> StoredUser | None:
        """Return the user with this id, or ``None``."""
        ...

    def delete(self, user_id: str, /) -> bool:
        """Remove the user with this id; tell whether there was one."""
        ...

    def write(
        self,
        user_id: str,
        operation: Operation,
        params: UserMetadataParams,
        now: int,
        check: Callable[[UserMetadata], None],
        /,
    ) -> StoredUser | None:
        """Apply one write to the user's metadata in one transaction and return the new user.

        The database applies ``operation`` with ``params`` (a request read by
        :func:`metadata_semantics.read_request`) to the row and sets
        ``updated_at`` to ``now``; ``check`` then sees the new metadata. Returns
        ``None`` (and calls nothing) if there is no such user. If ``check``
        raises, the transaction is rolled back and the error propagates;
        :class:`UnstorableError` if the database refused a value. The call
        returns only once the write is committed.
        """
        ...

    def reset(self) -> int:
        """Remove every user and empty the request log; return how many users there were."""
        ...

    def log(self, entry: Mapping[str, JSONValue], /) -> None:
        """Add one entry to the request log (the oldest go once it is full)."""
        ...

    def logged(self) -> list[Mapping[str, JSONValue]]:
        """Return the request log, oldest first."""
        ...

    def close(self) -> None:
        """Release the database; the store must not be used afterwards."""
        ...

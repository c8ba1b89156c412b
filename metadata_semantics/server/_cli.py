"""``metadata-semantics serve``: the server as a command.

The first line on standard output is exactly ``listening on http://HOST:PORT``
(the real port, also with ``--port 0``), flushed at once. With no key given,
a generated one follows on the second line as ``secret key: KEY``. SIGINT
and SIGTERM let the requests in flight finish, close the database and exit 0.
Only the argument definitions load with the command line; the server loads
when the command runs.
"""

from __future__ import annotations

import os
import re
import signal
import sys
import threading
from typing import TYPE_CHECKING, Any, Final, TypeAlias

if TYPE_CHECKING:
    import argparse
    from collections.abc import Callable, Iterable, Mapping
    from types import FrameType
    from typing import TextIO

    from ._app import Config
    from ._store import Store

__all__ = ["KEYS_VARIABLE", "add_arguments", "load_seed", "open_store", "run"]

KEYS_VARIABLE: Final = "METADATA_SEMANTICS_SECRET_KEYS"
"""The environment variable whose keys (split at commas and whitespace) are accepted too."""

_PROG: Final = "metadata-semantics serve"
_SignalHandler: TypeAlias = "Callable[[int, FrameType | None], Any] | int | signal.Handlers | None"
_SIGNALS: Final = (signal.SIGINT, signal.SIGTERM)
_PASSWORD: Final = re.compile(r"^([a-z]+://[^:@/]*):[^@/]*@")
_PASSWORD_PARAMETER: Final = re.compile(r"([?&]password=)[^&]*")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the options of ``serve`` to ``parser``."""
    parser.add_argument("--host", default="127.0.0.1", help="the address to bind (127.0.0.1)")
    parser.add_argument("--port", type=int, default=8000, help="the port; 0 picks a free one")
    parser.add_argument(
        "--db",
        default=":memory:",
        metavar="PATH|URL",
        help="an SQLite file, created if missing (default :memory:, gone at exit), "
        "or a PostgreSQL database: postgresql://... or postgres://... "
        "(needs the postgres extra)",
    )
    parser.add_argument(
        "--secret-key",
        action="append",
        default=[],
        metavar="KEY",
        help=f"a key to accept (repeatable; also read from ${KEYS_VARIABLE}); "
        "with none, one is generated and printed",
    )
    parser.add_argument("--seed", metavar="FILE", help='users to load: {"users": [...]}')
    parser.add_argument(
        "--no-limits", action="store_true", help="do not bound writes to the 8 KB preset"
    )
    parser.add_argument(
        "--max-body-bytes",
        type=int,
        default=1 << 20,
        metavar="N",
        help="the largest request body accepted (1048576, or the limits' 65536 if smaller); "
        "a larger one is a 413",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=30.0,
        metavar="SECONDS",
        help="how long a connection may take to send one request, or stay idle (30)",
    )


class SeedError(Exception):
    """A seed file that cannot be loaded; the message says where."""


def load_seed(text: bytes, store: Store, config: Config, /) -> int:
    """Create the users of a seed file's text in ``store``; return how many.

    The text is ``{"users": [USER, ...]}``, where each USER is a body of
    ``POST /v1/users`` that may also give its ``id``. A user with an id
    already stored replaces it. Raises :class:`SeedError` for a bad file;
    users before the bad one are kept.
    """
    from metadata_semantics import MetadataError, parse_json

    from ._app import ParamError, build_user
    from ._store import UnstorableError, valid_user_id

    try:
        document = parse_json(text)
    except MetadataError as error:
        raise SeedError(f"not JSON: {error}") from None
    users = document.get("users") if isinstance(document, dict) else None
    if not isinstance(users, list):
        raise SeedError('the file must be {"users": [...]}')
    for index, user in enumerate(users):
        where = f"users[{index}]"
        if not isinstance(user, dict):
            raise SeedError(f"{where}: a user is a JSON object")
        fields = {name: value for name, value in user.items() if name != "id"}
        user_id = user.get("id")
        if user_id is not None and not (isinstance(user_id, str) and valid_user_id(user_id)):
            raise SeedError(f"{where}: id must be user_ and 1 to 59 base62 characters")
        try:
            built = build_user(fields, config, user_id=user_id)
            store.create(built)
        except (MetadataError, ParamError, UnstorableError) as error:
            raise SeedError(f"{where}: {error}") from None
    return len(users)


def open_store(db: str, /) -> Store:
    """Open the store ``db`` names: a PostgreSQL URL, or an SQLite file or ``:memory:``.

    Raises :class:`StoreError` with a one-line reason if it cannot be opened.
    """
    import sqlite3

    from ._postgres import SCHEMES
    from ._store import StoreError

    if db.startswith(SCHEMES):
        from ._postgres import PostgresStore

        return PostgresStore(db)
    from ._sqlite import SQLiteStore

    try:
        return SQLiteStore(db)
    except sqlite3.Error as error:
        raise StoreError(str(error)) from None


def _shown(db: str) -> str:
    # A URL's password never reaches the terminal or a log.
    return _PASSWORD_PARAMETER.sub(r"\1***", _PASSWORD.sub(r"\1:***@", db))


def _keys(given: list[str], environ: Mapping[str, str]) -> list[str]:
    from_env = re.split(r"[\s,]+", environ.get(KEYS_VARIABLE, ""))
    return [key for key in (*given, *from_env) if key]


def run(
    arguments: argparse.Namespace,
    /,
    *,
    stop: threading.Event | None = None,
    out: TextIO | None = None,
    environ: Mapping[str, str] | None = None,
) -> int:
    """Serve until SIGINT, SIGTERM or ``stop`` is set; return the exit code (0, or 2 on setup).

    Signal handlers are installed only when called from the main thread, and
    restored on return.
    """
    import secrets

    from metadata_semantics import UPSTREAM_LIMITS

    from ._app import Config
    from ._http import Server
    from ._store import StoreError

    stream = out or sys.stdout
    keys = _keys(arguments.secret_key, os.environ if environ is None else environ)
    generated = "" if keys else "sk_test_" + secrets.token_hex(20)
    config = Config(
        tuple(keys or [generated]),
        limits=None if arguments.no_limits else UPSTREAM_LIMITS,
        max_body_bytes=arguments.max_body_bytes,
    )
    try:
        store = open_store(arguments.db)
    except StoreError as error:
        sys.stderr.write(f"{_PROG}: cannot open {_shown(arguments.db)}: {error}\n")
        return 2
    try:
        if arguments.seed:
            with open(arguments.seed, "rb") as seed:  # noqa: PTH123 - one plain read
                load_seed(seed.read(), store, config)
        server = Server(arguments.host, arguments.port, store, config, timeout=arguments.timeout)
    except (OSError, SeedError) as error:
        store.close()
        sys.stderr.write(f"{_PROG}: {error}\n")
        return 2
    stream.write(f"listening on {server.url}\n")
    if generated:
        stream.write(f"secret key: {generated}\n")
    stream.flush()
    stop = stop or threading.Event()
    previous = _catch_signals(stop)
    worker = threading.Thread(target=server.serve_forever, name="serve", daemon=True)
    # Threads inherit the signal mask of the thread that starts them: with
    # SIGINT and SIGTERM blocked in every server thread, the kernel delivers
    # them to this one, and so interrupts its wait below.
    mask = _mask(signal.SIG_BLOCK, _SIGNALS)
    worker.start()
    _mask(signal.SIG_SETMASK, mask)
    try:
        stop.wait()
    finally:
        server.stop()
        worker.join()
        store.close()
        for number, handler in previous.items():
            signal.signal(number, handler)
    return 0


def _mask(how: int, signals: Iterable[int]) -> set[int]:
    if sys.platform == "win32":  # pragma: no cover - Windows has no signal masks
        return set()
    return signal.pthread_sigmask(how, signals)


def _catch_signals(stop: threading.Event) -> dict[int, _SignalHandler]:
    if threading.current_thread() is not threading.main_thread():
        return {}

    def on_signal(_number: int, _frame: FrameType | None) -> None:
        # Not stop.set() here: the handler may run while this very thread
        # holds the event's lock inside stop.wait().
        threading.Thread(target=stop.set).start()

    return {number: signal.signal(number, on_signal) for number in _SIGNALS}

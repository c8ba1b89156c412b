"""Servers for the checker's tests: the reference one, and broken ones each wrong in one way.

Every broken server wraps the reference server's pure ``handle`` and changes
exactly one behaviour; the merges they get wrong are written here from
scratch, apart from the checker's own models. :func:`serving` runs any of
them as a real HTTP server on 127.0.0.1 and a free port, until its block
ends. Run this file with a broken server's name to print the checker's
report against it, as ``docs/checker.md`` shows::

    python tests/check_servers.py shallow-merge
"""

from __future__ import annotations

import contextlib
import io
import re
import sys
import tempfile
import threading
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, TypeAlias, cast

from metadata_semantics import (
    FIELDS,
    UPSTREAM_LIMITS,
    JSONValue,
    MetadataError,
    UserMetadata,
    UserMetadataParams,
    apply_request,
    parse_json,
)
from metadata_semantics.server import Config, Request, Response, SQLiteStore, handle

if TYPE_CHECKING:
    from collections.abc import Callable, Generator

KEY: Final = "sk_test_checker_key_0123456789"
METADATA_PATH: Final = re.compile(r"/v1/users/([^/?]+)/metadata")

Handler: TypeAlias = "Callable[[Request, SQLiteStore, Config], Response]"


def reference(request: Request, store: SQLiteStore, config: Config) -> Response:
    return handle(request, store, config)


def _authorised(request: Request) -> bool:
    return ("authorization", f"Bearer {KEY}") in request.headers


def _metadata_user(request: Request, method: str) -> str | None:
    """The user id of an authorised ``method`` request to the metadata route."""
    match = METADATA_PATH.fullmatch(request.target)
    if match is None or request.method != method or not _authorised(request):
        return None
    return match.group(1)


def _overwrite(store: SQLiteStore, user_id: str, record: UserMetadata, config: Config) -> None:
    """Store ``record`` whole, as a broken server's own write would."""
    params = UserMetadataParams(*(getattr(record, name) for name in FIELDS))
    store.write(user_id, "replace", params, config.clock(), lambda _record: None)


def _read_back(request: Request, store: SQLiteStore, config: Config, user_id: str) -> Response:
    return handle(
        replace(request, method="GET", target=f"/v1/users/{user_id}", body=b""), store, config
    )


def _patch_with(
    merge: Callable[[JSONValue, JSONValue], JSONValue],
) -> Handler:
    """A server whose PATCH merges each field with ``merge``; errors stay the reference's."""
    lock = threading.Lock()

    def serve(request: Request, store: SQLiteStore, config: Config) -> Response:
        user_id = _metadata_user(request, "PATCH")
        if user_id is None:
            return handle(request, store, config)
        with lock:
            before = store.get(user_id)
            response = handle(request, store, config)
            if response.status != 200 or before is None or not request.body.strip():
                return response
            body = cast("dict[str, JSONValue]", parse_json(request.body))
            fields: dict[str, JSONValue] = {
                name: getattr(before.metadata, name) for name in FIELDS
            }
            for name, value in body.items():
                fields[name] = None if value is None else merge(fields[name], value)
            record = UserMetadata(**cast("dict[str, Any]", fields))
            _overwrite(store, user_id, record, config)
            return _read_back(request, store, config, user_id)

    return serve


def _one_level(target: JSONValue, patch: JSONValue) -> JSONValue:
    result: dict[str, JSONValue] = {}
    if isinstance(target, dict):
        result.update(target)
    for key in cast("dict[str, JSONValue]", patch):
        if cast("dict[str, JSONValue]", patch)[key] is None:
            result.pop(key, None)
        else:
            result[key] = cast("dict[str, JSONValue]", patch)[key]
    return result


def _nulls_kept(target: JSONValue, patch: JSONValue) -> JSONValue:
    if type(patch) is not dict:
        return patch
    result = dict(target) if type(target) is dict else {}
    for key, value in patch.items():
        result[key] = _nulls_kept(result.get(key), value)
    return result


def _arrays_zipped(target: JSONValue, patch: JSONValue) -> JSONValue:
    if type(patch) is list and type(target) is list:
        zipped: list[JSONValue] = []
        for index in range(max(len(patch), len(target))):
            if index < len(patch) and index < len(target):
                zipped.append(_arrays_zipped(target[index], patch[index]))
            else:
                zipped.append(patch[index] if index < len(patch) else target[index])
        return zipped
    if type(patch) is not dict:
        return patch
    result = dict(target) if type(target) is dict else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = _arrays_zipped(result.get(key), value)
    return result


def no_put(request: Request, store: SQLiteStore, config: Config) -> Response:
    """PUT on the metadata route is not served: a 404, as for a path that does not exist."""
    if request.method == "PUT" and METADATA_PATH.fullmatch(request.target):
        return handle(replace(request, target="/v1/no-such-route"), store, config)
    return handle(request, store, config)


def any_bearer(request: Request, store: SQLiteStore, config: Config) -> Response:
    """Any ``Authorization: Bearer ...`` is taken for the right key."""
    headers = tuple(
        ("authorization", f"Bearer {KEY}")
        if name == "authorization" and value.startswith("Bearer ")
        else (name, value)
        for name, value in request.headers
    )
    return handle(replace(request, headers=headers), store, config)


_SYNTAX: Final = frozenset(
    {
        "invalid_json",
        "empty_input",
        "trailing_data",
        "duplicate_key",
        "invalid_utf8",
        "byte_order_mark",
        "invalid_string",
        "non_finite_number",
        "integer_too_long",
    }
)


def malformed_ok(request: Request, store: SQLiteStore, config: Config) -> Response:
    """A body that is not JSON gets a 200 with the user as it was, as if the write worked."""
    user_id = _metadata_user(request, request.method)
    if user_id is not None and request.body.strip():
        try:
            parse_json(request.body)
        except MetadataError as error:
            if error.code in _SYNTAX and store.get(user_id) is not None:
                return _read_back(request, store, config, user_id)
    return handle(request, store, config)


def lost_update() -> Handler:
    """PATCH reads, waits for another PATCH to the same user, then writes what it read.

    Like a database read and write with no transaction around them, made
    slow: from a user's second PATCH on, each one reads the record and then
    waits (up to two seconds) for another PATCH to that user that has read
    too, before both write their merge of what they read. Of two PATCH
    requests in flight together, one update is lost; PATCH requests one
    after another lose nothing, and a user's first PATCH is the reference's.
    """
    lock = threading.Lock()
    patches: dict[str, int] = {}
    waiting: dict[str, threading.Event] = {}

    def serve(request: Request, store: SQLiteStore, config: Config) -> Response:
        user_id = _metadata_user(request, "PATCH")
        user = store.get(user_id) if user_id is not None else None
        if user_id is None or user is None:
            return handle(request, store, config)
        with lock:
            patches[user_id] = patches.get(user_id, 0) + 1
            first = patches[user_id] == 1
        if first:
            return handle(request, store, config)
        try:
            record = apply_request(user.metadata, "PATCH", request.body, limits=UPSTREAM_LIMITS)
        except MetadataError:
            return handle(request, store, config)
        with lock:
            partner = waiting.pop(user_id, None)
            mine = None if partner is not None else waiting.setdefault(user_id, threading.Event())
        if partner is not None:
            partner.set()
        elif mine is not None and not mine.wait(timeout=2):
            with lock:
                if waiting.get(user_id) is mine:
                    del waiting[user_id]
        _overwrite(store, user_id, record, config)
        return _read_back(request, store, config, user_id)

    return serve


def broken_servers() -> dict[str, tuple[str, Callable[[], Handler]]]:
    """Each broken server by name: the rule it breaks, and a factory for a fresh one."""
    return {
        "shallow-merge": ("merge", lambda: _patch_with(_one_level)),
        "null-members-stored": ("nulls", lambda: _patch_with(_nulls_kept)),
        "arrays-merged-by-index": ("arrays", lambda: _patch_with(_arrays_zipped)),
        "put-missing": ("replace", lambda: no_put),
        "any-bearer-accepted": ("auth", lambda: any_bearer),
        "malformed-json-accepted": ("errors", lambda: malformed_ok),
        "lost-update": ("concurrency", lost_update),
    }


class _Adapter(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        headers = tuple((name.lower(), value) for name, value in self.headers.items())
        box = cast("_HTTPServer", self.server).box
        response = box.handler(
            Request(self.command, self.path, headers, body), box.store, box.config
        )
        self.send_response(response.status)
        for name, value in response.headers:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(response.body)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _serve  # noqa: N815

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        """Log nothing."""


class _Box:
    def __init__(self, handler: Handler, store: SQLiteStore, config: Config) -> None:
        self.handler = handler
        self.store = store
        self.config = config


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    box: _Box


@contextlib.contextmanager
def serving(handler: Handler, database: Path) -> Generator[tuple[str, SQLiteStore], None, None]:
    """Serve ``handler`` over a SQLite file on 127.0.0.1 and a free port; yield URL and store."""
    store = SQLiteStore(str(database))
    server = _HTTPServer(("127.0.0.1", 0), _Adapter)
    server.box = _Box(handler, store, Config((KEY,)))
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", store
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=30)
        store.close()


def example_report(name: str, *options: str) -> str:
    """The checker's report against the broken server ``name``, with the port shown as PORT."""
    from metadata_semantics.__main__ import main

    _, factory = broken_servers()[name]
    with (
        tempfile.TemporaryDirectory() as folder,
        serving(factory(), Path(folder) / "db") as (url, _),
    ):
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            status = main(["check-server", url, "--secret-key", KEY, "--rps", "0", *options])
    text = out.getvalue().replace(url, "http://127.0.0.1:PORT")
    shown = "".join(
        f" {option}" if option.startswith("-") else f" '{option}'" for option in options
    )
    command = f"$ metadata-semantics check-server http://127.0.0.1:PORT --rps 0{shown}"
    return f"{command}\n{text}$ echo $?\n{status}\n"


if __name__ == "__main__":
    sys.stdout.write(example_report(*(sys.argv[1:] or ["shallow-merge"])))

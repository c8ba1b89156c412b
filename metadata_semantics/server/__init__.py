"""A reference server for the metadata endpoints, answering with this library's own rules.

A subset of the Clerk Backend API v1 (create, get and delete a user; ``PUT``
and ``PATCH`` of its metadata) over SQLite or PostgreSQL, plus test-only
routes under ``/__admin/``. Start it with ``metadata-semantics serve``, or run it in-process
through :func:`wsgi_app` or :func:`handle`. Importing this package is cheap:
the HTTP and database modules load when first used.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:
    from ._app import (
        DEFAULT_MAX_BODY_BYTES,
        Config,
        ParamError,
        Request,
        Response,
        body_length,
        build_user,
        check_head,
        handle,
        new_id,
        openapi_document,
    )
    from ._http import DEFAULT_TIMEOUT, Server
    from ._postgres import PostgresStore
    from ._routes import (
        ADMIN_PREFIX,
        CREATE_PARAMS,
        ERROR_MAP,
        JSON_CONTENT_TYPE,
        ROUTES,
        SERVER_ERRORS,
        USER_FIELDS,
        HttpError,
        Route,
    )
    from ._sqlite import SQLiteStore
    from ._store import USER_ID, Store, StoredUser, StoreError, UnstorableError, valid_user_id
    from ._wsgi import wsgi_app

__all__ = [
    "ADMIN_PREFIX",
    "CREATE_PARAMS",
    "DEFAULT_MAX_BODY_BYTES",
    "DEFAULT_TIMEOUT",
    "ERROR_MAP",
    "JSON_CONTENT_TYPE",
    "ROUTES",
    "SERVER_ERRORS",
    "USER_FIELDS",
    "USER_ID",
    "Config",
    "HttpError",
    "ParamError",
    "PostgresStore",
    "Request",
    "Response",
    "Route",
    "SQLiteStore",
    "Server",
    "Store",
    "StoreError",
    "StoredUser",
    "UnstorableError",
    "body_length",
    "build_user",
    "check_head",
    "handle",
    "new_id",
    "openapi_document",
    "valid_user_id",
    "wsgi_app",
]

# Which private module holds each public name.
_HOMES: Final = {
    "_app": (
        "DEFAULT_MAX_BODY_BYTES",
        "Config",
        "ParamError",
        "Request",
        "Response",
        "body_length",
        "build_user",
        "check_head",
        "handle",
        "new_id",
        "openapi_document",
    ),
    "_http": ("DEFAULT_TIMEOUT", "Server"),
    "_routes": (
        "ADMIN_PREFIX",
        "CREATE_PARAMS",
        "ERROR_MAP",
        "JSON_CONTENT_TYPE",
        "ROUTES",
        "SERVER_ERRORS",
        "USER_FIELDS",
        "HttpError",
        "Route",
    ),
    "_postgres": ("PostgresStore",),
    "_sqlite": ("SQLiteStore",),
    "_store": ("USER_ID", "Store", "StoreError", "StoredUser", "UnstorableError", "valid_user_id"),
    "_wsgi": ("wsgi_app",),
}
_HOME_OF: Final = {name: module for module, names in _HOMES.items() for name in names}


def __getattr__(name: str) -> Any:
    """Load a public name from its module on first use."""
    module = _HOME_OF.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value

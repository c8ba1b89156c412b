"""The server as data: routes, the error map, statuses and the User object's fields.

Everything the documentation and the OpenAPI document state about the
server's surface is written here once; the tests check both against it.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from collections.abc import Mapping

    from metadata_semantics import JSONValue

__all__ = [
    "ADMIN_PREFIX",
    "CREATE_PARAMS",
    "ERROR_MAP",
    "IGNORED_CREATE_PARAMS",
    "JSON_CONTENT_TYPE",
    "ROUTES",
    "SERVER_ERRORS",
    "USER_FIELDS",
    "HttpError",
    "Route",
]

JSON_CONTENT_TYPE: Final = "application/json"
"""The one ``Content-Type`` of every response: with a charset, the JavaScript
SDK hands back a raw string instead of a parsed object."""

ADMIN_PREFIX: Final = "/__admin/"
"""The test-only routes live under this prefix, which Clerk does not use."""


@dataclass(frozen=True, slots=True)
class Route:
    """One operation: a method, a path pattern (``{user_id}`` is a segment), its handler."""

    method: str
    pattern: str
    handler: str
    summary: str


ROUTES: Final[tuple[Route, ...]] = (
    Route("POST", "/v1/users", "create_user", "Create a user."),
    Route("GET", "/v1/users/{user_id}", "get_user", "Get a user."),
    Route("DELETE", "/v1/users/{user_id}", "delete_user", "Delete a user."),
    Route(
        "PUT",
        "/v1/users/{user_id}/metadata",
        "write_metadata",
        "Replace each metadata field the body provides.",
    ),
    Route(
        "PATCH",
        "/v1/users/{user_id}/metadata",
        "write_metadata",
        "Deep-merge (RFC 7396) each metadata field the body provides.",
    ),
    Route("POST", "/__admin/reset", "reset", "Remove every user and empty the request log."),
    Route("GET", "/__admin/health", "health", "Tell that the server is up."),
    Route("GET", "/__admin/requests", "requests", "The requests received, oldest first."),
    Route("GET", "/__admin/openapi.json", "openapi", "This server's OpenAPI 3 document."),
)
"""Every route the server answers; any other path is a 404, any other method a 405."""


@dataclass(frozen=True, slots=True)
class HttpError:
    """How one kind of error is answered: the status and the Clerk-style ``code``."""

    status: int
    clerk_code: str
    message: str


_MALFORMED: Final = HttpError(400, "malformed_request_body", "The request body is not valid JSON.")
_FORMAT: Final = HttpError(
    422, "form_param_format_invalid", "A parameter in the request body has the wrong form."
)
_UNKNOWN: Final = HttpError(
    422, "form_param_unknown", "The request body has an unknown parameter."
)
_TOO_LARGE: Final = HttpError(
    422, "form_param_exceeds_allowed_size", "The metadata would be larger than is allowed."
)
_BODY_TOO_LARGE: Final = HttpError(
    413, "request_body_too_large", "The request body is larger than the server accepts."
)
_VALUE: Final = HttpError(
    422, "form_param_value_invalid", "A parameter in the request body has an invalid value."
)

ERROR_MAP: Final[Mapping[str, HttpError]] = MappingProxyType(
    {
        # The body is not a JSON text this library accepts: 400.
        "invalid_json": _MALFORMED,
        "empty_input": _MALFORMED,
        "trailing_data": _MALFORMED,
        "duplicate_key": _MALFORMED,
        "invalid_utf8": _MALFORMED,
        "byte_order_mark": _MALFORMED,
        "invalid_string": _MALFORMED,
        "non_finite_number": _MALFORMED,
        "integer_too_long": _MALFORMED,
        # Valid JSON that the rules reject: 422.
        "invalid_body": _FORMAT,
        "invalid_field": _FORMAT,
        "unknown_key": _UNKNOWN,
        "duplicate_field": _UNKNOWN,
        "field_too_large": _TOO_LARGE,
        "metadata_too_large": _TOO_LARGE,
        "too_deep": _TOO_LARGE,
        # A body over the limits' own bound: read, since it was within the
        # server's, and then refused as that bound says.
        "body_too_large": _BODY_TOO_LARGE,
        # A value the store's database cannot hold exactly (check_storable).
        "unstorable_string": _VALUE,
        "unstorable_number": _VALUE,
        "unstorable_depth": _VALUE,
        # Codes a parsed body cannot raise; mapped all the same, never to a 5xx.
        "unsupported_type": _VALUE,
        "non_string_key": _VALUE,
        "circular_reference": _VALUE,
        "misplaced_omitted": _VALUE,
        "invalid_argument": _VALUE,
        "missing_field": _VALUE,
        "unpatchable_null": _VALUE,
        "unsupported_method": HttpError(
            405, "method_not_allowed", "This method is not allowed here."
        ),
    }
)
"""Every library error code, with the status and Clerk-style code it is answered with.
The library's code travels in the error's ``meta`` as ``code``."""

SERVER_ERRORS: Final[Mapping[str, HttpError]] = MappingProxyType(
    {
        "bad_request": HttpError(400, "bad_request", "The request is not valid HTTP/1.1."),
        "unauthorized": HttpError(
            401,
            "authentication_invalid",
            "The secret key is missing or wrong: send Authorization: Bearer <secret key>.",
        ),
        "not_found": HttpError(404, "resource_not_found", "There is no such resource."),
        "method": HttpError(405, "method_not_allowed", "This method is not allowed here."),
        "timeout": HttpError(408, "request_timeout", "The request did not arrive in time."),
        "length_required": HttpError(
            411,
            "content_length_required",
            "Send the body with a Content-Length; chunked bodies are not accepted.",
        ),
        "too_large": _BODY_TOO_LARGE,
        "param": _FORMAT,
        "unknown_param": _UNKNOWN,
        "unstorable": HttpError(
            422, "form_param_value_invalid", "The database cannot hold a value in the body."
        ),
    }
)
"""The errors the server raises itself, before or beside the library."""

CREATE_PARAMS: Final[tuple[str, ...]] = (
    "external_id",
    "first_name",
    "last_name",
    "username",
    "email_address",
    "public_metadata",
    "private_metadata",
    "unsafe_metadata",
)
"""The members ``POST /v1/users`` reads."""

IGNORED_CREATE_PARAMS: Final[tuple[str, ...]] = (
    "password",
    "password_digest",
    "password_hasher",
    "skip_password_checks",
    "skip_password_requirement",
    "skip_legal_checks",
)
"""Members Clerk accepts on create that mean nothing here: accepted and dropped."""

USER_FIELDS: Final[tuple[tuple[str, JSONValue], ...]] = (
    ("id", None),
    ("object", "user"),
    ("external_id", None),
    ("primary_email_address_id", None),
    ("primary_phone_number_id", None),
    ("primary_web3_wallet_id", None),
    ("username", None),
    ("first_name", None),
    ("last_name", None),
    ("image_url", ""),
    ("has_image", False),
    ("public_metadata", None),
    ("private_metadata", None),
    ("unsafe_metadata", None),
    ("email_addresses", []),
    ("phone_numbers", []),
    ("web3_wallets", []),
    ("passkeys", []),
    ("password_enabled", False),
    ("two_factor_enabled", False),
    ("totp_enabled", False),
    ("backup_code_enabled", False),
    ("mfa_enabled_at", None),
    ("mfa_disabled_at", None),
    ("external_accounts", []),
    ("saml_accounts", []),
    ("enterprise_accounts", []),
    ("last_sign_in_at", None),
    ("banned", False),
    ("locked", False),
    ("lockout_expires_in_seconds", None),
    ("verification_attempts_remaining", None),
    ("updated_at", None),
    ("created_at", None),
    ("delete_self_enabled", True),
    ("create_organization_enabled", True),
    ("last_active_at", None),
    ("legal_accepted_at", None),
)
"""Every member of the User object, in order, with the value it has unless the user sets it."""

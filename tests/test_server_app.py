"""The pure app: every route, status, error and header, as data says, with nothing half-done."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

import pytest
from hypothesis import given
from hypothesis import strategies as st

from metadata_semantics import (
    ERROR_CODES,
    JSONValue,
    Limits,
    UserMetadata,
    UserMetadataParams,
    apply_request,
    dump_json,
    parse_json,
)
from metadata_semantics.server import (
    ADMIN_PREFIX,
    ERROR_MAP,
    JSON_CONTENT_TYPE,
    ROUTES,
    SERVER_ERRORS,
    USER_FIELDS,
    Config,
    Request,
    SQLiteStore,
    body_length,
    build_user,
    check_head,
    handle,
    new_id,
    openapi_document,
    valid_user_id,
)
from metadata_semantics.server._sqlstore import LOG_SIZE, SQLStore
from metadata_semantics.sql import STORABLE_DEPTH

from served import AUTH, KEY, STORES, answer, call, config, create, new_store
from strict import same

if TYPE_CHECKING:
    from collections.abc import Iterator

    from metadata_semantics.server import Response, Store


@pytest.fixture(params=STORES)
def store(request: pytest.FixtureRequest) -> Iterator[Store]:
    """Each test that touches storage runs on every kind of store."""
    with new_store(request.param, request) as db:
        yield db


def clerk_shaped(response: Response) -> dict[str, JSONValue]:
    """Check the Clerk error shape exactly and return the one error."""
    body = answer(response)
    assert set(body) == {"errors", "clerk_trace_id"}
    assert isinstance(body["clerk_trace_id"], str)
    errors = body["errors"]
    assert isinstance(errors, list)
    assert len(errors) == 1
    error = errors[0]
    assert isinstance(error, dict)
    assert set(error) == {"code", "message", "long_message", "meta"}
    for name in ("code", "message", "long_message"):
        assert isinstance(error[name], str)
        assert error[name]
    assert isinstance(error["meta"], dict)
    return error


def content_type(response: Response) -> list[str]:
    return [value for name, value in response.headers if name.lower() == "content-type"]


def user_of(store: Store, user_id: str) -> dict[str, JSONValue]:
    response = call(store, "GET", f"/v1/users/{user_id}")
    assert response.status == 200
    return answer(response)


def metadata_of(store: Store, user_id: str) -> JSONValue:
    user = user_of(store, user_id)
    return [user[name] for name in ("public_metadata", "private_metadata", "unsafe_metadata")]


def target(route_pattern: str, user_id: str) -> str:
    return route_pattern.replace("{user_id}", user_id)


# Routes and statuses -----------------------------------------------------


def test_every_route_answers_200_with_json(store: Store) -> None:
    user_id = create(store)
    bodies = {"PUT": b'{"public_metadata":{}}', "PATCH": b"{}", "POST": b"{}"}
    # DELETE and reset last: they remove what the others need.
    order = sorted(ROUTES, key=lambda route: route.handler in {"delete_user", "reset"})
    for route in order:
        response = call(
            store, route.method, target(route.pattern, user_id), bodies.get(route.method, b"")
        )
        assert response.status == 200, (route, response.body)
        assert content_type(response) == [JSON_CONTENT_TYPE]
        assert isinstance(parse_json(response.body), dict)


def test_the_content_type_is_exactly_application_json() -> None:
    """With a charset added, the JavaScript SDK hands back a raw string instead of a User."""
    assert JSON_CONTENT_TYPE == "application/json"


def test_content_length_is_the_body_length(store: Store) -> None:
    for response in (
        call(store, "GET", "/__admin/health"),
        call(store, "GET", "/nowhere"),
        call(store, "POST", "/v1/users", b"{"),
    ):
        lengths = [value for name, value in response.headers if name == "Content-Length"]
        assert lengths == [str(len(response.body))]


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "",
        "/v1",
        "/v1/users/user_1/metadata/extra",
        "/v2/users",
        "/V1/users",
        "/__admin",
        "/__admin/",
        "/__admin/nothing",
        "/v1/users/user_1/Metadata",
    ],
)
def test_an_unknown_route_is_404(store: Store, path: str) -> None:
    for method in ("GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "BREW"):
        response = call(store, method, path)
        assert response.status == 404
        assert clerk_shaped(response)["code"] == "resource_not_found"


def _patterns() -> dict[str, set[str]]:
    methods: dict[str, set[str]] = {}
    for route in ROUTES:
        methods.setdefault(route.pattern, set()).add(route.method)
    return methods


@pytest.mark.parametrize("pattern", sorted(_patterns()))
def test_a_method_the_route_lacks_is_405_with_allow(store: Store, pattern: str) -> None:
    allowed = _patterns()[pattern]
    path = target(pattern, "user_1")
    for method in {"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "put"} - allowed:
        response = call(store, method, path)
        assert response.status == 405, method
        assert clerk_shaped(response)["code"] == "method_not_allowed"
        allow = [value for name, value in response.headers if name == "Allow"]
        assert allow == [", ".join(sorted(allowed))]


def test_an_unknown_user_is_404_on_every_user_route(store: Store) -> None:
    for route in ROUTES:
        if "{user_id}" in route.pattern:
            response = call(store, route.method, target(route.pattern, "user_nobody"), b"{}")
            assert response.status == 404
            assert clerk_shaped(response)["code"] == "resource_not_found"


@pytest.mark.parametrize("body", [b"{", b"[]", b'{"public_metadata": 1}', b'{"x": {}}'])
@pytest.mark.parametrize("method", ["PUT", "PATCH"])
def test_a_write_to_an_unknown_user_is_404_whatever_its_body(
    store: Store, method: str, body: bytes
) -> None:
    """The body is read before the database is asked, but no user still answers 404."""
    response = call(store, method, "/v1/users/user_nobody/metadata", body)
    assert response.status == 404
    assert clerk_shaped(response)["code"] == "resource_not_found"
    user_id = create(store)
    assert call(store, method, f"/v1/users/{user_id}/metadata", body).status in {400, 422}


@pytest.mark.parametrize(
    "user_id",
    [
        "..",
        ".",
        "user_a%2Fb",
        "user_a%2fb",
        "%2E%2E",
        "user_" + "a" * 10_000,
        "user_" + "a" * 60,
        "user_",
        "user-abc",
        "usr_abc",
        "user_ab%00",
        "user_a b",
        "user_é",
        "user_a%FF",
        "'; DROP TABLE users; --",
    ],
)
def test_a_path_trick_is_404_and_reaches_no_sql(store: Store, user_id: str) -> None:
    real = create(store)
    before = metadata_of(store, real)
    for method, suffix in (
        ("GET", ""),
        ("DELETE", ""),
        ("PUT", "/metadata"),
        ("PATCH", "/metadata"),
    ):
        response = call(store, method, f"/v1/users/{user_id}{suffix}", b'{"public_metadata":{}}')
        assert response.status == 404
        assert clerk_shaped(response)["code"] == "resource_not_found"
    assert same(metadata_of(store, real), before)


def test_a_dot_dot_path_is_not_normalised(store: Store) -> None:
    real = create(store)
    response = call(store, "GET", f"/v1/users/user_x/../{real}")
    assert response.status == 404


def test_the_longest_user_id_is_accepted_and_one_more_is_not() -> None:
    assert valid_user_id("user_" + "a" * 59)
    assert not valid_user_id("user_" + "a" * 60)
    assert not valid_user_id("user_a\n")


def test_a_percent_encoded_id_is_decoded_once(store: Store) -> None:
    real = create(store)
    encoded = real.replace("_", "%5F")
    assert call(store, "GET", f"/v1/users/{encoded}").status == 200
    assert call(store, "GET", f"/v1/users/{real.replace('_', '%255F')}").status == 404


def test_the_query_string_is_ignored(store: Store) -> None:
    real = create(store)
    assert call(store, "GET", f"/v1/users/{real}?a=1&b").status == 200


# Authentication ------------------------------------------------------------

_BAD_AUTH: list[tuple[tuple[str, str], ...]] = [
    (),
    (("authorization", f"Bearer {KEY}x"),),
    (("authorization", f"Bearer {KEY[:-1]}"),),
    (("authorization", f"Basic {KEY}"),),
    (("authorization", KEY),),
    (("authorization", "Bearer "),),
    (("authorization", "Bearer"),),
    (("authorization", ""),),
    (("authorization", "Bearer \xe9\xff"),),
    (("authorization", f"Bearer {KEY}\xe9"),),
    (("authorization", f"Bearer {KEY}\u20ac"),),
    (AUTH, AUTH),
    (("x-authorization", f"Bearer {KEY}"),),
]


@pytest.mark.parametrize("route", ROUTES, ids=lambda route: f"{route.method} {route.pattern}")
def test_every_route_refuses_a_missing_or_wrong_key(store: Store, route: object) -> None:
    real = create(store)
    before = metadata_of(store, real)
    method, pattern = cast("tuple[str, str]", (route.method, route.pattern))  # type: ignore[attr-defined]
    for headers in _BAD_AUTH:
        response = call(store, method, target(pattern, real), b"{}", headers=headers)
        assert response.status == 401, headers
        assert clerk_shaped(response)["code"] == "authentication_invalid"
    assert call(store, "GET", f"/v1/users/{real}").status == 200
    assert same(metadata_of(store, real), before)


def test_the_key_is_checked_before_the_route(store: Store) -> None:
    assert call(store, "GET", "/nowhere", headers=()).status == 401
    assert call(store, "BREW", "/__admin/health", headers=()).status == 401


def test_any_key_of_several_is_accepted_and_the_scheme_is_case_blind(store: Store) -> None:
    cfg = Config(("sk_one", "sk_two"))
    for header in ("Bearer sk_one", "bearer sk_two", "BEARER  sk_two "):
        response = call(
            store, "GET", "/__admin/health", cfg=cfg, headers=(("authorization", header),)
        )
        assert response.status == 200, header


def test_any_clerk_api_version_header_is_accepted(store: Store) -> None:
    for version in ("2024-10-01", "2025-04-10", "nonsense", ""):
        headers = (AUTH, ("clerk-api-version", version))
        assert call(store, "GET", "/__admin/health", headers=headers).status == 200


# The error map ---------------------------------------------------------------


def test_the_error_map_covers_every_library_code_exactly() -> None:
    assert set(ERROR_MAP) == set(ERROR_CODES)


def test_no_mapped_error_is_a_5xx() -> None:
    for kind in (*ERROR_MAP.values(), *SERVER_ERRORS.values()):
        assert 400 <= kind.status < 500
        assert kind.clerk_code
        assert kind.message


_BIG = "x" * 9000
_HALF = "x" * 5000
# A body that raises each library code a request can raise over HTTP.
_REJECTED: dict[str, bytes] = {
    "invalid_json": b'{"public_metadata":',
    "trailing_data": b"{} {}",
    "duplicate_key": b'{"public_metadata":{},"public_metadata":{}}',
    "invalid_utf8": b'{"public_metadata":{"a":"\xff"}}',
    "byte_order_mark": "\ufeff{}".encode(),
    "invalid_string": b'{"public_metadata":{"a":"\\ud800"}}',
    "non_finite_number": b'{"public_metadata":{"a":1e999}}',
    "integer_too_long": b'{"public_metadata":{"a":' + b"9" * 5000 + b"}}",
    "invalid_body": b"[]",
    "invalid_field": b'{"public_metadata":1}',
    "unknown_key": b'{"metadata":{}}',
    "duplicate_field": b'{"public_metadata":{},"publicMetadata":{}}',
    "field_too_large": f'{{"public_metadata":{{"a":"{_BIG}"}}}}'.encode(),
    "metadata_too_large": (
        f'{{"public_metadata":{{"a":"{_HALF}"}},"private_metadata":{{"a":"{_HALF}"}}}}'
    ).encode(),
    "too_deep": b'{"public_metadata":{"a":{"b":{"c":{}}}}}',
}
# Codes no body sent over HTTP can raise: each names a Python-side mistake.
_UNREACHABLE = {
    "unsupported_type",
    "non_string_key",
    "circular_reference",
    "misplaced_omitted",
    "invalid_argument",
    "missing_field",
    "unpatchable_null",
    "unsupported_method",
    "empty_input",
    # The server's own bound is never above the limits' body bound, so a body
    # that large is refused from its Content-Length before the library sees it.
    "body_too_large",
}


# A body each store's database cannot hold exactly, by code, and the stores
# that refuse it (metadata_semantics.sql.check_storable); the others store it.
_DEEP = STORABLE_DEPTH["sqlite"] + 1
_UNSTORABLE: dict[str, tuple[bytes, frozenset[str]]] = {
    "unstorable_string": (b'{"public_metadata":{"a":"\\u0000"}}', frozenset({"postgresql"})),
    "unstorable_number": (b'{"public_metadata":{"a":-0.0}}', frozenset({"postgresql"})),
    "unstorable_depth": (
        b'{"public_metadata":{"a":' + b"[" * _DEEP + b"]" * _DEEP + b"}}",
        frozenset({"sqlite", "postgresql"}),
    ),
}


def test_every_library_code_is_reached_or_named_unreachable() -> None:
    assert set(_REJECTED) | set(_UNSTORABLE) | _UNREACHABLE == set(ERROR_MAP)
    assert not set(_REJECTED) & _UNREACHABLE
    assert not set(_UNSTORABLE) & (_UNREACHABLE | set(_REJECTED))


@pytest.mark.parametrize("code", sorted(_UNSTORABLE))
@pytest.mark.parametrize("method", ["PUT", "PATCH"])
def test_a_value_the_database_cannot_hold_is_refused_before_any_write(
    store: Store, code: str, method: str
) -> None:
    """A store refuses up front what its database would change, and stores the rest exactly."""
    cfg = config(limits=None)
    user_id = create(store, b'{"public_metadata":{"keep":1}}', cfg)
    before = user_of(store, user_id)
    body, refusing = _UNSTORABLE[code]
    response = call(store, method, f"/v1/users/{user_id}/metadata", body, cfg=cfg)
    if cast("SQLStore", store).dialect not in refusing:
        assert response.status == 200
        stored = cast("dict[str, JSONValue]", user_of(store, user_id)["public_metadata"])
        given_value = cast("dict[str, JSONValue]", parse_json(body))["public_metadata"]
        assert same(cast("dict[str, JSONValue]", given_value)["a"], stored["a"])
        return
    kind = ERROR_MAP[code]
    assert response.status == kind.status == 422
    meta = cast("dict[str, JSONValue]", clerk_shaped(response)["meta"])
    assert meta["code"] == code
    assert cast("str", meta["path"]).startswith("/public_metadata/a")
    assert same(user_of(store, user_id), before)


def test_an_unstorable_body_for_an_unknown_user_is_still_a_404(store: Store) -> None:
    body, _ = _UNSTORABLE["unstorable_depth"]
    response = call(
        store, "PATCH", "/v1/users/user_missing/metadata", body, cfg=config(limits=None)
    )
    assert response.status == 404


@pytest.mark.parametrize("code", sorted(_REJECTED))
@pytest.mark.parametrize("method", ["PUT", "PATCH"])
def test_a_rejected_write_gets_its_mapped_error_and_changes_nothing(
    store: Store, code: str, method: str
) -> None:
    cfg = config(limits=Limits(max_field_bytes=8192, max_total_bytes=8192, max_depth=3))
    user_id = create(store, b'{"public_metadata":{"keep":[1,true]},"unsafe_metadata":null}', cfg)
    before = user_of(store, user_id)
    response = call(store, method, f"/v1/users/{user_id}/metadata", _REJECTED[code], cfg=cfg)
    kind = ERROR_MAP[code]
    assert response.status == kind.status
    assert content_type(response) == [JSON_CONTENT_TYPE]
    error = clerk_shaped(response)
    assert error["code"] == kind.clerk_code
    meta = cast("dict[str, JSONValue]", error["meta"])
    assert meta["code"] == code
    assert isinstance(meta["path"], str)
    after = user_of(store, user_id)
    assert same(after, before)


@pytest.mark.parametrize(
    ("limits", "bound"),
    [
        (None, 4096),
        (Limits(), 4096),
        (Limits(max_body_bytes=1000), 1000),
        (Limits(max_body_bytes=9000), 4096),
    ],
)
def test_the_body_bound_is_the_smaller_of_the_servers_and_the_limits(
    store: Store, limits: Limits | None, bound: int
) -> None:
    cfg = config(limits=limits, max_body_bytes=4096)
    assert cfg.body_bound == bound
    user_id = create(store, cfg=cfg)
    target = f"/v1/users/{user_id}/metadata"
    for size, status in ((bound, 200), (bound + 1, 413)):
        body = b'{"public_metadata":{}' + b" " * (size - 22) + b"}"
        assert len(body) == size
        head = (AUTH, ("content-length", str(size)))
        early = check_head(head, cfg)
        assert (early is None) == (status == 200)
        response = call(store, "PATCH", target, body, cfg=cfg)
        assert response.status == status


def test_malformed_json_is_400_and_a_rule_rejection_is_422() -> None:
    assert ERROR_MAP["invalid_json"].status == 400
    assert ERROR_MAP["invalid_field"].status == 422
    assert ERROR_MAP["field_too_large"].status == 422


def test_a_rejected_field_names_its_param(store: Store) -> None:
    user_id = create(store)
    response = call(store, "PATCH", f"/v1/users/{user_id}/metadata", b'{"unsafe_metadata":[]}')
    meta = cast("dict[str, JSONValue]", clerk_shaped(response)["meta"])
    assert meta == {
        "code": "invalid_field",
        "path": "/unsafe_metadata",
        "param_name": "unsafe_metadata",
    }


@pytest.mark.parametrize("method", ["PUT", "PATCH"])
def test_an_error_about_a_lone_surrogate_key_is_answered_in_strict_json(
    store: Store, method: str
) -> None:
    """The path and message name the bad key; strict JSON carries it as U+FFFD."""
    user_id = create(store, b'{"public_metadata":{"a":1}}')
    before = metadata_of(store, user_id)
    body = b'{"public_metadata":{"\\udfff":1}}'
    response = call(store, method, f"/v1/users/{user_id}/metadata", body)
    assert response.status == 400
    error = clerk_shaped(response)
    meta = cast("dict[str, JSONValue]", error["meta"])
    assert (meta["code"], meta["path"]) == ("invalid_string", "/public_metadata/\ufffd")
    assert same(metadata_of(store, user_id), before)


# Writes ------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["PUT", "PATCH"])
@pytest.mark.parametrize("body", [b"", b"   ", b"\r\n\t "])
def test_an_empty_body_provides_nothing(store: Store, method: str, body: bytes) -> None:
    """apply_request: a missing, empty or whitespace-only body provides no field."""
    user_id = create(store, b'{"public_metadata":{"a":1},"private_metadata":null}')
    before = user_of(store, user_id)
    response = call(store, method, f"/v1/users/{user_id}/metadata", body)
    assert response.status == 200
    after = answer(response)
    assert same(metadata_of(store, user_id), [{"a": 1}, None, {}])
    assert cast("int", after["updated_at"]) > cast("int", before["updated_at"])
    assert after["created_at"] == before["created_at"]


def test_put_replaces_and_patch_merges_as_the_library_does(store: Store) -> None:
    stored = b'{"public_metadata":{"a":{"b":1,"c":2}},"private_metadata":{"x":1}}'
    record = UserMetadata({"a": {"b": 1, "c": 2}}, {"x": 1}, {})
    body = b'{"public_metadata":{"a":{"b":null,"d":[null]}},"unsafe_metadata":null}'
    for method in ("PUT", "PATCH"):
        user_id = create(store, stored)
        response = call(store, method, f"/v1/users/{user_id}/metadata", body)
        expected = apply_request(record, method, body)
        got = answer(response)
        assert same(got["public_metadata"], expected.public_metadata)
        assert same(got["private_metadata"], expected.private_metadata)
        assert same(got["unsafe_metadata"], expected.unsafe_metadata)
        assert same(
            metadata_of(store, user_id),
            [got["public_metadata"], got["private_metadata"], got["unsafe_metadata"]],
        )


def test_a_stored_null_public_metadata_is_stored_and_returned_faithfully(
    store: Store,
) -> None:
    """The interop hazard: clerk-backend-api 7.0.0 cannot parse this user; it is the spec."""
    user_id = create(store)
    response = call(store, "PUT", f"/v1/users/{user_id}/metadata", b'{"public_metadata":null}')
    assert answer(response)["public_metadata"] is None
    assert user_of(store, user_id)["public_metadata"] is None
    assert b'"public_metadata":null' in call(store, "GET", f"/v1/users/{user_id}").body


def test_no_limits_lets_a_large_write_through(store: Store) -> None:
    cfg = config(limits=None)
    user_id = create(store, cfg=cfg)
    body = _REJECTED["field_too_large"]
    assert call(store, "PATCH", f"/v1/users/{user_id}/metadata", body, cfg=cfg).status == 200
    assert call(store, "PATCH", f"/v1/users/{user_id}/metadata", body).status == 422


# The User object ------------------------------------------------------------------

# The members the Python SDK's User model requires, as the issue lists them.
_REQUIRED = (
    "id",
    "object",
    "external_id",
    "primary_email_address_id",
    "primary_phone_number_id",
    "primary_web3_wallet_id",
    "username",
    "first_name",
    "last_name",
    "has_image",
    "public_metadata",
    "private_metadata",
    "unsafe_metadata",
    "email_addresses",
    "phone_numbers",
    "web3_wallets",
    "passkeys",
    "password_enabled",
    "two_factor_enabled",
    "totp_enabled",
    "backup_code_enabled",
    "mfa_enabled_at",
    "mfa_disabled_at",
    "external_accounts",
    "saml_accounts",
    "enterprise_accounts",
    "last_sign_in_at",
    "banned",
    "locked",
    "lockout_expires_in_seconds",
    "verification_attempts_remaining",
    "updated_at",
    "created_at",
    "delete_self_enabled",
    "create_organization_enabled",
    "last_active_at",
    "legal_accepted_at",
)


def test_a_user_has_every_member_the_sdk_requires_and_no_other(store: Store) -> None:
    user = user_of(store, create(store))
    assert set(_REQUIRED) <= set(user)
    assert list(user) == [name for name, _ in USER_FIELDS]
    assert user["object"] == "user"
    assert same(user["public_metadata"], {})
    for name in ("created_at", "updated_at"):
        assert type(user[name]) is int
    for name in ("email_addresses", "phone_numbers", "web3_wallets", "passkeys"):
        assert isinstance(user[name], list)


def test_the_clock_gives_unix_milliseconds(store: Store) -> None:
    user = user_of(store, create(store, cfg=Config((KEY,))))
    created = cast("int", user["created_at"])
    assert 1_600_000_000_000 < created < 4_000_000_000_000


def test_create_reads_every_param_it_accepts(store: Store) -> None:
    body = {
        "external_id": "ext-1",
        "first_name": "Ada",
        "last_name": "Lovelace",
        "username": "ada",
        "email_address": ["ada@example.com", "a@example.org"],
        "public_metadata": {"a": {"b": None}},
        "private_metadata": None,
        "unsafe_metadata": {"u": 1.0},
        "password": "ignored",
        "skip_password_checks": True,
    }
    response = call(store, "POST", "/v1/users", dump_json(body).encode())
    user = answer(response)
    assert response.status == 200
    for name in ("external_id", "first_name", "last_name", "username"):
        assert user[name] == body[name]
    emails = cast("list[dict[str, JSONValue]]", user["email_addresses"])
    assert [email["email_address"] for email in emails] == body["email_address"]
    assert user["primary_email_address_id"] == emails[0]["id"]
    assert same(user["public_metadata"], {"a": {"b": None}})
    assert user["private_metadata"] is None
    assert same(user["unsafe_metadata"], {"u": 1.0})
    assert "password" not in user
    assert valid_user_id(cast("str", user["id"]))
    assert same(user_of(store, cast("str", user["id"])), user)


@pytest.mark.parametrize(
    ("body", "status", "code", "param"),
    [
        (b'{"nickname":"x"}', 422, "form_param_unknown", "nickname"),
        (b'{"first_name":1}', 422, "form_param_format_invalid", "first_name"),
        (b'{"username":["a"]}', 422, "form_param_format_invalid", "username"),
        (b'{"email_address":"a@b.c"}', 422, "form_param_format_invalid", "email_address"),
        (b'{"email_address":[1]}', 422, "form_param_format_invalid", "email_address"),
        (b'{"public_metadata":[]}', 422, "form_param_format_invalid", "public_metadata"),
        (b'"user"', 422, "form_param_format_invalid", None),
        (b'{"first_name":', 400, "malformed_request_body", None),
    ],
)
def test_a_bad_create_body_is_refused_and_creates_nothing(
    store: Store, body: bytes, status: int, code: str, param: str | None
) -> None:
    response = call(store, "POST", "/v1/users", body)
    assert response.status == status
    error = clerk_shaped(response)
    assert error["code"] == code
    meta = cast("dict[str, JSONValue]", error["meta"])
    assert meta.get("param_name") == param
    assert store.reset() == 0


def test_create_applies_the_limits(store: Store) -> None:
    response = call(store, "POST", "/v1/users", _REJECTED["field_too_large"])
    assert response.status == 422
    assert store.reset() == 0


def test_build_user_keeps_a_given_id() -> None:
    user = build_user({}, config(), user_id="user_given")
    assert user.id == "user_given"


def test_new_ids_look_like_clerk_ids() -> None:
    ids = {new_id("user") for _ in range(50)}
    assert len(ids) == 50
    assert all(valid_user_id(user_id) and len(user_id) == 32 for user_id in ids)


def test_delete_answers_the_deleted_object_and_the_user_is_gone(store: Store) -> None:
    user_id = create(store)
    response = call(store, "DELETE", f"/v1/users/{user_id}")
    assert response.status == 200
    assert answer(response) == {"id": user_id, "object": "user", "deleted": True}
    assert call(store, "GET", f"/v1/users/{user_id}").status == 404
    assert call(store, "DELETE", f"/v1/users/{user_id}").status == 404
    assert call(store, "PATCH", f"/v1/users/{user_id}/metadata", b"{}").status == 404


# Admin routes --------------------------------------------------------------------


def test_reset_removes_every_user_and_the_log(store: Store) -> None:
    ids = [create(store) for _ in range(3)]
    response = call(store, "POST", "/__admin/reset")
    assert answer(response) == {"object": "reset", "deleted_users": 3}
    for user_id in ids:
        assert call(store, "GET", f"/v1/users/{user_id}").status == 404
    log = answer(call(store, "GET", "/__admin/requests"))
    assert log["total_count"] == 3  # the three GETs above, after the reset


def test_health_says_ok(store: Store) -> None:
    assert answer(call(store, "GET", "/__admin/health")) == {"status": "ok"}


def test_the_request_log_holds_what_was_sent_without_the_key(store: Store) -> None:
    user_id = create(store)
    headers = (AUTH, ("content-type", "application/json"), ("x-odd", "\xe9\xff"))
    call(store, "PATCH", f"/v1/users/{user_id}/metadata?x=1", b'{"a":\xff}', headers=headers)
    call(store, "GET", "/__admin/health")
    call(store, "GET", "/nowhere", headers=())
    log = cast(
        "list[dict[str, JSONValue]]", answer(call(store, "GET", "/__admin/requests"))["data"]
    )
    assert [(entry["method"], entry["path"], entry["status"]) for entry in log] == [
        ("POST", "/v1/users", 200),
        ("PATCH", f"/v1/users/{user_id}/metadata", 400),
        ("GET", "/nowhere", 401),
    ]
    patch = log[1]
    assert patch["query"] == "x=1"
    assert patch["body"] == '{"a":\ufffd}'
    assert patch["headers"] == {"content-type": "application/json", "x-odd": "\xe9\xff"}
    assert all(KEY not in dump_json(entry) for entry in log)


def test_the_request_log_keeps_the_newest_entries(store: Store) -> None:
    for number in range(LOG_SIZE + 5):
        call(store, "GET", f"/n{number}")
    log = cast(
        "list[dict[str, JSONValue]]", answer(call(store, "GET", "/__admin/requests"))["data"]
    )
    assert len(log) == LOG_SIZE
    assert log[0]["path"] == "/n5"
    assert log[-1]["path"] == f"/n{LOG_SIZE + 4}"


def test_admin_routes_are_not_logged(store: Store) -> None:
    for route in ROUTES:
        if route.pattern.startswith(ADMIN_PREFIX) and route.handler != "reset":
            call(store, route.method, route.pattern)
    assert answer(call(store, "GET", "/__admin/requests"))["total_count"] == 0


def test_the_openapi_route_serves_the_package_file(store: Store) -> None:
    response = call(store, "GET", "/__admin/openapi.json")
    assert response.body == openapi_document()
    assert content_type(response) == [JSON_CONTENT_TYPE]


# Bodies and their length ------------------------------------------------------------


def test_a_body_over_the_bound_is_413_and_changes_nothing(store: Store) -> None:
    cfg = config(max_body_bytes=16)
    user_id = create(store, cfg=cfg)
    before = user_of(store, user_id)
    ok = call(store, "PATCH", f"/v1/users/{user_id}/metadata", b'{"a":1}'.ljust(16), cfg=cfg)
    assert ok.status == 422  # 16 bytes: read, and judged by the rules
    response = call(store, "PATCH", f"/v1/users/{user_id}/metadata", b"{}".ljust(17), cfg=cfg)
    assert response.status == 413
    assert clerk_shaped(response)["code"] == "request_body_too_large"
    assert same(user_of(store, user_id), before)


@pytest.mark.parametrize(
    ("headers", "status", "code"),
    [
        ((("transfer-encoding", "chunked"),), 411, "content_length_required"),
        ((("content-length", "1000000000"),), 413, "request_body_too_large"),
        ((("content-length", "9" * 5000),), 413, "request_body_too_large"),
        ((("content-length", "1048577"),), 413, "request_body_too_large"),
        ((("content-length", "abc"),), 400, "bad_request"),
        ((("content-length", "-1"),), 400, "bad_request"),
        ((("content-length", ""),), 400, "bad_request"),
        ((("content-length", "1, 1"),), 400, "bad_request"),
        ((("content-length", "1"), ("content-length", "2")), 400, "bad_request"),
    ],
)
def test_a_head_that_forbids_reading_the_body_is_answered_at_once(
    headers: tuple[tuple[str, str], ...], status: int, code: str
) -> None:
    response = check_head(headers, config())
    assert response is not None
    assert response.status == status
    assert response.close
    assert clerk_shaped(response)["code"] == code


@pytest.mark.parametrize(
    "headers",
    [
        (),
        (("content-length", "0"),),
        (("content-length", " 12 "),),
        (("content-length", "5"),) * 2,
        (("content-length", "0" * 30 + "5"),),
        (("content-length", "1048576"),),
    ],
)
def test_a_plain_head_lets_the_body_be_read(headers: tuple[tuple[str, str], ...]) -> None:
    assert check_head(headers, config(limits=None)) is None


@pytest.mark.parametrize(
    ("value", "length"), [("0", 0), ("17", 17), (" 5 ", 5), ("0" * 5000 + "7", 7)]
)
def test_the_declared_length_is_read_from_any_number_of_digits(value: str, length: int) -> None:
    headers = (("content-length", value),)
    assert check_head(headers, config()) is None
    assert body_length(headers) == length
    assert body_length(()) == 0


def test_handle_refuses_a_declared_oversize_body_too(store: Store) -> None:
    headers = (AUTH, ("content-length", str(10**9)))
    response = handle(Request("GET", "/__admin/health", headers), store, config())
    assert response.status == 413


# The store's own guard ----------------------------------------------------------------


def test_the_store_refuses_an_id_that_is_not_one(store: Store) -> None:
    for method in (store.get, store.delete):
        with pytest.raises(ValueError, match="not a user id"):
            method("x'; --")
    with pytest.raises(ValueError, match="not a user id"):
        store.write("..", "merge", UserMetadataParams(), 0, lambda _record: None)


# Any request at all -------------------------------------------------------------------

# Any text at all, lone surrogates included: handle() takes str from any caller.
_ANY_TEXT = st.one_of(
    st.text(st.characters(exclude_categories=()), max_size=30),
    st.sampled_from(["\ud800", "/v1/users/\udfff", "/\u20ac\x00", "Bearer \udc80", ""]),
)
_TARGETS = st.one_of(
    _ANY_TEXT,
    st.sampled_from([route.pattern for route in ROUTES]).map(
        lambda pattern: pattern.replace("{user_id}", "user_1")
    ),
)
_HEADERS = st.lists(
    st.tuples(
        st.sampled_from(["authorization", "content-length", "x", "transfer-encoding"]), _ANY_TEXT
    ),
    max_size=4,
).map(lambda pairs: (AUTH, *pairs))


@given(
    st.one_of(st.sampled_from(["GET", "POST", "PUT", "PATCH", "DELETE"]), _ANY_TEXT),
    _TARGETS,
    _HEADERS,
    st.binary(max_size=64),
)
def test_any_request_gets_a_json_answer_and_never_a_5xx(
    method: str, target_path: str, headers: tuple[tuple[str, str], ...], body: bytes
) -> None:
    """handle() never raises for any request: every client mistake is a 4xx with a Clerk body."""
    store = SQLiteStore(":memory:")
    try:
        store.create(build_user({}, config(), user_id="user_1"))
        response = handle(Request(method, target_path, headers, body), store, config())
        assert 200 <= response.status < 500
        assert isinstance(parse_json(response.body), dict)
        log = answer(call(store, "GET", "/__admin/requests"))
        assert isinstance(log["data"], list)
    finally:
        store.close()

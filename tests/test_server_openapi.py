"""The OpenAPI document describes exactly the routes served, and ships inside the package."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any, cast

from metadata_semantics.server import ROUTES, openapi_document

_METHODS = {"get", "put", "post", "delete", "patch", "head", "options", "trace"}


def _document() -> dict[str, Any]:
    return cast("dict[str, Any]", json.loads(openapi_document()))


def test_the_document_lists_exactly_the_routes_served() -> None:
    documented = {
        (method.upper(), path)
        for path, item in _document()["paths"].items()
        for method in item
        if method in _METHODS
    }
    assert documented == {(route.method, route.pattern) for route in ROUTES}


def test_each_operation_has_its_route_summary_and_answers_401() -> None:
    summaries = {(route.method, route.pattern): route.summary for route in ROUTES}
    for path, item in _document()["paths"].items():
        for method, operation in item.items():
            if method in _METHODS:
                assert operation["summary"] == summaries[method.upper(), path]
                assert "401" in operation["responses"]
                assert "200" in operation["responses"]


def test_it_is_openapi_3_with_bearer_auth_and_resolvable_references() -> None:
    document = _document()
    assert document["openapi"].startswith("3.")
    assert document["security"] == [{"bearerAuth": []}]
    text = openapi_document().decode()
    for reference in set(re.findall(r'"\$ref": "#/([^"]+)"', text)):
        node: Any = document
        for part in reference.split("/"):
            node = node[part]
        assert isinstance(node, dict)


def test_the_user_id_pattern_is_the_servers() -> None:
    from metadata_semantics.server import USER_ID

    parameter = _document()["components"]["parameters"]["UserId"]
    assert parameter["schema"]["pattern"] == f"^{USER_ID.pattern}$"


def test_the_wheel_carries_the_document(tmp_path: Path) -> None:
    """Built as pip builds it (hatchling from the package index), the wheel holds the file."""
    root = Path(__file__).parent.parent
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(root)],
        check=True,
        capture_output=True,
        timeout=600,
    )
    (wheel,) = tmp_path.glob("*.whl")
    with zipfile.ZipFile(wheel) as archive:
        assert archive.read("metadata_semantics/server/openapi.json") == openapi_document()


def test_the_create_body_lists_exactly_the_params_the_server_takes() -> None:
    """POST /v1/users refuses any other member, so the document allows no other."""
    from metadata_semantics.server import CREATE_PARAMS
    from metadata_semantics.server._routes import IGNORED_CREATE_PARAMS

    schema = _document()["components"]["schemas"]["CreateUser"]
    assert schema["additionalProperties"] is False
    assert set(schema["properties"]) == {*CREATE_PARAMS, *IGNORED_CREATE_PARAMS}

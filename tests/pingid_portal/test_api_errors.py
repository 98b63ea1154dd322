"""Every management API error returns the one envelope: code, message, fields."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema

from accounts.models import Membership
from accounts.services import api_token_create
from pingid_portal.actors import Actor

pytestmark = pytest.mark.django_db


def _token_client(membership: Membership) -> Client:
    _, secret = api_token_create(actor=Actor.for_membership(membership), name="t")
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}", raise_request_exception=False)


def _assert_envelope(response: object, status: int, code: str) -> None:
    assert response.status_code == status  # type: ignore[attr-defined]
    data = response.json()  # type: ignore[attr-defined]
    assert set(data) == {"code", "message", "fields"}
    assert data["code"] == code
    assert data["message"]


def test_401_without_token(client: Client) -> None:
    response = client.get("/api/v1/me/")

    _assert_envelope(response, 401, "not_authenticated")
    assert response["WWW-Authenticate"] == "Bearer"


def test_401_with_unknown_token() -> None:
    response = Client(HTTP_AUTHORIZATION="Bearer pp_unknown").get("/api/v1/me/")

    _assert_envelope(response, 401, "authentication_failed")


def test_403_for_role(auditor: Membership) -> None:
    response = _token_client(auditor).post(
        "/api/v1/administrators/", data="{}", content_type="application/json"
    )

    _assert_envelope(response, 403, "permission_denied")


def test_404_for_unknown_object(global_admin: Membership) -> None:
    response = _token_client(global_admin).get("/api/v1/administrators/999999/")

    _assert_envelope(response, 404, "not_found")


def test_404_for_unknown_path(client: Client) -> None:
    _assert_envelope(client.get("/api/v1/no-such-thing/"), 404, "not_found")


def test_405_for_unhandled_method(global_admin: Membership) -> None:
    response = _token_client(global_admin).put(
        "/api/v1/me/", data="{}", content_type="application/json"
    )

    _assert_envelope(response, 405, "method_not_allowed")


def test_400_for_invalid_json(global_admin: Membership) -> None:
    response = _token_client(global_admin).post(
        "/api/v1/tokens/", data="{not json", content_type="application/json"
    )

    _assert_envelope(response, 400, "parse_error")


def test_400_validation_names_fields(global_admin: Membership) -> None:
    response = _token_client(global_admin).post(
        "/api/v1/tokens/", data="{}", content_type="application/json"
    )

    _assert_envelope(response, 400, "invalid")
    assert list(response.json()["fields"]) == ["name"]


def test_415_for_form_body(global_admin: Membership) -> None:
    response = _token_client(global_admin).post("/api/v1/tokens/", {"name": "x"})

    _assert_envelope(response, 415, "unsupported_media_type")


@pytest.mark.urls("tests.pingid_portal.failing_urls")
def test_500_uses_envelope(global_admin: Membership) -> None:
    response = _token_client(global_admin).get("/api/v1/failing/")

    _assert_envelope(response, 500, "server_error")
    assert "deliberate" not in response.content.decode()


def test_schema_validates() -> None:
    schema = SchemaGenerator().get_schema(request=None, public=True)

    validate_schema(schema)
    assert "/api/v1/administrators/{administrator_id}/" in schema["paths"]
    assert "/api/v1/me/" in schema["paths"]
    me = schema["paths"]["/api/v1/me/"]["get"]["responses"]
    assert me["401"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Error"
    }
    assert schema["components"]["schemas"]["Error"]["required"] == [
        "code",
        "message",
        "fields",
    ]


def test_schema_and_docs_need_sign_in(client: Client) -> None:
    _assert_envelope(client.get("/api/v1/schema/"), 401, "not_authenticated")


def test_docs_load_assets_locally(global_admin: Membership, client_for: object) -> None:
    client = client_for(global_admin)  # type: ignore[operator]

    page = client.get("/api/v1/docs/")
    script = client.get("/api/v1/docs/?script=")
    schema = client.get("/api/v1/schema/")

    body = page.content.decode()
    assert page.status_code == 200
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle" in body
    assert "http://" not in body
    assert "https://" not in body
    assert "<script>" not in body
    assert "<style>" not in body
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert schema.status_code == 200


def test_400_for_deeply_nested_body(global_admin: Membership) -> None:
    from users.models import PingIDUser

    body = "[" * 5000 + "]" * 5000
    response = _token_client(global_admin).post(
        "/api/v1/users/", data=body, content_type="application/json"
    )

    _assert_envelope(response, 400, "parse_error")
    assert "nested too deeply" in response.json()["message"]
    assert not PingIDUser.objects.exists()


def test_413_for_body_over_upload_limit(global_admin: Membership) -> None:
    from django.conf import settings

    from users.models import PingIDUser

    body = json.dumps({"username": "big", "first_name": "x" * 3_000_000})
    response = _token_client(global_admin).post(
        "/api/v1/users/", data=body, content_type="application/json"
    )

    _assert_envelope(response, 413, "request_too_large")
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    assert f"at most {limit} bytes" in response.json()["message"]
    assert not PingIDUser.objects.exists()


@pytest.mark.parametrize("debug", [False, True])
@pytest.mark.parametrize("path", ["/api/v1/users/abc/", "/api/v1/nope/"])
def test_404_unmatched_api_url_is_json(
    global_admin: Membership, settings: Any, debug: bool, path: str
) -> None:
    settings.DEBUG = debug

    response = _token_client(global_admin).get(path)

    assert response["Content-Type"] == "application/json"
    _assert_envelope(response, 404, "not_found")

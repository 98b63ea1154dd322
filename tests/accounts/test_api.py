from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from django.test import Client

from accounts.models import ApiToken, Membership
from accounts.services import api_token_create
from activity.models import ActivityEvent
from pingid_portal.actors import Actor
from pingid_portal.permissions import Role

pytestmark = pytest.mark.django_db

ApiClientFor = Callable[..., Client]


@pytest.fixture
def api_client_for() -> ApiClientFor:
    """Return a client that sends a fresh API token of the given administrator."""

    def make(membership: Membership, **extra: str) -> Client:
        _, secret = api_token_create(
            actor=Actor.for_membership(membership), name="tests"
        )
        return Client(HTTP_AUTHORIZATION=f"Bearer {secret}", **extra)

    return make


def _json(client: Client, method: str, path: str, data: object = None) -> object:
    send = getattr(client, method)
    return send(path, data=json.dumps(data or {}), content_type="application/json")


def test_me(auditor: Membership, api_client_for: ApiClientFor) -> None:
    response = api_client_for(auditor).get("/api/v1/me/")

    assert response.status_code == 200
    data = response.json()
    assert data["email"] == auditor.user.email
    assert data["role"] == Role.AUDITOR
    assert data["organization"]["name"] == "Acme"
    assert "activity.export" in data["permissions"]
    assert "administrator.manage" not in data["permissions"]


def test_administrator_list_is_cursor_paginated(
    global_admin: Membership,
    make_admin: Callable[..., Membership],
    outsider: Membership,
    api_client_for: ApiClientFor,
) -> None:
    for _ in range(4):
        make_admin(global_admin.organization, Role.AUDITOR)
    client = api_client_for(global_admin)

    first = client.get("/api/v1/administrators/", {"page_size": 3}).json()
    second = client.get(first["next"]).json()

    emails = [row["email"] for row in first["results"] + second["results"]]
    assert len(emails) == 5
    assert outsider.user.email not in emails
    assert "cursor=" in first["next"]
    assert second["next"] is None


def test_administrator_create_returns_password_once(
    global_admin: Membership, api_client_for: ApiClientFor
) -> None:
    response = _json(
        api_client_for(global_admin),
        "post",
        "/api/v1/administrators/",
        {"email": "api.made@example.com", "role": Role.AUDITOR},
    )

    assert response.status_code == 201
    assert response["Cache-Control"] == "no-store"
    data = response.json()
    membership = Membership.objects.get(pk=data["id"])
    assert membership.user.check_password(data["generated_password"])


def test_administrator_create_validation_envelope(
    global_admin: Membership, api_client_for: ApiClientFor
) -> None:
    response = _json(
        api_client_for(global_admin),
        "post",
        "/api/v1/administrators/",
        {"email": "nope", "role": "owner"},
    )

    assert response.status_code == 400
    data = response.json()
    assert data["code"] == "invalid"
    assert set(data["fields"]) == {"email", "role"}
    assert data["message"]


def test_administrator_role_change_and_last_admin_conflict(
    global_admin: Membership, help_desk: Membership, api_client_for: ApiClientFor
) -> None:
    client = api_client_for(global_admin)

    changed = _json(
        client, "patch", f"/api/v1/administrators/{help_desk.pk}/", {"role": "auditor"}
    )
    conflict = _json(
        client,
        "patch",
        f"/api/v1/administrators/{global_admin.pk}/",
        {"role": "auditor"},
    )

    assert changed.status_code == 200
    assert changed.json()["role"] == Role.AUDITOR
    assert conflict.status_code == 409
    assert conflict.json()["code"] == "last_global_admin"
    assert "last active global administrator" in conflict.json()["message"]


def test_administrator_disable_enable_delete(
    global_admin: Membership, help_desk: Membership, api_client_for: ApiClientFor
) -> None:
    client = api_client_for(global_admin, HTTP_USER_AGENT="api-script/1.0")
    base = f"/api/v1/administrators/{help_desk.pk}"

    disabled = _json(client, "post", f"{base}/disable/", {"reason": "on leave"})
    enabled = _json(client, "post", f"{base}/enable/")
    deleted = _json(client, "delete", f"{base}/")

    assert disabled.json()["active"] is False
    assert enabled.json()["active"] is True
    assert deleted.status_code == 204
    assert not Membership.objects.filter(pk=help_desk.pk).exists()
    event = ActivityEvent.objects.get(action="administrator.disable")
    assert event.reason == "on leave"
    assert event.user_agent == "api-script/1.0"
    assert event.ip_address == "127.0.0.1"


def test_tokens_list_create_revoke(
    help_desk: Membership, api_client_for: ApiClientFor
) -> None:
    client = api_client_for(help_desk)

    created = _json(client, "post", "/api/v1/tokens/", {"name": "deploy bot"})
    token_id = created.json()["id"]
    revoked = _json(client, "post", f"/api/v1/tokens/{token_id}/revoke/")
    again = _json(client, "post", f"/api/v1/tokens/{token_id}/revoke/")
    listed = client.get("/api/v1/tokens/").json()["results"]

    assert created.status_code == 201
    assert created["Cache-Control"] == "no-store"
    assert created.json()["token"].startswith("pp_")
    assert revoked.json()["active"] is False
    assert again.status_code == 409
    assert again.json()["code"] == "already_revoked"
    assert {row["name"] for row in listed} == {"tests", "deploy bot"}
    assert all("token" not in row for row in listed)


def test_revoked_token_is_rejected(
    help_desk: Membership, api_client_for: ApiClientFor
) -> None:
    client = api_client_for(help_desk)
    ApiToken.objects.update(revoked_at="2026-01-01T00:00:00Z")

    response = client.get("/api/v1/me/")

    assert response.status_code == 401
    assert response.json()["code"] == "authentication_failed"


def test_token_use_is_recorded_with_ip_and_user_agent(
    help_desk: Membership, api_client_for: ApiClientFor
) -> None:
    client = api_client_for(
        help_desk, HTTP_USER_AGENT="u" * 10_000, REMOTE_ADDR="192.0.2.44"
    )

    client.get("/api/v1/me/")
    client.get("/api/v1/me/")

    events = ActivityEvent.objects.filter(action="api_token.use")
    assert events.count() == 1
    event = events.get()
    assert event.ip_address == "192.0.2.44"
    assert event.truncated_fields == ["user_agent"]
    assert event.user_agent.endswith("[truncated]")
    assert event.message == "GET /api/v1/me/"
    api_token = ApiToken.objects.get(membership=help_desk)
    assert api_token.last_used_ip == "192.0.2.44"
    assert api_token.last_used_at is not None


def test_help_desk_cannot_list_administrators(
    help_desk: Membership, api_client_for: ApiClientFor
) -> None:
    response = api_client_for(help_desk).get("/api/v1/administrators/")

    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"


def test_outsider_gets_404_envelope(
    outsider: Membership, help_desk: Membership, api_client_for: ApiClientFor
) -> None:
    response = api_client_for(outsider).get(f"/api/v1/administrators/{help_desk.pk}/")

    assert response.status_code == 404
    assert response.json() == {
        "code": "not_found",
        "message": "Not found.",
        "fields": {},
    }


def test_administrator_list_query_count(
    global_admin: Membership,
    make_admin: Callable[..., Membership],
    api_client_for: ApiClientFor,
    django_assert_num_queries: Callable[..., object],
) -> None:
    for _ in range(10):
        make_admin(global_admin.organization, Role.AUDITOR)
    client = api_client_for(global_admin)
    client.get("/api/v1/me/")  # records the token's first use

    # Token, last-use update in a savepoint (3), membership, page of rows.
    with django_assert_num_queries(6):  # type: ignore[operator]
        response = client.get("/api/v1/administrators/")

    assert len(response.json()["results"]) == 11

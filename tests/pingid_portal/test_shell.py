from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import Membership
from activity.models import ActivityEvent, Outcome
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def test_anonymous_dashboard_redirects_to_sign_in(client: Client) -> None:
    response = client.get(reverse("dashboard"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_dashboard_shows_organization_name(
    global_admin: Membership, client_for: Callable[[Membership], Client]
) -> None:
    response = client_for(global_admin).get(reverse("dashboard"))

    assert response.status_code == 200
    assert "Acme" in response.content.decode()


def test_sign_in_failure_recorded_truncated(
    global_admin: Membership,
) -> None:
    client = Client(HTTP_USER_AGENT="x" * 10_000, REMOTE_ADDR="203.0.113.9")

    response = client.post(
        reverse("accounts:login"),
        {"username": global_admin.user.email, "password": "wrong"},
    )

    assert response.status_code == 200
    assert "Wrong e-mail address or password" in response.content.decode()
    event = ActivityEvent.objects.get(action="administrator.sign_in")
    assert event.outcome == Outcome.FAILURE
    assert event.organization == global_admin.organization
    assert event.ip_address == "203.0.113.9"
    assert event.truncated_fields == ["user_agent"]
    assert len(event.user_agent) <= 2000


def test_sign_in_success_is_recorded(global_admin: Membership) -> None:
    client = Client(HTTP_USER_AGENT="Firefox", REMOTE_ADDR="198.51.100.4")

    response = client.post(
        reverse("accounts:login"),
        {"username": global_admin.user.email, "password": PASSWORD},
    )

    assert response.status_code == 302
    event = ActivityEvent.objects.get(action="administrator.sign_in")
    assert event.outcome == Outcome.SUCCESS
    assert event.actor_user == global_admin.user
    assert event.user_agent == "Firefox"


def test_api_unknown_path_uses_error_envelope(client: Client) -> None:
    response = client.get("/api/v1/no-such-thing/")

    assert response.status_code == 404
    assert response.json() == {
        "code": "not_found",
        "message": "Not found.",
        "fields": {},
    }


def test_expired_session_htmx_request_loads_sign_in_page(client: Client) -> None:
    response = client.get(
        reverse("accounts:administrator_list"),
        HTTP_HX_REQUEST="true",
        HTTP_HX_CURRENT_URL="http://testserver/accounts/administrators/?filter=auditor",
    )

    assert response.status_code == 200
    assert response["HX-Redirect"] == (
        "/accounts/sign-in/?next=/accounts/administrators/%3Ffilter%3Dauditor"
    )

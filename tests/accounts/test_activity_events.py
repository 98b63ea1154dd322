"""Administrator changes are recorded with IP address and user agent."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import Membership
from activity.models import ActivityEvent, Outcome
from pingid_portal.permissions import Role
from tests.conftest import mfa_verify_session

pytestmark = pytest.mark.django_db


def test_role_change_with_huge_user_agent_is_truncated(
    global_admin: Membership, help_desk: Membership
) -> None:
    client = Client(HTTP_USER_AGENT="é" * 10_000, REMOTE_ADDR="2001:db8::5")
    client.force_login(global_admin.user)
    mfa_verify_session(client, global_admin)

    response = client.post(
        reverse("accounts:administrator_change_role", args=[help_desk.pk]),
        {"role": Role.AUDITOR},
    )

    assert response.status_code == 302
    event = ActivityEvent.objects.get(action="administrator.change_role")
    assert event.ip_address == "2001:db8::5"
    assert event.truncated_fields == ["user_agent"]
    assert event.user_agent.endswith("…[truncated]")
    assert len(event.user_agent) == 2000
    assert event.actor_user == global_admin.user
    assert event.actor_role == Role.GLOBAL_ADMIN
    assert event.target_display == help_desk.user.email


def test_sign_in_with_unknown_email_is_recorded() -> None:
    client = Client(HTTP_USER_AGENT="curl/8", REMOTE_ADDR="203.0.113.20")

    client.post(
        reverse("accounts:login"),
        {"username": "nobody@example.com", "password": "guess"},
    )

    event = ActivityEvent.objects.get(action="administrator.sign_in")
    assert event.outcome == Outcome.FAILURE
    assert event.organization is None
    assert event.actor_display == "nobody@example.com"
    assert event.ip_address == "203.0.113.20"
    assert event.user_agent == "curl/8"


def test_disabled_administrator_sign_in_fails_and_is_recorded(
    help_desk: Membership,
) -> None:
    from tests.factories import PASSWORD

    help_desk.user.is_active = False
    help_desk.user.save()
    client = Client(HTTP_USER_AGENT="Firefox", REMOTE_ADDR="198.51.100.9")

    response = client.post(
        reverse("accounts:login"),
        {"username": help_desk.user.email, "password": PASSWORD},
    )

    assert response.status_code == 200
    event = ActivityEvent.objects.get(action="administrator.sign_in")
    assert event.outcome == Outcome.FAILURE
    assert event.organization == help_desk.organization


def test_every_administrator_change_is_recorded(
    global_admin: Membership,
    make_admin: Callable[..., Membership],
    client_for: Callable[[Membership], Client],
) -> None:
    client = client_for(global_admin)
    target = make_admin(global_admin.organization, Role.AUDITOR)
    url_args = [target.pk]

    client.post(
        reverse("accounts:administrator_change_role", args=url_args),
        {"role": Role.HELP_DESK},
    )
    client.post(reverse("accounts:administrator_disable", args=url_args))
    client.post(reverse("accounts:administrator_enable", args=url_args))
    client.post(reverse("accounts:administrator_remove", args=url_args))

    changes = ActivityEvent.objects.exclude(action="administrator.sign_in")
    actions = list(changes.order_by("id").values_list("action", flat=True))
    assert actions == [
        "administrator.change_role",
        "administrator.disable",
        "administrator.enable",
        "administrator.remove",
    ]
    assert set(changes.values_list("user_agent", flat=True)) == {"pytest-client"}
    assert set(changes.values_list("ip_address", flat=True)) == {"127.0.0.1"}

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from accounts.lockout import SignInAttempt, sign_in_failure_record
from accounts.models import Membership
from pingid_portal.permissions import Role

pytestmark = pytest.mark.django_db


def _lock(account: str) -> None:
    for _ in range(5):
        sign_in_failure_record(SignInAttempt(account, None))


def test_overview_query_count_is_fixed(
    global_admin: Membership,
    organization: object,
    make_admin: Callable[..., Membership],
    client_for: Callable[[Membership], Client],
    django_assert_num_queries: Callable[..., object],
) -> None:
    client = client_for(global_admin)
    for number in range(6):
        admin = make_admin(organization, Role.HELP_DESK)
        client_for(admin)
        _lock(admin.user.email)
        _lock(f"unknown{number}@example.com")

    # Session, user, MFA device, membership, lockouts, availability banner
    # (one query), administrators.
    with django_assert_num_queries(7):  # type: ignore[operator]
        response = client.get("/accounts/security/")

    assert response.status_code == 200
    assert len(response.context["administrators"]) == 7
    assert len(response.context["lockouts"]) == 6


def test_overview_lists_only_own_organization(
    global_admin: Membership,
    outsider: Membership,
    client_for: Callable[[Membership], Client],
) -> None:
    _lock(outsider.user.email)

    response = client_for(global_admin).get("/accounts/security/")
    page = response.content.decode()

    assert outsider.user.email not in page
    assert response.context["lockouts"] == []


def test_outsider_cannot_open_administrator_security(
    help_desk: Membership,
    outsider: Membership,
    client_for: Callable[[Membership], Client],
) -> None:
    response = client_for(outsider).get(
        f"/accounts/security/administrators/{help_desk.pk}/"
    )

    assert response.status_code == 404


def test_every_administrator_opens_own_security_page(
    auditor: Membership, client_for: Callable[[Membership], Client]
) -> None:
    response = client_for(auditor).get("/accounts/security/me/")

    assert response.status_code == 200
    assert response.context["recovery_codes_left"] == 0

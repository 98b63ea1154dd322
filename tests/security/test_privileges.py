"""The privilege rules, checked in the permission table and in the services."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client

from accounts.models import Membership
from accounts.services import (
    administrator_change_role,
    administrator_create,
    administrator_remove,
    administrator_set_active,
)
from pingid_portal.actors import Actor
from pingid_portal.errors import ServiceError
from pingid_portal.permissions import PERMISSIONS, Action, Role, has_permission
from tests.factories import PingIDUserFactory

pytestmark = pytest.mark.django_db

GLOBAL_ONLY = [
    Action.USER_BYPASS_UNLIMITED,
    Action.AVAILABILITY_MANAGE,
    Action.INTEGRATION_MANAGE,
    Action.ADMINISTRATOR_MANAGE,
    Action.ADMINISTRATOR_VIEW,
    Action.ORGANIZATION_MANAGE,
]


@pytest.mark.parametrize("action", GLOBAL_ONLY, ids=str)
def test_only_global_admin_holds(action: Action) -> None:
    administrators = {role for role in PERMISSIONS[action] if role in Role.values}

    assert administrators == {Role.GLOBAL_ADMIN}


def test_help_desk_bypass_needs_an_end() -> None:
    assert has_permission(Role.HELP_DESK, Action.USER_BYPASS)
    assert not has_permission(Role.HELP_DESK, Action.USER_BYPASS_UNLIMITED)


@pytest.mark.parametrize("role", [Role.HELP_DESK, Role.AUDITOR])
def test_non_global_cannot_create_administrators(
    role: str, make_admin: Callable[..., Membership], organization: object
) -> None:
    actor = Actor.for_membership(make_admin(organization, role))

    for granted in Role.values:
        with pytest.raises(PermissionDenied):
            administrator_create(
                actor=actor, email=f"new-{granted}@example.com", role=granted
            )


def test_help_desk_cannot_act_on_administrators(
    help_desk: Membership, auditor: Membership
) -> None:
    actor = Actor.for_membership(help_desk)

    with pytest.raises(PermissionDenied):
        administrator_change_role(actor=actor, membership=auditor, role=Role.HELP_DESK)
    with pytest.raises(PermissionDenied):
        administrator_set_active(actor=actor, membership=auditor, active=False)
    with pytest.raises(PermissionDenied):
        administrator_remove(actor=actor, membership=auditor)
    auditor.refresh_from_db()
    assert auditor.role == Role.AUDITOR
    assert auditor.user.is_active


def test_role_not_held_cannot_be_granted(organization: object) -> None:
    # Even if a table change let help desk manage administrators, the service
    # still rejects granting a role above the actor's own.
    actor = Actor(
        organization=organization,  # type: ignore[arg-type]
        kind="administrator",
        role=Role.HELP_DESK,
        display="help desk",
    )
    from unittest import mock

    with (
        mock.patch.object(Actor, "require"),
        pytest.raises(ServiceError, match="role you do not hold"),
    ):
        administrator_create(
            actor=actor, email="escalate@example.com", role=Role.GLOBAL_ADMIN
        )


def test_global_admin_grants_held_roles(global_admin: Membership) -> None:
    actor = Actor.for_membership(global_admin)

    for role in Role.values:
        membership, _ = administrator_create(
            actor=actor, email=f"{role}@example.com", role=role
        )
        assert membership.role == role


@pytest.mark.parametrize(
    "path",
    [
        "/accounts/security/",
        "/accounts/administrators/",
    ],
)
def test_help_desk_cannot_open_administrator_pages(
    path: str, help_desk: Membership, client_for: Callable[[Membership], Client]
) -> None:
    assert client_for(help_desk).get(path).status_code == 403


def test_help_desk_cannot_bypass_without_end(help_desk: Membership) -> None:
    from users.models import UserService
    from users.services import user_bypass

    pingid_user = PingIDUserFactory(organization=help_desk.organization)

    with pytest.raises(PermissionDenied):
        user_bypass(
            actor=Actor.for_membership(help_desk),
            user=pingid_user,
            until=None,
            unlimited=True,
            reason="travelling",
        )

    assert not UserService.objects.filter(
        user=pingid_user, bypass_unlimited=True
    ).exists()


def test_help_desk_bypass_is_capped(help_desk: Membership) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from users.services import user_bypass

    pingid_user = PingIDUserFactory(organization=help_desk.organization)
    cap = help_desk.organization.help_desk_bypass_cap_hours

    with pytest.raises(ServiceError, match="too far ahead"):
        user_bypass(
            actor=Actor.for_membership(help_desk),
            user=pingid_user,
            until=timezone.now() + timedelta(hours=cap + 1),
            reason="travelling",
        )


def test_global_admin_bypasses_without_end(global_admin: Membership) -> None:
    from users.services import user_bypass

    pingid_user = PingIDUserFactory(organization=global_admin.organization)

    user_bypass(
        actor=Actor.for_membership(global_admin),
        user=pingid_user,
        until=None,
        unlimited=True,
        reason="broken phone",
    )

    assert pingid_user.services.filter(bypass_unlimited=True).exists()


def test_denied_page_keeps_product_names(
    auditor: Membership, client_for: Callable[[Membership], Client]
) -> None:
    user = PingIDUserFactory(organization=auditor.organization)

    response = client_for(auditor).get(f"/users/{user.pk}/bypass/")
    page = response.content.decode()

    assert response.status_code == 403
    assert "Your role may not bypass MFA for a PingID user until an instant." in page
    assert "bypass mfa" not in page
    assert "pingid user" not in page

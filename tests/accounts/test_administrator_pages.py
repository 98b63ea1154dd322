from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from accounts.models import Membership
from activity.models import ActivityEvent
from pingid_portal.permissions import Role

pytestmark = pytest.mark.django_db

ClientFor = Callable[[Membership], Client]


def test_list_shows_administrators(
    global_admin: Membership, help_desk: Membership, client_for: ClientFor
) -> None:
    response = client_for(global_admin).get(reverse("accounts:administrator_list"))

    body = response.content.decode()
    assert response.status_code == 200
    assert global_admin.user.email in body
    assert help_desk.user.email in body
    assert "Help desk" in body


def test_list_hides_other_organizations(
    global_admin: Membership, outsider: Membership, client_for: ClientFor
) -> None:
    response = client_for(global_admin).get(reverse("accounts:administrator_list"))

    assert outsider.user.email not in response.content.decode()


def test_list_query_count(
    global_admin: Membership,
    make_admin: Callable[..., Membership],
    client_for: ClientFor,
    django_assert_num_queries: Callable[..., object],
) -> None:
    for _ in range(20):
        make_admin(global_admin.organization, Role.AUDITOR)
    client = client_for(global_admin)

    # Session, user, MFA device, membership, filter counts, rows, availability
    # banners.
    with django_assert_num_queries(7):  # type: ignore[operator]
        response = client.get(reverse("accounts:administrator_list"))

    assert response.status_code == 200


def test_list_filter_chip_is_partial_for_htmx(
    global_admin: Membership, help_desk: Membership, client_for: ClientFor
) -> None:
    response = client_for(global_admin).get(
        reverse("accounts:administrator_list"),
        {"filter": Role.HELP_DESK},
        HTTP_HX_REQUEST="true",
    )

    body = response.content.decode()
    assert "<html" not in body
    assert help_desk.user.email in body
    assert global_admin.user.email not in body


def test_help_desk_cannot_open_administrators(
    help_desk: Membership, client_for: ClientFor
) -> None:
    response = client_for(help_desk).get(reverse("accounts:administrator_list"))

    assert response.status_code == 403


def test_auditor_cannot_add_administrator(
    auditor: Membership, client_for: ClientFor
) -> None:
    response = client_for(auditor).post(
        reverse("accounts:administrator_create"),
        {"email": "new@example.com", "role": Role.AUDITOR, "time_zone": "UTC"},
    )

    assert response.status_code == 403
    assert not User.objects.filter(email="new@example.com").exists()


def test_add_administrator_shows_password_once(
    global_admin: Membership, client_for: ClientFor
) -> None:
    client = client_for(global_admin)

    response = client.post(
        reverse("accounts:administrator_create"),
        {
            "email": "New.Person@Example.com",
            "first_name": "New",
            "last_name": "Person",
            "role": Role.HELP_DESK,
            "time_zone": "Europe/Berlin",
        },
        REMOTE_ADDR="198.51.100.7",
    )

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    password = response.context["password"]
    assert password in response.content.decode()
    membership = Membership.objects.get(user__email="new.person@example.com")
    assert membership.role == Role.HELP_DESK
    assert membership.time_zone == "Europe/Berlin"
    assert membership.user.check_password(password)
    event = ActivityEvent.objects.get(action="administrator.create")
    assert event.ip_address == "198.51.100.7"
    assert event.user_agent == "pytest-client"
    detail = client.get(reverse("accounts:administrator_detail", args=[membership.pk]))
    assert password not in detail.content.decode()


def test_add_administrator_field_errors(
    global_admin: Membership, client_for: ClientFor
) -> None:
    response = client_for(global_admin).post(
        reverse("accounts:administrator_create"),
        {"email": "not-an-address", "role": "owner", "time_zone": "Mars/Olympus"},
    )

    assert response.status_code == 400
    form = response.context["form"]
    assert set(form.errors) == {"email", "role", "time_zone"}
    assert Membership.objects.count() == 1


def test_add_duplicate_administrator_is_rejected(
    global_admin: Membership, help_desk: Membership, client_for: ClientFor
) -> None:
    response = client_for(global_admin).post(
        reverse("accounts:administrator_create"),
        {
            "email": help_desk.user.email.upper(),
            "role": Role.AUDITOR,
            "time_zone": "UTC",
        },
    )

    assert response.status_code == 400
    assert "already exists" in response.context["form"].errors["email"][0]


def test_change_role(
    global_admin: Membership, help_desk: Membership, client_for: ClientFor
) -> None:
    response = client_for(global_admin).post(
        reverse("accounts:administrator_change_role", args=[help_desk.pk]),
        {"role": Role.AUDITOR},
    )

    assert response.status_code == 302
    help_desk.refresh_from_db()
    assert help_desk.role == Role.AUDITOR
    event = ActivityEvent.objects.get(action="administrator.change_role")
    assert event.before["role"] == Role.HELP_DESK
    assert event.after["role"] == Role.AUDITOR


def test_last_global_admin_cannot_be_demoted(
    global_admin: Membership, client_for: ClientFor
) -> None:
    response = client_for(global_admin).post(
        reverse("accounts:administrator_change_role", args=[global_admin.pk]),
        {"role": Role.AUDITOR},
        HTTP_HX_REQUEST="true",
    )

    assert response.status_code == 409
    errors = response.context["role_form"].non_field_errors()
    assert "last active global administrator" in errors[0]
    global_admin.refresh_from_db()
    assert global_admin.role == Role.GLOBAL_ADMIN
    assert not ActivityEvent.objects.filter(action="administrator.change_role").exists()


def test_last_global_admin_cannot_be_disabled(
    global_admin: Membership, client_for: ClientFor
) -> None:
    response = client_for(global_admin).post(
        reverse("accounts:administrator_disable", args=[global_admin.pk])
    )

    assert response.status_code == 409
    assert "last active global administrator" in response.context["error"]
    global_admin.user.refresh_from_db()
    assert global_admin.user.is_active


def test_administrator_cannot_disable_self(
    global_admin: Membership,
    make_admin: Callable[..., Membership],
    client_for: ClientFor,
) -> None:
    make_admin(global_admin.organization, Role.GLOBAL_ADMIN)

    response = client_for(global_admin).post(
        reverse("accounts:administrator_disable", args=[global_admin.pk])
    )

    assert response.status_code == 400
    assert "your own account" in response.context["error"]
    global_admin.user.refresh_from_db()
    assert global_admin.user.is_active


def test_disable_and_enable(
    global_admin: Membership, help_desk: Membership, client_for: ClientFor
) -> None:
    client = client_for(global_admin)
    help_desk_client = client_for(help_desk)

    response = client.post(
        reverse("accounts:administrator_disable", args=[help_desk.pk]),
        {"reason": "left the team"},
    )

    assert response.status_code == 302
    help_desk.user.refresh_from_db()
    assert not help_desk.user.is_active
    # Their session ended with the disabling.
    signed_out = help_desk_client.get(reverse("dashboard"))
    assert signed_out.status_code == 302
    event = ActivityEvent.objects.get(action="administrator.disable")
    assert event.reason == "left the team"

    client.post(reverse("accounts:administrator_enable", args=[help_desk.pk]))

    help_desk.user.refresh_from_db()
    assert help_desk.user.is_active


def test_remove_asks_for_confirmation(
    global_admin: Membership, help_desk: Membership, client_for: ClientFor
) -> None:
    response = client_for(global_admin).get(
        reverse("accounts:administrator_remove", args=[help_desk.pk])
    )

    assert response.status_code == 200
    assert "cannot be undone" in response.content.decode()
    assert Membership.objects.filter(pk=help_desk.pk).exists()


def test_remove(
    global_admin: Membership, help_desk: Membership, client_for: ClientFor
) -> None:
    email = help_desk.user.email

    response = client_for(global_admin).post(
        reverse("accounts:administrator_remove", args=[help_desk.pk]),
        {"reason": "duplicate account"},
    )

    assert response.status_code == 302
    assert not User.objects.filter(email=email).exists()
    event = ActivityEvent.objects.get(action="administrator.remove")
    assert event.target_display == email
    assert event.reason == "duplicate account"


def test_remove_last_global_admin_is_rejected(
    global_admin: Membership, client_for: ClientFor
) -> None:
    response = client_for(global_admin).post(
        reverse("accounts:administrator_remove", args=[global_admin.pk])
    )

    assert response.status_code == 409
    errors = response.context["form"].non_field_errors()
    assert "last active global administrator" in errors[0]
    assert Membership.objects.filter(pk=global_admin.pk).exists()


def test_disabled_global_admin_does_not_count(
    global_admin: Membership,
    make_admin: Callable[..., Membership],
    client_for: ClientFor,
) -> None:
    disabled = make_admin(global_admin.organization, Role.GLOBAL_ADMIN)
    disabled.user.is_active = False
    disabled.user.save()

    response = client_for(global_admin).post(
        reverse("accounts:administrator_change_role", args=[global_admin.pk]),
        {"role": Role.HELP_DESK},
    )

    assert response.status_code == 409
    global_admin.refresh_from_db()
    assert global_admin.role == Role.GLOBAL_ADMIN


def test_outsider_gets_404_for_administrator(
    outsider: Membership, help_desk: Membership, client_for: ClientFor
) -> None:
    response = client_for(outsider).post(
        reverse("accounts:administrator_disable", args=[help_desk.pk])
    )

    assert response.status_code == 404
    help_desk.user.refresh_from_db()
    assert help_desk.user.is_active

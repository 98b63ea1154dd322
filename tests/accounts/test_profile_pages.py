from __future__ import annotations

from collections.abc import Callable

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from accounts.authentication import hash_token
from accounts.models import ApiToken, Membership
from activity.models import ActivityEvent

pytestmark = pytest.mark.django_db

ClientFor = Callable[[Membership], Client]


def test_profile_opens_for_every_role(
    auditor: Membership, client_for: ClientFor
) -> None:
    response = client_for(auditor).get(reverse("accounts:profile"))

    assert response.status_code == 200
    assert "Your API tokens" in response.content.decode()


def test_time_zone_change(auditor: Membership, client_for: ClientFor) -> None:
    response = client_for(auditor).post(
        reverse("accounts:profile_time_zone"), {"time_zone": "America/New_York"}
    )

    assert response.status_code == 302
    auditor.refresh_from_db()
    assert auditor.time_zone == "America/New_York"
    assert ActivityEvent.objects.filter(
        action="administrator.change_time_zone"
    ).exists()


def test_time_zone_invalid(auditor: Membership, client_for: ClientFor) -> None:
    response = client_for(auditor).post(
        reverse("accounts:profile_time_zone"), {"time_zone": "Nowhere/Land"}
    )

    assert response.status_code == 400
    assert "time_zone" in response.context["time_zone_form"].errors
    auditor.refresh_from_db()
    assert auditor.time_zone == "UTC"


@time_machine.travel("2026-03-01 12:00:00+00:00", tick=False)
def test_times_shown_in_own_time_zone(
    auditor: Membership, client_for: ClientFor
) -> None:
    auditor.time_zone = "Asia/Tokyo"
    auditor.save()
    ApiToken.objects.create(
        membership=auditor,
        organization=auditor.organization,
        name="sync",
        prefix="pp_abcdefg",
        token_hash=hash_token("pp_abcdefg-rest"),
    )

    response = client_for(auditor).get(reverse("accounts:profile"))

    assert "2026-03-01 21:00 JST" in response.content.decode()


def test_token_create_shows_secret_once(
    help_desk: Membership, client_for: ClientFor
) -> None:
    client = client_for(help_desk)

    response = client.post(reverse("accounts:api_token_create"), {"name": "HR sync"})

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    secret = response.context["new_token"]
    assert secret.startswith("pp_")
    assert secret in response.content.decode()
    api_token = ApiToken.objects.get(membership=help_desk)
    assert api_token.token_hash == hash_token(secret)
    again = client.get(reverse("accounts:profile"))
    assert secret not in again.content.decode()
    assert api_token.prefix in again.content.decode()


def test_token_create_needs_name(help_desk: Membership, client_for: ClientFor) -> None:
    response = client_for(help_desk).post(
        reverse("accounts:api_token_create"), {"name": ""}
    )

    assert response.status_code == 400
    assert "name" in response.context["token_form"].errors
    assert not ApiToken.objects.exists()


def test_token_revoke(help_desk: Membership, client_for: ClientFor) -> None:
    client = client_for(help_desk)
    client.post(reverse("accounts:api_token_create"), {"name": "HR sync"})
    api_token = ApiToken.objects.get()

    response = client.post(reverse("accounts:api_token_revoke", args=[api_token.pk]))

    assert response.status_code == 302
    api_token.refresh_from_db()
    assert api_token.revoked_at is not None


def test_token_of_another_administrator_is_404(
    help_desk: Membership, auditor: Membership, client_for: ClientFor
) -> None:
    client_for(auditor).post(reverse("accounts:api_token_create"), {"name": "mine"})
    api_token = ApiToken.objects.get()

    response = client_for(help_desk).post(
        reverse("accounts:api_token_revoke", args=[api_token.pk])
    )

    assert response.status_code == 404
    api_token.refresh_from_db()
    assert api_token.revoked_at is None


def test_profile_query_count(
    auditor: Membership,
    client_for: ClientFor,
    django_assert_num_queries: Callable[..., object],
) -> None:
    client = client_for(auditor)
    for number in range(10):
        client.post(reverse("accounts:api_token_create"), {"name": f"job {number}"})

    # Session, user, administrator MFA device, membership, availability
    # banner (one query), API tokens.
    with django_assert_num_queries(6):  # type: ignore[operator]
        response = client.get(reverse("accounts:profile"))

    assert response.status_code == 200
    assert response.content.decode().count("Revoke</button>") == 10

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.test import Client

from accounts.models import Membership
from activity.models import ActivityEvent, Category
from activity.services import event_record
from pingid_portal.actors import Actor
from tests.factories import PingIDUserFactory

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def _ids(response: Any) -> list[int]:
    return [event.pk for event in response.context["page"].events]


@pytest.fixture
def berlin_admin(global_admin: Membership) -> Membership:
    global_admin.time_zone = "Europe/Berlin"
    global_admin.save()
    return global_admin


def test_time_range_is_read_in_administrator_time_zone(
    berlin_admin: Membership,
    client_for: Callable[[Membership], Client],
    record_auth: Callable[..., ActivityEvent],
) -> None:
    organization = berlin_admin.organization
    # 10:30 UTC is 11:30 in Berlin (CET, UTC+1).
    inside = record_auth(
        organization, occurred_at=datetime(2026, 11, 20, 10, 30, tzinfo=UTC)
    )
    record_auth(organization, occurred_at=datetime(2026, 11, 20, 9, 30, tzinfo=UTC))

    response = client_for(berlin_admin).get(
        "/activity/", {"since": "2026-11-20T11:00", "until": "2026-11-20T12:00"}
    )

    assert _ids(response) == [inside.pk]
    assert 'datetime="2026-11-20T11:30:00+01:00"' in response.content.decode()


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"outcome": "failure"}, {"failed"}),
        ({"outcome": ["failure", "bypassed"]}, {"failed", "bypassed"}),
        ({"service": "vpn"}, {"bypassed"}),
        ({"ip": "2001:db8::7"}, {"failed"}),
        # SQLite upper-cases ASCII only, so the non-ASCII letter keeps its case.
        ({"user": "ZOë"}, {"failed", "bypassed"}),
        ({"q": "wrong otp"}, {"failed"}),
        ({"category": "administrator"}, {"admin"}),
        ({"action": "user.bypass"}, {"admin"}),
    ],
)
def test_filters_select_matching_events(
    global_admin: Membership,
    client_for: Callable[[Membership], Client],
    record_auth: Callable[..., ActivityEvent],
    params: dict[str, Any],
    expected: set[str],
) -> None:
    organization = global_admin.organization
    user = PingIDUserFactory(organization=organization, username="zoë")
    events = {
        "failed": record_auth(
            organization,
            outcome="failure",
            pingid_user=user,
            reason="Wrong OTP",
            ip_address="2001:db8:0::7",
        ),
        "bypassed": record_auth(
            organization, outcome="bypassed", pingid_user=user, service="vpn"
        ),
        "admin": event_record(
            actor=Actor.for_membership(global_admin), action="user.bypass"
        ),
    }

    response = client_for(global_admin).get("/activity/", params)

    # Signing in writes events of its own; only the events above are compared.
    created = {event.pk for event in events.values()}
    assert set(_ids(response)) & created == {events[name].pk for name in expected}


def test_administrator_filter(
    global_admin: Membership,
    help_desk: Membership,
    client_for: Callable[[Membership], Client],
) -> None:
    mine = event_record(actor=Actor.for_membership(help_desk), action="user.update")
    event_record(actor=Actor.for_membership(global_admin), action="user.update")

    response = client_for(global_admin).get(
        "/activity/", {"administrator": help_desk.user_id, "action": "user.update"}
    )

    assert _ids(response) == [mine.pk]


def test_invalid_filter_names_field(
    global_admin: Membership, client_for: Callable[[Membership], Client]
) -> None:
    response = client_for(global_admin).get(
        "/activity/",
        {"ip": "not-an-ip", "since": "2026-11-20T12:00", "until": "2026-11-20T11:00"},
    )
    page = response.content.decode()

    assert response.status_code == 400
    assert "IP address: Enter a valid IPv4 or IPv6 address." in page
    assert "Until: Enter an end after the start of the time range." in page


@pytest.mark.parametrize("value", ["me", "0"])
def test_invalid_id_filter_says_what_to_enter(
    global_admin: Membership, client_for: Callable[[Membership], Client], value: str
) -> None:
    response = client_for(global_admin).get("/activity/", {"administrator": value})

    assert response.status_code == 400
    assert (
        "Administrator: Enter an id: a whole number of 1 or more."
        in response.content.decode()
    )


@pytest.mark.parametrize(
    ("params", "label", "name"),
    [
        ({"since": "yesterday"}, "From", "since"),
        ({"category": "billing"}, "Category", "category"),
        ({"service": "fax"}, "Service", "service"),
        ({"outcome": "maybe"}, "Result", "outcome"),
        ({"administrator": "me"}, "Administrator", "administrator"),
    ],
)
def test_invalid_filter_names_label_shown_on_page(
    global_admin: Membership,
    client_for: Callable[[Membership], Client],
    params: dict[str, str],
    label: str,
    name: str,
) -> None:
    response = client_for(global_admin).get("/activity/", params)
    page = response.content.decode()

    assert response.status_code == 400
    assert response.context["page"] is None
    assert f"<li>{label}: " in page
    assert f"<li>{name}: " not in page


def test_keyset_pages_cover_all_events_once(
    global_admin: Membership,
    client_for: Callable[[Membership], Client],
    record_auth: Callable[..., ActivityEvent],
) -> None:
    organization = global_admin.organization
    # Pairs share a timestamp, so the id breaks ties.
    created = [
        record_auth(organization, occurred_at=NOW - timedelta(minutes=n // 2))
        for n in range(120)
    ]
    client = client_for(global_admin)
    seen: list[int] = []
    url: str | None = "/activity/?category=authentication"
    partial = client.get(url, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="results")
    assert "<html" not in partial.content.decode()
    assert 'id="results"' in partial.content.decode()
    while url:
        response = client.get(url)
        seen.extend(_ids(response))
        cursor = response.context["page"].next_cursor
        url = f"/activity/?category=authentication&cursor={cursor}" if cursor else None

    assert len(seen) == 120
    assert set(seen) == {event.pk for event in created}
    times = list(
        ActivityEvent.objects.filter(pk__in=seen).values_list("pk", "occurred_at")
    )
    order = {pk: index for index, pk in enumerate(seen)}
    assert sorted(times, key=lambda item: (-item[1].timestamp(), -item[0])) == sorted(
        times, key=lambda item: order[item[0]]
    )


def test_next_link_keeps_filter_and_pushes_url(
    global_admin: Membership,
    client_for: Callable[[Membership], Client],
    record_auth: Callable[..., ActivityEvent],
) -> None:
    for _ in range(51):
        record_auth(global_admin.organization, outcome="failure")

    page = (
        client_for(global_admin)
        .get("/activity/", {"outcome": "failure"})
        .content.decode()
    )

    assert 'hx-push-url="true"' in page
    assert "?outcome=failure&amp;cursor=" in page


def test_invalid_cursor_is_clear_error(
    global_admin: Membership, client_for: Callable[[Membership], Client]
) -> None:
    page = (
        client_for(global_admin).get("/activity/", {"cursor": "%%%"}).content.decode()
    )

    assert "The page cursor is invalid" in page


def test_event_list_query_count_is_fixed(
    global_admin: Membership,
    client_for: Callable[[Membership], Client],
    record_auth: Callable[..., ActivityEvent],
    django_assert_num_queries: Any,
) -> None:
    user = PingIDUserFactory(organization=global_admin.organization)
    for _ in range(60):
        record_auth(global_admin.organization, pingid_user=user)
    client = client_for(global_admin)
    client.get("/activity/")

    # Session, user, the administrator's MFA device, membership, events,
    # administrators for the filter, availability banners.
    with django_assert_num_queries(7):
        response = client.get("/activity/", {"service": "web"})
    assert len(response.context["page"].events) == 50


def test_user_timeline_merges_authentication_and_administrator_events(
    global_admin: Membership,
    client_for: Callable[[Membership], Client],
    record_auth: Callable[..., ActivityEvent],
    django_assert_num_queries: Any,
) -> None:
    organization = global_admin.organization
    user = PingIDUserFactory(organization=organization, username="山田")
    other = PingIDUserFactory(organization=organization)
    authentication = record_auth(organization, pingid_user=user)
    bypass = event_record(
        actor=Actor.for_membership(global_admin),
        action="user.bypass",
        pingid_user=user,
        category=Category.ADMINISTRATOR,
    )
    record_auth(organization, pingid_user=other)
    client = client_for(global_admin)
    client.get(f"/activity/users/{user.pk}/")

    # The event list's queries plus the PingID user's name.
    with django_assert_num_queries(8):
        response = client.get(f"/activity/users/{user.pk}/")

    assert set(_ids(response)) == {authentication.pk, bypass.pk}
    assert "Timeline of 山田" in response.content.decode()


def test_user_timeline_of_other_organization_is_not_found(
    global_admin: Membership,
    outsider: Membership,
    client_for: Callable[[Membership], Client],
    record_auth: Callable[..., ActivityEvent],
) -> None:
    user = PingIDUserFactory(organization=global_admin.organization)
    record_auth(global_admin.organization, pingid_user=user)

    response = client_for(outsider).get(f"/activity/users/{user.pk}/")

    assert response.status_code == 404


def test_user_timeline_of_removed_user_keeps_history(
    global_admin: Membership,
    client_for: Callable[[Membership], Client],
    record_auth: Callable[..., ActivityEvent],
) -> None:
    user = PingIDUserFactory(organization=global_admin.organization, username="gone")
    event = record_auth(global_admin.organization, pingid_user=user)
    user_id = user.pk
    user.delete()

    response = client_for(global_admin).get(f"/activity/users/{user_id}/")

    assert _ids(response) == [event.pk]
    assert "Timeline of gone" in response.content.decode()


def test_results_carry_filter_for_export_form(
    auditor: Membership, client_for: Callable[[Membership], Client]
) -> None:
    response = client_for(auditor).get(
        "/activity/",
        {"outcome": ["failure", "denied"], "service": "vpn", "cursor": ""},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="results",
    )
    partial = response.content.decode()

    assert (
        '<input type="hidden" form="export-form" name="outcome" value="failure">'
        in partial
    )
    assert (
        '<input type="hidden" form="export-form" name="outcome" value="denied">'
        in partial
    )
    assert (
        '<input type="hidden" form="export-form" name="service" value="vpn">' in partial
    )
    assert 'name="cursor"' not in partial


@pytest.mark.parametrize("path", ["/activity/", "/activity/users/{user_id}/"])
def test_since_out_of_range(
    berlin_admin: Membership, client_for: Callable[[Membership], Client], path: str
) -> None:
    user = PingIDUserFactory(organization=berlin_admin.organization)

    response = client_for(berlin_admin).get(
        path.format(user_id=user.pk), {"since": "0001-01-01T00:00"}
    )
    page = response.content.decode()

    assert response.status_code == 400
    assert "From: Enter a time that is between 0001-01-01 and 9999-12-31" in page


def test_export_since_out_of_range(
    berlin_admin: Membership,
    client_for: Callable[[Membership], Client],
    export_storage: Any,
) -> None:
    from activity.models import Export

    client = client_for(berlin_admin)
    response = client.post(
        "/activity/exports/", {"since": "0001-01-01T00:00", "format": "csv"}
    )
    followed = client.get(response["Location"])

    assert response.status_code == 302
    assert "since=0001-01-01T00%3A00" in response["Location"]
    assert "Enter a time that is between 0001-01-01" in followed.content.decode()
    assert not Export.objects.exists()

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from accounts.models import Membership
from activity.models import ActivityEvent
from devices.models import Device
from pingid_portal.actors import Actor
from tests.factories import PingIDUserFactory
from users.models import PingIDUser, UserService, UserStatus
from users.services import user_bypass, user_remove

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def add_device(user: PingIDUser, **kwargs: object) -> Device:
    return Device.objects.create(
        organization=user.organization, user=user, type="Android", **kwargs
    )


# Users page ----------------------------------------------------------------------


def test_list_shows_rows_and_loads_chips(
    global_admin: Membership,
    client_for: Callable[[Membership], Client],
    make_user: Callable[..., PingIDUser],
) -> None:
    make_user(username="active-one")
    make_user(username="gone-one", status=UserStatus.SUSPENDED)

    response = client_for(global_admin).get(reverse("users:user_list"))

    body = response.content.decode()
    assert response.status_code == 200
    assert "active-one" in body
    assert "gone-one" in body
    assert f'hx-get="{reverse("users:user_status_counts")}?"' in body


def test_status_chips_count_filtered_users(
    global_admin: Membership,
    client_for: Callable[[Membership], Client],
    make_user: Callable[..., PingIDUser],
) -> None:
    make_user(username="vpn-active", services=["vpn"])
    make_user(username="vpn-gone", services=["vpn"], status=UserStatus.SUSPENDED)
    make_user(username="web-active", services=["web"])

    response = client_for(global_admin).get(
        reverse("users:user_status_counts"),
        {"service": "vpn", "status": "SUSPENDED"},
        HTTP_HX_REQUEST="true",
    )

    body = response.content.decode()
    assert 'All <span class="count">2</span>' in body
    assert 'Active <span class="count">1</span>' in body
    assert 'Suspended <span class="count">1</span>' in body
    assert 'Pending <span class="count">0</span>' in body
    assert 'id="matching-count" hx-swap-oob="true">1<' in body
    assert "hx-trigger" not in body


def test_list_query_count_is_pinned(
    global_admin: Membership,
    client_for: Callable[[Membership], Client],
    make_user: Callable[..., PingIDUser],
    django_assert_num_queries: Callable[..., object],
) -> None:
    client = client_for(global_admin)
    for index in range(30):
        user = make_user(username=f"person{index:02}")
        add_device(user)
    user_bypass(
        actor=Actor.for_membership(global_admin),
        user=PingIDUser.objects.first(),  # type: ignore[arg-type]
        until=datetime.now(UTC) + timedelta(hours=1),
        reason="r",
    )

    # Session, administrator, administrator MFA device, membership, page,
    # services, device counts, availability banner.
    with django_assert_num_queries(8):  # type: ignore[operator]
        response = client.get(reverse("users:user_list"), {"q": "person"})

    assert len(response.context["rows"]) == 30


@pytest.mark.parametrize(
    ("username", "term"),
    [
        ("Ελένη Παπαδοπούλου", "ΠΑΠΑΔ"),
        ("山田 太郎", "田 太"),
        ("=cmd|' /C calc'!A0", "=cmd"),
        ("+1 555 0100", "+1 5"),
        ("-minus", "-min"),
        ("@handle", "@HAN"),
        ("x" * 249 + "y", "xy"),
        ("two  spaces", "o  s"),
        ("100%_done", "%_d"),
    ],
)
def test_search_finds_unusual_usernames_escaped(
    global_admin: Membership,
    client_for: Callable[[Membership], Client],
    make_user: Callable[..., PingIDUser],
    username: str,
    term: str,
) -> None:
    make_user(username=username)
    make_user(username="<script>alert(1)</script>")
    make_user(username="unrelated")

    response = client_for(global_admin).get(reverse("users:user_list"), {"q": term})

    rows = [row.username for row in response.context["rows"]]
    assert rows == [username]
    body = response.content.decode()
    assert "<script>alert(1)</script>" not in body
    assert "unrelated" not in body


def test_search_matches_name_and_email(
    global_admin: Membership,
    client_for: Callable[[Membership], Client],
    make_user: Callable[..., PingIDUser],
) -> None:
    make_user(username="u1", first_name="Zelda", email="a@x.example")
    make_user(username="u2", last_name="Zimmer", email="b@x.example")
    make_user(username="u3", email="zorro@y.example")
    make_user(username="u4", first_name="Anna", last_name="Lee", email="c@x.example")
    client = client_for(global_admin)

    by_name = client.get(reverse("users:user_list"), {"q": "ZEL"})
    by_last = client.get(reverse("users:user_list"), {"q": "zimm"})
    by_email = client.get(reverse("users:user_list"), {"q": "y.example"})

    assert [row.username for row in by_name.context["rows"]] == ["u1"]
    assert [row.username for row in by_last.context["rows"]] == ["u2"]
    assert [row.username for row in by_email.context["rows"]] == ["u3"]


@time_machine.travel(NOW, tick=False)
def test_filters_status_service_bypass_device_and_inactivity(
    global_admin: Membership,
    client_for: Callable[[Membership], Client],
    make_user: Callable[..., PingIDUser],
) -> None:
    suspended = make_user(username="suspended", status=UserStatus.SUSPENDED)
    vpn_only = make_user(username="vpn-only", services=["vpn"])
    bypassed = make_user(username="bypassed")
    with_device = make_user(
        username="with-device", last_authenticated_at=NOW - timedelta(days=1)
    )
    add_device(with_device)
    stale = make_user(username="stale", last_authenticated_at=NOW - timedelta(days=40))
    add_device(stale)
    user_bypass(
        actor=Actor.for_membership(global_admin),
        user=bypassed,
        until=NOW + timedelta(hours=1),
        reason="r",
    )
    client = client_for(global_admin)

    def names(**params: str) -> set[str]:
        response = client.get(reverse("users:user_list"), params)
        return {row.username for row in response.context["rows"]}

    assert names(status="SUSPENDED") == {suspended.username}
    assert vpn_only.username in names(service="vpn")
    assert vpn_only.username not in names(service="web")
    assert names(bypassed="true") == {"bypassed"}
    assert names(no_device="true") == {"suspended", "vpn-only", "bypassed"}
    assert names(inactive_days="30", no_device="false") == {"stale"}


@pytest.mark.parametrize(
    ("params", "label"),
    [
        ({"status": "BOGUS"}, "Status"),
        ({"service": "fax"}, "Service"),
        ({"bypassed": "maybe"}, "Bypassed now"),
        ({"no_device": "perhaps"}, "No device"),
        ({"inactive_days": "-4", "after": "garbage"}, "No sign-in for days"),
        ({"inactive_days": "2.5"}, "No sign-in for days"),
        ({"inactive_days": "soon"}, "No sign-in for days"),
    ],
)
def test_invalid_filter_shows_label_and_no_rows(
    global_admin: Membership,
    client_for: Callable[[Membership], Client],
    make_user: Callable[..., PingIDUser],
    params: dict[str, str],
    label: str,
) -> None:
    make_user(username="visible-without-filter")

    response = client_for(global_admin).get(reverse("users:user_list"), params)
    page = response.content.decode()

    assert response.status_code == 400
    assert response.context["rows"] == []
    assert "visible-without-filter" not in page
    assert f"<li>{label}: " in page
    assert "nothing was searched" in page


def test_invalid_filter_error_names_the_fix(
    global_admin: Membership, client_for: Callable[[Membership], Client]
) -> None:
    client = client_for(global_admin)

    status = client.get(reverse("users:user_list"), {"status": "BOGUS"})
    days = client.get(reverse("users:user_list"), {"inactive_days": "0"})

    assert "use one of ACTIVE, PENDING, NOT_ACTIVE" in status.content.decode()
    assert "Enter a whole number of days from 1 to 3650." in days.content.decode()


def test_invalid_filter_htmx_swap_shows_error(
    global_admin: Membership,
    client_for: Callable[[Membership], Client],
    make_user: Callable[..., PingIDUser],
) -> None:
    make_user(username="visible-without-filter")

    response = client_for(global_admin).get(
        reverse("users:user_list"),
        {"service": "fax"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="results",
    )
    page = response.content.decode()

    assert response.status_code == 400
    assert page.lstrip().startswith('<div id="results">')
    assert "<li>Service: " in page
    assert "visible-without-filter" not in page


def test_keyset_pages_forward_and_back(
    global_admin: Membership,
    client_for: Callable[[Membership], Client],
    organization: object,
) -> None:
    for index in range(120):
        PingIDUserFactory(organization=organization, username=f"user{index:03}")
    client = client_for(global_admin)

    first = client.get(reverse("users:user_list"))
    second = client.get(
        reverse("users:user_list"), {"after": first.context["page"].next_cursor}
    )
    third = client.get(
        reverse("users:user_list"), {"after": second.context["page"].next_cursor}
    )
    back = client.get(
        reverse("users:user_list"), {"before": third.context["page"].previous_cursor}
    )

    def names(response: object) -> list[str]:
        return [row.username for row in response.context["rows"]]  # type: ignore[attr-defined]

    assert names(first)[0] == "user000"
    assert names(second)[0] == "user050"
    assert names(third) == [f"user{index:03}" for index in range(100, 120)]
    assert third.context["page"].next_cursor is None
    assert names(back) == names(second)


@time_machine.travel(NOW, tick=False)
def test_sort_by_last_authentication_pages_through_nulls(
    global_admin: Membership,
    client_for: Callable[[Membership], Client],
    organization: object,
) -> None:
    for index in range(60):
        PingIDUserFactory(
            organization=organization,
            username=f"u{index:02}",
            last_authenticated_at=None
            if index % 3 == 0
            else NOW - timedelta(hours=index),
        )
    client = client_for(global_admin)
    seen: list[str] = []
    params: dict[str, str] = {"sort": "-last_authenticated"}

    while True:
        response = client.get(reverse("users:user_list"), params)
        seen += [row.username for row in response.context["rows"]]
        cursor = response.context["page"].next_cursor
        if not cursor:
            break
        params = {"sort": "-last_authenticated", "after": cursor}

    assert len(seen) == 60
    assert len(set(seen)) == 60
    assert seen[0] == "u01"
    assert all(int(name[1:]) % 3 == 0 for name in seen[40:])


def test_htmx_request_gets_results_partial(
    global_admin: Membership, client_for: Callable[[Membership], Client]
) -> None:
    response = client_for(global_admin).get(
        reverse("users:user_list"), HTTP_HX_REQUEST="true", HTTP_HX_TARGET="results"
    )

    body = response.content.decode()
    assert body.lstrip().startswith('<div id="results">')
    assert "<html" not in body


# User page -----------------------------------------------------------------------


def test_user_page_query_count_is_pinned(
    global_admin: Membership,
    client_for: Callable[[Membership], Client],
    pingid_user: PingIDUser,
    django_assert_num_queries: Callable[..., object],
) -> None:
    for _ in range(3):
        add_device(pingid_user)
    user_bypass(
        actor=Actor.for_membership(global_admin),
        user=pingid_user,
        until=datetime.now(UTC) + timedelta(hours=1),
        reason="Phone broken",
    )
    client = client_for(global_admin)

    # Session, administrator, administrator MFA device, membership, user,
    # services, devices, activity, availability banner, OTP lockout state.
    with django_assert_num_queries(10):  # type: ignore[operator]
        response = client.get(reverse("users:user_detail", args=[pingid_user.pk]))

    body = response.content.decode()
    assert "Devices (3)" in body
    assert "Phone broken" in body
    assert "user.bypass" in body


def test_user_page_of_other_organization_is_404(
    outsider: Membership,
    client_for: Callable[[Membership], Client],
    pingid_user: PingIDUser,
) -> None:
    response = client_for(outsider).get(
        reverse("users:user_detail", args=[pingid_user.pk])
    )

    assert response.status_code == 404


# Actions -------------------------------------------------------------------------


def test_disable_requires_reason_then_disables(
    help_desk: Membership,
    client_for: Callable[[Membership], Client],
    pingid_user: PingIDUser,
) -> None:
    client = client_for(help_desk)
    url = reverse("users:user_disable", args=[pingid_user.pk])

    missing = client.post(url, {"reason": ""})
    done = client.post(url, {"reason": "Reported stolen"})

    assert missing.status_code == 200
    assert "Reason is missing" in missing.content.decode()
    assert done.status_code == 302
    pingid_user.refresh_from_db()
    assert pingid_user.status == UserStatus.SUSPENDED


def test_enable_restores_user(
    global_admin: Membership,
    client_for: Callable[[Membership], Client],
    make_user: Callable[..., PingIDUser],
) -> None:
    user = make_user(
        status=UserStatus.SUSPENDED,
        status_before_suspension=UserStatus.PENDING_ACTIVATION,
    )

    client_for(global_admin).post(
        reverse("users:user_enable", args=[user.pk]), {"reason": "Back"}
    )

    user.refresh_from_db()
    assert user.status == UserStatus.PENDING_ACTIVATION


def test_auditor_cannot_open_any_action(
    auditor: Membership,
    client_for: Callable[[Membership], Client],
    pingid_user: PingIDUser,
) -> None:
    client = client_for(auditor)
    names = [
        "user_disable",
        "user_enable",
        "user_bypass",
        "user_resume_mfa",
        "user_remove",
    ]

    for name in names:
        url = reverse(f"users:{name}", args=[pingid_user.pk])
        assert client.get(url).status_code == 403, name
        assert client.post(url, {"reason": "r"}).status_code == 403, name
    assert client.post(reverse("users:bulk"), {"action": "remove"}).status_code == 403
    assert client.get(reverse("users:import_upload")).status_code == 403
    assert PingIDUser.objects.filter(pk=pingid_user.pk).exists()
    assert not ActivityEvent.objects.filter(action__startswith="user.").exists()


def test_action_on_removed_user_redirects_with_message(
    help_desk: Membership,
    global_admin: Membership,
    client_for: Callable[[Membership], Client],
    pingid_user: PingIDUser,
) -> None:
    pk = pingid_user.pk
    user_remove(actor=Actor.for_membership(global_admin), user=pingid_user)

    response = client_for(help_desk).post(
        reverse("users:user_disable", args=[pk]),
        {"reason": "Stolen", "username": "alice"},
        follow=True,
    )

    assert response.status_code == 200
    body = response.content.decode()
    assert "no longer exists" in body
    assert "alice" in body


def test_second_remove_gets_clear_answer(
    help_desk: Membership,
    global_admin: Membership,
    client_for: Callable[[Membership], Client],
    pingid_user: PingIDUser,
) -> None:
    url = reverse("users:user_remove", args=[pingid_user.pk])
    form = {"scope": "user", "reason": "Left", "username": "alice"}

    first = client_for(global_admin).post(url, form, follow=True)
    second = client_for(help_desk).post(url, form, follow=True)

    assert first.status_code == 200
    assert "is removed" in first.content.decode()
    assert second.status_code == 200
    assert "no longer exists" in second.content.decode()
    assert ActivityEvent.objects.filter(action="user.remove").count() == 1


def test_remove_confirmation_names_user_and_devices(
    global_admin: Membership,
    client_for: Callable[[Membership], Client],
    pingid_user: PingIDUser,
) -> None:
    add_device(pingid_user)
    add_device(pingid_user)

    response = client_for(global_admin).get(
        reverse("users:user_remove", args=[pingid_user.pk])
    )

    body = response.content.decode()
    assert "alice" in body
    assert "2 devices" in body


def test_remove_one_service_from_page(
    global_admin: Membership,
    client_for: Callable[[Membership], Client],
    pingid_user: PingIDUser,
) -> None:
    response = client_for(global_admin).post(
        reverse("users:user_remove", args=[pingid_user.pk]),
        {"scope": "ssh", "reason": ""},
    )

    assert response.status_code == 302
    assert not UserService.objects.get(user=pingid_user, service="ssh").enabled


# Bypass form ---------------------------------------------------------------------


@time_machine.travel(NOW, tick=False)
def test_bypass_review_shows_local_and_utc_then_confirms(
    help_desk: Membership,
    client_for: Callable[[Membership], Client],
    pingid_user: PingIDUser,
) -> None:
    help_desk.time_zone = "Europe/Berlin"
    help_desk.save()
    client = client_for(help_desk)
    url = reverse("users:user_bypass", args=[pingid_user.pk])
    form = {
        "duration": "until",
        "until_local": "2026-06-02T09:30",
        "services": ["vpn"],
        "reason": "Token lost",
    }

    review = client.post(url, {**form, "step": "review"})
    body = review.content.decode()
    assert "09:30 CEST" in body
    assert "2026-06-02 07:30 UTC" in body
    assert not UserService.objects.get(user=pingid_user, service="vpn").is_bypassed()

    confirm = client.post(url, {**form, "step": "confirm"})

    assert confirm.status_code == 302
    row = UserService.objects.get(user=pingid_user, service="vpn")
    assert row.bypass_until == datetime(2026, 6, 2, 7, 30, tzinfo=UTC)
    assert not UserService.objects.get(user=pingid_user, service="web").is_bypassed()


@time_machine.travel(NOW, tick=False)
def test_bypass_form_rejects_past_cap_for_help_desk(
    help_desk: Membership,
    client_for: Callable[[Membership], Client],
    pingid_user: PingIDUser,
) -> None:
    response = client_for(help_desk).post(
        reverse("users:user_bypass", args=[pingid_user.pk]),
        {
            "duration": "until",
            "until_local": "2026-06-10T09:30",
            "reason": "Long trip",
            "step": "confirm",
        },
    )

    assert response.status_code == 200
    assert "at most 72 hours" in response.content.decode()
    assert not any(row.is_bypassed() for row in pingid_user.services.all())


def test_bypass_no_end_global_admin_only(
    help_desk: Membership,
    global_admin: Membership,
    client_for: Callable[[Membership], Client],
    pingid_user: PingIDUser,
) -> None:
    url = reverse("users:user_bypass", args=[pingid_user.pk])

    assert "No end" not in client_for(help_desk).get(url).content.decode()
    assert "No end" in client_for(global_admin).get(url).content.decode()
    forced = client_for(help_desk).post(
        url, {"duration": "unlimited", "reason": "r", "step": "confirm"}
    )
    assert forced.status_code == 200
    assert not any(row.is_bypassed() for row in pingid_user.services.all())


@time_machine.travel(NOW, tick=False)
def test_bypass_rejects_time_skipped_by_clock_change(
    global_admin: Membership,
    client_for: Callable[[Membership], Client],
    pingid_user: PingIDUser,
) -> None:
    global_admin.time_zone = "Europe/Berlin"
    global_admin.save()

    response = client_for(global_admin).post(
        reverse("users:user_bypass", args=[pingid_user.pk]),
        {
            "duration": "until",
            "until_local": "2027-03-28T02:30",
            "reason": "r",
            "step": "review",
        },
    )

    assert "does not exist in Europe/Berlin" in response.content.decode()


@time_machine.travel(NOW, tick=False)
def test_bypass_garbage_end_time_one_error(
    global_admin: Membership,
    client_for: Callable[[Membership], Client],
    pingid_user: PingIDUser,
) -> None:
    response = client_for(global_admin).post(
        reverse("users:user_bypass", args=[pingid_user.pk]),
        {
            "duration": "until",
            "until_local": "next tuesday",
            "reason": "r",
            "step": "review",
        },
    )

    errors = response.context["form"].errors["until_local"]
    assert errors == [
        "End time is invalid: enter a date and time such as 2026-06-01T14:30."
    ]
    assert "End time is missing" not in response.content.decode()
    assert not any(row.is_bypassed() for row in pingid_user.services.all())


@time_machine.travel(NOW, tick=False)
def test_resume_mfa_from_page_is_audited(
    help_desk: Membership,
    client_for: Callable[[Membership], Client],
    pingid_user: PingIDUser,
) -> None:
    user_bypass(
        actor=Actor.for_membership(help_desk),
        user=pingid_user,
        until=NOW + timedelta(hours=1),
        reason="r",
    )

    response = client_for(help_desk).post(
        reverse("users:user_resume_mfa", args=[pingid_user.pk]),
        {"reason": "Phone found", "service": "vpn"},
    )

    assert response.status_code == 302
    assert not UserService.objects.get(user=pingid_user, service="vpn").is_bypassed()
    assert UserService.objects.get(user=pingid_user, service="web").is_bypassed()
    event = ActivityEvent.objects.get(action="user.bypass_end")
    assert event.service == "vpn"
    assert event.reason == "Phone found"


@time_machine.travel(NOW, tick=False)
def test_bypassed_now_lists_setter_reason_and_time_left(
    help_desk: Membership,
    client_for: Callable[[Membership], Client],
    make_user: Callable[..., PingIDUser],
) -> None:
    user = make_user(username="traveller", services=["vpn"])
    make_user(username="normal")
    user_bypass(
        actor=Actor.for_membership(help_desk),
        user=user,
        until=NOW + timedelta(hours=4),
        reason="Token at home",
    )

    response = client_for(help_desk).get(reverse("users:bypass_list"))

    body = response.content.decode()
    assert "traveller" in body
    assert "normal" not in body
    assert "Token at home" in body
    assert help_desk.user.email in body
    assert "4\xa0hours" in body

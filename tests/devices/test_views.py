from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pyotp
import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import Membership
from activity.models import ActivityEvent
from devices.models import ActivationCode, Device, DeviceType, PairingSession
from tests.factories import DeviceFactory, PingIDUserFactory
from users.models import PingIDUser, UserStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk(help_desk: Membership, client_for: Callable[[Membership], Client]) -> Client:
    return client_for(help_desk)


def test_list_masks_phone_and_email(
    desk: Client, make_device: Callable[..., Device]
) -> None:
    make_device(type=DeviceType.SMS, display_id="+1 555 010 9876")
    make_device(type=DeviceType.EMAIL, display_id="alice.secret@example.com")

    response = desk.get(reverse("devices:device_list"))

    body = response.content.decode()
    assert response.status_code == 200
    assert "9876" in body
    assert "555 010 9876" not in body
    assert "alice.secret" not in body
    assert "a•••@example.com" in body


def test_list_filters(desk: Client, make_device: Callable[..., Device]) -> None:
    make_device(type=DeviceType.ANDROID, model="Pixel-one", os_version="14")
    make_device(
        type=DeviceType.IPHONE, model="iPhone-two", os_version="17.4", blocked=True
    )

    by_type = desk.get(reverse("devices:device_list"), {"type": "Android"}).content
    by_os = desk.get(reverse("devices:device_list"), {"os_version": "17.4"}).content
    blocked = desk.get(reverse("devices:device_list"), {"blocked": "yes"}).content

    assert b"Pixel-one" in by_type
    assert b"iPhone-two" not in by_type
    assert b"iPhone-two" in by_os
    assert b"Pixel-one" not in by_os
    assert b"iPhone-two" in blocked
    assert b"Pixel-one" not in blocked


def test_list_unused_for_days(
    desk: Client, make_device: Callable[..., Device], time_machine: Any
) -> None:
    from datetime import UTC, datetime, timedelta

    now = datetime(2026, 5, 1, tzinfo=UTC)
    time_machine.move_to(now, tick=False)
    make_device(model="Old-one", last_used_at=now - timedelta(days=100))
    make_device(model="Fresh-one", last_used_at=now - timedelta(days=2))
    make_device(model="Never-old", paired_at=now - timedelta(days=200))

    body = desk.get(reverse("devices:device_list"), {"unused_days": "90"}).content

    assert b"Old-one" in body
    assert b"Never-old" in body
    assert b"Fresh-one" not in body


def test_list_invalid_filter_names_field(desk: Client) -> None:
    response = desk.get(reverse("devices:device_list"), {"unused_days": "-3"})

    assert response.status_code == 200
    assert b"greater than or equal to 1" in response.content


def test_list_query_count_does_not_grow(
    desk: Client, person: PingIDUser, django_assert_num_queries: Any
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    DeviceFactory(user=person, model="Model-first")
    with CaptureQueriesContext(connection) as one_row:
        desk.get(reverse("devices:device_list"))
    for _ in range(60):
        DeviceFactory(user=PingIDUserFactory(organization=person.organization))

    # Session, user, membership, the page shell's banners, two version lists
    # and one page of devices with their users: never one query per row.
    with django_assert_num_queries(len(one_row)):
        desk.get(reverse("devices:device_list"))
    device_queries = [
        query for query in one_row.captured_queries if "devices_device" in query["sql"]
    ]
    assert len(device_queries) == 3


def test_list_keyset_pages(
    desk: Client, person: PingIDUser, django_assert_num_queries: Any
) -> None:
    devices = [DeviceFactory(user=person, model=f"Model-{i:03d}") for i in range(55)]

    # Session, user, membership, the administrator's MFA device, the
    # availability banners, two version lists and the page of devices.
    with django_assert_num_queries(8):
        first = desk.get(reverse("devices:device_list"))
    body = first.content.decode()
    assert "Model-054" in body
    assert "Model-004" not in body
    assert f"before={devices[5].pk}" in body

    second = desk.get(reverse("devices:device_list"), {"before": devices[5].pk})
    assert b"Model-004" in second.content
    assert b"Model-005" not in second.content


def test_list_htmx_returns_partial(desk: Client) -> None:
    response = desk.get(reverse("devices:device_list"), HTTP_HX_REQUEST="true")

    assert b'id="device-results"' in response.content
    assert b"<html" not in response.content


def test_list_hides_other_organization(desk: Client, other_organization: Any) -> None:
    stranger = PingIDUserFactory(organization=other_organization)
    DeviceFactory(user=stranger, model="Foreign-model")

    assert b"Foreign-model" not in desk.get(reverse("devices:device_list")).content


def test_other_organization_device_is_404(
    desk: Client, other_organization: Any
) -> None:
    device = DeviceFactory(user=PingIDUserFactory(organization=other_organization))

    response = desk.get(reverse("devices:device_detail", args=[device.pk]))

    assert response.status_code == 404


def test_unpair_confirmation_names_device(
    desk: Client, make_device: Callable[..., Device]
) -> None:
    device = make_device(nickname="Work phone")

    response = desk.get(reverse("devices:device_unpair", args=[device.pk]))

    body = response.content.decode()
    assert "Work phone" in body
    for reason in ["Lost", "Damaged", "Replaced", "Other"]:
        assert reason in body


def test_unpair_all_confirmation_names_each_device(
    desk: Client, person: PingIDUser, make_device: Callable[..., Device]
) -> None:
    make_device(nickname="Phone-A")
    make_device(nickname="Phone-B")

    body = desk.get(reverse("devices:device_unpair_all", args=[person.pk])).content

    assert b"Phone-A" in body
    assert b"Phone-B" in body


def test_two_administrators_unpair_same_device(
    help_desk: Membership,
    global_admin: Membership,
    client_for: Callable[[Membership], Client],
    make_device: Callable[..., Device],
) -> None:
    device = make_device(nickname="Shared phone")
    first, second = client_for(help_desk), client_for(global_admin)
    url = reverse("devices:device_unpair", args=[device.pk])
    # Both administrators opened the confirmation page.
    assert first.get(url).status_code == 200
    assert second.get(url).status_code == 200

    one = first.post(url, {"reason": "lost"}, follow=True)
    two = second.post(url, {"reason": "lost"}, follow=True)

    assert one.status_code == 200
    assert two.status_code == 200
    assert "Shared phone" in one.content.decode()
    assert "is unpaired" in one.content.decode()
    assert "already unpaired" in two.content.decode()
    assert ActivityEvent.objects.filter(action="device.unpair").count() == 1


def test_unpair_post_unpairs_with_reason(
    desk: Client, person: PingIDUser, make_device: Callable[..., Device]
) -> None:
    device = make_device()

    response = desk.post(
        reverse("devices:device_unpair", args=[device.pk]),
        {"reason": "damaged", "note": "screen broken"},
    )

    assert response.status_code == 302
    assert not Device.objects.filter(pk=device.pk).exists()
    assert ActivityEvent.objects.get(action="device.unpair").reason == "damaged"


def test_unpair_without_reason_changes_nothing(
    desk: Client, make_device: Callable[..., Device]
) -> None:
    device = make_device()

    response = desk.post(reverse("devices:device_unpair", args=[device.pk]), {})

    assert response.status_code == 200
    assert b"This field is required" in response.content
    assert Device.objects.filter(pk=device.pk).exists()


def test_auditor_cannot_unpair(
    auditor: Membership,
    client_for: Callable[[Membership], Client],
    make_device: Callable[..., Device],
) -> None:
    device = make_device()

    response = client_for(auditor).post(
        reverse("devices:device_unpair", args=[device.pk]), {"reason": "lost"}
    )

    assert response.status_code == 403
    assert Device.objects.filter(pk=device.pk).exists()


def test_block_and_unblock_buttons(
    desk: Client, make_device: Callable[..., Device]
) -> None:
    device = make_device()

    desk.post(reverse("devices:device_block", args=[device.pk]))
    device.refresh_from_db()
    assert device.blocked
    desk.post(reverse("devices:device_unblock", args=[device.pk]))
    device.refresh_from_db()
    assert not device.blocked


def test_block_twice_shows_warning(
    desk: Client, make_device: Callable[..., Device]
) -> None:
    device = make_device(blocked=True)

    response = desk.post(reverse("devices:device_block", args=[device.pk]), follow=True)

    assert response.status_code == 200
    assert b"already blocked" in response.content


def test_activation_code_shown_once_with_no_store(
    desk: Client, person: PingIDUser
) -> None:
    url = reverse("devices:activation_code_issue", args=[person.pk])

    issued = desk.post(url, {"hours": "24", "device_type": ""})
    again = desk.get(url)

    assert issued["Cache-Control"] == "no-store"
    assert b"<svg" in issued.content
    code = issued.context["code"].replace(" ", "")
    assert len(code) == 12
    assert code[:4].encode() in issued.content
    assert issued.context["code"].encode() not in again.content
    assert ActivationCode.objects.count() == 1


def test_activation_code_invalid_hours_names_field(
    desk: Client, person: PingIDUser
) -> None:
    url = reverse("devices:activation_code_issue", args=[person.pk])

    response = desk.post(url, {"hours": "400"})

    assert b"less than or equal to 336" in response.content
    assert not ActivationCode.objects.exists()


def test_totp_pairing_from_user_devices_page(desk: Client, person: PingIDUser) -> None:
    url = reverse("devices:totp_pairing", args=[person.pk])

    started = desk.post(url)
    secret = started.context["secret"]
    session = PairingSession.objects.get()
    finished = desk.post(
        url, {"session": str(session.session_id), "otp": pyotp.TOTP(secret).now()}
    )

    assert started["Cache-Control"] == "no-store"
    assert b"otpauth://totp/" in started.content
    assert finished.status_code == 302
    device = Device.objects.get(user=person)
    assert device.type == DeviceType.AUTHENTICATOR_APP
    page = desk.get(reverse("devices:user_devices", args=[person.pk]))
    assert b"Primary" in page.content


def _wrong_code(secret: str) -> str:
    """Return a six-digit code that no step near now accepts for `secret`."""
    totp = pyotp.TOTP(secret)
    accepted = {
        totp.at(datetime.now(UTC) + timedelta(seconds=30 * step))
        for step in range(-2, 3)
    }
    return next(code for code in ("000000", "111111", "222222") if code not in accepted)


def test_totp_pairing_wrong_code_keeps_key(desk: Client, person: PingIDUser) -> None:
    url = reverse("devices:totp_pairing", args=[person.pk])
    started = desk.post(url)
    secret = started.context["secret"]
    session = PairingSession.objects.get()

    response = desk.post(
        url, {"session": str(session.session_id), "otp": _wrong_code(secret)}
    )
    page = response.content.decode()

    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    assert response.context["secret"] == secret
    assert response.context["uri"] == started.context["uri"]
    assert f'id="totp-secret">{secret}<' in page
    assert page.count("Wrong code") == 1
    assert response.context["form"].errors["otp"][0].startswith("Wrong code")
    assert not list(response.context["messages"])
    assert "Start again with a new key" not in page
    assert not Device.objects.exists()


def test_totp_pairing_right_code_after_wrong_one(
    desk: Client, person: PingIDUser
) -> None:
    url = reverse("devices:totp_pairing", args=[person.pk])
    secret = desk.post(url).context["secret"]
    session_id = str(PairingSession.objects.get().session_id)
    desk.post(url, {"session": session_id, "otp": _wrong_code(secret)})

    finished = desk.post(url, {"session": session_id, "otp": pyotp.TOTP(secret).now()})

    assert finished.status_code == 302
    assert Device.objects.filter(user=person).count() == 1


def test_totp_pairing_empty_code_keeps_key(desk: Client, person: PingIDUser) -> None:
    url = reverse("devices:totp_pairing", args=[person.pk])
    secret = desk.post(url).context["secret"]
    session = PairingSession.objects.get()

    response = desk.post(url, {"session": str(session.session_id), "otp": ""})

    assert response.context["secret"] == secret
    assert "otp" in response.context["form"].errors


def test_totp_pairing_too_many_wrong_codes_restarts(
    desk: Client, person: PingIDUser, settings: Any
) -> None:
    settings.DEVICE_PAIRING_MAX_ATTEMPTS = 2
    url = reverse("devices:totp_pairing", args=[person.pk])
    secret = desk.post(url).context["secret"]
    session_id = str(PairingSession.objects.get().session_id)
    wrong = _wrong_code(secret)

    desk.post(url, {"session": session_id, "otp": wrong})
    response = desk.post(url, {"session": session_id, "otp": wrong})
    page = response.content.decode()

    assert "secret" not in response.context
    assert secret not in page
    assert page.count("too many wrong codes") == 1
    assert "Start again with a new key" in page


def test_totp_pairing_unknown_session_restarts(
    desk: Client, person: PingIDUser
) -> None:
    url = reverse("devices:totp_pairing", args=[person.pk])

    response = desk.post(
        url, {"session": "00000000-0000-4000-8000-000000000000", "otp": "123456"}
    )
    page = response.content.decode()

    assert "This pairing no longer exists: start again." in page
    assert "Start again with a new key" in page


def test_email_pairing_pages(
    desk: Client,
    person: PingIDUser,
    mailoutbox: list[Any],
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    url = reverse("devices:email_pairing", args=[person.pk])

    with django_capture_on_commit_callbacks(execute=True):
        with_code = desk.post(url, {"email": "alice@example.com"})
    assert b"was sent to" in with_code.content
    import re

    found = re.search(r"\b(\d{6})\b", mailoutbox[0].body)
    assert found is not None
    session = PairingSession.objects.get()
    finished = desk.post(
        url, {"session": str(session.session_id), "otp": found.group(1)}
    )

    assert finished.status_code == 302
    assert Device.objects.get().email == "alice@example.com"


def test_lost_flow_unpairs_and_issues_code(
    desk: Client, person: PingIDUser, make_device: Callable[..., Device]
) -> None:
    device = make_device()

    response = desk.post(
        reverse("devices:device_lost", args=[device.pk]),
        {"reason": "lost", "issue_code": "on", "code_hours": "48"},
    )

    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    assert b"activation-code" in response.content
    assert not Device.objects.filter(pk=device.pk).exists()
    person.refresh_from_db()
    assert person.status == UserStatus.PENDING_ACTIVATION


def test_lost_flow_bypass_without_reason_changes_nothing(
    desk: Client, make_device: Callable[..., Device]
) -> None:
    device = make_device()

    response = desk.post(
        reverse("devices:device_lost", args=[device.pk]),
        {"reason": "lost", "bypass": "on", "bypass-duration": "1h"},
    )

    assert response.status_code == 200
    assert "reason" in response.context["bypass_form"].errors
    assert Device.objects.filter(pk=device.pk).exists()


def test_user_devices_page_lists_actions(
    desk: Client, person: PingIDUser, make_device: Callable[..., Device]
) -> None:
    make_device(nickname="Main phone")

    body = desk.get(reverse("devices:user_devices", args=[person.pk])).content

    assert b"Main phone" in body
    assert b"Unpair all" in body
    assert b"Pair authenticator app" in body


def test_lost_flow_with_bypass_over_cap_names_field(
    desk: Client, person: PingIDUser, make_device: Callable[..., Device]
) -> None:
    device = make_device()

    response = desk.post(
        reverse("devices:device_lost", args=[device.pk]),
        {
            "reason": "lost",
            "bypass": "on",
            "bypass-duration": "until",
            "bypass-until_local": "2099-01-01T10:00",
            "bypass-reason": "travelling",
        },
    )

    assert response.status_code == 200
    assert "until_local" in response.context["bypass_form"].errors
    assert Device.objects.filter(pk=device.pk).exists()
    assert not person.services.filter(bypass_until__isnull=False).exists()


def test_lost_flow_with_bypass(
    desk: Client, person: PingIDUser, make_device: Callable[..., Device]
) -> None:
    device = make_device()

    response = desk.post(
        reverse("devices:device_lost", args=[device.pk]),
        {
            "reason": "lost",
            "bypass": "on",
            "bypass-duration": "4h",
            "bypass-services": ["web", "vpn"],
            "bypass-reason": "travelling",
        },
    )

    assert response.status_code == 302
    assert not Device.objects.filter(pk=device.pk).exists()
    bypassed = person.services.filter(bypass_until__isnull=False)
    assert sorted(bypassed.values_list("service", flat=True)) == ["vpn", "web"]


def test_lost_flow_help_desk_cannot_bypass_without_end(
    desk: Client, person: PingIDUser, make_device: Callable[..., Device]
) -> None:
    device = make_device()

    response = desk.post(
        reverse("devices:device_lost", args=[device.pk]),
        {
            "reason": "lost",
            "bypass": "on",
            "bypass-duration": "unlimited",
            "bypass-reason": "travelling",
        },
    )

    assert response.status_code == 200
    assert "duration" in response.context["bypass_form"].errors
    assert Device.objects.filter(pk=device.pk).exists()


def test_unpair_after_unpair_all_is_warning(
    desk: Client, person: PingIDUser, make_device: Callable[..., Device]
) -> None:
    device = make_device(nickname="Old phone")
    desk.post(
        reverse("devices:device_unpair_all", args=[person.pk]), {"reason": "lost"}
    )

    response = desk.post(
        reverse("devices:device_unpair", args=[device.pk]),
        {"reason": "lost"},
        follow=True,
    )

    assert response.status_code == 200
    assert b"already unpaired" in response.content
    assert ActivityEvent.objects.filter(action__startswith="device.unpair").count() == 1


def test_unpair_unknown_device_is_404(desk: Client) -> None:
    response = desk.post(
        reverse("devices:device_unpair", args=[999999]), {"reason": "lost"}
    )

    assert response.status_code == 404

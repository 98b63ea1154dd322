from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied

from accounts.models import Membership
from activity.models import ActivityEvent
from pingid_portal.actors import Actor
from pingid_portal.errors import ConflictError, ServiceError
from tests.factories import PingIDUserFactory
from users.models import PingIDUser, Service, ServiceStatus, UserService, UserStatus
from users.selectors import user_get_by_username
from users.services import (
    user_activate,
    user_bypass,
    user_bypass_end,
    user_create,
    user_remove,
    user_suspend,
    user_update,
)

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def events(action: str) -> list[ActivityEvent]:
    return list(ActivityEvent.objects.filter(action=action))


# Create and edit ---------------------------------------------------------------


def test_create_stores_user_services_and_event(admin_actor: Actor) -> None:
    user = user_create(
        actor=admin_actor,
        username="Bob",
        first_name="Bob",
        email="bob@example.com",
        services=["vpn", "web"],
    )

    assert user.username_key == "bob"
    assert sorted(user.services.values_list("service", flat=True)) == ["vpn", "web"]
    [event] = events("user.create")
    assert event.pingid_user_id == user.pk
    assert event.pingid_username == "Bob"
    assert event.after["services"]["vpn"]["enabled"] is True


def test_create_defaults_to_every_service(admin_actor: Actor) -> None:
    user = user_create(actor=admin_actor, username="carol")

    assert user.services.count() == len(Service.values)
    assert user.status == UserStatus.NOT_ACTIVE


@pytest.mark.parametrize(
    "username",
    [
        "Ελένη Παπαδοπούλου",
        "山田 太郎",
        "=cmd|' /C calc'!A0",
        "+1 555 0100",
        "-minus",
        "@handle",
        "a" * 250,
        "spaced  name",
    ],
)
def test_create_keeps_unusual_usernames_intact(
    admin_actor: Actor, username: str
) -> None:
    user = user_create(actor=admin_actor, username=username)

    user.refresh_from_db()
    assert user.username == username
    assert user_get_by_username(admin_actor.organization, username.upper()) == user


def test_create_trims_surrounding_spaces(admin_actor: Actor) -> None:
    user = user_create(actor=admin_actor, username="  spaced  name \t")

    user.refresh_from_db()
    assert user.username == "spaced  name"
    assert user_get_by_username(admin_actor.organization, " SPACED  NAME ") == user


def test_lookup_finds_legacy_spaced_username(
    admin_actor: Actor, make_user: Callable[..., PingIDUser]
) -> None:
    legacy = make_user(username="  two  spaces  ")
    trimmed = make_user(username="two  spaces")

    found_legacy = user_get_by_username(admin_actor.organization, "  two  spaces  ")
    found_trimmed = user_get_by_username(admin_actor.organization, "two  spaces")

    assert found_legacy == legacy
    assert found_trimmed == trimmed


def test_create_normalizes_username_to_nfc(admin_actor: Actor) -> None:
    decomposed = "Jose\u0301"

    user = user_create(actor=admin_actor, username=decomposed)

    assert user.username == "José"
    assert user_get_by_username(admin_actor.organization, "JOSÉ") == user


def test_create_rejects_case_insensitive_duplicate(
    admin_actor: Actor, pingid_user: PingIDUser
) -> None:
    with pytest.raises(ServiceError) as error:
        user_create(actor=admin_actor, username="ALICE")

    assert error.value.field == "username"
    assert error.value.code == "duplicate"
    assert PingIDUser.objects.count() == 1


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"username": ""}, "username"),
        ({"username": "   "}, "username"),
        ({"username": "a" * 251}, "username"),
        ({"username": "tab\there"}, "username"),
        ({"username": "lone\ud800"}, "username"),
        ({"username": "x", "first_name": "\udfff"}, "first_name"),
        ({"username": "x", "email": "not-an-address"}, "email"),
        ({"username": "x", "role": "OWNER"}, "role"),
        ({"username": "x", "status": "GONE"}, "status"),
        ({"username": "x", "services": ["telnet"]}, "services"),
    ],
)
def test_create_rejects_invalid_input(
    admin_actor: Actor, kwargs: dict[str, object], field: str
) -> None:
    with pytest.raises(ServiceError) as error:
        user_create(actor=admin_actor, **kwargs)  # type: ignore[arg-type]

    assert error.value.field == field
    assert PingIDUser.objects.count() == 0
    assert ActivityEvent.objects.count() == 0


def test_update_records_before_and_after(
    admin_actor: Actor, pingid_user: PingIDUser
) -> None:
    user_update(
        actor=admin_actor, user=pingid_user, last_name="Hargreaves", services=["web"]
    )

    [event] = events("user.update")
    assert event.before["last_name"] == "Liddell"
    assert event.after["last_name"] == "Hargreaves"
    assert event.after["services"]["vpn"]["enabled"] is False
    assert not pingid_user.services.get(service="vpn").enabled


def test_update_without_change_writes_no_event(
    admin_actor: Actor, pingid_user: PingIDUser
) -> None:
    user_update(actor=admin_actor, user=pingid_user, first_name="Alice")

    assert events("user.update") == []


def test_update_rejects_unknown_field(
    admin_actor: Actor, pingid_user: PingIDUser
) -> None:
    with pytest.raises(ServiceError) as error:
        user_update(actor=admin_actor, user=pingid_user, username="mallory")

    assert error.value.field == "username"


# Disable and enable ----------------------------------------------------------


@pytest.mark.parametrize(
    "status",
    [
        UserStatus.ACTIVE,
        UserStatus.PENDING,
        UserStatus.NOT_ACTIVE,
        UserStatus.PENDING_ACTIVATION,
        UserStatus.PENDING_CHANGE_DEVICE,
    ],
)
def test_suspend_then_activate_restores_status(
    admin_actor: Actor, make_user: Callable[..., PingIDUser], status: str
) -> None:
    user = make_user(status=status)

    user_suspend(actor=admin_actor, user=user, reason="Lost laptop")
    user.refresh_from_db()
    assert user.status == UserStatus.SUSPENDED
    user_activate(actor=admin_actor, user=user, reason="Found it")
    user.refresh_from_db()

    assert user.status == status
    [suspend] = events("user.suspend")
    assert suspend.before == {"status": status}
    assert suspend.reason == "Lost laptop"
    [activate] = events("user.activate")
    assert activate.after == {"status": status}


def test_suspend_twice_is_a_conflict(
    help_desk_actor: Actor, pingid_user: PingIDUser
) -> None:
    user_suspend(actor=help_desk_actor, user=pingid_user, reason="Left company")

    with pytest.raises(ConflictError) as error:
        user_suspend(actor=help_desk_actor, user=pingid_user, reason="Again")

    assert error.value.code == "already_suspended"
    assert len(events("user.suspend")) == 1


def test_activate_active_user_is_a_conflict(
    admin_actor: Actor, pingid_user: PingIDUser
) -> None:
    with pytest.raises(ConflictError) as error:
        user_activate(actor=admin_actor, user=pingid_user, reason="Why not")

    assert error.value.code == "not_suspended"


def test_suspend_requires_reason(admin_actor: Actor, pingid_user: PingIDUser) -> None:
    with pytest.raises(ServiceError) as error:
        user_suspend(actor=admin_actor, user=pingid_user, reason="  ")

    assert error.value.field == "reason"
    pingid_user.refresh_from_db()
    assert pingid_user.status == UserStatus.ACTIVE


# Role limits -------------------------------------------------------------------


def test_auditor_can_change_nothing(
    auditor_actor: Actor, make_user: Callable[..., PingIDUser]
) -> None:
    active = make_user()
    suspended = make_user(status=UserStatus.SUSPENDED)
    calls: list[Callable[[], object]] = [
        lambda: user_create(actor=auditor_actor, username="new"),
        lambda: user_update(actor=auditor_actor, user=active, first_name="X"),
        lambda: user_suspend(actor=auditor_actor, user=active, reason="r"),
        lambda: user_activate(actor=auditor_actor, user=suspended, reason="r"),
        lambda: user_bypass(
            actor=auditor_actor,
            user=active,
            until=datetime.now(UTC) + timedelta(hours=1),
            reason="r",
        ),
        lambda: user_bypass_end(actor=auditor_actor, user=active),
        lambda: user_remove(actor=auditor_actor, user=active),
        lambda: user_remove(actor=auditor_actor, user=active, service="web"),
    ]

    for call in calls:
        with pytest.raises(PermissionDenied):
            call()

    assert PingIDUser.objects.count() == 2
    assert ActivityEvent.objects.count() == 0


@time_machine.travel(NOW, tick=False)
def test_help_desk_bypass_up_to_cap(
    help_desk_actor: Actor, pingid_user: PingIDUser
) -> None:
    user_bypass(
        actor=help_desk_actor,
        user=pingid_user,
        until=NOW + timedelta(hours=72),
        reason="Phone broken",
    )

    assert all(row.is_bypassed() for row in pingid_user.services.all())


@time_machine.travel(NOW, tick=False)
def test_help_desk_cannot_bypass_past_cap(
    help_desk_actor: Actor, pingid_user: PingIDUser
) -> None:
    with pytest.raises(ServiceError) as error:
        user_bypass(
            actor=help_desk_actor,
            user=pingid_user,
            until=NOW + timedelta(hours=72, seconds=1),
            reason="Phone broken",
        )

    assert error.value.code == "bypass_cap"
    assert error.value.field == "until"
    assert not any(row.is_bypassed() for row in pingid_user.services.all())
    assert events("user.bypass") == []


@time_machine.travel(NOW, tick=False)
def test_bypass_cap_message_uses_local_time(
    help_desk: Membership, pingid_user: PingIDUser
) -> None:
    help_desk.time_zone = "Europe/Berlin"
    help_desk.save()

    with pytest.raises(ServiceError) as error:
        user_bypass(
            actor=Actor.for_membership(help_desk),
            user=pingid_user,
            until=NOW + timedelta(hours=80),
            reason="Phone broken",
        )

    # 72 hours after 12:00 UTC is 14:00 in Berlin (CEST, UTC+2).
    assert "until 2026-06-04 14:00 CEST." in error.value.message
    assert "+00:00" not in error.value.message


@time_machine.travel(NOW, tick=False)
def test_help_desk_cap_follows_organization_setting(
    help_desk_actor: Actor, pingid_user: PingIDUser
) -> None:
    help_desk_actor.organization.help_desk_bypass_cap_hours = 4
    help_desk_actor.organization.save()

    with pytest.raises(ServiceError):
        user_bypass(
            actor=help_desk_actor,
            user=pingid_user,
            until=NOW + timedelta(hours=5),
            reason="Phone broken",
        )


def test_help_desk_cannot_bypass_unlimited(
    help_desk_actor: Actor, pingid_user: PingIDUser
) -> None:
    with pytest.raises(PermissionDenied):
        user_bypass(
            actor=help_desk_actor,
            user=pingid_user,
            until=None,
            unlimited=True,
            reason="Forever",
        )

    assert events("user.bypass") == []


@time_machine.travel(NOW, tick=False)
def test_global_admin_bypass_unlimited_and_past_cap(
    admin_actor: Actor, make_user: Callable[..., PingIDUser]
) -> None:
    first = make_user()
    second = make_user()

    user_bypass(actor=admin_actor, user=first, until=None, unlimited=True, reason="VIP")
    user_bypass(
        actor=admin_actor,
        user=second,
        until=NOW + timedelta(days=30),
        reason="Long trip",
    )

    row = first.services.get(service="web")
    assert row.bypass_unlimited
    with time_machine.travel(NOW + timedelta(days=3650)):
        assert row.is_bypassed()
    assert second.services.get(service="web").is_bypassed(NOW + timedelta(days=29))


# Bypass ------------------------------------------------------------------------


@time_machine.travel(NOW, tick=False)
def test_bypass_ends_exactly_at_its_instant(
    help_desk_actor: Actor, pingid_user: PingIDUser
) -> None:
    until = NOW + timedelta(hours=1)
    user_bypass(
        actor=help_desk_actor,
        user=pingid_user,
        services=["vpn"],
        until=until,
        reason="Token at home",
    )
    row = UserService.objects.get(user=pingid_user, service="vpn")

    with time_machine.travel(until - timedelta(microseconds=1), tick=False):
        assert row.status() == ServiceStatus.BYPASS
    with time_machine.travel(until, tick=False):
        assert row.status() == ServiceStatus.ACTIVE
    assert UserService.objects.get(user=pingid_user, service="web").status() == (
        ServiceStatus.ACTIVE
    )


@time_machine.travel(NOW, tick=False)
def test_bypass_records_setter_reason_and_one_event(
    help_desk_actor: Actor, pingid_user: PingIDUser
) -> None:
    user_bypass(
        actor=help_desk_actor,
        user=pingid_user,
        services=["vpn", "ssh"],
        until=NOW + timedelta(hours=4),
        reason="Token at home",
    )

    row = UserService.objects.get(user=pingid_user, service="ssh")
    assert row.bypass_reason == "Token at home"
    assert row.bypass_set_by == help_desk_actor.user
    assert row.bypass_set_by_display == help_desk_actor.display
    assert not row.bypass_end_recorded
    [event] = events("user.bypass")
    assert set(event.after) == {"ssh", "vpn"}
    assert event.before["vpn"]["bypass_until"] is None
    assert event.reason == "Token at home"


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"until": NOW - timedelta(seconds=1)}, "until"),
        ({"until": None}, "until"),
        ({"until": datetime(2026, 6, 1, 14, 0)}, "until"),
        ({"until": NOW + timedelta(hours=1), "unlimited": True}, "until"),
        ({"until": NOW + timedelta(hours=1), "services": []}, "services"),
        ({"until": NOW + timedelta(hours=1), "services": ["fax"]}, "services"),
        ({"until": NOW + timedelta(hours=1), "reason": ""}, "reason"),
    ],
)
@time_machine.travel(NOW, tick=False)
def test_bypass_rejects_invalid_input(
    admin_actor: Actor,
    pingid_user: PingIDUser,
    kwargs: dict[str, object],
    field: str,
) -> None:
    arguments: dict[str, object] = {"reason": "Because", **kwargs}

    with pytest.raises(ServiceError) as error:
        user_bypass(actor=admin_actor, user=pingid_user, **arguments)  # type: ignore[arg-type]

    assert error.value.field == field
    assert events("user.bypass") == []


@time_machine.travel(NOW, tick=False)
def test_bypass_of_service_user_lacks_is_rejected(
    admin_actor: Actor, make_user: Callable[..., PingIDUser]
) -> None:
    user = make_user(services=["web"])

    with pytest.raises(ServiceError) as error:
        user_bypass(
            actor=admin_actor,
            user=user,
            services=["vpn"],
            until=NOW + timedelta(hours=1),
            reason="r",
        )

    assert error.value.field == "services"


@time_machine.travel(NOW, tick=False)
def test_bypass_of_suspended_user_is_rejected(
    admin_actor: Actor, make_user: Callable[..., PingIDUser]
) -> None:
    user = make_user(status=UserStatus.SUSPENDED)

    with pytest.raises(ServiceError) as error:
        user_bypass(
            actor=admin_actor, user=user, until=NOW + timedelta(hours=1), reason="r"
        )

    assert error.value.code == "user_suspended"


@time_machine.travel(NOW, tick=False)
def test_resume_mfa_ends_bypass_and_is_audited(
    help_desk_actor: Actor, pingid_user: PingIDUser
) -> None:
    user_bypass(
        actor=help_desk_actor,
        user=pingid_user,
        until=NOW + timedelta(hours=4),
        reason="Phone broken",
    )

    user_bypass_end(actor=help_desk_actor, user=pingid_user, reason="New phone paired")

    assert not any(row.is_bypassed() for row in pingid_user.services.all())
    [event] = events("user.bypass_end")
    assert event.reason == "New phone paired"
    assert event.before["web"]["bypass_until"] == (NOW + timedelta(hours=4)).isoformat()
    assert event.after["web"]["bypass_until"] is None
    assert event.actor_user == help_desk_actor.user


@time_machine.travel(NOW, tick=False)
def test_resume_mfa_without_bypass_is_a_conflict(
    admin_actor: Actor, pingid_user: PingIDUser
) -> None:
    with pytest.raises(ConflictError) as error:
        user_bypass_end(actor=admin_actor, user=pingid_user)

    assert error.value.code == "not_bypassed"


@time_machine.travel(NOW, tick=False)
def test_resume_mfa_of_one_service_keeps_others(
    admin_actor: Actor, pingid_user: PingIDUser
) -> None:
    user_bypass(
        actor=admin_actor,
        user=pingid_user,
        until=NOW + timedelta(hours=1),
        reason="r",
    )

    user_bypass_end(actor=admin_actor, user=pingid_user, services=["vpn"])

    bypassed = {row.service for row in pingid_user.services.all() if row.is_bypassed()}
    assert bypassed == set(Service.values) - {"vpn"}


# Remove ------------------------------------------------------------------------


def test_remove_deletes_user_and_keeps_history(
    admin_actor: Actor, pingid_user: PingIDUser
) -> None:
    user_id = pingid_user.pk

    user_remove(actor=admin_actor, user=pingid_user, reason="Left company")

    assert not PingIDUser.objects.filter(pk=user_id).exists()
    assert not UserService.objects.filter(user_id=user_id).exists()
    [event] = events("user.remove")
    assert event.pingid_user_id == user_id
    assert event.pingid_username == "alice"
    assert event.before["device_count"] == 0
    assert event.reason == "Left company"


def test_remove_one_service_keeps_user(
    admin_actor: Actor, pingid_user: PingIDUser
) -> None:
    result = user_remove(actor=admin_actor, user=pingid_user, service="vpn")

    assert result == pingid_user
    assert not pingid_user.services.get(service="vpn").enabled
    assert pingid_user.services.get(service="web").enabled
    [event] = events("user.remove_service")
    assert event.service == "vpn"


def test_remove_twice_is_a_conflict(
    admin_actor: Actor, help_desk_actor: Actor, pingid_user: PingIDUser
) -> None:
    stale = PingIDUser.objects.get(pk=pingid_user.pk)
    user_remove(actor=admin_actor, user=pingid_user)

    with pytest.raises(ConflictError) as error:
        user_remove(actor=help_desk_actor, user=stale)

    assert error.value.code == "user_removed"
    assert "alice" in error.value.message
    assert len(events("user.remove")) == 1


def test_disable_after_remove_is_a_conflict(
    admin_actor: Actor, help_desk_actor: Actor, pingid_user: PingIDUser
) -> None:
    stale = PingIDUser.objects.get(pk=pingid_user.pk)
    user_remove(actor=admin_actor, user=pingid_user)

    with pytest.raises(ConflictError):
        user_suspend(actor=help_desk_actor, user=stale, reason="Left")

    assert events("user.suspend") == []


def test_remove_service_twice_is_a_conflict(
    admin_actor: Actor, pingid_user: PingIDUser
) -> None:
    user_remove(actor=admin_actor, user=pingid_user, service="ssh")

    with pytest.raises(ConflictError) as error:
        user_remove(actor=admin_actor, user=pingid_user, service="ssh")

    assert error.value.code == "service_already_removed"


def test_services_never_touch_other_organization(
    admin_actor: Actor, other_organization: object
) -> None:
    foreign = PingIDUserFactory(organization=other_organization, username="eve")

    with pytest.raises(ConflictError):
        user_suspend(actor=admin_actor, user=foreign, reason="r")

    foreign.refresh_from_db()
    assert foreign.status == UserStatus.ACTIVE

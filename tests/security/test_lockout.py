from __future__ import annotations

from collections.abc import Callable

import pytest
import time_machine
from django.test import Client

from accounts.lockout import SignInAttempt, lockout_lift, sign_in_failure_record
from accounts.models import LockoutScope, Membership, SignInLockout
from activity.models import ActivityEvent
from pingid_portal.actors import Actor
from pingid_portal.errors import ConflictError
from tests.conftest import mfa_device_for
from tests.security.helpers import MFA_URL, next_code, password_step

pytestmark = pytest.mark.django_db

WRONG = "wrong-password-123"


def _error_of(response: object) -> str:
    return response.context["form"].non_field_errors()[0]  # type: ignore[attr-defined]


def test_unknown_account_and_wrong_password_read_alike(
    global_admin: Membership,
) -> None:
    client = Client()

    wrong_password = password_step(client, global_admin.user.email, WRONG)
    unknown = password_step(client, "nobody@example.com", WRONG)

    assert wrong_password.status_code == 200
    assert unknown.status_code == 200
    assert _error_of(wrong_password) == _error_of(unknown)


def test_account_locks_after_max_failures(global_admin: Membership) -> None:
    client = Client()
    for _ in range(4):
        password_step(client, global_admin.user.email, WRONG)

    fifth = password_step(client, global_admin.user.email, WRONG)
    right_password = password_step(client, global_admin.user.email)
    lockout = SignInLockout.objects.get()

    assert "Too many failed sign-ins for this account" in _error_of(fifth)
    assert right_password.status_code == 200
    assert "Too many failed sign-ins" in _error_of(right_password)
    assert lockout.scope == LockoutScope.ACCOUNT
    assert lockout.value == global_admin.user.email
    assert lockout.organization == global_admin.organization
    assert ActivityEvent.objects.filter(
        action="administrator.lockout", organization=global_admin.organization
    ).exists()
    assert (
        ActivityEvent.objects.filter(
            action="administrator.sign_in", outcome="failure"
        ).count()
        == 5
    )


def test_unknown_account_locks_the_same_way(db: None) -> None:
    client = Client()
    for _ in range(4):
        password_step(client, "nobody@example.com", WRONG)

    fifth = password_step(client, "Nobody@Example.com", WRONG)

    assert "Too many failed sign-ins for this account" in _error_of(fifth)
    assert SignInLockout.objects.get().organization is None


def test_lockout_expires(global_admin: Membership, settings: object) -> None:
    with time_machine.travel("2026-03-01 10:00:00", tick=False) as traveller:
        client = Client()
        for _ in range(5):
            password_step(client, global_admin.user.email, WRONG)
        traveller.shift(14 * 60)
        still_locked = password_step(client, global_admin.user.email)
        traveller.shift(61)
        unlocked = password_step(client, global_admin.user.email)

    assert still_locked.status_code == 200
    assert unlocked.status_code == 302


def test_failures_outside_window_do_not_add_up(
    global_admin: Membership, settings: object
) -> None:
    settings.SIGN_IN_FAILURE_WINDOW_SECONDS = 60  # type: ignore[attr-defined]
    with time_machine.travel("2026-03-01 10:00:00", tick=False) as traveller:
        client = Client()
        for _ in range(4):
            password_step(client, global_admin.user.email, WRONG)
        traveller.shift(61)
        password_step(client, global_admin.user.email, WRONG)

    assert not SignInLockout.objects.exists()


def test_ip_address_locks_across_accounts(
    global_admin: Membership, settings: object
) -> None:
    settings.SIGN_IN_IP_MAX_FAILURES = 6  # type: ignore[attr-defined]
    client = Client(REMOTE_ADDR="203.0.113.9")
    for number in range(6):
        password_step(client, f"guess{number}@example.com", WRONG)

    response = password_step(client, global_admin.user.email)
    elsewhere = password_step(
        Client(REMOTE_ADDR="198.51.100.2"), global_admin.user.email
    )

    assert "from your network address" in _error_of(response)
    assert SignInLockout.objects.filter(
        scope=LockoutScope.IP_ADDRESS, value="203.0.113.9"
    ).exists()
    assert elsewhere.status_code == 302


def test_wrong_mfa_codes_lock_and_sign_out(global_admin: Membership) -> None:
    device = mfa_device_for(global_admin)
    client = Client()
    password_step(client, global_admin.user.email)
    for _ in range(4):
        client.post(MFA_URL, {"code": "000000"})

    fifth = client.post(MFA_URL, {"code": "000000"}, follow=True)
    right = client.post(MFA_URL, {"code": next_code(device)})

    assert fifth.redirect_chain[-1][0] == "/accounts/sign-in/"
    assert "Too many failed sign-ins" in fifth.content.decode()
    assert right.status_code == 302
    assert right["Location"].startswith("/accounts/sign-in/")
    assert client.get("/").status_code == 302
    assert (
        ActivityEvent.objects.filter(
            action="administrator.mfa_verify", outcome="failure"
        ).count()
        == 5
    )


def test_success_clears_account_failures(global_admin: Membership) -> None:
    device = mfa_device_for(global_admin)
    client = Client()
    for _ in range(4):
        password_step(client, global_admin.user.email, WRONG)
    password_step(client, global_admin.user.email)
    client.post(MFA_URL, {"code": next_code(device)})
    client.post("/accounts/sign-out/")

    after = password_step(client, global_admin.user.email, WRONG)

    assert "Too many" not in _error_of(after)
    assert not SignInLockout.objects.exists()


def _lock(account: str) -> SignInLockout:
    lockout = None
    for _ in range(5):
        lockout = sign_in_failure_record(SignInAttempt(account, None))
    assert lockout is not None
    return lockout


def test_global_admin_lifts_lockout(
    global_admin: Membership,
    help_desk: Membership,
    client_for: Callable[[Membership], Client],
) -> None:
    lockout = _lock(help_desk.user.email)
    client = client_for(global_admin)

    page = client.get("/accounts/security/")
    response = client.post(
        f"/accounts/security/lockouts/{lockout.pk}/lift/", {"reason": "called in"}
    )
    lockout.refresh_from_db()
    sign_in = password_step(Client(), help_desk.user.email)

    assert help_desk.user.email in page.content.decode()
    assert response.status_code == 302
    assert lockout.lifted_at is not None
    assert lockout.lifted_by == global_admin.user.email
    assert sign_in.status_code == 302
    event = ActivityEvent.objects.get(action="administrator.lockout_lift")
    assert event.reason == "called in"


def test_help_desk_cannot_lift_lockout(
    help_desk: Membership,
    auditor: Membership,
    client_for: Callable[[Membership], Client],
) -> None:
    lockout = _lock(auditor.user.email)

    response = client_for(help_desk).post(
        f"/accounts/security/lockouts/{lockout.pk}/lift/"
    )
    lockout.refresh_from_db()

    assert response.status_code == 403
    assert lockout.lifted_at is None


def test_outsider_cannot_lift_lockout(
    help_desk: Membership,
    outsider: Membership,
    client_for: Callable[[Membership], Client],
) -> None:
    lockout = _lock(help_desk.user.email)

    response = client_for(outsider).post(
        f"/accounts/security/lockouts/{lockout.pk}/lift/"
    )
    lockout.refresh_from_db()

    assert response.status_code == 404
    assert lockout.lifted_at is None


def test_lifting_twice_conflicts(
    global_admin: Membership, help_desk: Membership
) -> None:
    lockout = _lock(help_desk.user.email)
    actor = Actor.for_membership(global_admin)
    lockout_lift(actor=actor, lockout=lockout)

    with pytest.raises(ConflictError):
        lockout_lift(actor=actor, lockout=lockout)

    assert (
        ActivityEvent.objects.filter(action="administrator.lockout_lift").count() == 1
    )

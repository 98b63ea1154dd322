"""Sign-in throttling: failures are counted per account name and per IP address.

Counters live in the Django cache (Redis when configured, so every web process
shares them) and lockouts in the database, where global administrators can
list and lift them. Unknown account names are counted and locked like real
ones, so a lockout never reveals whether an account exists.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import User
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from accounts.models import LockoutScope, Membership, SignInLockout
from activity.models import Outcome
from activity.services import event_record
from pingid_portal.actors import Actor
from pingid_portal.errors import ConflictError
from pingid_portal.permissions import Action

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class SignInAttempt:
    """A sign-in attempt: the account name typed and the client's address."""

    username: str
    ip_address: str | None
    user_agent: str = ""

    @property
    def account(self) -> str:
        return self.username.strip().lower()


def _counter_key(scope: str, value: str) -> str:
    digest = hashlib.sha256(value.encode("utf-8")).hexdigest()
    return f"sign-in-failures:{scope}:{digest}"


def _limits() -> dict[str, int]:
    return {
        LockoutScope.ACCOUNT: settings.SIGN_IN_ACCOUNT_MAX_FAILURES,
        LockoutScope.IP_ADDRESS: settings.SIGN_IN_IP_MAX_FAILURES,
    }


def _scopes(attempt: SignInAttempt) -> list[tuple[str, str]]:
    scopes = [(LockoutScope.ACCOUNT.value, attempt.account)]
    if attempt.ip_address:
        scopes.append((LockoutScope.IP_ADDRESS.value, attempt.ip_address))
    return scopes


def lockout_active(attempt: SignInAttempt) -> SignInLockout | None:
    """Return the lockout that blocks this attempt now, if any."""
    now = timezone.now()
    for scope, value in _scopes(attempt):
        lockout = (
            SignInLockout.objects.filter(
                scope=scope, value=value, locked_until__gt=now, lifted_at__isnull=True
            )
            .order_by("-locked_until")
            .first()
        )
        if lockout is not None:
            return lockout
    return None


def lockout_message(lockout: SignInLockout) -> str:
    minutes = max(
        1, round((lockout.locked_until - timezone.now()).total_seconds() / 60)
    )
    where = (
        "for this account"
        if lockout.scope == LockoutScope.ACCOUNT
        else "from your network address"
    )
    return (
        f"Too many failed sign-ins {where}. Try again in {minutes} minutes, or ask "
        "a global administrator to lift the lockout."
    )


def _membership_for(account: str) -> Membership | None:
    user = User.objects.filter(username__iexact=account).first()
    if user is None:
        return None
    return Membership.objects.select_related("organization").filter(user=user).first()


def _counter_reset(scope: str, value: str) -> None:
    key = _counter_key(scope, value)
    cache.delete_many([key, f"{key}:opened-at"])


def _count_failure(scope: str, value: str) -> int:
    """Add a failure and return the failures since the window opened.

    The window opens at the first failure and is timed by `timezone.now()`.
    The cache timeout only frees the keys, because Redis expires keys by its
    own clock, which a frozen or shifted test clock does not move.
    """
    key = _counter_key(scope, value)
    window = settings.SIGN_IN_FAILURE_WINDOW_SECONDS
    now = timezone.now().timestamp()
    opened_at = cache.get(f"{key}:opened-at")
    if opened_at is None or not 0 <= now - opened_at < window:
        # NOTE: two requests that reset the window at the same moment can
        # lose one failure between them.
        cache.set_many({key: 0, f"{key}:opened-at": now}, timeout=window)
    try:
        return cache.incr(key)
    except ValueError:
        # The counter expired after the window check.
        cache.set(key, 1, timeout=window)
        return 1


def _lock(
    scope: str, value: str, failures: int, attempt: SignInAttempt
) -> SignInLockout:
    now = timezone.now()
    membership = _membership_for(value) if scope == LockoutScope.ACCOUNT else None
    with transaction.atomic():
        lockout = SignInLockout.objects.create(
            scope=scope,
            value=value,
            organization=membership.organization if membership else None,
            failure_count=failures,
            created_at=now,
            locked_until=now + timedelta(seconds=settings.SIGN_IN_LOCKOUT_SECONDS),
        )
        event_record(
            organization=membership.organization if membership else None,
            actor_display=attempt.account,
            action="administrator.lockout",
            outcome=Outcome.FAILURE,
            target=lockout,
            target_display=value,
            after={"scope": scope, "failures": failures, "until": lockout.locked_until},
            message=f"Sign-in locked after {failures} failures.",
            ip_address=attempt.ip_address,
            user_agent=attempt.user_agent,
        )
    _counter_reset(scope, value)
    logger.warning("Sign-in lockout %s created for scope %s", lockout.pk, scope)
    return lockout


def sign_in_failure_record(attempt: SignInAttempt) -> SignInLockout | None:
    """Count a failed password or code, and return the lockout it caused, if any."""
    caused = None
    for scope, value in _scopes(attempt):
        failures = _count_failure(scope, value)
        if failures >= _limits()[scope]:
            caused = _lock(scope, value, failures, attempt)
    return caused


def sign_in_success_record(attempt: SignInAttempt) -> None:
    """Forget the account's failures after a complete sign-in."""
    _counter_reset(LockoutScope.ACCOUNT, attempt.account)


def lockout_lift(*, actor: Actor, lockout: SignInLockout, reason: str = "") -> None:
    """End a lockout before it expires, and forget the failures that caused it."""
    actor.require(Action.ADMINISTRATOR_MANAGE)
    with transaction.atomic():
        lockout = SignInLockout.objects.select_for_update().get(pk=lockout.pk)
        if not lockout.is_active:
            raise ConflictError(
                "This lockout already ended or was lifted.", code="lockout_ended"
            )
        lockout.lifted_at = timezone.now()
        lockout.lifted_by = actor.display
        lockout.save(update_fields=["lifted_at", "lifted_by"])
        event_record(
            actor=actor,
            action="administrator.lockout_lift",
            target=lockout,
            target_display=lockout.value,
            before={"scope": lockout.scope, "until": lockout.locked_until},
            reason=reason,
        )
    _counter_reset(lockout.scope, lockout.value)

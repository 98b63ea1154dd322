"""Thirty days of deterministic demo activity for the demo organization."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.utils import timezone

from accounts.models import Membership, Organization
from activity.integrity import integrity_check_run
from activity.models import ActivityEvent, Category, IntegrityCheck, Outcome
from activity.services import event_record
from pingid_portal.actors import Actor
from pingid_portal.permissions import Action, has_permission
from users.models import PingIDUser, Service

DEMO_DAYS = 30
# Authentications per day on average; weekends get a third of it.
AUTHENTICATIONS_PER_DAY = 180
ADMIN_ACTIONS_PER_DAY = 6
APPLICATIONS = [
    "Salesforce",
    "Workday",
    "VPN gateway",
    "Jira",
    "Windows login",
    "GitLab",
]
FAILURE_REASONS = {
    Outcome.FAILURE: ["Wrong one-time passcode", "Push rejected by the user"],
    Outcome.DENIED: ["Device blocked", "User suspended", "Service not active"],
    Outcome.TIMED_OUT: ["No answer to the push notification within 60 seconds"],
    Outcome.BYPASSED: ["MFA bypass set by the help desk"],
}
OUTCOME_WEIGHTS = [
    (Outcome.SUCCESS, 86),
    (Outcome.FAILURE, 6),
    (Outcome.DENIED, 2),
    (Outcome.TIMED_OUT, 3),
    (Outcome.BYPASSED, 3),
]
ADMIN_ACTIONS = [
    "user.update",
    "user.bypass",
    "user.suspend",
    "user.activate",
    "device.unpair",
]


@dataclass(frozen=True)
class DemoUser:
    """A username without a stored PingID user, used when no users exist."""

    pk: None
    username: str

    def __str__(self) -> str:
        return self.username


def _people(organization: Organization) -> list[Any]:
    users = list(
        PingIDUser.objects.filter(organization=organization).prefetch_related("devices")
    )
    if users:
        return users
    names = ["alice", "bob", "chen.wei", "dana", "émile", "farah", "goro", "hana"]
    return [DemoUser(None, name) for name in names]


def _device(person: Any) -> Any:
    if isinstance(person, PingIDUser):
        devices = list(person.devices.all())
        return devices[0] if devices else None
    return None


def _authentication(
    organization: Organization, rng: random.Random, person: Any, moment: Any
) -> None:
    outcomes, weights = zip(*OUTCOME_WEIGHTS, strict=True)
    outcome = rng.choices(outcomes, weights)[0]
    service = rng.choice(list(Service))
    event_record(
        actor=Actor.system(organization, "settings file demo"),
        category=Category.AUTHENTICATION,
        action="authentication.finish",
        outcome=outcome,
        pingid_user=person,
        service=service,
        device=_device(person),
        application=rng.choice(APPLICATIONS),
        reason=rng.choice(FAILURE_REASONS.get(outcome, [""])),
        ip_address=f"198.51.100.{rng.randint(1, 254)}",
        user_agent="PingID demo client",
        occurred_at=moment,
    )


def _admin_action(
    administrators: list[Membership], rng: random.Random, person: Any, moment: Any
) -> None:
    membership = rng.choice(administrators)
    action = rng.choice(ADMIN_ACTIONS)
    event_record(
        actor=Actor.for_membership(
            membership, ip_address=f"192.0.2.{rng.randint(1, 50)}", user_agent="Firefox"
        ),
        action=action,
        pingid_user=person,
        reason="Requested by the user over the phone"
        if action == "user.bypass"
        else "",
        after={"demo": True, "action": action},
        occurred_at=moment,
    )


def seed(organization: Organization) -> None:
    """Write 30 days of activity and one integrity check, once."""
    _seed_events(organization)
    if not IntegrityCheck.objects.for_organization(organization).exists():
        check = IntegrityCheck.objects.create(
            organization=organization, requested_by_display="demo seeding"
        )
        integrity_check_run(check.pk)


def _seed_events(organization: Organization) -> None:
    if ActivityEvent.objects.filter(
        organization=organization,
        action="authentication.finish",
        actor_display="settings file demo",
    ).exists():
        return
    rng = random.Random(5)  # fixed seed: the same demo every time
    people = _people(organization)
    # Only roles allowed to change users appear as actors of user changes.
    administrators = [
        membership
        for membership in Membership.objects.filter(
            organization=organization
        ).select_related("user")
        if has_permission(membership.role, Action.USER_MANAGE)
    ]
    start = (timezone.now() - timedelta(days=DEMO_DAYS)).replace(
        minute=0, second=0, microsecond=0
    )
    moments: list[tuple[Any, str]] = []
    for day in range(DEMO_DAYS):
        day_start = start + timedelta(days=day)
        weekend = day_start.weekday() >= 5
        count = AUTHENTICATIONS_PER_DAY // (3 if weekend else 1)
        for _ in range(count):
            # Working hours mostly: 7:00 to 19:00 with some night traffic.
            hour = rng.choice(range(7, 19)) if rng.random() < 0.9 else rng.randrange(24)
            moments.append(
                (day_start + timedelta(hours=hour, seconds=rng.randrange(3600)), "auth")
            )
        if administrators and not weekend:
            for _ in range(ADMIN_ACTIONS_PER_DAY):
                moments.append(
                    (
                        day_start
                        + timedelta(
                            hours=rng.choice(range(8, 18)), seconds=rng.randrange(3600)
                        ),
                        "admin",
                    )
                )
    # Written oldest first, so sequence order matches time order and
    # retention can purge a prefix of the chain.
    for moment, kind in sorted(moments, key=lambda item: item[0]):
        person = rng.choice(people)
        if kind == "auth":
            _authentication(organization, rng, person, moment)
        else:
            _admin_action(administrators, rng, person, moment)

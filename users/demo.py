"""Demo PingID users: about 250 people with varied statuses, services and bypasses.

Deterministic apart from times, which are relative to the seeding time (a
fixed random seed). Safe to run again: existing usernames are left as they are.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from django.utils import timezone

from accounts.models import Organization
from users.models import (
    PingIDRole,
    PingIDUser,
    Service,
    UserService,
    UserStatus,
    username_key,
)

DEMO_USER_COUNT = 250
FIRST_NAMES = [
    "Alice", "Bruno", "Chen", "Dara", "Elif", "Farah", "Goran", "Hana", "Ivan",
    "Jana", "Kofi", "Lena", "Mateo", "Nia", "Omar", "Priya", "Quinn", "Rosa",
    "Sven", "Tariq", "Uma", "Viktor", "Wen", "Yusuf", "Zoë", "Ελένη", "Дмитрий",
    "太郎", "Søren", "José",
]  # fmt: skip
LAST_NAMES = [
    "Andersen", "Baptiste", "Costa", "Dubois", "Evans", "Fischer", "García",
    "Horvat", "Ito", "Jovanović", "Kowalski", "Lindqvist", "Müller", "Nakamura",
    "O'Brien", "Petrov", "Rossi", "Schmidt", "Tanaka", "Urban", "Virtanen",
    "Wójcik", "Παπαδοπούλου", "Иванов", "山田",
]  # fmt: skip
# Usernames that have broken other tools: spreadsheet formulas, spaces, scripts.
UNUSUAL_USERNAMES = [
    '=HYPERLINK("http://example.com")',
    "+49 30 1234567",
    "-rf",
    "@ops-team",
    "  two  spaces  ",
    "<b>not bold</b>",
    "Ελένη.Παπαδοπούλου",
    "山田 太郎",
    "x" * 250,
]
STATUS_WEIGHTS = [
    (UserStatus.ACTIVE, 70),
    (UserStatus.PENDING_ACTIVATION, 8),
    (UserStatus.NOT_ACTIVE, 7),
    (UserStatus.PENDING, 5),
    (UserStatus.SUSPENDED, 6),
    (UserStatus.PENDING_CHANGE_DEVICE, 4),
]
BYPASS_REASONS = [
    "Phone left at home",
    "New phone, pairing tomorrow",
    "Travelling without a token",
    "Phone screen broken",
]


def _demo_people(rng: random.Random) -> list[tuple[str, str, str]]:
    people = []
    for index in range(DEMO_USER_COUNT - len(UNUSUAL_USERNAMES)):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        username = f"{first[:1]}{last}".lower().replace("'", "") + f"{index:03}"
        people.append((username, first, last))
    people += [(name, "", "") for name in UNUSUAL_USERNAMES]
    return people


def seed(organization: Organization, now: datetime | None = None) -> None:
    """Create the demo PingID users that do not exist yet."""
    now = now or timezone.now()
    rng = random.Random(3)
    existing = set(
        PingIDUser.objects.filter(organization=organization).values_list(
            "username_key", flat=True
        )
    )
    statuses = [status for status, _ in STATUS_WEIGHTS]
    weights = [weight for _, weight in STATUS_WEIGHTS]
    for username, first, last in _demo_people(rng):
        status = rng.choices(statuses, weights)[0]
        services = rng.sample(Service.values, rng.randint(1, len(Service.values)))
        authenticated = rng.random() < 0.85 and status == UserStatus.ACTIVE
        last_seen = now - timedelta(minutes=rng.randint(5, 60 * 24 * 120))
        bypass_hours = rng.choice([1, 4, 24, 60]) if rng.random() < 0.06 else None
        if username_key(username) in existing:
            continue
        user = PingIDUser(
            organization=organization,
            username=username,
            first_name=first,
            last_name=last,
            email=f"{username.strip()[:40]}@acme.example" if first else "",
            role=PingIDRole.ADMIN if rng.random() < 0.03 else PingIDRole.REGULAR,
            status=status,
            status_before_suspension=UserStatus.ACTIVE
            if status == UserStatus.SUSPENDED
            else "",
            created_at=now - timedelta(days=rng.randint(1, 900)),
            last_authenticated_at=last_seen if authenticated else None,
        )
        user.save()
        UserService.objects.bulk_create(
            _service_row(user, name, bypass_hours, now, rng)
            for name in sorted(services)
        )


def _service_row(
    user: PingIDUser,
    service: str,
    bypass_hours: int | None,
    now: datetime,
    rng: random.Random,
) -> UserService:
    row = UserService(user=user, service=service)
    if bypass_hours is not None and user.status != UserStatus.SUSPENDED:
        row.bypass_until = now + timedelta(hours=bypass_hours)
        row.bypass_reason = rng.choice(BYPASS_REASONS)
        row.bypass_set_at = now - timedelta(minutes=rng.randint(1, 600))
        row.bypass_set_by_display = "helpdesk@acme.example"
        row.bypass_end_recorded = False
    return row

"""Fill the activity benchmark database with 10,000,000 events.

Usage (from the repository root):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pingid_activity_bench \
        .venv/bin/python bench/activity_data.py [--events 10000000]

Creates the database if needed, migrates it, creates one organization with a
global administrator (bench@example.com) and streams the events into
activity_activityevent with COPY FROM STDIN, a million rows per COPY. Events
spread over 365 days, newest now; 95 % are authentications of 5,000 PingID
users. Hash fields hold placeholders: the chain is not what is measured.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pingid_portal.settings")
os.environ.setdefault("SECRET_KEY", "bench-only-key")

import django
import psycopg

BATCH = 1_000_000
OUTCOMES = (
    ["success"] * 86
    + ["failure"] * 6
    + ["denied"] * 2
    + ["timed_out"] * 3
    + ["bypassed"] * 3
)
SERVICES = ["web", "winlocal", "winremote", "maclocal", "ssh", "vpn"]
APPLICATIONS = [
    "Salesforce",
    "Workday",
    "VPN gateway",
    "Jira",
    "Windows login",
    "GitLab",
]
REASONS = {
    "success": "",
    "failure": "Wrong one-time passcode",
    "denied": "Device blocked",
    "timed_out": "No answer to the push notification",
    "bypassed": "MFA bypass set by the help desk",
}
COLUMNS = (
    "organization_id, occurred_at, category, action, outcome, actor_kind, actor_user_id, "
    "actor_display, actor_role, settings_file_id, target_type, target_id, target_display, "
    "pingid_user_id, pingid_username, service, device_id, device_display, application, "
    "before, after, reason, message, ip_address, user_agent, truncated_fields, sequence, "
    "previous_hash, hash"
)


def ensure_database(url: str) -> None:
    name = url.rsplit("/", 1)[1]
    admin_url = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [name]
        ).fetchone()
        if not exists:
            connection.execute(f'CREATE DATABASE "{name}"')


def setup_organization() -> tuple[int, int]:
    from django.core.management import call_command

    from accounts.models import Membership, Organization
    from pingid_portal.permissions import Role
    from tests.factories import UserFactory

    call_command("migrate", verbosity=0)
    organization, _ = Organization.objects.get_or_create(name="Bench Corp")
    membership = Membership.objects.filter(organization=organization).first()
    if membership is None:
        user = UserFactory(email="bench@example.com", username="bench@example.com")
        membership = Membership.objects.create(
            user=user, organization=organization, role=Role.GLOBAL_ADMIN
        )
    return organization.pk, membership.user_id


def rows(
    organization_id: int,
    admin_id: int,
    start: int,
    count: int,
    total: int,
    now: datetime,
) -> bytes:
    rng = random.Random(start)
    span = timedelta(days=365).total_seconds()
    lines = []
    for index in range(start, start + count):
        # Oldest first, so ids and times grow together as in production.
        moment = now - timedelta(seconds=span * (total - index) / total)
        user = rng.randrange(1, 5001)
        if rng.random() < 0.95:
            outcome = rng.choice(OUTCOMES)
            fields = [
                "authentication",
                "authentication.finish",
                outcome,
                "settings_file",
                r"\N",
                "settings file 1",
                "settings_file_full",
                "1",
                "pingiduser",
                str(user),
                f"user{user}",
                str(user),
                f"user{user}",
                rng.choice(SERVICES),
                str(user * 2),
                f"iPhone {user}",
                rng.choice(APPLICATIONS),
                r"\N",
                r"\N",
                REASONS[outcome],
            ]
        else:
            fields = [
                "administrator",
                "user.update",
                "success",
                "administrator",
                str(admin_id),
                "bench@example.com",
                "global_admin",
                r"\N",
                "pingiduser",
                str(user),
                f"user{user}",
                str(user),
                f"user{user}",
                "",
                "",
                "",
                "",
                '{"status": "ACTIVE"}',
                '{"status": "SUSPENDED"}',
                "Requested by the user",
            ]
        ip = f"10.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}"
        line = "\t".join(
            [
                str(organization_id),
                moment.isoformat(),
                *fields,
                "",
                ip,
                "PingID client",
                "[]",
                str(index + 1),
                "0" * 64,
                "0" * 64,
            ]
        )
        lines.append(line)
    return ("\n".join(lines) + "\n").encode()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--events", type=int, default=10_000_000, help="events to write"
    )
    arguments = parser.parse_args()
    url = os.environ["DATABASE_URL"]
    ensure_database(url)
    django.setup()
    organization_id, admin_id = setup_organization()
    now = datetime.now(UTC)
    with psycopg.connect(url, autocommit=True) as connection:
        existing = connection.execute(
            "SELECT count(*) FROM activity_activityevent WHERE organization_id = %s",
            [organization_id],
        ).fetchone()
        if existing and existing[0] >= arguments.events:
            print(f"{existing[0]} events already present")
        else:
            load_events(connection, organization_id, admin_id, arguments.events, now)
        finish(connection, organization_id, arguments.events)


def load_events(
    connection: psycopg.Connection,
    organization_id: int,
    admin_id: int,
    events: int,
    now: datetime,
) -> None:
    connection.execute(
        "DELETE FROM activity_activityevent WHERE organization_id = %s",
        [organization_id],
    )
    started = time.monotonic()
    for start in range(0, events, BATCH):
        count = min(BATCH, events - start)
        data = rows(organization_id, admin_id, start, count, events, now)
        with (
            connection.cursor() as cursor,
            cursor.copy(f"COPY activity_activityevent ({COLUMNS}) FROM STDIN") as copy,
        ):
            copy.write(data)
        print(f"{start + count} events, {time.monotonic() - started:.0f} s", flush=True)


def finish(connection: psycopg.Connection, organization_id: int, events: int) -> None:
    """Point the chain head past the loaded events and refresh the statistics.

    Runs again when the events are already present, so a rerun completes a
    load that stopped after its last COPY.
    """
    started = time.monotonic()
    # Events written later (sign-ins of the benchmark) take the next
    # sequence numbers. Every loaded event links to the placeholder hash.
    connection.execute(
        "INSERT INTO activity_chainhead (chain_key, organization_id, last_sequence, "
        "last_hash, previous_hash, anchor_sequence, anchor_hash) "
        "VALUES (%s, %s, %s, %s, %s, 0, '') "
        "ON CONFLICT (chain_key) DO UPDATE SET last_sequence = EXCLUDED.last_sequence, "
        "last_hash = EXCLUDED.last_hash, previous_hash = EXCLUDED.previous_hash",
        [
            f"organization:{organization_id}",
            organization_id,
            events,
            "0" * 64,
            "0" * 64,
        ],
    )
    connection.execute("VACUUM ANALYZE activity_activityevent")
    print(f"chain head set and table analyzed in {time.monotonic() - started:.0f} s")


if __name__ == "__main__":
    main()

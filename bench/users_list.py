"""Benchmark the users page against Django's admin change list on 1,000,000 users.

Usage (PostgreSQL only; the database is created when missing):

    SECRET_KEY=bench SECURE_SSL_REDIRECT=false \\
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pingid_users_bench \\
    .venv/bin/python bench/users_list.py [--users 1000000] [--runs 9]

The first run generates the data with COPY (users, their services and
devices); later runs reuse it. Each page is requested in-process through
Django's test client with DEBUG off, after one warm-up request, and the
median of `--runs` timings is printed as a Markdown table row.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pingid_portal.settings")

import django
import psycopg

ORG_NAME = "Benchmark organization"
ADMIN_EMAIL = "bench-admin@example.com"
SEED_TIME = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
FIRST = ["anna", "bruno", "chen", "dara", "elif", "farah", "goran", "hana", "ivan",
         "jana", "kofi", "lena", "mateo", "nia", "omar", "priya", "rosa", "sven",
         "ελένη", "дмитрий"]  # fmt: skip
LAST = ["andersen", "costa", "dubois", "evans", "fischer", "garcia", "horvat",
        "ito", "kowalski", "lindqvist", "mueller", "nakamura", "petrov", "rossi",
        "schmidt", "tanaka", "virtanen", "wojcik", "παπαδοπούλου", "иванов"]  # fmt: skip
STATUSES = ["ACTIVE"] * 70 + ["PENDING_ACTIVATION"] * 8 + ["NOT_ACTIVE"] * 7
STATUSES += ["PENDING"] * 5 + ["SUSPENDED"] * 6 + ["PENDING_CHANGE_DEVICE"] * 4
SERVICES = ["web", "winlocal", "winremote", "maclocal", "ssh", "vpn"]
TRGM_INDEX = "pingid_user_search_trgm_idx"


def ensure_database(url: str) -> None:
    name = url.rsplit("/", 1)[1]
    admin_url = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [name]
        ).fetchone()
        if not exists:
            connection.execute(f'CREATE DATABASE "{name}"')


def column_defaults(model: Any) -> dict[str, Any]:
    """Return each concrete column's database value for a model's field default."""
    from django.db import connection

    defaults = {}
    for field in model._meta.concrete_fields:
        if field.primary_key:
            continue
        value = field.get_default()
        defaults[field.column] = field.get_db_prep_save(value, connection)
    return defaults


def copy_rows(table: str, columns: list[str], rows: Iterator[tuple[Any, ...]]) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        raw = cursor.cursor
        quoted = ", ".join(f'"{column}"' for column in columns)
        with raw.copy(f"COPY {table} ({quoted}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)


def generate(organization_id: int, count: int) -> None:
    from django.db import connection

    from devices.models import Device
    from users.models import PingIDUser, UserService, build_search_text, username_key

    rng = random.Random(20261204)
    with connection.cursor() as cursor:
        cursor.execute("SELECT COALESCE(MAX(id), 0) FROM users_pingiduser")
        first_id = cursor.fetchone()[0] + 1
        cursor.execute(f"DROP INDEX IF EXISTS {TRGM_INDEX}")

    user_defaults = column_defaults(PingIDUser)
    user_columns = ["id", *user_defaults]

    def users() -> Iterator[tuple[Any, ...]]:
        for offset in range(count):
            first, last = rng.choice(FIRST), rng.choice(LAST)
            username = f"{first}.{last}{offset}"
            email = f"{first}.{last}{offset}@corp.example"
            status = rng.choice(STATUSES)
            seen = rng.random() < 0.85
            values = dict(user_defaults)
            values.update(
                organization_id=organization_id,
                username=username,
                username_key=username_key(username),
                first_name=first.capitalize(),
                last_name=last.capitalize(),
                email=email,
                status=status,
                status_before_suspension="ACTIVE" if status == "SUSPENDED" else "",
                search_text=build_search_text(
                    username, first.capitalize(), last.capitalize(), email
                ),
                created_at=SEED_TIME - timedelta(minutes=rng.randint(0, 2_000_000)),
                updated_at=SEED_TIME,
                last_authenticated_at=SEED_TIME
                - timedelta(minutes=rng.randint(0, 525_600))
                if seen
                else None,
            )
            yield (first_id + offset, *values.values())

    started = time.monotonic()
    copy_rows("users_pingiduser", user_columns, users())
    print(f"users: {count} rows in {time.monotonic() - started:.0f} s", flush=True)

    service_defaults = column_defaults(UserService)
    future = datetime.now(UTC) + timedelta(days=30)

    def services() -> Iterator[tuple[Any, ...]]:
        for offset in range(count):
            bypass = rng.random() < 0.02
            for name in rng.sample(SERVICES, rng.randint(1, 4)):
                values = dict(service_defaults)
                values.update(user_id=first_id + offset, service=name)
                if bypass:
                    values.update(
                        bypass_until=future - timedelta(minutes=rng.randint(0, 40_000)),
                        bypass_reason="Benchmark bypass",
                        bypass_set_at=SEED_TIME,
                        bypass_set_by_display="helpdesk@example.com",
                        bypass_end_recorded=False,
                    )
                yield tuple(values.values())

    started = time.monotonic()
    copy_rows("users_userservice", list(service_defaults), services())
    print(f"services in {time.monotonic() - started:.0f} s", flush=True)

    device_defaults = column_defaults(Device)

    def devices() -> Iterator[tuple[Any, ...]]:
        for offset in range(count):
            for order in range(rng.choice([0, 1, 1, 1, 2])):
                values = dict(device_defaults)
                values.update(
                    organization_id=organization_id,
                    user_id=first_id + offset,
                    type=rng.choice(["Android", "iPhone", "YubiKey", "SMS"]),
                    role="PRIMARY" if order == 0 else "SECONDARY",
                    order=order,
                    paired_at=SEED_TIME,
                )
                yield tuple(values.values())

    started = time.monotonic()
    copy_rows("devices_device", list(device_defaults), devices())
    print(f"devices in {time.monotonic() - started:.0f} s", flush=True)

    started = time.monotonic()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence('users_pingiduser', 'id'), "
            "(SELECT MAX(id) FROM users_pingiduser))"
        )
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(
            f"CREATE INDEX {TRGM_INDEX} ON users_pingiduser "
            "USING gin (search_text gin_trgm_ops)"
        )
    print(f"trigram index in {time.monotonic() - started:.0f} s", flush=True)


def setup(count: int) -> tuple[Any, Any]:
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.db import connection, transaction

    from accounts.models import Membership, Organization
    from pingid_portal.permissions import Role
    from users.models import PingIDUser

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    organization, _ = Organization.objects.get_or_create(name=ORG_NAME)
    admin, _ = User.objects.get_or_create(
        username=ADMIN_EMAIL,
        defaults={"email": ADMIN_EMAIL, "is_staff": True, "is_superuser": True},
    )
    Membership.objects.get_or_create(
        user=admin, defaults={"organization": organization, "role": Role.GLOBAL_ADMIN}
    )
    existing = PingIDUser.objects.filter(organization=organization).count()
    if existing < count:
        if existing:
            sys.exit(
                f"The benchmark database holds {existing} users, fewer than {count}: "
                "drop it and run again."
            )
        with transaction.atomic():
            generate(organization.pk, count)
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    return organization, admin


def measure(client: Any, path: str, runs: int) -> tuple[float, int]:
    """Return the median time in milliseconds of GET `path`, and its status code."""
    response = client.get(path)
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(path)
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings), response.status_code


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=9)
    arguments = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        sys.exit(
            "Set DATABASE_URL to a PostgreSQL database, such as pingid_users_bench."
        )
    ensure_database(url)
    django.setup()

    from django.conf import settings

    from bench.portal_client import signed_in_client

    assert not settings.DEBUG, "Run the benchmark with DEBUG off."
    _, admin = setup(arguments.users)
    client = signed_in_client(admin, HTTP_HOST="127.0.0.1")

    pages = [
        ("first page", "/users/", "/django-admin/users/pingiduser/"),
        (
            "search (rare term)",
            "/users/?q=mueller4242",
            "/django-admin/users/pingiduser/?q=mueller4242",
        ),
        (
            "search (common term)",
            "/users/?q=anna",
            "/django-admin/users/pingiduser/?q=anna",
        ),
        (
            "filtered (status Suspended)",
            "/users/?status=SUSPENDED",
            "/django-admin/users/pingiduser/?status__exact=SUSPENDED",
        ),
        (
            "filtered (Suspended, VPN, no sign-in 30 days)",
            "/users/?status=SUSPENDED&service=vpn&inactive_days=30",
            None,
        ),
        (
            "page 3 (keyset)",
            None,
            "/django-admin/users/pingiduser/?p=3",
        ),
        ("status chips, all users (loaded after the page)", "/users/counts/", None),
        (
            "status chips, Suspended on VPN (loaded after the page)",
            "/users/counts/?status=SUSPENDED&service=vpn",
            None,
        ),
    ]
    print(f"| page | users page (ms) | Django admin (ms) |  median of {arguments.runs}")
    print("| --- | ---: | ---: |")
    for label, portal, admin_path in pages:
        if portal is None:
            portal = _third_page(client)
        portal_ms, portal_status = measure(client, portal, arguments.runs)
        admin_text = "n/a"
        if admin_path:
            admin_ms, admin_status = measure(client, admin_path, arguments.runs)
            assert admin_status == 200, (admin_path, admin_status)
            admin_text = f"{admin_ms:.0f}"
        assert portal_status == 200, (portal, portal_status)
        print(f"| {label} | {portal_ms:.0f} | {admin_text} |", flush=True)


def _third_page(client: Any) -> str:
    """Return the users page URL of the third page: after the 100th user."""
    from users.models import PingIDUser
    from users.pagination import SORTS, encode_cursor

    row = PingIDUser.objects.order_by("username_key")[99]
    return f"/users/?after={encode_cursor(SORTS['username'], row)}"


if __name__ == "__main__":
    main()

"""Benchmark the devices page and the OTP check on a large organization.

Usage (PostgreSQL; the data is generated on the first run and reused):

    SECRET_KEY=bench SECURE_SSL_REDIRECT=false \\
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pingid_devices \\
    .venv/bin/python bench/devices.py [--users 50000] [--runs 9]

Each page is requested in-process through Django's test client with DEBUG
off, after one warm-up request; `otp_verify` is called directly. The median
of `--runs` timings is printed as Markdown table rows.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pingid_portal.settings")

import django

ORG_NAME = "Devices benchmark organization"
ADMIN_EMAIL = "bench-devices-admin@example.com"
SEED_TIME = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
TYPES = ["iPhone", "Android", "Authenticator App", "SMS", "Email", "YubiKey", "Desktop"]
OS_VERSIONS = ["17.4", "16.7", "14", "13", "11", ""]
APP_VERSIONS = ["1.41.0", "1.40.2", "1.38.2", ""]
SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def seed(user_count: int) -> None:
    from accounts.models import Organization
    from devices.models import Device
    from tests.factories import MembershipFactory
    from users.models import PingIDUser

    organization, created = Organization.objects.get_or_create(name=ORG_NAME)
    if not created and PingIDUser.objects.filter(organization=organization).exists():
        return
    MembershipFactory(organization=organization, user__email=ADMIN_EMAIL)
    users = [
        PingIDUser(
            organization=organization,
            username=f"bench.user{i:07d}",
            username_key=f"bench.user{i:07d}",
            status="ACTIVE",
        )
        for i in range(user_count)
    ]
    PingIDUser.objects.bulk_create(users, batch_size=5000)
    devices = []
    for index, user in enumerate(PingIDUser.objects.filter(organization=organization)):
        for position in range(1 + index % 3):
            kind = TYPES[(index + position) % len(TYPES)]
            devices.append(
                Device(
                    organization=organization,
                    user=user,
                    type=kind,
                    role="PRIMARY" if position == 0 else "SECONDARY",
                    order=position,
                    os_version=OS_VERSIONS[index % len(OS_VERSIONS)],
                    app_version=APP_VERSIONS[index % len(APP_VERSIONS)],
                    display_id=f"+1 555 {index % 1000:03d} {index % 10000:04d}",
                    paired_at=SEED_TIME - timedelta(days=400 - index % 365),
                    last_used_at=SEED_TIME - timedelta(days=index % 300),
                    blocked=index % 50 == 0,
                    totp_secret=SECRET if kind == "Authenticator App" else "",
                )
            )
        if len(devices) >= 5000:
            Device.objects.bulk_create(devices)
            devices = []
    Device.objects.bulk_create(devices)


def median_ms(call: Callable[[], object], runs: int) -> float:
    call()
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        call()
        timings.append((time.perf_counter() - start) * 1000)
    return statistics.median(timings)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50000)
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()
    django.setup()

    from django.test.utils import setup_test_environment

    from accounts.models import Membership
    from bench.portal_client import signed_in_client
    from devices.models import Device
    from devices.services import otp_verify
    from devices.services.totp import totp_code
    from pingid_portal.actors import Actor

    setup_test_environment()
    seed(args.users)
    membership = Membership.objects.select_related("organization").get(
        user__email=ADMIN_EMAIL
    )
    organization = membership.organization
    client = signed_in_client(membership.user)
    count = Device.objects.filter(organization=organization).count()
    deep = Device.objects.filter(organization=organization).order_by("id")[100].pk
    pages = {
        "devices page, first page": {},
        "filter type=Authenticator App": {"type": "Authenticator App"},
        "filter OS 17.4 + app 1.41.0": {"os_version": "17.4", "app_version": "1.41.0"},
        "filter blocked": {"blocked": "yes"},
        "filter unused for 200 days": {"unused_days": "200"},
        "keyset page near the end": {"before": str(deep)},
    }
    print(f"{count} devices, {args.users} users, median of {args.runs} runs\n")
    print("| case | median ms |\n| --- | --- |")
    for name, params in pages.items():

        def request(params: dict[str, str] = params) -> None:
            response = client.get("/devices/", params)
            assert response.status_code == 200, response.status_code

        print(f"| {name} | {median_ms(request, args.runs):.1f} |")

    device = (
        Device.objects.filter(organization=organization, type="Authenticator App")
        .select_related("user")
        .first()
    )
    assert device is not None
    actor = Actor.system(organization, display="bench")
    user = device.user

    def wrong() -> None:
        otp_verify(actor=actor, user=user, otp="000000")
        user.otp_state.failure_count = 0
        user.otp_state.save()

    def right() -> None:
        Device.objects.filter(pk=device.pk).update(last_otp_step=None)
        otp_verify(actor=actor, user=user, otp=totp_code(SECRET, time.time()))

    print(f"| otp_verify, wrong code | {median_ms(wrong, args.runs):.1f} |")
    print(f"| otp_verify, right code | {median_ms(right, args.runs):.1f} |")


if __name__ == "__main__":
    main()

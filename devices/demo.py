"""Demo devices for the demo organization: every type, some blocked, some idle.

Runs after `users.demo`. With no PingID users yet it adds a few itself, so the
devices pages have something to show. Safe to run again: users who already
have a device are left as they are.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone

from accounts.models import Organization
from devices.models import Device, DeviceRole, DeviceType
from users.models import PingIDUser, Service, UserService, UserStatus

FALLBACK_USERS = [
    ("avery.nguyen", "Avery", "Nguyen"),
    ("blake.okafor", "Blake", "Okafor"),
    ("casey.lindqvist", "Casey", "Lindqvist"),
    ("devon.moreau", "Devon", "Moreau"),
    ("emery.sato", "Emery", "Sato"),
    ("finley.adeyemi", "Finley", "Adeyemi"),
    ("harper.kowalski", "Harper", "Kowalski"),
    ("jordan.silva", "Jordan", "Silva"),
]


@dataclass(frozen=True)
class DemoDevice:
    type: str
    model: str = ""
    os_version: str = ""
    app_version: str = ""


CATALOG = [
    DemoDevice(DeviceType.IPHONE, "iPhone 15", "17.4", "1.41.0"),
    DemoDevice(DeviceType.ANDROID, "Pixel 8", "14", "1.41.0"),
    DemoDevice(DeviceType.AUTHENTICATOR_APP),
    DemoDevice(DeviceType.ANDROID, "Galaxy S21", "13", "1.38.2"),
    DemoDevice(DeviceType.DESKTOP, "Windows 11 laptop", "11", "1.9.0"),
    DemoDevice(DeviceType.SMS),
    DemoDevice(DeviceType.IPHONE, "iPhone 12", "16.7", "1.38.2"),
    DemoDevice(DeviceType.EMAIL),
    DemoDevice(DeviceType.YUBIKEY, "YubiKey 5 NFC"),
    DemoDevice(DeviceType.VOICE),
    DemoDevice(DeviceType.SECURITY_KEY, "Feitian ePass"),
    DemoDevice(DeviceType.FIDO2_BIOMETRICS, "Windows Hello"),
    DemoDevice(DeviceType.HARDWARE_TOKEN, "OTP c200"),
]


def _demo_users(organization: Organization) -> list[PingIDUser]:
    users = list(PingIDUser.objects.for_organization(organization).order_by("id"))
    if users:
        return users
    for username, first, last in FALLBACK_USERS:
        user, created = PingIDUser.objects.get_or_create(
            organization=organization,
            username_key=username,
            defaults={
                "username": username,
                "first_name": first,
                "last_name": last,
                "email": f"{username}@acme.example",
                "status": UserStatus.ACTIVE,
            },
        )
        if created:
            UserService.objects.bulk_create(
                UserService(user=user, service=name) for name in Service.values
            )
    return list(PingIDUser.objects.for_organization(organization).order_by("id"))


def _identity(entry: DemoDevice, user: PingIDUser, index: int) -> dict[str, str]:
    if entry.type in (DeviceType.SMS, DeviceType.VOICE):
        number = f"555 01{index % 10} {1000 + index * 37 % 9000:04d}"
        return {
            "display_id": f"+1 {number}",
            "phone_number": number,
            "country_code": "+1",
        }
    if entry.type == DeviceType.EMAIL:
        email = user.email or f"{user.username_key}@acme.example"
        return {"display_id": email, "email": email}
    if entry.type == DeviceType.AUTHENTICATOR_APP:
        # Deterministic, demo-only secret, so seeding again gives the same data.
        seed = hashlib.sha256(f"demo-totp:{user.username_key}".encode()).digest()[:20]
        return {
            "display_id": "Authenticator app",
            "totp_secret": base64.b32encode(seed).decode(),
        }
    if entry.type in (DeviceType.IPHONE, DeviceType.ANDROID):
        number = f"+1 555 02{index % 10} {2000 + index * 53 % 8000:04d}"
        return {"display_id": number, "phone_number": number[3:], "country_code": "+1"}
    return {"display_id": f"{entry.model or entry.type} #{1000 + index}"}


def seed(organization: Organization) -> None:
    now = timezone.now()
    # The n-th seeded device takes the n-th catalog entry, so every type appears.
    seeded = 0
    for index, user in enumerate(_demo_users(organization)):
        # Users whose status means they have no device get none.
        if user.devices.exists() or user.status in (
            UserStatus.PENDING,
            UserStatus.NOT_ACTIVE,
            UserStatus.PENDING_ACTIVATION,
            UserStatus.PENDING_CHANGE_DEVICE,
        ):
            continue
        count = 1 + index % 3
        for position in range(count):
            entry = CATALOG[seeded % len(CATALOG)]
            seeded += 1
            idle_days = 200 if index % 5 == 4 else (index * 7 + position) % 30
            Device.objects.create(
                organization=organization,
                user=user,
                type=entry.type,
                role=DeviceRole.PRIMARY if position == 0 else DeviceRole.SECONDARY,
                order=position,
                model=entry.model,
                os_version=entry.os_version,
                app_version=entry.app_version,
                push_enabled=entry.type in (DeviceType.IPHONE, DeviceType.ANDROID),
                paired_at=now - timedelta(days=idle_days + 30 + index),
                last_used_at=now - timedelta(days=idle_days, hours=index),
                blocked=index % 7 == 3 and position == count - 1,
                blocked_at=now - timedelta(days=3) if index % 7 == 3 else None,
                **_identity(entry, user, index * 3 + position),
            )

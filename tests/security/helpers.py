"""Helpers of the security tests: sign in step by step, as a browser does."""

from __future__ import annotations

from typing import Any

from django.test import Client

from accounts.mfa_codes import totp_code, totp_current_step
from accounts.models import AdministratorTOTPDevice, Membership
from tests.factories import PASSWORD

SIGN_IN_URL = "/accounts/sign-in/"
MFA_URL = "/accounts/mfa/"
ENROLL_URL = "/accounts/mfa/enroll/"


def password_step(client: Client, username: str, password: str = PASSWORD) -> Any:
    return client.post(SIGN_IN_URL, {"username": username, "password": password})


def next_code(device: AdministratorTOTPDevice) -> str:
    """Return a code the device accepts now (never one it accepted before)."""
    device.refresh_from_db()
    step = max(totp_current_step(), device.last_time_step + 1)
    return totp_code(device.key, step)


def sign_in_fully(
    client: Client, membership: Membership, device: AdministratorTOTPDevice
) -> None:
    response = password_step(client, membership.user.email)
    assert response.status_code == 302, response.content
    response = client.post(MFA_URL, {"code": next_code(device)})
    assert response.status_code == 302, response.content

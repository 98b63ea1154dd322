"""TOTP codes of administrator authenticator apps (RFC 6238: SHA-1, 6 digits, 30 s)."""

from __future__ import annotations

import time

import pyotp
from django.utils.crypto import constant_time_compare

TIME_STEP_SECONDS = 30
# Codes of the previous and the next time step are accepted too, so a phone
# clock that is up to 30 seconds off still works.
ACCEPTED_DRIFT_STEPS = 1
ISSUER = "pingid-portal"


def totp_secret_new() -> str:
    """Return a new random base32 seed of 160 bits, as RFC 4226 recommends."""
    return pyotp.random_base32(length=32)


def totp_current_step() -> int:
    return int(time.time()) // TIME_STEP_SECONDS


def totp_code(secret: str, step: int | None = None) -> str:
    """Return the code of `secret` for time step `step` (default: now)."""
    totp = pyotp.TOTP(secret, interval=TIME_STEP_SECONDS)
    return totp.generate_otp(totp_current_step() if step is None else step)


def totp_match_step(secret: str, code: str, *, after_step: int = -1) -> int | None:
    """Return the time step whose code equals `code`, or None.

    Only steps later than `after_step` count, so a code is never accepted twice.
    """
    code = "".join(code.split())
    if len(code) != 6 or not code.isdigit():
        return None
    now = totp_current_step()
    for step in range(now - ACCEPTED_DRIFT_STEPS, now + ACCEPTED_DRIFT_STEPS + 1):
        if step > after_step and constant_time_compare(totp_code(secret, step), code):
            return step
    return None


def totp_uri(secret: str, account: str) -> str:
    """Return the otpauth:// URI that authenticator apps read from the QR code."""
    return pyotp.TOTP(secret, interval=TIME_STEP_SECONDS).provisioning_uri(
        name=account, issuer_name=ISSUER
    )

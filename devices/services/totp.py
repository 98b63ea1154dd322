"""RFC 6238 time-based one-time passwords, on top of pyotp."""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Callable
from typing import Any

import pyotp

STEP_SECONDS = 30
DIGITS = 6
# Steps accepted either side of the current one, for clocks that drift.
DRIFT_STEPS = 1


def totp(
    secret: str, *, digits: int = DIGITS, digest: Callable[..., Any] = hashlib.sha1
) -> pyotp.TOTP:
    return pyotp.TOTP(secret, digits=digits, digest=digest, interval=STEP_SECONDS)


def time_step(at: float | None = None) -> int:
    return int((time.time() if at is None else at) // STEP_SECONDS)


def totp_code(
    secret: str,
    at: float,
    *,
    digits: int = DIGITS,
    digest: Callable[..., Any] = hashlib.sha1,
) -> str:
    """Return the code for the instant `at` (seconds since the epoch)."""
    return totp(secret, digits=digits, digest=digest).generate_otp(time_step(at))


def totp_match(
    secret: str,
    otp: str,
    at: float,
    *,
    digits: int = DIGITS,
    digest: Callable[..., Any] = hashlib.sha1,
) -> int | None:
    """Return the time step within one step of `at` whose code is `otp`, else None."""
    generator = totp(secret, digits=digits, digest=digest)
    current = time_step(at)
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        if hmac.compare_digest(generator.generate_otp(step), otp):
            return step
    return None


def new_secret() -> str:
    """Return a new 160-bit secret in base32, as RFC 4226 recommends."""
    return pyotp.random_base32(length=32)


def provisioning_uri(secret: str, *, account: str, issuer: str) -> str:
    """Return the otpauth:// URI that authenticator apps read from a QR code."""
    return totp(secret).provisioning_uri(name=account, issuer_name=issuer)

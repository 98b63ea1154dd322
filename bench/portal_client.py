"""A Django test client signed in past both sign-in steps, for benchmarks."""

from __future__ import annotations

from typing import Any

from django.test import Client


def signed_in_client(user: Any, **defaults: Any) -> Client:
    """Return a client whose session passed the password and the MFA step.

    The benchmarks measure pages, not sign-in, so the administrator gets a
    confirmed authenticator and the session is marked as verified with it.
    """
    from django_otp import DEVICE_ID_SESSION_KEY

    from accounts.mfa_codes import totp_secret_new
    from accounts.models import AdministratorTOTPDevice

    device = AdministratorTOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = AdministratorTOTPDevice.objects.create(
            user=user,
            name="Benchmark authenticator",
            key=totp_secret_new(),
            confirmed=True,
        )
    client = Client(**defaults)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client

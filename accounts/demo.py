"""Demo authenticator apps of the demo administrators, with published seeds.

The seeds are public so anyone running the demo can sign in: add one to an
authenticator app (or use the otpauth URI that `seed_demo` prints). Never use
demo data in production.
"""

from __future__ import annotations

from accounts.mfa_codes import totp_uri
from accounts.models import AdministratorTOTPDevice, Membership, Organization

DEMO_TOTP_SECRETS = {
    "admin@acme.example": "DEMOGLOBALADMINTOTPSEED234567ABC",
    "helpdesk@acme.example": "DEMOHELPDESKTOTPSEED234567ABCDEF",
    "auditor@acme.example": "DEMOAUDITORTOTPSEED234567ABCDEFG",
}


def seed(organization: Organization) -> None:
    """Give each demo administrator a confirmed authenticator with its known seed."""
    memberships = Membership.objects.for_organization(organization).select_related(
        "user"
    )
    for membership in memberships:
        secret = DEMO_TOTP_SECRETS.get(membership.user.email)
        if secret is None:
            continue
        if AdministratorTOTPDevice.objects.filter(user=membership.user).exists():
            continue
        AdministratorTOTPDevice.objects.create(
            user=membership.user, name="Demo authenticator", key=secret, confirmed=True
        )


def demo_totp_instructions() -> list[str]:
    """Return the lines that tell how to pass the MFA step as a demo administrator."""
    lines = [
        "After the password, the portal asks for a TOTP code (SHA-1, 6 digits, 30 s).",
        "Add the seed below to an authenticator app, scan the otpauth URI as a QR code,",
        "or print the current code with:",
        "  .venv/bin/python -c \"import pyotp; print(pyotp.TOTP('SEED').now())\"",
    ]
    for email, secret in DEMO_TOTP_SECRETS.items():
        lines.append(f"  {email:<24} seed {secret}")
        lines.append(f"  {'':<24} {totp_uri(secret, email)}")
    return lines

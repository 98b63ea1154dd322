"""Devices: second factors paired to PingID users."""

from __future__ import annotations

import uuid
from datetime import datetime

from django.db import models
from django.db.models import Q
from django.utils import timezone

from pingid_portal.crypto import EncryptedTextField
from pingid_portal.tenancy import OrganizationQuerySet


class DeviceType(models.TextChoices):
    ANDROID = "Android", "Android"
    IPHONE = "iPhone", "iPhone"
    DESKTOP = "Desktop", "Desktop"
    AUTHENTICATOR_APP = "Authenticator App", "Authenticator app"
    YUBIKEY = "YubiKey", "YubiKey"
    SMS = "SMS", "SMS"
    VOICE = "Voice", "Voice"
    EMAIL = "Email", "E-mail"
    SECURITY_KEY = "Security Key", "Security key"
    FIDO2_BIOMETRICS = "FIDO2 Biometrics", "FIDO2 biometrics"
    HARDWARE_TOKEN = "Hardware Token", "Hardware token"


class DeviceRole(models.TextChoices):
    PRIMARY = "PRIMARY", "Primary"
    SECONDARY = "SECONDARY", "Secondary"


class Device(models.Model):
    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.CASCADE, related_name="devices"
    )
    user = models.ForeignKey(
        "users.PingIDUser", on_delete=models.CASCADE, related_name="devices"
    )
    type = models.CharField(max_length=30, choices=DeviceType.choices)
    role = models.CharField(
        max_length=10, choices=DeviceRole.choices, default=DeviceRole.SECONDARY
    )
    # Position among the user's devices, 0 first; the primary is promoted from here.
    order = models.PositiveIntegerField(default=0)
    nickname = models.CharField(max_length=100, blank=True)
    model = models.CharField(max_length=100, blank=True)
    os_version = models.CharField(max_length=50, blank=True)
    app_version = models.CharField(max_length=50, blank=True)
    # Model, serial, phone number or e-mail address, as PingID's displayID.
    display_id = models.CharField(max_length=254, blank=True)
    phone_number = models.CharField(max_length=32, blank=True)
    country_code = models.CharField(max_length=8, blank=True)
    email = models.EmailField(blank=True)
    push_enabled = models.BooleanField(default=False)
    paired_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    blocked = models.BooleanField(default=False)
    blocked_at = models.DateTimeField(null=True, blank=True)
    # The TOTP secret (base32) of authenticator apps, encrypted at rest.
    totp_secret = EncryptedTextField(blank=True)
    # The last accepted TOTP time step; that step and earlier ones are replays.
    last_otp_step = models.BigIntegerField(null=True, blank=True)

    objects = OrganizationQuerySet.as_manager()

    class Meta:
        ordering = ["user_id", "order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(role="PRIMARY"),
                name="device_one_primary_per_user",
            ),
        ]
        indexes = [
            # The devices page: filter by type within an organization.
            models.Index(fields=["organization", "type"], name="device_org_type_idx"),
            # The OS and app version filters and their lists of choices.
            models.Index(
                fields=["organization", "os_version"], name="device_org_os_idx"
            ),
            models.Index(
                fields=["organization", "app_version"], name="device_org_app_idx"
            ),
            # "Unused for N days".
            models.Index(
                fields=["organization", "last_used_at"], name="device_org_last_used_idx"
            ),
        ]

    def __str__(self) -> str:
        label = self.nickname or self.model or self.get_type_display()
        return f"{label} ({self.display_id})" if self.display_id else label


class UnpairReason(models.TextChoices):
    LOST = "lost", "Lost"
    DAMAGED = "damaged", "Damaged"
    REPLACED = "replaced", "Replaced"
    OTHER = "other", "Other"


class PairingStatus(models.TextChoices):
    """PingID's pairing status of an activation code."""

    NOT_EXIST = "NOT_EXIST", "Does not exist"
    NOT_CLAIMED = "NOT_CLAIMED", "Not claimed"
    VERIFIED = "VERIFIED", "Verified"
    PAIRED = "PAIRED", "Paired"
    SUCCESS = "SUCCESS", "Success"


class ActivationCode(models.Model):
    """A single-use code that pairs a mobile or desktop app; only its HMAC is stored."""

    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.CASCADE, related_name="+"
    )
    user = models.ForeignKey(
        "users.PingIDUser", on_delete=models.CASCADE, related_name="activation_codes"
    )
    # Empty means any mobile app (Android or iPhone).
    device_type = models.CharField(max_length=30, blank=True)
    # HMAC-SHA256 of the 12 digits under SECRET_KEY, hex.
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    issued_by_display = models.CharField(max_length=254, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    paired_at = models.DateTimeField(null=True, blank=True)
    # Set when a newer code for the same user replaced this unused one.
    revoked_at = models.DateTimeField(null=True, blank=True)
    device = models.ForeignKey(
        Device, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = OrganizationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["code_hash"], name="activation_code_unique_hash"
            ),
        ]

    def __str__(self) -> str:
        return f"activation code {self.pk} for {self.user_id}"


class PairingKind(models.TextChoices):
    TOTP = "TOTP", "Authenticator app"
    EMAIL = "EMAIL", "E-mail"


class PairingSession(models.Model):
    """A pairing in progress, finished by the first valid one-time password."""

    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.CASCADE, related_name="+"
    )
    user = models.ForeignKey(
        "users.PingIDUser", on_delete=models.CASCADE, related_name="pairing_sessions"
    )
    # The sessionId callers of the PingID API pass back.
    session_id = models.UUIDField(default=uuid.uuid4, editable=False)
    kind = models.CharField(max_length=10, choices=PairingKind.choices)
    # The TOTP secret (base32) for authenticator apps.
    secret = EncryptedTextField(blank=True)
    email = models.EmailField(blank=True)
    # HMAC-SHA256 of the e-mailed six-digit code, hex.
    code_hash = models.CharField(max_length=64, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    device = models.ForeignKey(
        Device, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = OrganizationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["session_id"], name="pairing_session_unique_id"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} pairing {self.session_id}"

    def is_open(self, now: datetime) -> bool:
        """Return whether a code can still finish this pairing at `now`."""
        return self.finished_at is None and now < self.expires_at


class EmailOtpChallenge(models.Model):
    """A six-digit code e-mailed to an e-mail device for one authentication."""

    device = models.ForeignKey(
        Device, on_delete=models.CASCADE, related_name="email_challenges"
    )
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    # Set when the code was accepted or replaced by a newer one.
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"e-mail code {self.pk} for device {self.device_id}"


class OtpState(models.Model):
    """Failed one-time password attempts and the lockout of one PingID user."""

    user = models.OneToOneField(
        "users.PingIDUser", on_delete=models.CASCADE, related_name="otp_state"
    )
    failure_count = models.PositiveIntegerField(default=0)
    last_failure_at = models.DateTimeField(null=True, blank=True)
    # Every one-time password is rejected until this instant.
    locked_until = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"OTP state of {self.user_id}"

    def is_locked(self, now: datetime) -> bool:
        return self.locked_until is not None and now < self.locked_until

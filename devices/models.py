"""Devices: second factors paired to PingID users."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone

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
            # "Unused for N days".
            models.Index(
                fields=["organization", "last_used_at"], name="device_org_last_used_idx"
            ),
        ]

    def __str__(self) -> str:
        label = self.nickname or self.model or self.get_type_display()
        return f"{label} ({self.display_id})" if self.display_id else label

"""Settings files (the credentials of PingID API clients) and API sessions."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from pingid_portal.crypto import EncryptedTextField
from pingid_portal.permissions import ClientRole
from pingid_portal.tenancy import OrganizationQuerySet


class SettingsFileKind(models.TextChoices):
    FULL = "full", "Full"
    AUTH_ONLY = "auth_only", "Authentication only"


class SettingsFile(models.Model):
    """One `pingid.properties`: a token and the HMAC key that signs its calls."""

    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.CASCADE, related_name="settings_files"
    )
    kind = models.CharField(max_length=10, choices=SettingsFileKind.choices)
    # The file id sent by clients as `token` and `secretKey`; random and URL-safe.
    token = models.CharField(max_length=64, unique=True, editable=False)
    # Standard base64 of the 32-byte HMAC-SHA256 key, encrypted at rest.
    signing_key = EncryptedTextField(editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Who generated the file, kept when that administrator is removed.
    created_by_display = models.CharField(max_length=254)
    last_used_at = models.DateTimeField(null=True, blank=True)
    # Calls that passed signature, timestamp and replay checks.
    call_count = models.PositiveBigIntegerField(default=0)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    revoked_by_display = models.CharField(max_length=254, blank=True)
    revoke_reason = models.TextField(blank=True)

    objects = OrganizationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # The limit of active files per kind and the Integrations page list.
            models.Index(
                fields=["organization", "kind", "revoked_at"],
                name="settings_file_org_kind_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["full", "auth_only"]),
                name="settings_file_kind_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} settings file {self.token}"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    @property
    def client_role(self) -> str:
        """Return the permission-table role of calls signed with this file."""
        if self.kind == SettingsFileKind.FULL:
            return ClientRole.SETTINGS_FILE_FULL
        return ClientRole.SETTINGS_FILE_AUTH_ONLY


class ThirdPartyClientsSwitch(models.Model):
    """Why and by whom "PingID authentication for third-party clients" was last set.

    The switch itself is `Organization.third_party_clients_enabled`.
    """

    organization = models.OneToOneField(
        "accounts.Organization",
        on_delete=models.CASCADE,
        related_name="third_party_clients_switch",
    )
    reason = models.TextField(blank=True)
    changed_at = models.DateTimeField()
    changed_by_display = models.CharField(max_length=254)

    objects = OrganizationQuerySet.as_manager()

    def __str__(self) -> str:
        return f"third-party clients switch of {self.organization_id}"


class AuthenticationStatus(models.TextChoices):
    PENDING = "pending", "Waiting for the OTP"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled"


class AuthenticationSession(models.Model):
    """A started PingID authentication, finished by `authoffline` or cancelled."""

    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.CASCADE, related_name="+"
    )
    # The `sessionId` handed to the client; random and URL-safe.
    session_id = models.CharField(max_length=64, unique=True)
    settings_file = models.ForeignKey(
        SettingsFile, on_delete=models.CASCADE, related_name="+"
    )
    user = models.ForeignKey(
        "users.PingIDUser", on_delete=models.CASCADE, related_name="+"
    )
    device = models.ForeignKey(
        "devices.Device", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    service = models.CharField(max_length=20)
    application = models.CharField(max_length=300, blank=True)
    client_ip = models.GenericIPAddressField(null=True, blank=True)
    status = models.CharField(
        max_length=10,
        choices=AuthenticationStatus.choices,
        default=AuthenticationStatus.PENDING,
    )
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = OrganizationQuerySet.as_manager()

    class Meta:
        indexes = [
            # Purging expired sessions.
            models.Index(fields=["expires_at"], name="auth_session_expires_idx"),
        ]

    def __str__(self) -> str:
        return f"authentication session {self.session_id}"

"""Organizations (tenants), administrator memberships and API tokens."""

from __future__ import annotations

import uuid
import zoneinfo

from django.conf import settings
from django.db import models
from django.db.models import Q

from pingid_portal.permissions import Role
from pingid_portal.tenancy import OrganizationQuerySet

TIME_ZONE_CHOICES = [(name, name) for name in sorted(zoneinfo.available_timezones())]


class Organization(models.Model):
    """A tenant. Everything else belongs to exactly one organization."""

    name = models.CharField(max_length=200)
    # The PingID org alias, sent by clients in every signed request.
    org_alias = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # Time zone of the organization, used for day boundaries in uptime reports.
    time_zone = models.CharField(
        max_length=64, choices=TIME_ZONE_CHOICES, default="UTC"
    )
    # Longest bypass, in hours, that a help desk administrator may set.
    help_desk_bypass_cap_hours = models.PositiveIntegerField(default=72)
    # Activity events older than this many days are purged.
    activity_retention_days = models.PositiveIntegerField(default=365)
    # "Activate PingID authentication for third-party clients": while off, every
    # PingID API call of this organization is rejected.
    third_party_clients_enabled = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """An administrator: a Django user's place and role in one organization."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="membership"
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=20, choices=Role.choices)
    time_zone = models.CharField(
        max_length=64, choices=TIME_ZONE_CHOICES, default="UTC"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = OrganizationQuerySet.as_manager()

    class Meta:
        ordering = ["user__email"]
        indexes = [
            # Serves the last-global-administrator check and the role filter.
            models.Index(
                fields=["organization", "role"], name="membership_org_role_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user.email} ({self.get_role_display()})"

    @property
    def is_active(self) -> bool:
        return self.user.is_active

    @property
    def display_name(self) -> str:
        full_name = self.user.get_full_name()
        return full_name or self.user.email


class ApiToken(models.Model):
    """A management API token of one administrator. Only a hash is stored."""

    membership = models.ForeignKey(
        Membership, on_delete=models.CASCADE, related_name="api_tokens"
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="+"
    )
    name = models.CharField(max_length=100)
    # First characters of the token, shown in lists so a holder can tell tokens apart.
    prefix = models.CharField(max_length=12)
    # SHA-256 of the whole token, hex.
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    last_used_ip = models.GenericIPAddressField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = OrganizationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(name=""), name="api_token_name_not_empty"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

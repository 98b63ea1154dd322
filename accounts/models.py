"""Organizations (tenants), administrator memberships and API tokens."""

from __future__ import annotations

import uuid
import zoneinfo

from django.conf import settings
from django.db import models
from django.db.models import Q
from django_otp.models import Device

from pingid_portal.crypto import EncryptedTextField
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
    # Maximum bypass, in hours, that a help desk administrator may set.
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


# Security: administrator MFA devices, tracked sessions and sign-in lockouts.


class AdministratorTOTPDevice(Device):
    """An administrator's authenticator app (RFC 6238 TOTP, SHA-1, 6 digits, 30 s).

    A django-otp device, so `django_otp.login` and `user.is_verified()` work
    with it. Unlike django-otp's own TOTP device, it stores the seed encrypted.
    """

    # Base32 seed, as shown to the administrator at enrollment.
    key = EncryptedTextField()
    # Time step of the last accepted code, so that a code is accepted once only.
    last_time_step: models.BigIntegerField[int, int] = models.BigIntegerField(
        default=-1
    )
    created_at: models.DateTimeField[object, object] = models.DateTimeField(
        auto_now_add=True
    )

    class Meta(Device.Meta):
        verbose_name = "administrator TOTP device"

    def verify_token(self, token: object) -> bool:
        from accounts.mfa_codes import totp_match_step

        step = totp_match_step(self.key, str(token), after_step=self.last_time_step)
        if step is None:
            return False
        self.last_time_step = step
        self.save(update_fields=["last_time_step"])
        return True


class AdministratorSession(models.Model):
    """A signed-in browser session of an administrator, listed so it can be ended."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="administrator_sessions",
    )
    session_key = models.CharField(max_length=40, unique=True)
    created_at = models.DateTimeField()
    last_seen_at = models.DateTimeField()
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-last_seen_at"]
        indexes = [
            # The sessions page and "end every session of this administrator".
            models.Index(
                fields=["user", "last_seen_at"], name="admin_session_user_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"session of user {self.user_id} from {self.ip_address}"


class LockoutScope(models.TextChoices):
    ACCOUNT = "account", "Account"
    IP_ADDRESS = "ip_address", "IP address"


class SignInLockout(models.Model):
    """Sign-in blocked for an account name or an IP address until an instant."""

    scope = models.CharField(max_length=20, choices=LockoutScope.choices)
    # The e-mail address as typed (lower-cased), or the IP address.
    value = models.CharField(max_length=254)
    # The organization of the account, when the name belongs to an administrator.
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    failure_count = models.PositiveIntegerField()
    created_at = models.DateTimeField()
    locked_until = models.DateTimeField()
    lifted_at = models.DateTimeField(null=True, blank=True)
    lifted_by = models.CharField(max_length=254, blank=True)

    objects = OrganizationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            # "Is this account or address locked now?" at every sign-in attempt.
            models.Index(
                fields=["scope", "value", "locked_until"], name="lockout_lookup_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_scope_display()} {self.value} until {self.locked_until}"

    @property
    def is_active(self) -> bool:
        from django.utils import timezone

        return self.lifted_at is None and self.locked_until > timezone.now()

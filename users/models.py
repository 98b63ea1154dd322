"""PingID users (the people who authenticate) and their per-service state."""

from __future__ import annotations

import unicodedata
from datetime import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from pingid_portal.tenancy import OrganizationQuerySet

USERNAME_MAX_LENGTH = 250


class PingIDRole(models.TextChoices):
    REGULAR = "REGULAR", "Regular"
    ADMIN = "ADMIN", "Admin"


class UserStatus(models.TextChoices):
    ACTIVE = "ACTIVE", "Active"
    PENDING = "PENDING", "Pending"
    NOT_ACTIVE = "NOT_ACTIVE", "Not active"
    PENDING_ACTIVATION = "PENDING_ACTIVATION", "Pending activation"
    SUSPENDED = "SUSPENDED", "Suspended"
    PENDING_CHANGE_DEVICE = "PENDING_CHANGE_DEVICE", "Pending change of device"


class Service(models.TextChoices):
    """Service where MFA is used (PingID's spAlias)."""

    WEB = "web", "Web"
    WINLOCAL = "winlocal", "Windows local"
    WINREMOTE = "winremote", "Windows remote"
    MACLOCAL = "maclocal", "Mac local"
    SSH = "ssh", "SSH"
    VPN = "vpn", "VPN"


class ServiceStatus(models.TextChoices):
    ACTIVE = "ACTIVE", "Active"
    NOT_ACTIVE = "NOT_ACTIVE", "Not active"
    BYPASS = "BYPASS", "Bypass"


def normalize_username(username: str) -> str:
    """Return the stored form of a username: NFC, otherwise unchanged."""
    return unicodedata.normalize("NFC", username)


def username_key(username: str) -> str:
    """Return the key usernames are matched on: NFC then case-folded."""
    return unicodedata.normalize("NFC", normalize_username(username).casefold())


def search_key(text: str) -> str:
    """Return the form that search terms and `PingIDUser.search_text` are compared in."""
    return username_key(text)


def build_search_text(
    username: str, first_name: str, last_name: str, email: str
) -> str:
    """Return `PingIDUser.search_text` for these values.

    Newlines separate the parts so a search term never matches across two of them.
    """
    return "\n".join(
        search_key(part) for part in (username, first_name, last_name, email)
    )


class PingIDUser(models.Model):
    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.CASCADE, related_name="pingid_users"
    )
    username = models.CharField(max_length=USERNAME_MAX_LENGTH)
    # Case-folded NFC username; unique per organization, used for every lookup.
    username_key = models.CharField(max_length=USERNAME_MAX_LENGTH * 3, editable=False)
    first_name = models.CharField(max_length=150, blank=True)
    last_name = models.CharField(max_length=150, blank=True)
    email = models.EmailField(max_length=254, blank=True)
    role = models.CharField(
        max_length=10, choices=PingIDRole.choices, default=PingIDRole.REGULAR
    )
    status = models.CharField(
        max_length=25, choices=UserStatus.choices, default=UserStatus.NOT_ACTIVE
    )
    # The status to restore when a suspended (disabled) user is enabled again;
    # empty unless the user is suspended.
    status_before_suspension = models.CharField(
        max_length=25, choices=UserStatus.choices, blank=True
    )
    # Case-folded username, names and e-mail address joined by newlines: the
    # substring search of the users page matches here (trigram index on PostgreSQL).
    search_text = models.TextField(blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    last_authenticated_at = models.DateTimeField(null=True, blank=True)

    objects = OrganizationQuerySet.as_manager()

    class Meta:
        verbose_name = "PingID user"
        ordering = ["username_key", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "username_key"],
                name="pingid_user_unique_username",
            ),
        ]
        indexes = [
            # Status chips and the status filter.
            models.Index(
                fields=["organization", "status"], name="pingid_user_org_status_idx"
            ),
            # The users page filtered by status, in username order.
            models.Index(
                fields=["organization", "status", "username_key"],
                name="pingid_user_status_name_idx",
            ),
            # "No sign-in for N days" and sorting by last authentication.
            models.Index(
                fields=["organization", "last_authenticated_at", "id"],
                name="pingid_user_org_lastauth_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.username

    def save(self, *args: object, **kwargs: object) -> None:
        self.username = normalize_username(self.username)
        self.username_key = username_key(self.username)
        self.search_text = build_search_text(
            self.username, self.first_name, self.last_name, self.email
        )
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {
                *update_fields,  # type: ignore[misc]
                "username_key",
                "search_text",
                "updated_at",
            }
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


class UserService(models.Model):
    """A PingID user's state for one service, including any bypass."""

    user = models.ForeignKey(
        PingIDUser, on_delete=models.CASCADE, related_name="services"
    )
    service = models.CharField(max_length=20, choices=Service.choices)
    # False once the user is removed from this service (NOT_ACTIVE).
    enabled = models.BooleanField(default=True)
    # MFA is skipped until this instant; null with `bypass_unlimited` off means no bypass.
    bypass_until = models.DateTimeField(null=True, blank=True)
    # A bypass without end, which only global administrators may set.
    bypass_unlimited = models.BooleanField(default=False)
    bypass_reason = models.TextField(blank=True)
    bypass_set_at = models.DateTimeField(null=True, blank=True)
    bypass_set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Who set the bypass, kept when that administrator is removed.
    bypass_set_by_display = models.CharField(max_length=254, blank=True)
    # Set once the periodic task has recorded the end of an expired bypass.
    bypass_end_recorded = models.BooleanField(default=True)

    class Meta:
        ordering = ["service"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "service"], name="user_service_unique"
            ),
        ]
        indexes = [
            # "Bypassed now" and the periodic task that records ended bypasses.
            models.Index(fields=["bypass_until"], name="user_service_bypass_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.user} / {self.service}"

    def is_bypassed(self, now: datetime | None = None) -> bool:
        """Return whether MFA is skipped at `now`. A bypass ends exactly at its instant."""
        if not self.enabled:
            return False
        if self.bypass_unlimited:
            return True
        now = now or timezone.now()
        return self.bypass_until is not None and now < self.bypass_until

    def status(self, now: datetime | None = None) -> str:
        if not self.enabled:
            return ServiceStatus.NOT_ACTIVE
        if self.is_bypassed(now):
            return ServiceStatus.BYPASS
        return ServiceStatus.ACTIVE


def bypass_active_q(now: datetime, prefix: str = "") -> Q:
    """Return a filter for services in bypass at `now`."""
    return Q(**{f"{prefix}enabled": True}) & (
        Q(**{f"{prefix}bypass_unlimited": True})
        | Q(**{f"{prefix}bypass_until__gt": now})
    )


class BulkAction(models.TextChoices):
    DISABLE = "disable", "Disable"
    ENABLE = "enable", "Enable"
    BYPASS = "bypass", "Bypass MFA"
    REMOVE = "remove", "Remove"


class JobStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    # Finished, but the action failed for at least one user.
    FINISHED_WITH_FAILURES = "finished_with_failures", "Finished with failures"
    FAILED = "failed", "Failed"


class UserBulkJob(models.Model):
    """One bulk action on many PingID users, run in the request or as a Celery job."""

    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.CASCADE, related_name="+"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    requested_by_display = models.CharField(max_length=254)
    action = models.CharField(max_length=20, choices=BulkAction.choices)
    # Arguments of the action: reason, and for bypasses the services, the end
    # instant (ISO 8601) and whether it has no end.
    parameters = models.JSONField(default=dict)
    # Ids of the PingID users to act on, in the order they are processed.
    user_ids = models.JSONField(default=list)
    status = models.CharField(
        max_length=30, choices=JobStatus.choices, default=JobStatus.QUEUED
    )
    total = models.PositiveIntegerField(default=0)
    processed = models.PositiveIntegerField(default=0)
    succeeded = models.PositiveIntegerField(default=0)
    # One {"user_id", "username", "message"} per user the action failed for.
    failures = models.JSONField(default=list)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = OrganizationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_action_display()} of {self.total} users"

    @property
    def is_finished(self) -> bool:
        return self.status in (
            JobStatus.SUCCEEDED,
            JobStatus.FINISHED_WITH_FAILURES,
            JobStatus.FAILED,
        )

    @property
    def percent(self) -> int:
        return round(100 * self.processed / self.total) if self.total else 100


class ImportStatus(models.TextChoices):
    PREVIEWED = "previewed", "Previewed"
    # Rows are being applied, or an apply stopped part-way (see `progress_at`).
    APPLYING = "applying", "Applying"
    APPLIED = "applied", "Applied"


class UserImport(models.Model):
    """An uploaded CSV file of PingID users, kept between its preview and its apply."""

    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.CASCADE, related_name="+"
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    uploaded_by_display = models.CharField(max_length=254)
    file_name = models.CharField(max_length=255)
    # The decoded file text (UTF-8 without its BOM).
    content = models.TextField()
    status = models.CharField(
        max_length=20, choices=ImportStatus.choices, default=ImportStatus.PREVIEWED
    )
    # Row outcomes of the last preview or apply: [{"line", "username",
    # "outcome", "changes", "errors", "error"}, ...]. Rows stored before
    # "errors" existed have only "error".
    rows = models.JSONField(default=list)
    created_at = models.DateTimeField(default=timezone.now)
    applied_at = models.DateTimeField(null=True, blank=True)
    # The apply: who started it, and how far it got. The first `rows_applied`
    # entries of `rows` are results; the others are still the preview.
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    applied_by_display = models.CharField(max_length=254, blank=True)
    apply_ip_address = models.GenericIPAddressField(null=True, blank=True)
    apply_user_agent = models.TextField(blank=True)
    rows_applied = models.PositiveIntegerField(default=0)
    # When the apply last saved progress; None when it stopped with `error`.
    progress_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)

    objects = OrganizationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.file_name

"""The append-only activity log: administrator actions and authentications."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models

from pingid_portal.tenancy import OrganizationQuerySet


class Category(models.TextChoices):
    ADMINISTRATOR = "administrator", "Administrator"
    AUTHENTICATION = "authentication", "Authentication"
    SYSTEM = "system", "System"


class Outcome(models.TextChoices):
    SUCCESS = "success", "Success"
    FAILURE = "failure", "Failure"
    DENIED = "denied", "Denied"
    BYPASSED = "bypassed", "Bypassed"
    TIMED_OUT = "timed_out", "Timed out"


class ActivityEventQuerySet(OrganizationQuerySet["ActivityEvent"]):
    def update(self, **kwargs: Any) -> int:
        raise TypeError("Activity events are append-only.")


class ActivityEvent(models.Model):
    """One administrator action, authentication or system action. Never changed."""

    # Null only for events that belong to no organization, such as a failed
    # sign-in with an unknown e-mail address.
    organization = models.ForeignKey(
        "accounts.Organization", null=True, on_delete=models.CASCADE, related_name="+"
    )
    occurred_at = models.DateTimeField()
    category = models.CharField(max_length=20, choices=Category.choices)
    # Dotted verb, entity first: "administrator.create", "user.bypass", ...
    action = models.CharField(max_length=100)
    outcome = models.CharField(max_length=20, choices=Outcome.choices)

    actor_kind = models.CharField(max_length=20)
    actor_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Kept when the acting administrator or settings file is deleted.
    actor_display = models.CharField(max_length=254)
    actor_role = models.CharField(max_length=30, blank=True)
    settings_file_id = models.BigIntegerField(null=True, blank=True)

    target_type = models.CharField(max_length=50, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    # Name of the target when the event was written, kept after it is deleted.
    target_display = models.CharField(max_length=300, blank=True)

    # The PingID user the event is about. A plain id, not a foreign key, so
    # the history stays linked after the user is removed.
    pingid_user_id = models.BigIntegerField(null=True, blank=True)
    pingid_username = models.CharField(max_length=300, blank=True)
    service = models.CharField(max_length=20, blank=True)
    device_id = models.CharField(max_length=64, blank=True)
    device_display = models.CharField(max_length=300, blank=True)
    application = models.CharField(max_length=300, blank=True)

    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    reason = models.TextField(blank=True)
    message = models.TextField(blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.TextField(blank=True)
    # Names of the fields whose value was cut to fit, empty when none was.
    truncated_fields = models.JSONField(default=list, blank=True)

    objects = ActivityEventQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [
            # The activity page and its keyset pagination: newest first per org.
            models.Index(
                fields=["organization", "-occurred_at", "-id"],
                name="event_org_time_idx",
            ),
            # The per-user timeline.
            models.Index(
                fields=["organization", "pingid_user_id", "-occurred_at"],
                name="event_org_pingid_user_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M:%S} {self.action} {self.outcome}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not self._state.adding:
            raise TypeError("Activity events are append-only.")
        super().save(*args, **kwargs)

    @property
    def is_truncated(self) -> bool:
        return bool(self.truncated_fields)

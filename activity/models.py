"""The append-only activity log: administrator actions and authentications."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models.functions import Upper
from django.utils import timezone

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

    # Tamper evidence: position in the organization's hash chain (1 first),
    # the hash of the event before it and the SHA-256 over this event's
    # canonical content and `previous_hash` (see activity/chain.py).
    sequence = models.BigIntegerField(default=0)
    previous_hash = models.CharField(max_length=64, blank=True)
    hash = models.CharField(max_length=64, blank=True)

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
            # outcome=... with keyset paging: "failures of the last week", the
            # dashboard's counts by result.
            models.Index(
                fields=["organization", "outcome", "-occurred_at", "-id"],
                name="event_org_outcome_time_idx",
            ),
            # category=... and action=...: authentications only, one event type.
            models.Index(
                fields=["organization", "category", "action", "-occurred_at", "-id"],
                name="event_org_cat_action_time_idx",
            ),
            # service=...: "VPN authentications".
            models.Index(
                fields=["organization", "service", "-occurred_at", "-id"],
                name="event_org_service_time_idx",
            ),
            # administrator=...: what one administrator did.
            models.Index(
                fields=["organization", "actor_user", "-occurred_at", "-id"],
                name="event_org_actor_time_idx",
            ),
            # user=... (case-insensitive username, Django's iexact on
            # PostgreSQL compares UPPER(pingid_username::text)).
            models.Index(
                models.F("organization"),
                Upper("pingid_username"),
                models.F("occurred_at").desc(),
                models.F("id").desc(),
                name="event_org_username_time_idx",
            ),
            # ip=...: everything from one address.
            models.Index(
                fields=["organization", "ip_address", "-occurred_at", "-id"],
                name="event_org_ip_time_idx",
            ),
        ]
        constraints = [
            # Chain verification walks each chain in sequence order; a sequence
            # is never used twice within one chain.
            models.UniqueConstraint(
                fields=["organization", "sequence"], name="event_org_sequence_unique"
            ),
            models.UniqueConstraint(
                fields=["sequence"],
                condition=models.Q(organization__isnull=True),
                name="event_no_org_sequence_unique",
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


def chain_key_of(organization_id: int | None) -> str:
    """Return the key of the hash chain of an organization, or of no organization."""
    return f"organization:{organization_id}" if organization_id else "no-organization"


class ChainHead(models.Model):
    """The end and the start of one hash chain.

    `event_record` locks this row (SELECT ... FOR UPDATE) so that the events of
    one chain get their sequence numbers one at a time. The anchor is the hash
    the first kept event links to: empty for a whole chain, and the hash of the
    last purged event after retention removed the oldest ones.
    """

    chain_key = models.CharField(max_length=40, unique=True)
    organization = models.ForeignKey(
        "accounts.Organization",
        null=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    last_sequence = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, blank=True)
    # The hash the last event links to: that event's `previous_hash`. Kept so
    # that one UPDATE can move the head and return both hashes the new event
    # row needs.
    previous_hash = models.CharField(max_length=64, blank=True, default="")
    anchor_sequence = models.BigIntegerField(default=0)
    anchor_hash = models.CharField(max_length=64, blank=True)

    def __str__(self) -> str:
        return f"{self.chain_key} at {self.last_sequence}"


class AuthenticationCount(models.Model):
    """Authentication events of one organization with one outcome in one bucket.

    A bucket is the 15 minutes from `bucket_start` (UTC, a multiple of 15
    minutes). Each local hour and day of a zone whose offset is a whole
    number of quarter hours is then a whole number of buckets. The counts
    cover exactly the organization's existing events up to the sequence in
    its `AuthenticationCountWatermark` (activity/rollup.py).
    """

    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.CASCADE, related_name="+"
    )
    bucket_start = models.DateTimeField()
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
    count = models.BigIntegerField(default=0)

    objects = OrganizationQuerySet.as_manager()

    class Meta:
        constraints = [
            # One row per bucket and outcome. The rollup's INSERT ... ON CONFLICT
            # targets it, and its index serves the dashboard's range read.
            models.UniqueConstraint(
                fields=["organization", "bucket_start", "outcome"],
                name="authcount_org_bucket_outcome_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.bucket_start:%Y-%m-%d %H:%M} {self.outcome} {self.count}"


class AuthenticationCountWatermark(models.Model):
    """The last event sequence that an organization's authentication counts include.

    The rollup locks this row while it adds events to the counts, and
    retention locks it while it subtracts the events it deletes.
    """

    organization = models.OneToOneField(
        "accounts.Organization", on_delete=models.CASCADE, related_name="+"
    )
    # The counts include every event of the organization whose chain sequence
    # is at most this, and none above it. 0 before the first rollup.
    last_sequence = models.BigIntegerField(default=0)
    updated_at = models.DateTimeField(null=True, blank=True)

    objects = OrganizationQuerySet.as_manager()

    def __str__(self) -> str:
        return (
            f"Authentication counts of {self.organization_id} to {self.last_sequence}"
        )


class ExportFormat(models.TextChoices):
    CSV = "csv", "CSV"
    JSONL = "jsonl", "JSON Lines"


class ExportStatus(models.TextChoices):
    PENDING = "pending", "Waiting"
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Ready"
    FAILED = "failed", "Failed"


class Export(models.Model):
    """One asynchronous export of a filtered activity log to a private file."""

    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.CASCADE, related_name="+"
    )
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    requester_display = models.CharField(max_length=254)
    # The activity filter as query parameters, plus the time zone its times
    # are read in; the task rebuilds the page's filter from it.
    filter = models.JSONField(default=dict)
    time_zone = models.CharField(max_length=64, default="UTC")
    format = models.CharField(max_length=10, choices=ExportFormat.choices)
    gzip = models.BooleanField(default=False)
    status = models.CharField(
        max_length=20, choices=ExportStatus.choices, default=ExportStatus.PENDING
    )
    rows_written = models.BigIntegerField(default=0)
    # Rows the filter matched when the export was requested; an estimate,
    # because events keep arriving.
    total_estimate = models.BigIntegerField(default=0)
    attempts = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    # Updated by the running task after every chunk; a running export whose
    # heartbeat is older than EXPORT_STALE_SECONDS lost its worker.
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)
    # Path of the finished file relative to EXPORT_STORAGE; empty until it
    # is complete.
    file_path = models.CharField(max_length=300, blank=True)

    objects = OrganizationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # The export list of an organization, newest first.
            models.Index(
                fields=["organization", "-created_at"], name="export_org_created_idx"
            ),
            # delete_expired_exports: finished exports older than the retention.
            models.Index(
                fields=["status", "finished_at"], name="export_status_finished_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"Export {self.pk} ({self.format}, {self.status})"

    @property
    def is_done(self) -> bool:
        return self.status in (ExportStatus.SUCCEEDED, ExportStatus.FAILED)

    @property
    def percent(self) -> int:
        if self.status == ExportStatus.SUCCEEDED:
            return 100
        if self.total_estimate <= 0:
            return 0
        return min(99, int(self.rows_written * 100 / self.total_estimate))

    @property
    def file_name(self) -> str:
        suffix = ".gz" if self.gzip else ""
        return f"activity-export-{self.pk}.{self.format}{suffix}"


class IntegrityCheckStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    INTACT = "intact", "Intact"
    BROKEN = "broken", "Broken"
    FAILED = "failed", "Failed"


class IntegrityCheck(models.Model):
    """One verification of an organization's activity hash chain, run as a task."""

    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.CASCADE, related_name="+"
    )
    # The administrator who asked, or "scheduled check".
    requested_by_display = models.CharField(max_length=254)
    status = models.CharField(
        max_length=10,
        choices=IntegrityCheckStatus.choices,
        default=IntegrityCheckStatus.QUEUED,
    )
    events_checked = models.BigIntegerField(default=0)
    broken_event_id = models.BigIntegerField(null=True, blank=True)
    broken_sequence = models.BigIntegerField(null=True, blank=True)
    problem = models.TextField(blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = OrganizationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # The integrity page: an organization's latest checks.
            models.Index(
                fields=["organization", "-created_at"], name="integrity_org_time_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"integrity check {self.pk} ({self.status})"

    @property
    def is_finished(self) -> bool:
        return self.status not in (
            IntegrityCheckStatus.QUEUED,
            IntegrityCheckStatus.RUNNING,
        )

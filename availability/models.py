"""Service availability: the switch, behaviour during errors, emergency bypass,
maintenance windows, and the platform-wide probes, incidents and heartbeats."""

from __future__ import annotations

from datetime import datetime

from django.db import models
from django.db.models import F, Q

from pingid_portal.tenancy import OrganizationQuerySet
from users.models import Service


class FailureMode(models.TextChoices):
    """Behaviour of the PingID API when it cannot authenticate normally."""

    REJECT = "reject", "Reject (fail closed)"
    BYPASS = "bypass", "Bypass (fail open)"


class Component(models.TextChoices):
    """Parts of the platform that the probes check."""

    WEB = "web", "Web"
    DATABASE = "database", "Database"
    TASK_QUEUE = "task_queue", "Task queue"
    WORKERS = "workers", "Workers"
    PINGID_API = "pingid_api", "PingID API"


class ServiceState(models.Model):
    """The organization's service switch and its default behaviour during errors.

    An organization without a row is enabled and rejects during errors.
    """

    organization = models.OneToOneField(
        "accounts.Organization",
        on_delete=models.CASCADE,
        related_name="service_state",
    )
    enabled = models.BooleanField(default=True)
    # Why the service was last switched, shown in the banner while disabled.
    reason = models.TextField(blank=True)
    changed_at = models.DateTimeField(null=True, blank=True)
    changed_by = models.CharField(max_length=254, blank=True)
    failure_mode = models.CharField(
        max_length=10, choices=FailureMode.choices, default=FailureMode.REJECT
    )

    objects = OrganizationQuerySet.as_manager()

    def __str__(self) -> str:
        return "enabled" if self.enabled else "disabled"


class ServiceFailureMode(models.Model):
    """A per-service override of the organization's behaviour during errors."""

    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.CASCADE, related_name="+"
    )
    service = models.CharField(max_length=20, choices=Service.choices)
    mode = models.CharField(max_length=10, choices=FailureMode.choices)

    objects = OrganizationQuerySet.as_manager()

    class Meta:
        ordering = ["service"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "service"],
                name="service_failure_mode_unique_service",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.service}: {self.mode}"


class EmergencyBypass(models.Model):
    """MFA skipped for every PingID user of the organization, or of some services."""

    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.CASCADE, related_name="+"
    )
    # Services covered; an empty list covers every service.
    services = models.JSONField(default=list, blank=True)
    reason = models.TextField()
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    started_by = models.CharField(max_length=254)
    # Set when an administrator ends the bypass before `ends_at`.
    ended_early_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.CharField(max_length=254, blank=True)
    # Set once the end event is written, by the early end or by the periodic task.
    end_recorded_at = models.DateTimeField(null=True, blank=True)

    objects = OrganizationQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_at", "-id"]
        verbose_name_plural = "emergency bypasses"
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")),
                name="emergency_bypass_ends_after_start",
            ),
        ]
        indexes = [
            # Serves the active-bypass lookup of every authentication.
            models.Index(
                fields=["organization", "ends_at"], name="emergency_org_end_idx"
            ),
            # Serves the periodic task that records ended bypasses.
            models.Index(
                fields=["end_recorded_at", "ends_at"],
                name="emergency_unrecorded_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"Emergency bypass until {self.effective_end:%Y-%m-%d %H:%M} UTC"

    @property
    def effective_end(self) -> datetime:
        return self.ended_early_at or self.ends_at

    def is_active(self, now: datetime) -> bool:
        return self.starts_at <= now < self.effective_end

    def covers(self, service: str) -> bool:
        return not self.services or service in self.services

    @property
    def services_phrase(self) -> str:
        """The covered services for a sentence: "every service" or "VPN, SSH"."""
        return "every service" if not self.services else self.services_display

    @property
    def services_display(self) -> str:
        if not self.services:
            return "All services"
        labels = dict(Service.choices)
        return ", ".join(labels.get(name, name) for name in self.services)


class MaintenanceWindow(models.Model):
    """A scheduled period during which the PingID API follows the behaviour during errors."""

    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.CASCADE, related_name="+"
    )
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    message = models.TextField()
    created_by = models.CharField(max_length=254)
    created_at = models.DateTimeField(auto_now_add=True)
    # A cancelled window is kept in the list and no longer applies.
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.CharField(max_length=254, blank=True)

    objects = OrganizationQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")),
                name="maintenance_window_ends_after_start",
            ),
        ]
        indexes = [
            # Serves the current-window lookup of every authentication and banner.
            models.Index(
                fields=["organization", "ends_at"], name="maintenance_org_end_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"Maintenance {self.starts_at:%Y-%m-%d %H:%M} UTC"

    def status(self, now: datetime) -> str:
        if self.cancelled_at is not None:
            return "cancelled"
        if now < self.starts_at:
            return "scheduled"
        if now < self.ends_at:
            return "in_progress"
        return "completed"


class Probe(models.Model):
    """One check of one platform component. Platform-wide, not per organization."""

    component = models.CharField(max_length=20, choices=Component.choices)
    checked_at = models.DateTimeField()
    # False only when the check failed; an embedded component passes.
    ok = models.BooleanField()
    # "ok", "failed" or "embedded" (replaced by the in-process mode).
    state = models.CharField(max_length=10, default="ok")
    # Short, secret-free description of a failure, empty when the check passed.
    detail = models.CharField(max_length=200, blank=True)
    latency_ms = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-checked_at"]
        indexes = [
            # Serves the uptime report and the latest-state lookup per component.
            models.Index(
                fields=["component", "checked_at"], name="probe_component_time_idx"
            ),
            # Serves the purge of old probes.
            models.Index(fields=["checked_at"], name="probe_time_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.component} {'ok' if self.ok else 'failed'} at {self.checked_at}"


class ProbeBucket(models.Model):
    """Probe counts of one component over 15 minutes, for the uptime report.

    Every time zone in use today is offset from UTC by a multiple of 15
    minutes, so local day boundaries fall on bucket boundaries and the report
    adds up about 100 buckets per day instead of 1,440 probes.
    """

    component = models.CharField(max_length=20, choices=Component.choices)
    # Start of the 15 minutes, in UTC.
    starts_at = models.DateTimeField()
    total = models.PositiveIntegerField(default=0)
    passed = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["starts_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["component", "starts_at"], name="probe_bucket_unique_start"
            ),
        ]
        indexes = [
            # Serves the uptime report, which reads a range of every component.
            models.Index(fields=["starts_at"], name="probe_bucket_start_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.component} {self.passed}/{self.total} from {self.starts_at}"


class Incident(models.Model):
    """A period during which a component's probes failed, opened and closed by the probes."""

    component = models.CharField(max_length=20, choices=Component.choices)
    started_at = models.DateTimeField()
    # Null while the incident is open.
    resolved_at = models.DateTimeField(null=True, blank=True)
    # Detail of the first failed probe.
    summary = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["component"],
                condition=Q(resolved_at__isnull=True),
                name="incident_one_open_per_component",
            ),
        ]
        indexes = [
            # Serves the incident list of a date range.
            models.Index(fields=["started_at"], name="incident_started_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_component_display()} incident at {self.started_at}"

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None


class IncidentNote(models.Model):
    """A note an administrator adds to an incident; seen only by their organization."""

    incident = models.ForeignKey(
        Incident, on_delete=models.CASCADE, related_name="notes"
    )
    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.CASCADE, related_name="+"
    )
    text = models.TextField()
    author = models.CharField(max_length=254)
    created_at = models.DateTimeField()

    objects = OrganizationQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"Note by {self.author}"


class WorkerHeartbeat(models.Model):
    """The last time a Celery worker ran the heartbeat task, per worker host name."""

    worker = models.CharField(max_length=200, unique=True)
    beat_at = models.DateTimeField()

    class Meta:
        ordering = ["-beat_at"]

    def __str__(self) -> str:
        return f"{self.worker} at {self.beat_at}"

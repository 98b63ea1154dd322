"""Serializers of the availability part of the management API."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from availability.models import (
    Component,
    EmergencyBypass,
    FailureMode,
    Incident,
    IncidentNote,
    MaintenanceWindow,
)
from users.models import Service


class ServiceSwitchSerializer(serializers.Serializer[Any]):
    enabled = serializers.BooleanField()
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class FailureModesSerializer(serializers.Serializer[Any]):
    default_mode = serializers.ChoiceField(choices=FailureMode.choices)
    # Service to mode, or to null to follow the default; left-out services keep theirs.
    overrides = serializers.DictField(
        child=serializers.ChoiceField(choices=FailureMode.choices, allow_null=True),
        required=False,
        default=dict,
    )


class EmergencyBypassSerializer(serializers.ModelSerializer[EmergencyBypass]):
    services = serializers.ListField(
        child=serializers.ChoiceField(choices=Service.choices),
        required=False,
        default=list,
        help_text="Services covered; empty covers every service.",
    )
    active = serializers.SerializerMethodField()

    class Meta:
        model = EmergencyBypass
        fields = [
            "id",
            "services",
            "reason",
            "starts_at",
            "ends_at",
            "started_by",
            "ended_early_at",
            "ended_by",
            "active",
        ]
        read_only_fields = [
            "id",
            "starts_at",
            "started_by",
            "ended_early_at",
            "ended_by",
            "active",
        ]

    def get_active(self, bypass: EmergencyBypass) -> bool:
        return bypass.is_active(self.context["now"])


class MaintenanceWindowSerializer(serializers.ModelSerializer[MaintenanceWindow]):
    status = serializers.SerializerMethodField()

    class Meta:
        model = MaintenanceWindow
        fields = [
            "id",
            "starts_at",
            "ends_at",
            "message",
            "created_by",
            "created_at",
            "cancelled_at",
            "cancelled_by",
            "status",
        ]
        read_only_fields = [
            "id",
            "created_by",
            "created_at",
            "cancelled_at",
            "cancelled_by",
            "status",
        ]

    def get_status(self, window: MaintenanceWindow) -> str:
        """Return scheduled, in_progress, completed or cancelled."""
        return window.status(self.context["now"])


class IncidentNoteSerializer(serializers.ModelSerializer[IncidentNote]):
    class Meta:
        model = IncidentNote
        fields = ["id", "text", "author", "created_at"]
        read_only_fields = ["id", "author", "created_at"]


class IncidentSerializer(serializers.ModelSerializer[Incident]):
    component = serializers.ChoiceField(choices=Component.choices)

    class Meta:
        model = Incident
        fields = ["id", "component", "started_at", "resolved_at", "summary"]


class IncidentDetailSerializer(IncidentSerializer):
    notes = serializers.SerializerMethodField()

    class Meta(IncidentSerializer.Meta):
        fields = [*IncidentSerializer.Meta.fields, "notes"]

    def get_notes(self, incident: Incident) -> list[dict[str, Any]]:
        notes = IncidentNote.objects.for_organization(
            self.context["organization"]
        ).filter(incident=incident)
        return list(IncidentNoteSerializer(notes, many=True).data)


class ComponentStateSerializer(serializers.Serializer[Any]):
    component = serializers.CharField()
    state = serializers.CharField(help_text="ok, failed, embedded or unknown.")
    detail = serializers.CharField()
    checked_at = serializers.DateTimeField(allow_null=True)


class DayUptimeSerializer(serializers.Serializer[Any]):
    day = serializers.DateField()
    total = serializers.IntegerField(help_text="Probes run that day.")
    passed = serializers.IntegerField()
    percent = serializers.FloatField(allow_null=True)
    downtime_seconds = serializers.IntegerField()
    incident_ids = serializers.ListField(child=serializers.IntegerField())


class ComponentUptimeSerializer(serializers.Serializer[Any]):
    component = serializers.CharField()
    percent = serializers.FloatField(allow_null=True)
    days = DayUptimeSerializer(many=True)


class AvailabilitySerializer(serializers.Serializer[Any]):
    enabled = serializers.BooleanField()
    reason = serializers.CharField()
    changed_at = serializers.DateTimeField(allow_null=True)
    changed_by = serializers.CharField()
    default_mode = serializers.CharField()
    overrides = serializers.DictField(child=serializers.CharField())
    effective_modes = serializers.DictField(child=serializers.CharField())
    emergency_bypass = EmergencyBypassSerializer(allow_null=True)
    maintenance_current = MaintenanceWindowSerializer(allow_null=True)
    maintenance_upcoming = MaintenanceWindowSerializer(allow_null=True)

"""The availability part of the management API, under /api/v1/availability/."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from availability import selectors, serializers, services
from availability.models import EmergencyBypass, Incident, MaintenanceWindow
from availability.uptime import current_states, incidents_recent, uptime_report
from pingid_portal.actors import Actor
from pingid_portal.errors import ServiceError
from pingid_portal.permissions import Action
from pingid_portal.tenancy import get_for_organization

MANAGE = {"POST": Action.AVAILABILITY_MANAGE, "PUT": Action.AVAILABILITY_MANAGE}


def _context(request: Request) -> dict[str, Any]:
    return {
        "request": request,
        "now": timezone.now(),
        "organization": request.organization,  # type: ignore[attr-defined]
    }


def _availability_body(request: Request) -> dict[str, Any]:
    organization = request.organization  # type: ignore[attr-defined]
    now = timezone.now()
    state = selectors.service_state_get(organization)
    banners = selectors.banners_get(organization, now)
    data = {
        "enabled": state.enabled,
        "reason": state.reason,
        "changed_at": state.changed_at,
        "changed_by": state.changed_by,
        "default_mode": state.failure_mode,
        "overrides": selectors.failure_mode_overrides(organization),
        "effective_modes": selectors.failure_modes_effective(organization),
        "emergency_bypass": banners.emergency_bypass,
        "maintenance_current": banners.maintenance_current,
        "maintenance_upcoming": banners.maintenance_upcoming,
    }
    return serializers.AvailabilitySerializer(data, context=_context(request)).data


class AvailabilityView(APIView):
    """The switch, behaviour during errors, bypass and maintenance now in force."""

    permission_action = Action.VIEW

    @extend_schema(responses=serializers.AvailabilitySerializer)
    def get(self, request: Request) -> Response:
        return Response(_availability_body(request))


class ServiceSwitchView(APIView):
    permission_action = MANAGE

    @extend_schema(
        request=serializers.ServiceSwitchSerializer,
        responses=serializers.AvailabilitySerializer,
    )
    def put(self, request: Request) -> Response:
        """Enable or disable PingID; a reason is required to disable."""
        serializer = serializers.ServiceSwitchSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.availability_set_service(
            actor=Actor.from_request(request),
            enabled=serializer.validated_data["enabled"],
            reason=serializer.validated_data["reason"],
        )
        return Response(_availability_body(request))


class FailureModesView(APIView):
    permission_action = MANAGE

    @extend_schema(
        request=serializers.FailureModesSerializer,
        responses=serializers.AvailabilitySerializer,
    )
    def put(self, request: Request) -> Response:
        """Set the default behaviour during errors and per-service overrides."""
        serializer = serializers.FailureModesSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.availability_set_failure_modes(
            actor=Actor.from_request(request),
            default_mode=serializer.validated_data["default_mode"],
            overrides=dict(serializer.validated_data["overrides"]),
        )
        return Response(_availability_body(request))


class EmergencyBypassListView(generics.ListCreateAPIView[EmergencyBypass]):
    serializer_class = serializers.EmergencyBypassSerializer
    permission_action = MANAGE

    def get_queryset(self) -> QuerySet[EmergencyBypass]:
        if getattr(self, "swagger_fake_view", False):
            return EmergencyBypass.objects.none()
        return EmergencyBypass.objects.for_organization(self.request.organization)  # type: ignore[attr-defined]

    def get_serializer_context(self) -> dict[str, Any]:
        return _context(self.request)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Start an emergency bypass now, until `ends_at`."""
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        bypass = services.emergency_bypass_start(
            actor=Actor.from_request(request),
            ends_at=serializer.validated_data["ends_at"],
            reason=serializer.validated_data["reason"],
            services=serializer.validated_data["services"],
        )
        body = self.get_serializer(bypass).data
        return Response(body, status=status.HTTP_201_CREATED)


class EmergencyBypassDetailView(generics.RetrieveAPIView[EmergencyBypass]):
    permission_action: Action | dict[str, Action] = Action.VIEW
    serializer_class = serializers.EmergencyBypassSerializer

    def get_object(self) -> EmergencyBypass:
        return get_for_organization(
            EmergencyBypass.objects.all(),
            self.request.organization,  # type: ignore[attr-defined]
            pk=self.kwargs["bypass_id"],
        )

    def get_serializer_context(self) -> dict[str, Any]:
        return _context(self.request)


class EmergencyBypassEndView(EmergencyBypassDetailView):
    permission_action = MANAGE

    @extend_schema(request=None, responses=serializers.EmergencyBypassSerializer)
    def post(self, request: Request, bypass_id: int) -> Response:
        """End the emergency bypass now."""
        bypass = services.emergency_bypass_end(
            actor=Actor.from_request(request),
            bypass=self.get_object(),
        )
        return Response(self.get_serializer(bypass).data)


class MaintenanceWindowListView(generics.ListCreateAPIView[MaintenanceWindow]):
    serializer_class = serializers.MaintenanceWindowSerializer
    permission_action = MANAGE

    def get_queryset(self) -> QuerySet[MaintenanceWindow]:
        if getattr(self, "swagger_fake_view", False):
            return MaintenanceWindow.objects.none()
        return MaintenanceWindow.objects.for_organization(self.request.organization)  # type: ignore[attr-defined]

    def get_serializer_context(self) -> dict[str, Any]:
        return _context(self.request)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Schedule a maintenance window."""
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        window = services.maintenance_window_create(
            actor=Actor.from_request(request),
            starts_at=serializer.validated_data["starts_at"],
            ends_at=serializer.validated_data["ends_at"],
            message=serializer.validated_data["message"],
        )
        body = self.get_serializer(window).data
        return Response(body, status=status.HTTP_201_CREATED)


class MaintenanceWindowDetailView(generics.RetrieveAPIView[MaintenanceWindow]):
    permission_action: Action | dict[str, Action] = Action.VIEW
    serializer_class = serializers.MaintenanceWindowSerializer

    def get_object(self) -> MaintenanceWindow:
        return get_for_organization(
            MaintenanceWindow.objects.all(),
            self.request.organization,  # type: ignore[attr-defined]
            pk=self.kwargs["window_id"],
        )

    def get_serializer_context(self) -> dict[str, Any]:
        return _context(self.request)


class MaintenanceWindowCancelView(MaintenanceWindowDetailView):
    permission_action = MANAGE

    @extend_schema(request=None, responses=serializers.MaintenanceWindowSerializer)
    def post(self, request: Request, window_id: int) -> Response:
        """Cancel a scheduled window, or end one in progress now."""
        window = services.maintenance_window_cancel(
            actor=Actor.from_request(request),
            window=self.get_object(),
        )
        return Response(self.get_serializer(window).data)


class ComponentStateView(APIView):
    permission_action = Action.VIEW

    @extend_schema(responses=serializers.ComponentStateSerializer(many=True))
    def get(self, request: Request) -> Response:
        """Return each component's state from its latest probe."""
        states = current_states(timezone.now())
        body = serializers.ComponentStateSerializer(states, many=True).data
        return Response(body)


class UptimeView(APIView):
    permission_action = Action.VIEW

    @extend_schema(
        parameters=[
            OpenApiParameter("days", int, description="Days to report, 1 to 90.")
        ],
        responses=serializers.ComponentUptimeSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        """Return uptime per component and day in the organization's time zone."""
        days = request.query_params.get("days", "90")
        if not days.isdigit() or not 1 <= int(days) <= 90:
            raise ServiceError(
                f"days {days!r} is invalid: give a whole number from 1 to 90.",
                field="days",
            )
        report = uptime_report(
            request.organization,  # type: ignore[attr-defined]
            now=timezone.now(),
            days=int(days),
        )
        return Response(serializers.ComponentUptimeSerializer(report, many=True).data)


class IncidentListView(APIView):
    permission_action = Action.VIEW

    @extend_schema(responses=serializers.IncidentSerializer(many=True))
    def get(self, request: Request) -> Response:
        """Return the incidents of the last 90 days, latest first."""
        incidents = incidents_recent(
            request.organization,  # type: ignore[attr-defined]
            now=timezone.now(),
        )
        return Response(serializers.IncidentSerializer(incidents, many=True).data)


class IncidentDetailView(APIView):
    permission_action = Action.VIEW

    @extend_schema(responses=serializers.IncidentDetailSerializer)
    def get(self, request: Request, incident_id: int) -> Response:
        """Return an incident with the organization's notes."""
        incident = get_object_or_404(Incident, pk=incident_id)
        body = serializers.IncidentDetailSerializer(
            incident, context=_context(request)
        ).data
        return Response(body)


class IncidentNoteCreateView(APIView):
    permission_action = MANAGE

    @extend_schema(
        request=serializers.IncidentNoteSerializer,
        responses={201: serializers.IncidentNoteSerializer},
    )
    def post(self, request: Request, incident_id: int) -> Response:
        """Add a note to the incident."""
        incident = get_object_or_404(Incident, pk=incident_id)
        serializer = serializers.IncidentNoteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        note = services.incident_note_add(
            actor=Actor.from_request(request),
            incident=incident,
            text=serializer.validated_data["text"],
        )
        body = serializers.IncidentNoteSerializer(note).data
        return Response(body, status=status.HTTP_201_CREATED)

"""Management API of the activity log: events, exports and their files."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import FileResponse
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import Membership
from activity.filters import EventFilter
from activity.models import ActivityEvent, Export, ExportFormat
from activity.selectors import FILTER_PARAMETERS, event_filter, filter_errors
from activity.services import export_create
from activity.views import export_file_response
from pingid_portal.actors import Actor
from pingid_portal.api import CursorPagination
from pingid_portal.errors import ServiceError
from pingid_portal.permissions import Action
from pingid_portal.tenancy import get_for_organization


class EventFilterBackend(DjangoFilterBackend):
    """Apply the activity filter through the selector the portal page uses.

    Times without an offset are read in the administrator's time zone.
    """

    def filter_queryset(
        self, request: Request, queryset: QuerySet[Any], view: APIView
    ) -> QuerySet[Any]:
        membership = _membership(request)
        filterset = event_filter(
            membership.organization, request.query_params, membership.time_zone
        )
        if not filterset.is_valid():
            raise exceptions.ValidationError(filter_errors(filterset))
        return filterset.qs


def _membership(request: Request) -> Membership:
    """Return the membership that `IsOrganizationMember` attached to the request."""
    membership: Membership = request.membership  # type: ignore[attr-defined]
    return membership


class EventCursorPagination(CursorPagination):
    # DRF accepts a tuple; the stubs type the attribute as one string.
    ordering = ("-occurred_at", "-id")  # type: ignore[assignment]


class EventSerializer(serializers.ModelSerializer[ActivityEvent]):
    class Meta:
        model = ActivityEvent
        fields = [
            "id",
            "occurred_at",
            "sequence",
            "category",
            "action",
            "outcome",
            "actor_kind",
            "actor_user",
            "actor_display",
            "actor_role",
            "settings_file_id",
            "target_type",
            "target_id",
            "target_display",
            "pingid_user_id",
            "pingid_username",
            "service",
            "device_id",
            "device_display",
            "application",
            "before",
            "after",
            "reason",
            "message",
            "ip_address",
            "user_agent",
            "truncated_fields",
            "previous_hash",
            "hash",
        ]
        read_only_fields = fields


class EventList(generics.ListAPIView[ActivityEvent]):
    """List activity events, newest first, with the activity page's filters."""

    permission_action = Action.VIEW
    serializer_class = EventSerializer
    pagination_class = EventCursorPagination
    filter_backends = [EventFilterBackend]
    filterset_class = EventFilter

    def get_queryset(self) -> QuerySet[ActivityEvent]:
        if getattr(self, "swagger_fake_view", False):
            return ActivityEvent.objects.none()
        return ActivityEvent.objects.filter(
            organization=_membership(self.request).organization
        )


class ExportSerializer(serializers.ModelSerializer[Export]):
    percent = serializers.IntegerField(read_only=True)
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = Export
        fields = [
            "id",
            "requester_display",
            "filter",
            "time_zone",
            "format",
            "gzip",
            "status",
            "rows_written",
            "total_estimate",
            "percent",
            "attempts",
            "created_at",
            "started_at",
            "finished_at",
            "error",
            "download_url",
        ]
        read_only_fields = fields

    def get_download_url(self, export: Export) -> str | None:
        if not export.file_path:
            return None
        return f"/api/v1/activity/exports/{export.pk}/download/"


class ExportCreateSerializer(serializers.Serializer[dict[str, Any]]):
    format = serializers.ChoiceField(choices=ExportFormat.choices)
    gzip = serializers.BooleanField(default=False)
    filter = serializers.DictField(
        required=False,
        default=dict,
        help_text="Query parameters of GET /activity/events/, e.g. "
        '{"outcome": ["failure"], "since": "2026-11-01T00:00"}.',
    )


class ExportList(APIView):
    """Start an export of the filtered activity log (POST); list recent ones (GET)."""

    permission_action = Action.ACTIVITY_EXPORT

    @extend_schema(responses=ExportSerializer(many=True))
    def get(self, request: Request) -> Response:
        organization = _membership(request).organization
        exports = Export.objects.filter(organization=organization)[:50]
        return Response(ExportSerializer(exports, many=True).data)

    @extend_schema(request=ExportCreateSerializer, responses={202: ExportSerializer})
    def post(self, request: Request) -> Response:
        payload = ExportCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        membership = _membership(request)
        try:
            export = export_create(
                actor=Actor.from_request(request, membership),
                params=payload.validated_data["filter"],
                format=payload.validated_data["format"],
                gzip=payload.validated_data["gzip"],
                time_zone=membership.time_zone,
            )
        except ServiceError as error:
            # The client sends filter parameters inside "filter", so name the
            # field the way it appears in the request body.
            if error.field in FILTER_PARAMETERS:
                error.field = f"filter.{error.field}"
            raise
        return Response(ExportSerializer(export).data, status=status.HTTP_202_ACCEPTED)


class ExportDetail(APIView):
    """Read an export's status and progress."""

    permission_action = Action.ACTIVITY_EXPORT

    @extend_schema(responses=ExportSerializer)
    def get(self, request: Request, export_id: int) -> Response:
        export = get_for_organization(
            Export.objects.all(),
            _membership(request).organization,
            pk=export_id,
        )
        return Response(ExportSerializer(export).data)


class ExportDownload(APIView):
    """Download a finished export's file (404 until it is finished)."""

    permission_action = Action.ACTIVITY_EXPORT

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY})
    def get(self, request: Request, export_id: int) -> FileResponse:
        export = get_for_organization(
            Export.objects.all(),
            _membership(request).organization,
            pk=export_id,
        )
        return export_file_response(export)

"""Management API views for PingID users; each calls the same service as the portal."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, QuerySet
from django.http import QueryDict
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.generics import GenericAPIView
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from pingid_portal.actors import Actor
from pingid_portal.api import CursorPagination
from pingid_portal.errors import ServiceError
from pingid_portal.permissions import Action
from pingid_portal.tenancy import get_for_organization
from users import bulk, imports, services
from users.filters import UserFilterSet
from users.models import (
    ImportStatus,
    PingIDUser,
    UserBulkJob,
    UserImport,
    UserService,
)
from users.selectors import bypassed_services, user_queryset
from users.serializers import (
    BypassedServiceSerializer,
    PingIDUserCreateSerializer,
    PingIDUserSerializer,
    PingIDUserUpdateSerializer,
    UserBulkActionSerializer,
    UserBulkJobSerializer,
    UserBypassSerializer,
    UserImportSerializer,
    UserImportUploadSerializer,
    UserReasonSerializer,
    UserRemoveSerializer,
    UserResumeMfaSerializer,
)


class UsernamePagination(CursorPagination):
    ordering = "username_key"


def _actor(request: Request) -> Actor:
    return Actor.from_request(request._request, request.membership)  # type: ignore[attr-defined]


def _users(request: Request) -> QuerySet[PingIDUser]:
    return (
        user_queryset(request.organization)  # type: ignore[attr-defined]
        .annotate(device_count=Count("devices"))
        .prefetch_related("services")
    )


def _user_get(request: Request, user_id: int) -> PingIDUser:
    return get_for_organization(_users(request), request.organization, pk=user_id)  # type: ignore[attr-defined]


def _user_response(request: Request, user: PingIDUser, code: int = 200) -> Response:
    return Response(PingIDUserSerializer(_user_get(request, user.pk)).data, status=code)


class UserListView(GenericAPIView[PingIDUser]):
    permission_action = {"GET": Action.VIEW, "POST": Action.USER_MANAGE}
    serializer_class = PingIDUserSerializer
    filterset_class = UserFilterSet
    pagination_class = UsernamePagination

    def get_queryset(self) -> QuerySet[PingIDUser]:
        return _users(self.request)

    @extend_schema(operation_id="users_list", summary="List and search PingID users")
    def get(self, request: Request) -> Response:
        users = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(users)
        return self.get_paginated_response(PingIDUserSerializer(page, many=True).data)

    @extend_schema(
        summary="Create a PingID user",
        request=PingIDUserCreateSerializer,
        responses={201: PingIDUserSerializer},
    )
    def post(self, request: Request) -> Response:
        serializer = PingIDUserCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)

        user = services.user_create(actor=_actor(request), **serializer.validated_data)

        return _user_response(request, user, status.HTTP_201_CREATED)


class UserDetailView(GenericAPIView[PingIDUser]):
    permission_action = {"GET": Action.VIEW, "PATCH": Action.USER_MANAGE}
    serializer_class = PingIDUserSerializer

    @extend_schema(summary="Show a PingID user")
    def get(self, request: Request, user_id: int) -> Response:
        return Response(PingIDUserSerializer(_user_get(request, user_id)).data)

    @extend_schema(
        summary="Change a PingID user's profile, status or services",
        request=PingIDUserUpdateSerializer,
        responses={200: PingIDUserSerializer},
    )
    def patch(self, request: Request, user_id: int) -> Response:
        user = _user_get(request, user_id)
        serializer = PingIDUserUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)

        user = services.user_update(
            actor=_actor(request), user=user, **serializer.validated_data
        )

        return _user_response(request, user)


class _UserActionView(GenericAPIView[PingIDUser]):
    serializer_class = PingIDUserSerializer
    request_serializer: type[Any] = UserReasonSerializer

    def post(self, request: Request, user_id: int) -> Response:
        user = _user_get(request, user_id)
        serializer = self.request_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)

        result = self.act(_actor(request), user, serializer.validated_data)

        if result is None:
            return Response(status=status.HTTP_204_NO_CONTENT)
        return _user_response(request, result)

    def act(
        self, actor: Actor, user: PingIDUser, data: dict[str, Any]
    ) -> PingIDUser | None:
        raise NotImplementedError


@extend_schema(
    summary="Disable (suspend) a PingID user",
    request=UserReasonSerializer,
    responses={200: PingIDUserSerializer},
)
class UserSuspendView(_UserActionView):
    permission_action = {"POST": Action.USER_MANAGE}

    def act(self, actor: Actor, user: PingIDUser, data: dict[str, Any]) -> PingIDUser:
        return services.user_suspend(actor=actor, user=user, **data)


@extend_schema(
    summary="Enable (activate) a disabled PingID user",
    request=UserReasonSerializer,
    responses={200: PingIDUserSerializer},
)
class UserActivateView(_UserActionView):
    permission_action = {"POST": Action.USER_MANAGE}

    def act(self, actor: Actor, user: PingIDUser, data: dict[str, Any]) -> PingIDUser:
        return services.user_activate(actor=actor, user=user, **data)


@extend_schema(
    summary="Bypass MFA until an instant, or without end (global administrators)",
    request=UserBypassSerializer,
    responses={200: PingIDUserSerializer},
)
class UserBypassView(_UserActionView):
    permission_action = {"POST": Action.USER_BYPASS}
    request_serializer = UserBypassSerializer

    def act(self, actor: Actor, user: PingIDUser, data: dict[str, Any]) -> PingIDUser:
        return services.user_bypass(actor=actor, user=user, **data)


@extend_schema(
    summary="Resume MFA: end a bypass early",
    request=UserResumeMfaSerializer,
    responses={200: PingIDUserSerializer},
)
class UserResumeMfaView(_UserActionView):
    permission_action = {"POST": Action.USER_BYPASS}
    request_serializer = UserResumeMfaSerializer

    def act(self, actor: Actor, user: PingIDUser, data: dict[str, Any]) -> PingIDUser:
        return services.user_bypass_end(actor=actor, user=user, **data)


@extend_schema(
    summary="Remove a PingID user with their devices, or from one service",
    request=UserRemoveSerializer,
    responses={200: PingIDUserSerializer, 204: None},
)
class UserRemoveView(_UserActionView):
    permission_action = {"POST": Action.USER_MANAGE}
    request_serializer = UserRemoveSerializer

    def act(
        self, actor: Actor, user: PingIDUser, data: dict[str, Any]
    ) -> PingIDUser | None:
        return services.user_remove(actor=actor, user=user, **data)


class BypassedListView(GenericAPIView[UserService]):
    permission_action = {"GET": Action.VIEW}
    serializer_class = BypassedServiceSerializer
    pagination_class = None

    @extend_schema(summary="List every service in bypass now, soonest end first")
    def get(self, request: Request) -> Response:
        rows = bypassed_services(request.organization)  # type: ignore[attr-defined]
        return Response(BypassedServiceSerializer(rows, many=True).data)


class BulkActionView(GenericAPIView[UserBulkJob]):
    permission_action = {"POST": Action.USER_BYPASS}
    serializer_class = UserBulkJobSerializer

    @extend_schema(
        summary="Disable, enable, bypass or remove many PingID users",
        description="Up to 200 users are handled before the response; more run as "
        "a background job; poll the job for progress and failures.",
        request=UserBulkActionSerializer,
        responses={201: UserBulkJobSerializer},
    )
    def post(self, request: Request) -> Response:
        serializer = UserBulkActionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        actor = _actor(request)

        action, user_ids, query = (
            data.pop("action"),
            data.pop("user_ids"),
            data.pop("filter"),
        )
        parameters = bulk.bulk_parameters(actor=actor, action=action, **data)
        ids = self._user_ids(request, user_ids, query)
        job = bulk.bulk_job_create(
            actor=actor, action=action, user_ids=ids, parameters=parameters
        )
        if job.total <= bulk.BULK_SYNC_LIMIT:
            job = bulk.bulk_job_run(job.pk)

        return Response(UserBulkJobSerializer(job).data, status=status.HTTP_201_CREATED)

    def _user_ids(self, request: Request, user_ids: list[int], query: str) -> list[int]:
        users = user_queryset(request.organization)  # type: ignore[attr-defined]
        if query:
            filterset = UserFilterSet(QueryDict(query), queryset=users)
            if not filterset.is_valid():
                raise ServiceError(
                    f"Filter is invalid: {filterset.errors.as_text()}", field="filter"
                )
            users = filterset.qs
        else:
            users = users.filter(pk__in=user_ids)
        return list(users.order_by("username_key").values_list("pk", flat=True))


class BulkJobDetailView(GenericAPIView[UserBulkJob]):
    permission_action = {"GET": Action.USER_MANAGE}
    serializer_class = UserBulkJobSerializer

    @extend_schema(summary="Show a bulk job's progress and failures")
    def get(self, request: Request, job_id: int) -> Response:
        job = get_for_organization(
            UserBulkJob.objects.all(),
            request.organization,  # type: ignore[attr-defined]
            pk=job_id,
        )
        return Response(UserBulkJobSerializer(job).data)


class ImportListView(GenericAPIView[UserImport]):
    permission_action = {"POST": Action.USER_MANAGE}
    serializer_class = UserImportSerializer
    parser_classes = [MultiPartParser]

    @extend_schema(
        summary="Upload a CSV file and preview each row's outcome",
        request={"multipart/form-data": UserImportUploadSerializer},
        responses={201: UserImportSerializer},
    )
    def post(self, request: Request) -> Response:
        serializer = UserImportUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        upload = serializer.validated_data["file"]

        user_import = imports.import_preview(
            actor=_actor(request),
            file_name=upload.name or "upload.csv",
            data=upload.read(),
        )

        return Response(
            UserImportSerializer(user_import).data, status=status.HTTP_201_CREATED
        )


def _import_get(request: Request, import_id: int) -> UserImport:
    return get_for_organization(
        UserImport.objects.all(),
        request.organization,  # type: ignore[attr-defined]
        pk=import_id,
    )


class ImportDetailView(GenericAPIView[UserImport]):
    permission_action = {"GET": Action.USER_MANAGE}
    serializer_class = UserImportSerializer

    @extend_schema(summary="Show an import's preview or result")
    def get(self, request: Request, import_id: int) -> Response:
        return Response(UserImportSerializer(_import_get(request, import_id)).data)


class ImportApplyView(GenericAPIView[UserImport]):
    permission_action = {"POST": Action.USER_MANAGE}
    serializer_class = UserImportSerializer

    @extend_schema(
        summary="Apply a previewed import, or finish one that stopped part-way",
        description=(
            "Small imports are applied in the request (200, status applied). "
            "Larger ones run in the background (202, status applying): read "
            "the import again for `rows_applied`. An import whose apply stopped "
            "(status applying, no progress for two minutes) can be posted again."
        ),
        request=None,
        responses={200: UserImportSerializer, 202: UserImportSerializer},
    )
    def post(self, request: Request, import_id: int) -> Response:
        user_import = _import_get(request, import_id)

        user_import = imports.import_apply(
            actor=_actor(request), user_import=user_import
        )

        applied = user_import.status == ImportStatus.APPLIED
        return Response(
            UserImportSerializer(user_import).data,
            status=200 if applied else 202,
        )

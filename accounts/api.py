"""Management API views for administrators, the caller's API tokens and `me`."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from accounts import selectors, services
from accounts.models import ApiToken, Membership
from accounts.serializers import (
    AdministratorCreatedSerializer,
    AdministratorCreateSerializer,
    AdministratorReasonSerializer,
    AdministratorRoleSerializer,
    AdministratorSerializer,
    ApiTokenCreatedSerializer,
    ApiTokenCreateSerializer,
    ApiTokenSerializer,
    MeSerializer,
)
from pingid_portal.actors import Actor
from pingid_portal.permissions import Action
from pingid_portal.tenancy import get_for_organization


def _administrator_get(request: Request, administrator_id: int) -> Membership:
    return get_for_organization(
        Membership.objects.select_related("user"),
        request.organization,  # type: ignore[attr-defined]
        pk=administrator_id,
    )


def _actor(request: Request) -> Actor:
    return Actor.from_request(request._request, request.membership)  # type: ignore[attr-defined]


class AdministratorListView(GenericAPIView[Membership]):
    permission_action = {
        "GET": Action.ADMINISTRATOR_VIEW,
        "POST": Action.ADMINISTRATOR_MANAGE,
    }
    serializer_class = AdministratorSerializer

    def get_queryset(self) -> QuerySet[Membership]:
        return selectors.administrator_list(organization=self.request.organization)  # type: ignore[attr-defined]

    @extend_schema(operation_id="administrators_list", summary="List administrators")
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        serializer = AdministratorSerializer(page, many=True)
        return self.get_paginated_response(serializer.data)

    @extend_schema(
        summary="Add an administrator",
        request=AdministratorCreateSerializer,
        responses={201: AdministratorCreatedSerializer},
    )
    def post(self, request: Request) -> Response:
        serializer = AdministratorCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)

        membership, password = services.administrator_create(
            actor=_actor(request), **serializer.validated_data
        )

        membership.generated_password = password  # type: ignore[attr-defined]
        data = AdministratorCreatedSerializer(membership).data
        return Response(data, status=status.HTTP_201_CREATED, headers=_no_store())


class AdministratorDetailView(GenericAPIView[Membership]):
    permission_action = {
        "GET": Action.ADMINISTRATOR_VIEW,
        "PATCH": Action.ADMINISTRATOR_MANAGE,
        "DELETE": Action.ADMINISTRATOR_MANAGE,
    }
    serializer_class = AdministratorSerializer

    @extend_schema(summary="Show an administrator")
    def get(self, request: Request, administrator_id: int) -> Response:
        membership = _administrator_get(request, administrator_id)
        return Response(AdministratorSerializer(membership).data)

    @extend_schema(
        summary="Change an administrator's role",
        request=AdministratorRoleSerializer,
        responses={200: AdministratorSerializer},
    )
    def patch(self, request: Request, administrator_id: int) -> Response:
        membership = _administrator_get(request, administrator_id)
        serializer = AdministratorRoleSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)

        membership = services.administrator_change_role(
            actor=_actor(request),
            membership=membership,
            role=serializer.validated_data["role"],
        )

        return Response(AdministratorSerializer(membership).data)

    @extend_schema(
        summary="Remove an administrator",
        request=AdministratorReasonSerializer,
        responses={204: None},
    )
    def delete(self, request: Request, administrator_id: int) -> Response:
        membership = _administrator_get(request, administrator_id)
        serializer = AdministratorReasonSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)

        services.administrator_remove(
            actor=_actor(request),
            membership=membership,
            reason=serializer.validated_data["reason"],
        )

        return Response(status=status.HTTP_204_NO_CONTENT)


class _AdministratorSetActiveView(GenericAPIView[Membership]):
    permission_action = {"POST": Action.ADMINISTRATOR_MANAGE}
    serializer_class = AdministratorReasonSerializer
    active: bool

    def post(self, request: Request, administrator_id: int) -> Response:
        membership = _administrator_get(request, administrator_id)
        serializer = AdministratorReasonSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)

        membership = services.administrator_set_active(
            actor=_actor(request),
            membership=membership,
            active=self.active,
            reason=serializer.validated_data["reason"],
        )

        return Response(AdministratorSerializer(membership).data)


@extend_schema(
    summary="Disable an administrator: ends their sessions and revokes their tokens",
    responses={200: AdministratorSerializer},
)
class AdministratorDisableView(_AdministratorSetActiveView):
    active = False


@extend_schema(
    summary="Re-enable a disabled administrator",
    responses={200: AdministratorSerializer},
)
class AdministratorEnableView(_AdministratorSetActiveView):
    active = True


class ApiTokenListView(GenericAPIView[ApiToken]):
    permission_action = {"GET": Action.API_TOKEN_OWN, "POST": Action.API_TOKEN_OWN}
    serializer_class = ApiTokenSerializer

    def get_queryset(self) -> QuerySet[ApiToken]:
        return selectors.api_token_list(membership=self.request.membership)  # type: ignore[attr-defined]

    @extend_schema(operation_id="tokens_list", summary="List your API tokens")
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(ApiTokenSerializer(page, many=True).data)

    @extend_schema(
        summary="Create an API token for yourself",
        request=ApiTokenCreateSerializer,
        responses={201: ApiTokenCreatedSerializer},
    )
    def post(self, request: Request) -> Response:
        serializer = ApiTokenCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)

        api_token, secret = services.api_token_create(
            actor=_actor(request), name=serializer.validated_data["name"]
        )

        api_token.token = secret  # type: ignore[attr-defined]
        data = ApiTokenCreatedSerializer(api_token).data
        return Response(data, status=status.HTTP_201_CREATED, headers=_no_store())


def _own_token_get(request: Request, token_id: int) -> ApiToken:
    return get_for_organization(
        ApiToken.objects.filter(membership=request.membership),  # type: ignore[attr-defined]
        request.organization,  # type: ignore[attr-defined]
        pk=token_id,
    )


class ApiTokenDetailView(GenericAPIView[ApiToken]):
    permission_action = {"GET": Action.API_TOKEN_OWN}
    serializer_class = ApiTokenSerializer

    @extend_schema(summary="Show one of your API tokens")
    def get(self, request: Request, token_id: int) -> Response:
        return Response(ApiTokenSerializer(_own_token_get(request, token_id)).data)


class ApiTokenRevokeView(GenericAPIView[ApiToken]):
    permission_action = {"POST": Action.API_TOKEN_OWN}
    serializer_class = ApiTokenSerializer

    @extend_schema(
        summary="Revoke one of your API tokens",
        request=None,
        responses={200: ApiTokenSerializer},
    )
    def post(self, request: Request, token_id: int) -> Response:
        api_token = _own_token_get(request, token_id)

        api_token = services.api_token_revoke(
            actor=_actor(request), api_token=api_token
        )

        return Response(ApiTokenSerializer(api_token).data)


class MeView(GenericAPIView[Membership]):
    permission_action = Action.VIEW
    serializer_class = MeSerializer

    @extend_schema(summary="Show the calling administrator and their permissions")
    def get(self, request: Request) -> Response:
        return Response(MeSerializer(request.membership).data)  # type: ignore[attr-defined]


def _no_store() -> dict[str, Any]:
    """Headers for a response that carries a secret shown once."""
    return {"Cache-Control": "no-store", "Pragma": "no-cache"}

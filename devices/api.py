"""Management API of the devices area; every action calls the same services."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from devices import selectors, services
from devices.models import (
    ActivationCode,
    Device,
    DeviceType,
    PairingKind,
    PairingSession,
)
from devices.qr import qr_svg
from devices.serializers import (
    ActivationCodeRequestSerializer,
    ActivationCodeSerializer,
    BlockSerializer,
    DeviceDetailSerializer,
    DeviceSerializer,
    EmailPairingRequestSerializer,
    LostDeviceResultSerializer,
    LostDeviceSerializer,
    MoveSerializer,
    OtpSerializer,
    PairingSessionSerializer,
    PairingStatusRequestSerializer,
    PairingStatusSerializer,
    RenameSerializer,
    ReorderSerializer,
    TotpPairingSerializer,
    UnpairSerializer,
    UserDevicesSerializer,
)
from devices.views.common import device_was_unpaired
from pingid_portal.actors import Actor
from pingid_portal.errors import ConflictError
from pingid_portal.permissions import Action
from pingid_portal.tenancy import get_for_organization
from users.models import PingIDUser

NO_STORE = {"Cache-Control": "no-store"}


def _actor(request: Request) -> Actor:
    return Actor.from_request(request._request, request.membership)  # type: ignore[attr-defined]


def _organization(request: Request) -> Any:
    return request.organization  # type: ignore[attr-defined]


def _device_get(request: Request, device_id: int) -> Device:
    return get_for_organization(
        Device.objects.select_related("user"), _organization(request), pk=device_id
    )


def _user_get(request: Request, user_id: int) -> PingIDUser:
    return get_for_organization(
        PingIDUser.objects.all(), _organization(request), pk=user_id
    )


def _valid(serializer_class: type[serializers.Serializer[Any]], data: Any) -> Any:
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def _code_data(activation: ActivationCode, code: str) -> dict[str, Any]:
    return {
        "id": activation.pk,
        "code": code,
        "device_type": activation.device_type,
        "expires_at": activation.expires_at,
        "qr_svg": str(qr_svg(code)),
    }


class _DevicesView(GenericAPIView[Device]):
    # For the schema generator only; every view fetches through the services
    # and selectors, scoped to the caller's organization.
    queryset = Device.objects.none()


class DeviceFilterSerializer(serializers.Serializer[Any]):
    type = serializers.ChoiceField(choices=DeviceType.choices, required=False)
    os_version = serializers.CharField(required=False, max_length=50)
    app_version = serializers.CharField(required=False, max_length=50)
    blocked = serializers.BooleanField(required=False, allow_null=True, default=None)
    unused_days = serializers.IntegerField(required=False, min_value=1, max_value=3650)
    user_id = serializers.IntegerField(required=False, min_value=1)


class DeviceListView(_DevicesView):
    permission_action = {"GET": Action.VIEW}
    serializer_class = DeviceSerializer
    filter_backends: list[Any] = []

    def get_queryset(self) -> QuerySet[Device]:
        data = _valid(DeviceFilterSerializer, self.request.query_params)
        blocked = data.get("blocked")
        user = None
        if data.get("user_id"):
            user = _user_get(self.request, data["user_id"])
        filters = selectors.DeviceFilters(
            type=data.get("type", ""),
            os_version=data.get("os_version", ""),
            app_version=data.get("app_version", ""),
            blocked="" if blocked is None else ("yes" if blocked else "no"),
            unused_days=data.get("unused_days"),
            user=user,
        )
        return selectors.device_queryset(_organization(self.request), filters)

    @extend_schema(
        operation_id="devices_list",
        summary="List devices",
        parameters=[DeviceFilterSerializer],
    )
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(DeviceSerializer(page, many=True).data)


class DeviceDetailView(_DevicesView):
    permission_action = {"GET": Action.VIEW, "PATCH": Action.DEVICE_MANAGE}
    serializer_class = DeviceDetailSerializer

    @extend_schema(summary="Show a device")
    def get(self, request: Request, device_id: int) -> Response:
        return Response(DeviceDetailSerializer(_device_get(request, device_id)).data)

    @extend_schema(
        summary="Rename a device",
        request=RenameSerializer,
        responses={200: DeviceDetailSerializer},
    )
    def patch(self, request: Request, device_id: int) -> Response:
        device = _device_get(request, device_id)
        data = _valid(RenameSerializer, request.data)

        device = services.device_rename(
            actor=_actor(request), device=device, nickname=data["nickname"]
        )

        return Response(DeviceDetailSerializer(device).data)


class DeviceUnpairView(_DevicesView):
    permission_action = {"POST": Action.DEVICE_MANAGE}
    serializer_class = UnpairSerializer

    @extend_schema(
        summary="Unpair a device",
        description="409 `already_unpaired` when it was unpaired before, for "
        "example by another administrator at the same moment.",
        request=UnpairSerializer,
        responses={204: None},
    )
    def post(self, request: Request, device_id: int) -> Response:
        organization = _organization(request)
        exists = Device.objects.filter(organization=organization, pk=device_id).exists()
        if not exists and device_was_unpaired(organization, device_id):
            raise ConflictError(
                f"Device {device_id} is already unpaired.", code="already_unpaired"
            )
        device = _device_get(request, device_id)
        data = _valid(UnpairSerializer, request.data)

        services.device_unpair(actor=_actor(request), device=device, **data)

        return Response(status=status.HTTP_204_NO_CONTENT)


class _DeviceActionView(_DevicesView):
    permission_action = {"POST": Action.DEVICE_MANAGE}
    serializer_class = DeviceDetailSerializer
    action_name = ""

    def act(self, actor: Actor, device: Device, request: Request) -> Device:
        raise NotImplementedError

    def post(self, request: Request, device_id: int) -> Response:
        device = _device_get(request, device_id)
        device = self.act(_actor(request), device, request)
        device.refresh_from_db()
        return Response(DeviceDetailSerializer(device).data)


class DeviceSetPrimaryView(_DeviceActionView):
    @extend_schema(summary="Make a device primary", request=None)
    def post(self, request: Request, device_id: int) -> Response:
        return super().post(request, device_id)

    def act(self, actor: Actor, device: Device, request: Request) -> Device:
        return services.device_set_primary(actor=actor, device=device)


class DeviceBlockView(_DeviceActionView):
    @extend_schema(summary="Block a device", request=BlockSerializer)
    def post(self, request: Request, device_id: int) -> Response:
        return super().post(request, device_id)

    def act(self, actor: Actor, device: Device, request: Request) -> Device:
        reason = _valid(BlockSerializer, request.data)["reason"]
        return services.device_block(actor=actor, device=device, reason=reason)


class DeviceUnblockView(_DeviceActionView):
    @extend_schema(summary="Unblock a device", request=BlockSerializer)
    def post(self, request: Request, device_id: int) -> Response:
        return super().post(request, device_id)

    def act(self, actor: Actor, device: Device, request: Request) -> Device:
        reason = _valid(BlockSerializer, request.data)["reason"]
        return services.device_unblock(actor=actor, device=device, reason=reason)


class DeviceMoveView(_DeviceActionView):
    @extend_schema(summary="Move a device to a position", request=MoveSerializer)
    def post(self, request: Request, device_id: int) -> Response:
        return super().post(request, device_id)

    def act(self, actor: Actor, device: Device, request: Request) -> Device:
        position = _valid(MoveSerializer, request.data)["position"]
        services.device_move(actor=actor, device=device, position=position)
        return device


class DeviceLostView(_DevicesView):
    permission_action = {"POST": Action.DEVICE_MANAGE}
    serializer_class = LostDeviceSerializer

    @extend_schema(
        summary="Recover from a lost device",
        description="Unpair the device, optionally bypass MFA and optionally "
        "issue an activation code, all or nothing.",
        request=LostDeviceSerializer,
        responses={200: LostDeviceResultSerializer},
    )
    def post(self, request: Request, device_id: int) -> Response:
        device = _device_get(request, device_id)
        data = _valid(LostDeviceSerializer, request.data)
        bypass = data.pop("bypass")

        result = services.device_lost_recover(
            actor=_actor(request),
            device=device,
            bypass=services.BypassRequest(**bypass) if bypass else None,
            **data,
        )

        activation = None
        if result.activation is not None and result.code is not None:
            activation = _code_data(result.activation, result.code)
        body = {
            "promoted_device_id": result.promoted.pk if result.promoted else None,
            "bypassed": result.bypassed,
            "activation_code": activation,
        }
        return Response(LostDeviceResultSerializer(body).data, headers=NO_STORE)


class UserDevicesView(_DevicesView):
    permission_action = {"GET": Action.VIEW}
    serializer_class = UserDevicesSerializer

    @extend_schema(summary="List a PingID user's devices in order")
    def get(self, request: Request, user_id: int) -> Response:
        user = _user_get(request, user_id)
        state = selectors.otp_state_of(user)
        body = {
            "devices": selectors.user_devices(user),
            "otp_failure_count": state.failure_count if state else 0,
            "otp_locked_until": state.locked_until if state else None,
        }
        return Response(UserDevicesSerializer(body).data)


class UserDevicesUnpairView(_DevicesView):
    permission_action = {"POST": Action.DEVICE_MANAGE}
    serializer_class = UnpairSerializer

    @extend_schema(
        summary="Unpair every device of a PingID user",
        request=UnpairSerializer,
        responses={204: None},
    )
    def post(self, request: Request, user_id: int) -> Response:
        user = _user_get(request, user_id)
        data = _valid(UnpairSerializer, request.data)

        services.device_unpair_all(actor=_actor(request), user=user, **data)

        return Response(status=status.HTTP_204_NO_CONTENT)


class UserDevicesReorderView(_DevicesView):
    permission_action = {"POST": Action.DEVICE_MANAGE}
    serializer_class = ReorderSerializer

    @extend_schema(
        summary="Order a PingID user's devices",
        request=ReorderSerializer,
        responses={200: DeviceSerializer(many=True)},
    )
    def post(self, request: Request, user_id: int) -> Response:
        user = _user_get(request, user_id)
        data = _valid(ReorderSerializer, request.data)

        devices = services.device_reorder(
            actor=_actor(request), user=user, device_ids=data["device_ids"]
        )

        return Response(DeviceSerializer(devices, many=True).data)


class ActivationCodeIssueView(_DevicesView):
    permission_action = {"POST": Action.DEVICE_MANAGE}
    serializer_class = ActivationCodeRequestSerializer

    @extend_schema(
        summary="Issue an activation code",
        request=ActivationCodeRequestSerializer,
        responses={201: ActivationCodeSerializer},
    )
    def post(self, request: Request, user_id: int) -> Response:
        user = _user_get(request, user_id)
        data = _valid(ActivationCodeRequestSerializer, request.data)

        activation, code = services.activation_code_issue(
            actor=_actor(request), user=user, **data
        )

        body = ActivationCodeSerializer(_code_data(activation, code)).data
        return Response(body, status=status.HTTP_201_CREATED, headers=NO_STORE)


class PairingStatusView(_DevicesView):
    # POST keeps the code out of URLs and access logs; it changes nothing.
    permission_action = {"POST": Action.VIEW}
    serializer_class = PairingStatusRequestSerializer

    @extend_schema(
        summary="Look up an activation code's pairing status",
        request=PairingStatusRequestSerializer,
        responses={200: PairingStatusSerializer},
    )
    def post(self, request: Request) -> Response:
        code = _valid(PairingStatusRequestSerializer, request.data)["code"]
        state = services.activation_code_status(
            organization=_organization(request), code=code
        )
        return Response({"status": state.status, "device_id": state.device_id})


class TotpPairingStartView(_DevicesView):
    permission_action = {"POST": Action.DEVICE_MANAGE}
    serializer_class = TotpPairingSerializer

    @extend_schema(
        summary="Start pairing an authenticator app",
        request=None,
        responses={201: TotpPairingSerializer},
    )
    def post(self, request: Request, user_id: int) -> Response:
        user = _user_get(request, user_id)

        session, secret, uri = services.totp_pairing_start(
            actor=_actor(request), user=user
        )

        body = {
            "session_id": session.session_id,
            "expires_at": session.expires_at,
            "secret": secret,
            "otpauth_uri": uri,
            "qr_svg": str(qr_svg(uri)),
        }
        return Response(
            TotpPairingSerializer(body).data,
            status=status.HTTP_201_CREATED,
            headers=NO_STORE,
        )


class EmailPairingStartView(_DevicesView):
    permission_action = {"POST": Action.DEVICE_MANAGE}
    serializer_class = EmailPairingRequestSerializer

    @extend_schema(
        summary="Start pairing an e-mail address (sends a six-digit code)",
        request=EmailPairingRequestSerializer,
        responses={201: PairingSessionSerializer},
    )
    def post(self, request: Request, user_id: int) -> Response:
        user = _user_get(request, user_id)
        email = _valid(EmailPairingRequestSerializer, request.data)["email"]

        session = services.email_pairing_start(
            actor=_actor(request), user=user, email=email
        )

        return Response(
            PairingSessionSerializer(session).data, status=status.HTTP_201_CREATED
        )


class PairingFinishView(_DevicesView):
    permission_action = {"POST": Action.DEVICE_MANAGE}
    serializer_class = OtpSerializer

    @extend_schema(
        summary="Finish a pairing with the first valid code",
        request=OtpSerializer,
        responses={201: DeviceDetailSerializer},
    )
    def post(self, request: Request, session_id: str) -> Response:
        session = get_for_organization(
            PairingSession.objects.all(), _organization(request), session_id=session_id
        )
        otp = _valid(OtpSerializer, request.data)["otp"]

        finish = (
            services.totp_pairing_finish
            if session.kind == PairingKind.TOTP
            else services.email_pairing_finish
        )
        device = finish(actor=_actor(request), session=session, otp=otp)

        return Response(
            DeviceDetailSerializer(device).data, status=status.HTTP_201_CREATED
        )


class OtpUnlockView(_DevicesView):
    permission_action = {"POST": Action.DEVICE_MANAGE}
    serializer_class = UserDevicesSerializer

    @extend_schema(
        summary="Unlock a PingID user's one-time passwords",
        request=None,
        responses={204: None},
        parameters=[OpenApiParameter("user_id", int, OpenApiParameter.PATH)],
    )
    def post(self, request: Request, user_id: int) -> Response:
        user = _user_get(request, user_id)
        services.otp_unlock(actor=_actor(request), user=user)
        return Response(status=status.HTTP_204_NO_CONTENT)

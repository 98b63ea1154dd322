"""Serializers of the devices management API."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from devices.display import masked_display_id
from devices.models import Device, DeviceType, PairingStatus, UnpairReason
from devices.services.activation import (
    APP_DEVICE_TYPES,
    HOURS_DEFAULT,
    HOURS_MAX,
    HOURS_MIN,
)
from devices.services.inventory import NICKNAME_MAX_LENGTH

CODE_DEVICE_TYPES = [("", "Any mobile app")] + [
    (value, label) for value, label in DeviceType.choices if value in APP_DEVICE_TYPES
]


class DeviceSerializer(serializers.ModelSerializer[Device]):
    """A device as lists show it: phone numbers and e-mail addresses masked."""

    user_id = serializers.IntegerField(read_only=True)
    username = serializers.CharField(source="user.username", read_only=True)
    display_id = serializers.SerializerMethodField()

    class Meta:
        model = Device
        fields = [
            "id",
            "user_id",
            "username",
            "type",
            "role",
            "order",
            "nickname",
            "model",
            "os_version",
            "app_version",
            "display_id",
            "push_enabled",
            "paired_at",
            "last_used_at",
            "blocked",
            "blocked_at",
        ]
        read_only_fields = fields

    def get_display_id(self, device: Device) -> str:
        return masked_display_id(device)


class DeviceDetailSerializer(DeviceSerializer):
    """One device with its unmasked identifiers."""

    display_id = serializers.CharField(read_only=True)  # type: ignore[assignment]

    class Meta(DeviceSerializer.Meta):
        fields = [
            *DeviceSerializer.Meta.fields,
            "phone_number",
            "country_code",
            "email",
        ]
        read_only_fields = fields


class RenameSerializer(serializers.Serializer[Any]):
    nickname = serializers.CharField(
        max_length=NICKNAME_MAX_LENGTH, allow_blank=True, trim_whitespace=True
    )


class UnpairSerializer(serializers.Serializer[Any]):
    reason = serializers.ChoiceField(choices=UnpairReason.choices)
    note = serializers.CharField(
        required=False, allow_blank=True, max_length=500, default=""
    )


class BlockSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField(
        required=False, allow_blank=True, max_length=500, default=""
    )


class MoveSerializer(serializers.Serializer[Any]):
    position = serializers.IntegerField(min_value=0, help_text="0 is first.")


class ReorderSerializer(serializers.Serializer[Any]):
    device_ids = serializers.ListField(
        child=serializers.IntegerField(),
        help_text="Every device id of the user exactly once, first first.",
    )


class UserDevicesSerializer(serializers.Serializer[Any]):
    devices = DeviceSerializer(many=True)
    otp_failure_count = serializers.IntegerField()
    otp_locked_until = serializers.DateTimeField(allow_null=True)


class ActivationCodeRequestSerializer(serializers.Serializer[Any]):
    device_type = serializers.ChoiceField(
        choices=CODE_DEVICE_TYPES, required=False, default="", allow_blank=True
    )
    hours = serializers.IntegerField(
        min_value=HOURS_MIN, max_value=HOURS_MAX, default=HOURS_DEFAULT
    )


class ActivationCodeSerializer(serializers.Serializer[Any]):
    """An issued code: `code` is returned only in this response."""

    id = serializers.IntegerField()
    code = serializers.CharField(help_text="12 digits; shown once.")
    device_type = serializers.CharField()
    expires_at = serializers.DateTimeField()
    qr_svg = serializers.CharField(help_text="The code as an SVG QR code.")


class PairingStatusRequestSerializer(serializers.Serializer[Any]):
    code = serializers.CharField(max_length=40)


class PairingStatusSerializer(serializers.Serializer[Any]):
    status = serializers.ChoiceField(choices=PairingStatus.choices)
    device_id = serializers.IntegerField(allow_null=True)


class TotpPairingSerializer(serializers.Serializer[Any]):
    session_id = serializers.UUIDField()
    expires_at = serializers.DateTimeField()
    secret = serializers.CharField(help_text="Base32 TOTP secret; shown once.")
    otpauth_uri = serializers.CharField()
    qr_svg = serializers.CharField()


class EmailPairingRequestSerializer(serializers.Serializer[Any]):
    email = serializers.EmailField()


class PairingSessionSerializer(serializers.Serializer[Any]):
    session_id = serializers.UUIDField()
    kind = serializers.CharField()
    expires_at = serializers.DateTimeField()


class OtpSerializer(serializers.Serializer[Any]):
    otp = serializers.CharField(max_length=10)


class BypassSerializer(serializers.Serializer[Any]):
    until = serializers.DateTimeField(required=False, allow_null=True, default=None)
    unlimited = serializers.BooleanField(default=False)
    reason = serializers.CharField(max_length=1000)
    services = serializers.ListField(
        child=serializers.CharField(), required=False, allow_null=True, default=None
    )


class LostDeviceSerializer(serializers.Serializer[Any]):
    reason = serializers.ChoiceField(
        choices=UnpairReason.choices, default=UnpairReason.LOST
    )
    note = serializers.CharField(
        required=False, allow_blank=True, max_length=500, default=""
    )
    bypass = BypassSerializer(required=False, allow_null=True, default=None)
    issue_code = serializers.BooleanField(default=False)
    code_hours = serializers.IntegerField(
        min_value=HOURS_MIN, max_value=HOURS_MAX, default=HOURS_DEFAULT
    )
    code_device_type = serializers.ChoiceField(
        choices=CODE_DEVICE_TYPES, required=False, default="", allow_blank=True
    )


class LostDeviceResultSerializer(serializers.Serializer[Any]):
    promoted_device_id = serializers.IntegerField(allow_null=True)
    bypassed = serializers.BooleanField()
    activation_code = ActivationCodeSerializer(allow_null=True)

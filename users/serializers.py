"""Serializers of the management API for PingID users. Rules live in the services."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from users.models import (
    BulkAction,
    PingIDRole,
    PingIDUser,
    Service,
    UserBulkJob,
    UserImport,
    UserService,
    UserStatus,
)
from users.services import REASON_MAX_LENGTH


class UserServiceSerializer(serializers.ModelSerializer[UserService]):
    status = serializers.SerializerMethodField(
        help_text="ACTIVE, NOT_ACTIVE or BYPASS, computed now."
    )

    class Meta:
        model = UserService
        fields = [
            "service",
            "enabled",
            "status",
            "bypass_until",
            "bypass_unlimited",
            "bypass_reason",
            "bypass_set_at",
            "bypass_set_by_display",
        ]
        read_only_fields = fields

    def get_status(self, row: UserService) -> str:
        return row.status()


class PingIDUserSerializer(serializers.ModelSerializer[PingIDUser]):
    services = UserServiceSerializer(many=True, read_only=True)
    device_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = PingIDUser
        fields = [
            "id",
            "username",
            "first_name",
            "last_name",
            "email",
            "role",
            "status",
            "services",
            "device_count",
            "created_at",
            "last_authenticated_at",
        ]
        read_only_fields = fields


class PingIDUserCreateSerializer(serializers.Serializer[Any]):
    username = serializers.CharField(trim_whitespace=False, max_length=1000)
    first_name = serializers.CharField(required=False, allow_blank=True, default="")
    last_name = serializers.CharField(required=False, allow_blank=True, default="")
    email = serializers.CharField(required=False, allow_blank=True, default="")
    role = serializers.ChoiceField(
        choices=PingIDRole.choices, default=PingIDRole.REGULAR
    )
    status = serializers.ChoiceField(
        choices=UserStatus.choices, default=UserStatus.NOT_ACTIVE
    )
    services = serializers.ListField(
        child=serializers.ChoiceField(choices=Service.choices),
        required=False,
        help_text="Enabled services; every service when absent.",
    )


class PingIDUserUpdateSerializer(serializers.Serializer[Any]):
    first_name = serializers.CharField(required=False, allow_blank=True)
    last_name = serializers.CharField(required=False, allow_blank=True)
    email = serializers.CharField(required=False, allow_blank=True)
    role = serializers.ChoiceField(choices=PingIDRole.choices, required=False)
    status = serializers.ChoiceField(choices=UserStatus.choices, required=False)
    services = serializers.ListField(
        child=serializers.ChoiceField(choices=Service.choices),
        required=False,
        help_text="The complete list of enabled services.",
    )


class UserReasonSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField(max_length=REASON_MAX_LENGTH)


class UserOptionalReasonSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField(
        max_length=REASON_MAX_LENGTH, required=False, allow_blank=True, default=""
    )


class UserBypassSerializer(serializers.Serializer[Any]):
    services = serializers.ListField(
        child=serializers.ChoiceField(choices=Service.choices),
        required=False,
        allow_null=True,
        default=None,
        help_text="Services to bypass; every service of the user when absent.",
    )
    until = serializers.DateTimeField(
        required=False,
        allow_null=True,
        default=None,
        help_text="End of the bypass, ISO 8601 with offset.",
    )
    unlimited = serializers.BooleanField(
        default=False, help_text="No end; global administrators only."
    )
    reason = serializers.CharField(max_length=REASON_MAX_LENGTH)


class UserResumeMfaSerializer(UserOptionalReasonSerializer):
    services = serializers.ListField(
        child=serializers.ChoiceField(choices=Service.choices),
        required=False,
        allow_null=True,
        default=None,
        help_text="Services to resume MFA on; every bypassed service when absent.",
    )


class UserRemoveSerializer(UserOptionalReasonSerializer):
    service = serializers.ChoiceField(
        choices=Service.choices,
        required=False,
        allow_null=True,
        default=None,
        help_text="Remove from this service only; the whole user when absent.",
    )


class BypassedServiceSerializer(serializers.ModelSerializer[UserService]):
    user_id = serializers.IntegerField(source="user.id", read_only=True)
    username = serializers.CharField(source="user.username", read_only=True)

    class Meta:
        model = UserService
        fields = [
            "user_id",
            "username",
            "service",
            "bypass_until",
            "bypass_unlimited",
            "bypass_reason",
            "bypass_set_at",
            "bypass_set_by_display",
        ]
        read_only_fields = fields


class UserBulkActionSerializer(UserBypassSerializer):
    action = serializers.ChoiceField(choices=BulkAction.choices)
    user_ids = serializers.ListField(
        child=serializers.IntegerField(), required=False, default=list
    )
    filter = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="Act on every user matching this query string of the users list "
        "(for example status=ACTIVE&service=vpn) instead of user_ids.",
    )
    reason = serializers.CharField(
        max_length=REASON_MAX_LENGTH, required=False, allow_blank=True, default=""
    )


class UserBulkJobSerializer(serializers.ModelSerializer[UserBulkJob]):
    class Meta:
        model = UserBulkJob
        fields = [
            "id",
            "action",
            "status",
            "total",
            "processed",
            "succeeded",
            "failures",
            "error",
            "requested_by_display",
            "created_at",
            "started_at",
            "finished_at",
        ]
        read_only_fields = fields


class UserImportUploadSerializer(serializers.Serializer[Any]):
    file = serializers.FileField()


class UserImportSerializer(serializers.ModelSerializer[UserImport]):
    class Meta:
        model = UserImport
        fields = [
            "id",
            "file_name",
            "status",
            "rows",
            "uploaded_by_display",
            "created_at",
            "applied_at",
            "applied_by_display",
            "rows_applied",
            "error",
        ]
        read_only_fields = fields

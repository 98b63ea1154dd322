"""Serializers of the management API for administrators and API tokens."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from accounts.models import TIME_ZONE_CHOICES, ApiToken, Membership
from pingid_portal.permissions import Action, Role, has_permission


class AdministratorSerializer(serializers.ModelSerializer[Membership]):
    email = serializers.EmailField(source="user.email", read_only=True)
    first_name = serializers.CharField(source="user.first_name", read_only=True)
    last_name = serializers.CharField(source="user.last_name", read_only=True)
    active = serializers.BooleanField(source="user.is_active", read_only=True)
    last_sign_in = serializers.DateTimeField(
        source="user.last_login", read_only=True, allow_null=True
    )

    class Meta:
        model = Membership
        fields = [
            "id",
            "email",
            "first_name",
            "last_name",
            "role",
            "time_zone",
            "active",
            "last_sign_in",
            "created_at",
        ]
        read_only_fields = fields


class AdministratorCreateSerializer(serializers.Serializer[Any]):
    email = serializers.EmailField(max_length=150)
    first_name = serializers.CharField(max_length=150, required=False, default="")
    last_name = serializers.CharField(max_length=150, required=False, default="")
    role = serializers.ChoiceField(choices=Role.choices)
    time_zone = serializers.ChoiceField(choices=TIME_ZONE_CHOICES, default="UTC")
    password = serializers.CharField(
        required=False,
        write_only=True,
        help_text="Leave out to have a password generated and returned once.",
    )


class AdministratorCreatedSerializer(AdministratorSerializer):
    generated_password = serializers.CharField(
        allow_null=True,
        read_only=True,
        help_text="The generated password, returned only here; null when one was given.",
    )

    class Meta(AdministratorSerializer.Meta):
        fields = [*AdministratorSerializer.Meta.fields, "generated_password"]
        read_only_fields = fields


class AdministratorRoleSerializer(serializers.Serializer[Any]):
    role = serializers.ChoiceField(choices=Role.choices)


class AdministratorReasonSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField(
        max_length=500, required=False, default="", allow_blank=True
    )


class ApiTokenSerializer(serializers.ModelSerializer[ApiToken]):
    active = serializers.BooleanField(source="is_active", read_only=True)

    class Meta:
        model = ApiToken
        fields = [
            "id",
            "name",
            "prefix",
            "created_at",
            "last_used_at",
            "last_used_ip",
            "revoked_at",
            "active",
        ]
        read_only_fields = fields


class ApiTokenCreateSerializer(serializers.Serializer[Any]):
    name = serializers.CharField(max_length=100)


class ApiTokenCreatedSerializer(ApiTokenSerializer):
    token = serializers.CharField(
        read_only=True,
        help_text="The secret token, returned only here. Send it as `Authorization: Bearer <token>`.",
    )

    class Meta(ApiTokenSerializer.Meta):
        fields = [*ApiTokenSerializer.Meta.fields, "token"]
        read_only_fields = fields


class OrganizationSummarySerializer(serializers.Serializer[Any]):
    name = serializers.CharField(read_only=True)
    org_alias = serializers.UUIDField(read_only=True)
    time_zone = serializers.CharField(read_only=True)


class MeSerializer(AdministratorSerializer):
    organization = OrganizationSummarySerializer(read_only=True)
    permissions = serializers.SerializerMethodField(
        help_text="The actions this administrator's role may perform."
    )

    class Meta(AdministratorSerializer.Meta):
        fields = [*AdministratorSerializer.Meta.fields, "organization", "permissions"]
        read_only_fields = fields

    def get_permissions(self, membership: Membership) -> list[str]:
        return [
            action.value for action in Action if has_permission(membership.role, action)
        ]

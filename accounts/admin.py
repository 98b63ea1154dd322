from django.contrib import admin

from accounts.models import ApiToken, Membership, Organization


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin[Organization]):
    list_display = ["name", "org_alias", "time_zone", "created_at"]
    search_fields = ["name", "org_alias"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin[Membership]):
    list_display = ["user", "organization", "role", "time_zone"]
    list_filter = ["role", "organization"]
    search_fields = ["user__email"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin[ApiToken]):
    list_display = [
        "name",
        "prefix",
        "membership",
        "created_at",
        "last_used_at",
        "revoked_at",
    ]
    readonly_fields = ["token_hash", "prefix"]

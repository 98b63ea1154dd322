from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from activity.models import ActivityEvent


@admin.register(ActivityEvent)
class ActivityEventAdmin(admin.ModelAdmin[ActivityEvent]):
    """Read-only: activity events are append-only, even for platform operators."""

    list_display = [
        "occurred_at",
        "organization",
        "action",
        "outcome",
        "actor_display",
        "target_display",
    ]
    list_filter = ["category", "outcome"]
    search_fields = ["action", "actor_display", "target_display", "pingid_username"]
    date_hierarchy = "occurred_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

from django.contrib import admin

from users.models import PingIDUser, UserService


class UserServiceInline(admin.TabularInline[UserService, PingIDUser]):
    model = UserService
    extra = 0


@admin.register(PingIDUser)
class PingIDUserAdmin(admin.ModelAdmin[PingIDUser]):
    list_display = [
        "username",
        "first_name",
        "last_name",
        "email",
        "status",
        "organization",
    ]
    list_filter = ["status", "role"]
    search_fields = ["username", "first_name", "last_name", "email"]
    inlines = [UserServiceInline]

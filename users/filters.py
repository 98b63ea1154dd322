"""The one filter of PingID users, shared by the users page, bulk actions and the API."""

from __future__ import annotations

from datetime import timedelta

import django_filters
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from devices.models import Device
from pingid_portal.filters import (
    IntegerFilter,
    StrictBooleanFilter,
    choice_error_messages,
    range_error_messages,
)
from users.models import (
    PingIDUser,
    Service,
    UserService,
    UserStatus,
    bypass_active_q,
    search_key,
)

INACTIVE_DAYS_MAX = 3650


class UserFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(
        method="filter_search",
        label="Search",
        help_text="Part of the username, first or last name or e-mail address; "
        "case is ignored.",
    )
    status = django_filters.ChoiceFilter(
        choices=UserStatus.choices,
        label="Status",
        error_messages=choice_error_messages(UserStatus.choices),
    )
    service = django_filters.ChoiceFilter(
        choices=Service.choices,
        method="filter_service",
        label="Service",
        help_text="Users enabled for this service.",
        error_messages=choice_error_messages(Service.choices),
    )
    bypassed = StrictBooleanFilter(
        method="filter_bypassed",
        label="Bypassed now",
        help_text="true: users with MFA bypassed for at least one service now.",
    )
    no_device = StrictBooleanFilter(
        method="filter_no_device",
        label="No device",
        help_text="true: users without any paired device.",
    )
    inactive_days = IntegerFilter(
        method="filter_inactive_days",
        label="No sign-in for days",
        help_text="Users who have not authenticated for at least this many days "
        f"(1 to {INACTIVE_DAYS_MAX}), including users who never did.",
        min_value=1,
        max_value=INACTIVE_DAYS_MAX,
        error_messages=range_error_messages(1, INACTIVE_DAYS_MAX, "days"),
    )

    class Meta:
        model = PingIDUser
        fields = ["q", "status", "service", "bypassed", "no_device", "inactive_days"]

    def filter_search(
        self, queryset: QuerySet[PingIDUser], name: str, value: str
    ) -> QuerySet[PingIDUser]:
        return search_users(queryset, value)

    def filter_service(
        self, queryset: QuerySet[PingIDUser], name: str, value: str
    ) -> QuerySet[PingIDUser]:
        enabled = UserService.objects.filter(
            user=OuterRef("pk"), service=value, enabled=True
        )
        return queryset.filter(Exists(enabled))

    def filter_bypassed(
        self, queryset: QuerySet[PingIDUser], name: str, value: bool | None
    ) -> QuerySet[PingIDUser]:
        if value is None:
            return queryset
        bypassed = UserService.objects.filter(
            bypass_active_now_q(), user=OuterRef("pk")
        )
        return queryset.filter(Exists(bypassed) if value else ~Exists(bypassed))

    def filter_no_device(
        self, queryset: QuerySet[PingIDUser], name: str, value: bool | None
    ) -> QuerySet[PingIDUser]:
        if value is None:
            return queryset
        devices = Device.objects.filter(user=OuterRef("pk"))
        return queryset.filter(~Exists(devices) if value else Exists(devices))

    def filter_inactive_days(
        self, queryset: QuerySet[PingIDUser], name: str, value: int | None
    ) -> QuerySet[PingIDUser]:
        if value is None:
            return queryset
        since = timezone.now() - timedelta(days=value)
        return queryset.filter(
            Q(last_authenticated_at__lt=since) | Q(last_authenticated_at__isnull=True)
        )


def bypass_active_now_q() -> Q:
    return bypass_active_q(timezone.now())


def search_users(queryset: QuerySet[PingIDUser], term: str) -> QuerySet[PingIDUser]:
    """Keep users whose username, name or e-mail address contains `term`.

    Matches `search_text` (case-folded), which a trigram index serves on PostgreSQL.
    """
    # Line breaks separate the parts of `search_text`, so a term has none.
    key = search_key("".join(char for char in term.strip() if char not in "\r\n"))
    if not key:
        return queryset
    return queryset.filter(search_text__contains=key)

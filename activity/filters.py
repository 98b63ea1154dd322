"""The one activity filter, shared by the page, the REST API and exports."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet

from activity.models import ActivityEvent, Category, Outcome
from pingid_portal.filters import choice_error_messages
from users.models import Service

DATETIME_INPUT_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]
# Fields the free-text filter searches, case-insensitively.
TEXT_SEARCH_FIELDS = (
    "action",
    "actor_display",
    "target_display",
    "pingid_username",
    "device_display",
    "application",
    "reason",
    "message",
)


class UTCRangeDateTimeField(forms.DateTimeField):
    """A date and time that must still lie in years 1 to 9999 once in UTC.

    The database stores UTC, so 0001-01-01T00:00 in Berlin (year 0 in UTC)
    or 9999-12-31T23:59-05:00 (year 10000) would raise OverflowError in the
    query instead of a field error.
    """

    default_error_messages = {
        "invalid": "Enter a date and time such as 2026-03-01T14:30.",
    }

    def to_python(self, value: Any) -> datetime | None:
        result = super().to_python(value)
        if result is None:
            return None
        try:
            result.astimezone(UTC)
        except OverflowError as error:
            raise ValidationError(
                "Enter a time that is between 0001-01-01 and 9999-12-31 in UTC: "
                f"{value} in this time zone is outside that range.",
                code="invalid",
            ) from error
        return result


class UTCRangeDateTimeFilter(django_filters.DateTimeFilter):
    field_class = UTCRangeDateTimeField


class EventFilterForm(forms.Form):
    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and since >= until:
            self.add_error("until", "Enter an end after the start of the time range.")
        return cleaned


# Both id filters take the id from a link on the page. A hand-typed value gets
# a message that names what is expected.
_ID_ERRORS = {
    "invalid": "Enter an id: a whole number of 1 or more.",
    "min_value": "Enter an id: a whole number of 1 or more.",
}


class EventFilter(django_filters.FilterSet):
    """Filter activity events by query parameters.

    Times without an offset are read in the current time zone, so callers
    validate it under `timezone.override(...)` with the administrator's zone
    (see `activity.selectors.event_filter`).
    """

    since = UTCRangeDateTimeFilter(
        field_name="occurred_at",
        lookup_expr="gte",
        label="From",
        input_formats=DATETIME_INPUT_FORMATS,
    )
    until = UTCRangeDateTimeFilter(
        field_name="occurred_at",
        lookup_expr="lt",
        label="Until",
        input_formats=DATETIME_INPUT_FORMATS,
    )
    user = django_filters.CharFilter(
        field_name="pingid_username", lookup_expr="iexact", label="PingID user"
    )
    pingid_user = django_filters.NumberFilter(
        field_name="pingid_user_id",
        label="PingID user id",
        min_value=1,
        error_messages=_ID_ERRORS,
    )
    administrator = django_filters.NumberFilter(
        field_name="actor_user_id",
        label="Administrator",
        min_value=1,
        error_messages=_ID_ERRORS,
    )
    category = django_filters.ChoiceFilter(
        choices=Category.choices,
        label="Category",
        error_messages=choice_error_messages(Category.choices),
    )
    action = django_filters.CharFilter(label="Event type")
    # No joins, so no duplicates: DISTINCT would only slow the query down.
    outcome = django_filters.MultipleChoiceFilter(
        choices=Outcome.choices,
        label="Result",
        distinct=False,
        error_messages=choice_error_messages(Outcome.choices),
    )
    service = django_filters.ChoiceFilter(
        choices=Service.choices,
        label="Service",
        error_messages=choice_error_messages(Service.choices),
    )
    ip = django_filters.CharFilter(
        field_name="ip_address", label="IP address", method="filter_ip"
    )
    q = django_filters.CharFilter(label="Text", method="filter_text")

    class Meta:
        model = ActivityEvent
        fields: list[str] = []
        form = EventFilterForm

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.form.fields["ip"] = forms.GenericIPAddressField(
            required=False,
            label="IP address",
            error_messages={"invalid": "Enter a valid IPv4 or IPv6 address."},
        )

    def filter_ip(
        self, queryset: QuerySet[ActivityEvent], name: str, value: str
    ) -> QuerySet[ActivityEvent]:
        return queryset.filter(ip_address=value) if value else queryset

    def filter_text(
        self, queryset: QuerySet[ActivityEvent], name: str, value: str
    ) -> QuerySet[ActivityEvent]:
        text = value.strip()
        if not text:
            return queryset
        condition = Q()
        for field in TEXT_SEARCH_FIELDS:
            condition |= Q(**{f"{field}__icontains": text})
        return queryset.filter(condition)

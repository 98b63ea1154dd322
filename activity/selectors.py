"""Read queries of the activity log, used by the page, the API and exports."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from accounts.models import Organization
from activity.filters import EventFilter
from activity.models import ActivityEvent, Export
from pingid_portal.errors import ServiceError

PAGE_SIZE = 50
# Query parameters that are part of the filter; others (cursor, page_size)
# are dropped before a filter is stored in an export.
FILTER_PARAMETERS = tuple(EventFilter.base_filters)


def event_filter(
    organization: Organization, params: Mapping[str, Any], time_zone: str
) -> EventFilter:
    """Build and validate the activity filter of `organization`.

    Times without an offset are read in `time_zone`, the administrator's.
    """
    base = ActivityEvent.objects.filter(organization=organization).order_by(
        "-occurred_at", "-id"
    )
    with timezone.override(time_zone):
        filterset = EventFilter(params, queryset=base)
        filterset.is_valid()
    return filterset


def filter_errors(filterset: EventFilter) -> dict[str, list[str]]:
    return {name: list(errors) for name, errors in filterset.errors.items()}


def filter_parameters(params: Mapping[str, Any]) -> dict[str, list[str]]:
    """Return the filter part of query parameters, as stored in an export."""
    stored: dict[str, list[str]] = {}
    for name in FILTER_PARAMETERS:
        if hasattr(params, "getlist"):
            values = [str(value) for value in params.getlist(name) if value != ""]
        else:
            raw = params.get(name)
            items = raw if isinstance(raw, list) else [raw]
            values = [str(value) for value in items if value not in (None, "")]
        if values:
            stored[name] = values
    return stored


def encode_cursor(event: ActivityEvent) -> str:
    raw = f"{event.occurred_at.isoformat()}|{event.pk}"
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, int]:
    """Return the (occurred_at, id) position a cursor points after."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        raw = base64.urlsafe_b64decode(padded.encode()).decode()
        moment, _, pk = raw.partition("|")
        occurred_at = parse_datetime(moment)
        if occurred_at is None:
            raise ValueError(moment)
        return occurred_at, int(pk)
    except (ValueError, UnicodeDecodeError, binascii.Error) as error:
        raise ServiceError(
            "The page cursor is invalid: open the first page again.",
            code="invalid_cursor",
            field="cursor",
        ) from error


@dataclass(frozen=True)
class EventPage:
    events: list[ActivityEvent]
    next_cursor: str | None


def event_page(
    events: QuerySet[ActivityEvent], cursor: str | None, size: int = PAGE_SIZE
) -> EventPage:
    """Return one page of newest-first events after `cursor` (keyset paging)."""
    if cursor:
        occurred_at, pk = decode_cursor(cursor)
        events = events.filter(
            Q(occurred_at__lt=occurred_at) | Q(occurred_at=occurred_at, id__lt=pk)
        )
    rows = list(events.order_by("-occurred_at", "-id")[: size + 1])
    next_cursor = encode_cursor(rows[size - 1]) if len(rows) > size else None
    return EventPage(rows[:size], next_cursor)


def export_list(organization: Organization, limit: int = 10) -> list[Export]:
    return list(Export.objects.filter(organization=organization)[:limit])

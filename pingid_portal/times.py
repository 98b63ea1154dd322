"""Times as the portal shows them to administrators."""

from __future__ import annotations

import zoneinfo
from datetime import datetime

from django.utils import timezone

# The Python form of the "Y-m-d H:i T" date filter the templates use.
LOCAL_TIME_FORMAT = "%Y-%m-%d %H:%M %Z"


def local_time_text(value: datetime, time_zone: str | None = None) -> str:
    """Return `value` as the portal shows times, such as "2026-03-01 14:30 CET".

    The time is in `time_zone`, or in the active time zone when it is None.
    """
    zone = zoneinfo.ZoneInfo(time_zone) if time_zone else None
    return timezone.localtime(value, zone).strftime(LOCAL_TIME_FORMAT)

"""Authentication counts per organization, outcome and 15-minute UTC bucket.

The dashboard's chart sums these counts instead of grouping the raw log.

Which events the counts include is tracked by chain sequence, not by time.
`event_record` gives each event of an organization the next sequence while it
holds the chain head's row lock, and keeps that lock until it commits, so a
sequence is visible only after every smaller one is. An event written late
with an old `occurred_at` therefore still gets a sequence above the
watermark, and readers count it from the raw log until the next rollup adds
it to its bucket.

Invariant: the counts of an organization are exactly its existing
authentication events with sequence at most
`AuthenticationCountWatermark.last_sequence`. The rollup keeps it by adding
a sequence range and moving the watermark in one transaction, retention by
subtracting what it deletes in the transaction that deletes it.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from django.db import connection, transaction
from django.db.models import F, Max
from django.utils import timezone

from accounts.models import Organization
from activity.models import (
    ActivityEvent,
    AuthenticationCount,
    AuthenticationCountWatermark,
    Category,
)

logger = logging.getLogger(__name__)

BUCKET = timedelta(minutes=15)
# Sequences added per transaction, so that the first run over a large log
# holds the watermark lock for one batch at a time.
ROLLUP_BATCH_SEQUENCES = 1_000_000


def bucket_start(moment: datetime) -> datetime:
    """Return the start of the UTC bucket that contains `moment`."""
    utc = moment.astimezone(UTC)
    return utc.replace(minute=utc.minute - utc.minute % 15, second=0, microsecond=0)


def _bucket_sql(column: str) -> str:
    """Return SQL for the start of the bucket of a timestamp column."""
    if connection.vendor == "postgresql":
        return f"date_bin('15 minutes', {column}, TIMESTAMPTZ '2000-01-01 00:00:00+00')"
    if connection.vendor == "sqlite":
        # Django stores datetimes on SQLite as UTC text, "YYYY-MM-DD HH:MM:SS[.f]".
        minute = f"CAST(strftime('%%M', {column}) AS INTEGER)"
        return (
            f"strftime('%%Y-%%m-%%d %%H:', {column}) "
            f"|| printf('%%02d', {minute} / 15 * 15) || ':00'"
        )
    raise NotImplementedError(f"No bucket expression for {connection.vendor}.")


def watermark_lock(organization_id: int) -> int:
    """Lock the organization's watermark row until the transaction ends.

    Returns the last sequence the counts include, and creates the row (0)
    before the first rollup.
    """
    watermark, _ = (
        AuthenticationCountWatermark.objects.select_for_update().get_or_create(
            organization_id=organization_id
        )
    )
    return watermark.last_sequence


def counted_sequence(organization: Organization) -> int:
    """Return the last sequence the organization's counts include, 0 for none."""
    found = (
        AuthenticationCountWatermark.objects.for_organization(organization)
        .values_list("last_sequence", flat=True)
        .first()
    )
    return found or 0


def _add_range(organization_id: int, after: int, last: int) -> None:
    """Add the authentication events with sequence in (after, last] to the counts.

    The first range (`after` 0) has no lower bound, so it also takes events
    stored with sequence 0 by code other than `event_record`.
    """
    quote = connection.ops.quote_name
    events = quote(ActivityEvent._meta.db_table)
    counts = quote(AuthenticationCount._meta.db_table)
    lower = f"AND {quote('sequence')} > %s" if after else ""
    params: list[int | str] = [organization_id, Category.AUTHENTICATION, last]
    if after:
        params.append(after)
    bucket = _bucket_sql(quote("occurred_at"))
    sql = (
        f"INSERT INTO {counts} ({quote('organization_id')}, {quote('bucket_start')}, "  # noqa: S608
        f"{quote('outcome')}, {quote('count')}) "
        f"SELECT {quote('organization_id')}, {bucket}, {quote('outcome')}, COUNT(*) "
        f"FROM {events} WHERE {quote('organization_id')} = %s "
        f"AND {quote('category')} = %s AND {quote('sequence')} <= %s {lower} "
        f"GROUP BY {quote('organization_id')}, {bucket}, {quote('outcome')} "
        f"ON CONFLICT ({quote('organization_id')}, {quote('bucket_start')}, "
        f"{quote('outcome')}) DO UPDATE SET {quote('count')} = "
        f"{counts}.{quote('count')} + excluded.{quote('count')}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _add_next_range(organization_id: int, batch_size: int) -> int:
    """Add the next batch of uncounted events and return how many sequences it covered."""
    with transaction.atomic():
        after = watermark_lock(organization_id)
        newest = ActivityEvent.objects.filter(
            organization_id=organization_id
        ).aggregate(newest=Max("sequence"))["newest"]
        if newest is None or newest <= after:
            return 0
        last = min(newest, after + batch_size)
        _add_range(organization_id, after, last)
        AuthenticationCountWatermark.objects.filter(
            organization_id=organization_id
        ).update(last_sequence=last, updated_at=timezone.now())
    return last - after


def authentication_counts_update(
    organization: Organization, batch_size: int = ROLLUP_BATCH_SEQUENCES
) -> int:
    """Add the organization's events written since the last run to the counts.

    Returns how many sequences the run covered. Running it again right away
    covers none, and concurrent runs queue on the watermark lock, so no event
    is counted twice.
    """
    covered = 0
    while True:
        added = _add_next_range(organization.pk, batch_size)
        if not added:
            return covered
        covered += added


def authentication_counts_update_all() -> int:
    """Update the authentication counts of every organization."""
    started = time.monotonic()
    logger.info("Authentication count update started")
    covered = 0
    for organization in Organization.objects.order_by("pk").iterator():
        covered += authentication_counts_update(organization)
    logger.info(
        "Authentication count update finished: %s sequences in %.1f s",
        covered,
        time.monotonic() - started,
    )
    return covered


def authentication_counts_subtract(
    organization_id: int, deleted: Iterable[tuple[int, datetime, str, str]]
) -> None:
    """Remove deleted events from the counts, in the transaction that deletes them.

    `deleted` contains (sequence, occurred_at, category, outcome) of each event.
    Events above the watermark were never counted and are skipped.
    """
    counted = watermark_lock(organization_id)
    removed = Counter(
        (bucket_start(occurred_at), outcome)
        for sequence, occurred_at, category, outcome in deleted
        if category == Category.AUTHENTICATION and sequence <= counted
    )
    for (start, outcome), count in removed.items():
        AuthenticationCount.objects.filter(
            organization_id=organization_id, bucket_start=start, outcome=outcome
        ).update(count=F("count") - count)
    if removed:
        AuthenticationCount.objects.filter(
            organization_id=organization_id, count__lte=0
        ).delete()

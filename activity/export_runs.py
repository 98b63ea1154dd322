"""Running an export: claiming it once, writing it, and recording the end."""

from __future__ import annotations

import enum
import logging
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.db.models import F, Q
from django.utils import timezone
from django.utils.datastructures import MultiValueDict

from activity.export_sql import SideConnectionProgress
from activity.exports import export_path, export_write
from activity.models import Export, ExportStatus
from activity.selectors import event_filter

logger = logging.getLogger(__name__)


class Claim(enum.Enum):
    CLAIMED = "claimed"
    # Another worker runs it and its heartbeat is fresh.
    BUSY = "busy"
    # Finished, failed or deleted: nothing to do.
    DONE = "done"


def export_claim(export_id: int) -> Claim:
    """Move a waiting export to running, in one conditional UPDATE.

    An export already running is taken over only when its heartbeat is older
    than EXPORT_STALE_SECONDS: its worker died and the broker delivered the
    task again (acks_late with reject_on_worker_lost).
    """
    now = timezone.now()
    stale_before = now - timedelta(seconds=settings.EXPORT_STALE_SECONDS)
    claimable = Q(status=ExportStatus.PENDING) | Q(
        status=ExportStatus.RUNNING, heartbeat_at__lt=stale_before
    )
    claimed = (
        Export.objects.filter(claimable, pk=export_id).update(
            status=ExportStatus.RUNNING,
            started_at=now,
            heartbeat_at=now,
            attempts=F("attempts") + 1,
            rows_written=0,
            error="",
        )
        == 1
    )
    if claimed:
        return Claim.CLAIMED
    status = Export.objects.filter(pk=export_id).values_list("status", flat=True)
    return Claim.BUSY if list(status) == [ExportStatus.RUNNING] else Claim.DONE


def _record_progress(export_id: int, rows: int) -> None:
    Export.objects.filter(pk=export_id, status=ExportStatus.RUNNING).update(
        rows_written=rows, heartbeat_at=timezone.now()
    )


def export_fail(export_id: int, error: str) -> None:
    Export.objects.filter(pk=export_id).update(
        status=ExportStatus.FAILED, error=error[:2000], finished_at=timezone.now()
    )


def export_run(export_id: int) -> None:
    """Write a claimed export's file and mark it succeeded or failed."""
    export = Export.objects.select_related("organization").get(pk=export_id)
    params = MultiValueDict(
        {name: list(values) for name, values in export.filter.items()}
    )
    filterset = event_filter(export.organization, params, export.time_zone)
    if not filterset.is_valid():
        export_fail(
            export_id, f"The stored filter is invalid: {filterset.errors.as_text()}"
        )
        return
    # Exactly what the page showed when the export was requested: later
    # events are left out.
    events = filterset.qs.filter(occurred_at__lte=export.created_at)
    side_progress = SideConnectionProgress(export_id)
    on_progress: Callable[[int], None] = (
        side_progress
        if connection.vendor == "postgresql"
        else lambda written: _record_progress(export_id, written)
    )
    try:
        path, rows = export_write(export, events, on_progress)
    except Exception as error:
        logger.exception("Export %s failed", export_id)
        export_fail(export_id, f"Writing the file failed: {error}")
        return
    finally:
        side_progress.close()
    Export.objects.filter(pk=export_id).update(
        status=ExportStatus.SUCCEEDED,
        file_path=path,
        rows_written=rows,
        heartbeat_at=timezone.now(),
        finished_at=timezone.now(),
    )
    logger.info("Export %s wrote %s rows to %s", export_id, rows, path)


def exports_fail_stale() -> int:
    """Mark running exports whose worker stopped sending heartbeats as failed."""
    stale_before = timezone.now() - timedelta(seconds=settings.EXPORT_STALE_SECONDS * 3)
    return Export.objects.filter(
        status=ExportStatus.RUNNING, heartbeat_at__lt=stale_before
    ).update(
        status=ExportStatus.FAILED,
        error="The worker writing this export stopped. Retry the export.",
        finished_at=timezone.now(),
    )


def exports_remove_partial_files() -> int:
    """Delete temporary files left by workers that were killed while writing.

    Files are removed once untouched for three times EXPORT_STALE_SECONDS, by
    when their export has been taken over or marked failed.
    """
    storage = Path(settings.EXPORT_STORAGE)
    if not storage.exists():
        return 0
    cutoff = time.time() - settings.EXPORT_STALE_SECONDS * 3
    removed = 0
    for path in storage.glob("*/.*.part"):
        if path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)
            removed += 1
    return removed


def exports_delete_expired() -> int:
    """Delete exports (rows and files) finished more than EXPORT_RETENTION_DAYS ago."""
    cutoff = timezone.now() - timedelta(days=settings.EXPORT_RETENTION_DAYS)
    expired = Export.objects.filter(
        status__in=[ExportStatus.SUCCEEDED, ExportStatus.FAILED],
        finished_at__lt=cutoff,
    )
    count = 0
    for export in expired.iterator():
        path = export_path(export)
        if path is not None:
            path.unlink(missing_ok=True)
        export.delete()
        count += 1
    return count

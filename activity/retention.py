"""Retention: delete events older than the organization's setting, in batches."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from accounts.models import Organization
from activity.models import ActivityEvent, Category, ChainHead, chain_key_of
from activity.rollup import authentication_counts_subtract
from activity.services import event_record
from pingid_portal.actors import Actor

logger = logging.getLogger(__name__)

# Events deleted per transaction. Each batch holds the chain head's lock only
# for its own short transaction, so new events of the organization wait at
# most one batch.
PURGE_BATCH_SIZE = 1000


def _purge_batch(organization: Organization, cutoff: datetime, size: int) -> int:
    """Delete the oldest run of expired events of one chain; return how many."""
    with transaction.atomic():
        head = ChainHead.objects.select_for_update().get(
            chain_key=chain_key_of(organization.pk)
        )
        candidates = list(
            ActivityEvent.objects.filter(organization=organization)
            .order_by("sequence")
            .values_list(
                "id", "sequence", "hash", "occurred_at", "category", "outcome"
            )[:size]
        )
        # Only a prefix of the chain can go, so the anchor stays one hash: the
        # purge stops at the first event that is not yet expired.
        expired = []
        for row in candidates:
            if row[3] >= cutoff:
                break
            expired.append(row)
        if not expired:
            return 0
        ActivityEvent.objects.filter(id__in=[row[0] for row in expired]).delete()
        authentication_counts_subtract(
            organization.pk, [(row[1], row[3], row[4], row[5]) for row in expired]
        )
        last = expired[-1]
        ChainHead.objects.filter(pk=head.pk).update(
            anchor_sequence=last[1], anchor_hash=last[2]
        )
    return len(expired)


def events_purge(organization: Organization, batch_size: int = PURGE_BATCH_SIZE) -> int:
    """Delete the organization's events older than its retention; return the count.

    The purge is recorded as an event of its own, and the chain's anchor moves
    to the hash of the last deleted event so that verification still passes.
    """
    cutoff = timezone.now() - timedelta(days=organization.activity_retention_days)
    if not ChainHead.objects.filter(chain_key=chain_key_of(organization.pk)).exists():
        return 0
    deleted = 0
    batches = 0
    while True:
        count = _purge_batch(organization, cutoff, batch_size)
        if not count:
            break
        deleted += count
        batches += 1
    if deleted:
        event_record(
            actor=Actor.system(organization, "retention"),
            category=Category.SYSTEM,
            action="activity.purge",
            message=(
                f"Deleted {deleted} events older than "
                f"{organization.activity_retention_days} days in {batches} batches."
            ),
            after={
                "deleted": deleted,
                "before": cutoff.isoformat(),
                "batches": batches,
            },
        )
        logger.info(
            "Purged %s activity events of organization %s in %s batches",
            deleted,
            organization.pk,
            batches,
        )
    return deleted

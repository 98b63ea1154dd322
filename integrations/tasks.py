"""Periodic jobs of the integrations area."""

from __future__ import annotations

import logging
from datetime import timedelta

from celery import shared_task
from django.utils import timezone

from integrations.models import AuthenticationSession

logger = logging.getLogger(__name__)

# Finished or expired PingID API sessions are kept this long, then deleted.
# The activity log keeps the record of each authentication.
SESSION_RETENTION = timedelta(days=1)
BATCH_SIZE = 5000


@shared_task(name="integrations.tasks.delete_old_authentication_sessions")
def delete_old_authentication_sessions() -> int:
    """Delete sessions that expired more than a day ago, in batches; return how many."""
    logger.info("Deleting old PingID API authentication sessions")
    cutoff = timezone.now() - SESSION_RETENTION
    deleted = 0
    while True:
        batch = list(
            AuthenticationSession.objects.filter(expires_at__lt=cutoff).values_list(
                "pk", flat=True
            )[:BATCH_SIZE]
        )
        if not batch:
            break
        count, _ = AuthenticationSession.objects.filter(pk__in=batch).delete()
        deleted += count
    logger.info("Deleted %s old PingID API authentication sessions", deleted)
    return deleted

"""Periodic jobs of the accounts area."""

from __future__ import annotations

import logging

from celery import shared_task
from django.contrib.sessions.models import Session
from django.utils import timezone

logger = logging.getLogger(__name__)


@shared_task(name="accounts.tasks.delete_expired_sessions")
def delete_expired_sessions() -> int:
    """Delete expired portal sessions from the database; return how many.

    This is what `manage.py clearsessions` does for the database session
    backend, which the portal uses.
    """
    logger.info("Deleting expired sessions")
    deleted, _ = Session.objects.filter(expire_date__lt=timezone.now()).delete()
    logger.info("Deleted %s expired sessions", deleted)
    return deleted

"""A real Celery worker thread for tests that need one."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from celery.contrib.testing.worker import start_worker

from pingid_portal.celery import app


def broker_available(settings: Any) -> bool:
    """Return whether a broker and PostgreSQL are configured for a real worker.

    Skips when none is configured; an unreachable broker fails the test under
    PORTAL_REQUIRE_SERVICES=true and skips it otherwise.
    """
    broker = os.environ.get("CELERY_BROKER_URL", "")
    if (
        not broker
        or settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql"
    ):
        return False
    try:
        with app.connection_for_write() as connection:
            connection.ensure_connection(max_retries=1)
    except Exception as error:
        message = f"The Celery broker {broker} is unreachable: {error}"
        if os.environ.get("PORTAL_REQUIRE_SERVICES") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return True


@contextmanager
def running_worker() -> Iterator[None]:
    """Run a Celery worker thread on the configured broker while the block runs."""
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = False
    try:
        with start_worker(
            app, pool="solo", perform_ping_check=False, shutdown_timeout=30
        ):
            yield
    finally:
        app.conf.task_always_eager = eager


@contextmanager
def eager_tasks() -> Iterator[None]:
    """Run tasks in-process when no worker is available."""
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = True
    try:
        yield
    finally:
        app.conf.task_always_eager = eager

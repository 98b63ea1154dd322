"""Checks of the platform components, shared by /health/ready and the probes.

Each check returns a `Check` whose `detail` is a fixed, secret-free phrase:
connection errors can carry host names and passwords, so they are logged
and never returned.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone
from kombu import Connection

from availability.models import WorkerHeartbeat

logger = logging.getLogger(__name__)


class State:
    OK = "ok"
    FAILED = "failed"
    # The component is replaced by the in-process mode and is not required.
    EMBEDDED = "embedded"


@dataclass(frozen=True)
class Check:
    state: str
    detail: str = ""
    latency_ms: int = 0

    @property
    def failed(self) -> bool:
        return self.state == State.FAILED


def _elapsed_ms(started: float) -> int:
    return int((time.monotonic() - started) * 1000)


def broker_embedded() -> bool:
    """Return whether tasks run in-process because no broker is configured."""
    return not settings.CELERY_BROKER_URL


def check_database(alias: str = DEFAULT_DB_ALIAS) -> Check:
    """Open a new connection and run a query, so a dead server is seen at once."""
    started = time.monotonic()
    handler_connection = connections[alias]
    settings_dict = dict(handler_connection.settings_dict)
    if handler_connection.vendor == "postgresql":
        options = dict(settings_dict.get("OPTIONS") or {})
        options["connect_timeout"] = settings.HEALTH_CHECK_TIMEOUT_SECONDS
        settings_dict["OPTIONS"] = options
    probe_connection = type(handler_connection)(settings_dict, alias)
    try:
        with probe_connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except (DatabaseError, OSError) as error:
        logger.warning("Health check: database unreachable: %s", type(error).__name__)
        return Check(State.FAILED, "database unreachable", _elapsed_ms(started))
    finally:
        probe_connection.close()
    return Check(State.OK, "", _elapsed_ms(started))


def check_broker() -> Check:
    """Connect to the Celery broker, or report the in-process mode."""
    if broker_embedded():
        return Check(State.EMBEDDED, "no broker configured: tasks run in-process")
    started = time.monotonic()
    timeout = settings.HEALTH_CHECK_TIMEOUT_SECONDS
    try:
        with Connection(settings.CELERY_BROKER_URL, connect_timeout=timeout) as broker:
            broker.ensure_connection(max_retries=1, timeout=timeout)
    except Exception as error:
        # kombu raises transport-specific errors (redis, amqp) with no common base.
        logger.warning("Health check: broker unreachable: %s", type(error).__name__)
        return Check(State.FAILED, "broker unreachable", _elapsed_ms(started))
    return Check(State.OK, "", _elapsed_ms(started))


def check_worker() -> Check:
    """Require a worker heartbeat newer than HEALTH_WORKER_HEARTBEAT_MAX_AGE_SECONDS."""
    if broker_embedded():
        return Check(State.EMBEDDED, "no broker configured: tasks run in-process")
    started = time.monotonic()
    max_age = settings.HEALTH_WORKER_HEARTBEAT_MAX_AGE_SECONDS
    try:
        latest = WorkerHeartbeat.objects.order_by("-beat_at").first()
    except DatabaseError:
        return Check(State.FAILED, "heartbeat unreadable: database unreachable")
    if latest is None:
        return Check(State.FAILED, "no worker heartbeat recorded", _elapsed_ms(started))
    age = timezone.now() - latest.beat_at
    if age > timedelta(seconds=max_age):
        return Check(
            State.FAILED,
            f"last worker heartbeat is {int(age.total_seconds())} s old "
            f"(maximum {max_age} s)",
            _elapsed_ms(started),
        )
    return Check(State.OK, "", _elapsed_ms(started))


_migrations_applied = False


def check_migrations(alias: str = DEFAULT_DB_ALIAS) -> Check:
    """Require every migration to be applied.

    Once they all are, the result is kept for the life of the process,
    because a running process cannot gain new migration files.
    """
    global _migrations_applied
    if _migrations_applied:
        return Check(State.OK)
    try:
        executor = MigrationExecutor(connections[alias])
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except DatabaseError:
        return Check(State.FAILED, "migration state unreadable: database unreachable")
    if plan:
        return Check(State.FAILED, f"{len(plan)} migrations not applied")
    _migrations_applied = True
    return Check(State.OK)


def readiness() -> dict[str, Check]:
    """Run every readiness check; the database check runs first."""
    database = check_database()
    if database.failed:
        skipped = Check(State.FAILED, "not checked: database unreachable")
        return {
            "database": database,
            "broker": check_broker(),
            "worker": skipped if not broker_embedded() else check_worker(),
            "migrations": skipped,
        }
    return {
        "database": database,
        "broker": check_broker(),
        "worker": check_worker(),
        "migrations": check_migrations(),
    }

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.db import connections
from django.db.migrations.executor import MigrationExecutor
from django.test import Client
from django.utils import timezone

from availability import health
from availability.models import WorkerHeartbeat
from availability.tasks import record_worker_heartbeat

# The local Redis of the development machine, unless the run names a broker.
LOCAL_BROKER_URL = os.environ.get("CELERY_BROKER_URL") or "redis://127.0.0.1:6379/6"
# Nothing listens on port 1, so a connection is refused at once.
CLOSED_PORT_BROKER_URL = "redis://:s3cret-password@127.0.0.1:1/0"

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_migration_check() -> Iterator[None]:
    health._migrations_applied = False
    yield
    health._migrations_applied = False


@pytest.fixture
def with_broker(settings: Any) -> None:
    settings.CELERY_BROKER_URL = LOCAL_BROKER_URL


@pytest.fixture
def unreachable_database(monkeypatch: pytest.MonkeyPatch) -> None:
    """Point the database settings at a closed port, or a missing SQLite file."""
    settings_dict = connections["default"].settings_dict
    if connections["default"].vendor == "sqlite":
        monkeypatch.setitem(settings_dict, "NAME", "/nonexistent-directory/db.sqlite3")
    else:
        monkeypatch.setitem(settings_dict, "HOST", "127.0.0.1")
        monkeypatch.setitem(settings_dict, "PORT", "1")


def _beat(age: timedelta = timedelta(0)) -> None:
    WorkerHeartbeat.objects.create(worker="celery@test", beat_at=timezone.now() - age)


def test_live_answers(client: Client) -> None:
    response = client.get("/health/live")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-store" in response["Cache-Control"]


def test_ready_embedded_mode(client: Client, settings: Any) -> None:
    settings.CELERY_BROKER_URL = ""

    response = client.get("/health/ready")

    body = response.json()
    assert response.status_code == 200
    assert body["status"] == "ok"
    assert body["mode"] == "embedded"
    assert body["components"]["broker"]["state"] == "embedded"
    assert body["components"]["worker"]["state"] == "embedded"
    assert body["components"]["database"]["state"] == "ok"
    assert body["components"]["migrations"]["state"] == "ok"


def test_ready_all_up(client: Client, with_broker: None) -> None:
    _beat()

    response = client.get("/health/ready")

    body = response.json()
    assert response.status_code == 200, body
    assert body["failed"] == []
    assert body["mode"] == "broker"
    assert {name: item["state"] for name, item in body["components"].items()} == {
        "database": "ok",
        "broker": "ok",
        "worker": "ok",
        "migrations": "ok",
    }


def test_ready_database_unreachable(
    client: Client, with_broker: None, unreachable_database: None
) -> None:
    _beat()

    response = client.get("/health/ready")

    body = response.json()
    assert response.status_code == 503
    assert body["failed"][0] == "database"
    assert body["components"]["database"] == {
        "state": "failed",
        "detail": "database unreachable",
    }
    assert body["components"]["broker"]["state"] == "ok"


def test_ready_broker_unreachable(client: Client, settings: Any) -> None:
    settings.CELERY_BROKER_URL = CLOSED_PORT_BROKER_URL
    _beat()

    response = client.get("/health/ready")

    body = response.json()
    assert response.status_code == 503
    assert body["failed"] == ["broker"]
    assert body["components"]["broker"] == {
        "state": "failed",
        "detail": "broker unreachable",
    }
    assert "s3cret" not in response.content.decode()
    assert "127.0.0.1" not in response.content.decode()


def test_ready_stale_heartbeat(
    client: Client, with_broker: None, settings: Any
) -> None:
    settings.HEALTH_WORKER_HEARTBEAT_MAX_AGE_SECONDS = 60
    _beat(timedelta(seconds=61))

    response = client.get("/health/ready")

    body = response.json()
    assert response.status_code == 503
    assert body["failed"] == ["worker"]
    assert "61 s old (maximum 60 s)" in body["components"]["worker"]["detail"]


def test_ready_missing_heartbeat(client: Client, with_broker: None) -> None:
    response = client.get("/health/ready")

    assert response.status_code == 503
    assert response.json()["failed"] == ["worker"]


def test_heartbeat_task_makes_ready(client: Client, with_broker: None) -> None:
    record_worker_heartbeat.apply()

    response = client.get("/health/ready")

    assert response.status_code == 200
    assert WorkerHeartbeat.objects.count() == 1


def test_ready_pending_migrations(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        MigrationExecutor, "migration_plan", lambda self, targets: [("m", False)]
    )
    _beat()

    response = client.get("/health/ready")

    body = response.json()
    assert response.status_code == 503
    assert body["failed"] == ["migrations"]
    assert body["components"]["migrations"]["detail"] == "1 migrations not applied"


def test_ready_rejects_post(client: Client) -> None:
    response = client.post("/health/ready")

    assert response.status_code == 405

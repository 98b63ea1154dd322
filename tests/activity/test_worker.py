"""An export run end to end by a real Celery worker on the configured broker.

Skips without CELERY_BROKER_URL; with PORTAL_REQUIRE_SERVICES=true an
unreachable broker fails the test instead.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.test import Client, TestCase

from accounts.models import Membership
from activity.models import ActivityEvent, Export, ExportStatus
from pingid_portal.celery import app
from tests.activity.worker import broker_available, running_worker

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def celery_worker(settings: Any) -> Iterator[None]:
    if not broker_available(settings):
        pytest.skip(
            "Set CELERY_BROKER_URL (e.g. redis://127.0.0.1:6379/4) and a PostgreSQL "
            "DATABASE_URL to run."
        )
    with running_worker():
        yield


def test_worker_runs_export_end_to_end(
    celery_worker: None,
    auditor: Membership,
    client_for: Callable[[Membership], Client],
    record_auth: Callable[..., ActivityEvent],
    export_storage: Path,
) -> None:
    failures = [
        record_auth(auditor.organization, outcome="failure", reason=f'=x{n}, "y"\nz')
        for n in range(30)
    ]
    record_auth(auditor.organization, outcome="success")
    client = client_for(auditor)

    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(
            "/activity/exports/", {"format": "csv", "outcome": "failure"}
        )
    export = Export.objects.get()
    deadline = time.monotonic() + 60
    while not export.is_done and time.monotonic() < deadline:
        time.sleep(0.2)
        export.refresh_from_db()

    assert response.status_code == 302
    assert not app.conf.task_always_eager
    assert export.status == ExportStatus.SUCCEEDED, export.error
    assert export.rows_written == 30
    download = client.get(f"/activity/exports/{export.pk}/download/")
    content = b"".join(download.streaming_content).decode()  # type: ignore[attr-defined]
    assert content.count("'=x") == 30
    ids = [
        int(line.split(",")[0])
        for line in content.split("\r\n")[1:]
        if line[:1].isdigit()
    ]
    assert ids == [event.pk for event in reversed(failures)]

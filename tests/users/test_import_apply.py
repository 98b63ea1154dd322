"""Applying a CSV import that is large, interrupted or already running."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import Membership
from activity.models import ActivityEvent
from pingid_portal.actors import Actor
from pingid_portal.errors import ConflictError
from users import imports
from users.imports import import_apply, import_preview, import_run
from users.models import ImportStatus, PingIDUser, UserImport

pytestmark = pytest.mark.django_db

FIVE_USERS = "username\n" + "".join(f"user{number}\n" for number in range(5))


def _preview(actor: Actor, text: str = FIVE_USERS) -> UserImport:
    return import_preview(actor=actor, file_name="five.csv", data=text.encode())


@pytest.fixture
def failing_third_row(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the apply stop with an error at the third row, after saving two."""
    monkeypatch.setattr(imports, "IMPORT_CHUNK_ROWS", 2)
    original = imports._apply_row
    calls = {"count": 0}

    def apply_row(*args: Any) -> Any:
        calls["count"] += 1
        if calls["count"] == 3:
            raise RuntimeError("database went away")
        return original(*args)

    monkeypatch.setattr(imports, "_apply_row", apply_row)


def test_interrupted_apply_keeps_progress(
    admin_actor: Actor, failing_third_row: None
) -> None:
    user_import = _preview(admin_actor)

    with pytest.raises(RuntimeError):
        import_apply(actor=admin_actor, user_import=user_import)

    stopped = UserImport.objects.get()
    assert stopped.status == ImportStatus.APPLYING
    assert stopped.rows_applied == 2
    assert stopped.progress_at is None
    assert "stopped after 2 rows" in stopped.error
    assert [row["outcome"] for row in stopped.rows[:2]] == ["create", "create"]
    assert PingIDUser.objects.count() == 2
    assert not ActivityEvent.objects.filter(action="user.import").exists()


def test_stopped_apply_finishes_without_duplicates(admin_actor: Actor) -> None:
    user_import = _preview(admin_actor)
    # Stopped after two rows were created but before the third was recorded.
    for name in ("user0", "user1", "user2"):
        PingIDUser.objects.create(
            organization=admin_actor.organization,
            username=name,
            username_key=name,
        )
    UserImport.objects.filter(pk=user_import.pk).update(
        status=ImportStatus.APPLYING,
        rows_applied=2,
        progress_at=None,
        error="The apply stopped after 2 rows: killed",
    )

    finished = import_apply(actor=admin_actor, user_import=user_import)

    assert finished.status == ImportStatus.APPLIED
    assert finished.rows_applied == 5
    assert finished.error == ""
    assert PingIDUser.objects.count() == 5
    # The third user, created before the stop was recorded, is not created twice.
    assert finished.rows[2]["outcome"] == "unchanged"
    assert [row["outcome"] for row in finished.rows[3:]] == ["create", "create"]
    event = ActivityEvent.objects.get(action="user.import")
    assert event.after["create"] == 4


def test_running_apply_rejects_second(admin_actor: Actor) -> None:
    user_import = _preview(admin_actor)
    UserImport.objects.filter(pk=user_import.pk).update(
        status=ImportStatus.APPLYING, progress_at=timezone.now()
    )

    with pytest.raises(ConflictError) as raised:
        import_apply(actor=admin_actor, user_import=user_import)

    assert raised.value.code == "import_running"
    assert PingIDUser.objects.count() == 0


def test_silent_apply_can_be_finished(admin_actor: Actor) -> None:
    user_import = _preview(admin_actor)
    UserImport.objects.filter(pk=user_import.pk).update(
        status=ImportStatus.APPLYING, progress_at=timezone.now()
    )

    with time_machine.travel(timedelta(minutes=3)):
        finished = import_apply(actor=admin_actor, user_import=user_import)

    assert finished.status == ImportStatus.APPLIED
    assert PingIDUser.objects.count() == 5


def test_large_import_runs_as_task(
    admin_actor: Actor,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    monkeypatch.setattr(imports, "IMPORT_SYNC_ROWS", 3)
    user_import = _preview(admin_actor)

    with django_capture_on_commit_callbacks() as callbacks:
        queued = import_apply(actor=admin_actor, user_import=user_import)

    assert queued.status == ImportStatus.APPLYING
    assert PingIDUser.objects.count() == 0
    assert len(callbacks) == 1
    callbacks[0]()
    applied = UserImport.objects.get()
    assert applied.status == ImportStatus.APPLIED
    assert applied.applied_by_display == admin_actor.display
    assert PingIDUser.objects.count() == 5


def test_task_stops_when_admin_removed(admin_actor: Actor) -> None:
    user_import = _preview(admin_actor)
    stranger = User.objects.create_user("gone@example.com", "gone@example.com")
    UserImport.objects.filter(pk=user_import.pk).update(
        status=ImportStatus.APPLYING,
        applied_by=stranger,
        applied_by_display="gone@example.com",
        progress_at=timezone.now(),
    )

    stopped = import_run(user_import.pk)

    assert stopped.status == ImportStatus.APPLYING
    assert stopped.progress_at is None
    assert "gone@example.com" in stopped.error
    assert PingIDUser.objects.count() == 0


def test_page_shows_progress_and_stop(
    global_admin: Membership,
    client_for: Callable[[Membership], Client],
    admin_actor: Actor,
) -> None:
    client = client_for(global_admin)
    user_import = _preview(admin_actor)
    url = reverse("users:import_preview", args=[user_import.pk])
    UserImport.objects.filter(pk=user_import.pk).update(
        status=ImportStatus.APPLYING, rows_applied=2, progress_at=timezone.now()
    )

    running = client.get(url).content.decode()
    UserImport.objects.filter(pk=user_import.pk).update(progress_at=None)
    stopped = client.get(url).content.decode()
    polled = client.get(url, HTTP_HX_REQUEST="true")

    assert "Applying" in running
    assert 'hx-trigger="every 1s"' in running
    assert "2 of 5 rows done" in running
    assert "Finish applying" not in running
    assert "Import stopped" in stopped
    assert "Finish applying the other 3 rows" in stopped
    assert polled.headers["HX-Refresh"] == "true"


def test_api_answers_202_while_applying(
    global_admin: Membership,
    admin_actor: Actor,
    monkeypatch: pytest.MonkeyPatch,
    api_for: Callable[[Membership], Any],
) -> None:
    monkeypatch.setattr(imports, "IMPORT_SYNC_ROWS", 3)
    user_import = _preview(admin_actor)

    answer = api_for(global_admin).post(
        f"/api/v1/users/imports/{user_import.pk}/apply/"
    )

    assert answer.status_code == 202
    assert answer.json()["status"] == "applying"

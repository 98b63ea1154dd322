from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.utils import timezone

from accounts.tasks import delete_expired_sessions


def _session_create(expire_in: timedelta) -> str:
    store = SessionStore()
    store["note"] = "test"
    store.create()
    Session.objects.filter(session_key=store.session_key).update(
        expire_date=timezone.now() + expire_in
    )
    assert store.session_key is not None
    return store.session_key


@pytest.mark.django_db
def test_delete_expired_sessions_in_process() -> None:
    expired = _session_create(timedelta(minutes=-1))
    current = _session_create(timedelta(hours=1))

    deleted = delete_expired_sessions.delay().get()

    assert deleted == 1
    assert not Session.objects.filter(session_key=expired).exists()
    assert Session.objects.filter(session_key=current).exists()


@pytest.mark.celery_worker
def test_delete_expired_sessions_on_worker(celery_worker: object) -> None:
    expired = _session_create(timedelta(minutes=-1))
    current = _session_create(timedelta(hours=1))

    delete_expired_sessions.delay()

    deadline = time.monotonic() + 30
    while Session.objects.filter(session_key=expired).exists():
        assert time.monotonic() < deadline, "The worker did not run the task in 30 s."
        time.sleep(0.2)
    assert Session.objects.filter(session_key=current).exists()


def test_delete_expired_sessions_is_scheduled(settings: object) -> None:
    from django.conf import settings as django_settings

    schedule = django_settings.CELERY_BEAT_SCHEDULE["accounts-delete-expired-sessions"]

    assert schedule["task"] == delete_expired_sessions.name

"""Django's admin: for superusers, with activity events read-only."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from accounts.models import Membership
from activity.models import ActivityEvent
from activity.services import event_record
from pingid_portal.actors import Actor

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser_client() -> Client:
    user = User.objects.create_superuser("root@example.com", "root@example.com", "x")
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def event(global_admin: Membership) -> ActivityEvent:
    return event_record(actor=Actor.system(global_admin.organization), action="test.x")


def test_superuser_sees_events(superuser_client: Client, event: ActivityEvent) -> None:
    response = superuser_client.get(reverse("admin:activity_activityevent_changelist"))

    assert response.status_code == 200
    assert "test.x" in response.content.decode()


def test_event_change_is_refused(
    superuser_client: Client, event: ActivityEvent
) -> None:
    url = reverse("admin:activity_activityevent_change", args=[event.pk])

    page = superuser_client.get(url)
    response = superuser_client.post(url, {"action": "tampered"})

    assert page.status_code == 200
    assert 'name="action"' not in page.content.decode()
    assert response.status_code == 403
    event.refresh_from_db()
    assert event.action == "test.x"


def test_event_delete_is_refused(
    superuser_client: Client, event: ActivityEvent
) -> None:
    url = reverse("admin:activity_activityevent_delete", args=[event.pk])

    response = superuser_client.post(url, {"post": "yes"})

    assert response.status_code == 403
    assert ActivityEvent.objects.filter(pk=event.pk).exists()


def test_event_add_is_refused(superuser_client: Client) -> None:
    response = superuser_client.get(reverse("admin:activity_activityevent_add"))

    assert response.status_code == 403


def test_administrator_cannot_open_django_admin(
    global_admin: Membership, client_for: object
) -> None:
    response = client_for(global_admin).get("/django-admin/")  # type: ignore[operator]

    assert response.status_code == 302
    assert "/django-admin/login/" in response["Location"]

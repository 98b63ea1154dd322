from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from accounts.models import Membership
from integrations.models import AuthenticationSession
from integrations.services import settings_file_generate
from integrations.tasks import delete_old_authentication_sessions
from pingid_portal.actors import Actor
from tests.factories import PingIDUserFactory

pytestmark = pytest.mark.django_db


@time_machine.travel("2026-06-01 12:00:00+00:00", tick=False)
def test_only_day_old_sessions_deleted(global_admin: Membership) -> None:
    organization = global_admin.organization
    settings_file = settings_file_generate(
        actor=Actor.for_membership(global_admin), kind="full"
    )
    user = PingIDUserFactory(organization=organization)
    now = timezone.now()
    for name, expired_ago in [
        ("old", timedelta(days=1, seconds=1)),
        ("recent", timedelta(hours=23)),
    ]:
        AuthenticationSession.objects.create(
            organization=organization,
            session_id=name,
            settings_file=settings_file,
            user=user,
            service="web",
            created_at=now - expired_ago - timedelta(minutes=5),
            expires_at=now - expired_ago,
        )

    deleted = delete_old_authentication_sessions()

    assert deleted == 1
    assert list(AuthenticationSession.objects.values_list("session_id", flat=True)) == [
        "recent"
    ]

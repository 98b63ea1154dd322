from __future__ import annotations

import pytest

from accounts.models import Membership, Organization
from activity import demo
from activity.chain import chain_verify
from activity.models import ActivityEvent, IntegrityCheck, IntegrityCheckStatus
from tests.factories import PingIDUserFactory


def test_demo_seeds_thirty_days_once(
    organization: Organization, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(demo, "AUTHENTICATIONS_PER_DAY", 6)
    user = PingIDUserFactory(organization=organization)

    demo.seed(organization)
    count = ActivityEvent.objects.filter(organization=organization).count()
    demo.seed(organization)

    events = ActivityEvent.objects.filter(organization=organization)
    assert events.count() == count
    assert count >= 30 * 2
    authentications = events.exclude(action="activity.integrity_check")
    assert set(authentications.values_list("pingid_user_id", flat=True)) == {user.pk}
    assert events.filter(outcome="failure").exists()
    assert len(set(events.values_list("service", flat=True))) >= 4
    assert chain_verify(organization.pk).intact
    check = IntegrityCheck.objects.get(organization=organization)
    assert check.status == IntegrityCheckStatus.INTACT


def test_demo_without_users_uses_generic_names(
    organization: Organization, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(demo, "AUTHENTICATIONS_PER_DAY", 3)

    demo.seed(organization)

    names = set(ActivityEvent.objects.values_list("pingid_username", flat=True))
    assert "alice" in names


def test_demo_actors_hold_their_permission(
    organization: Organization,
    global_admin: Membership,
    auditor: Membership,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(demo, "AUTHENTICATIONS_PER_DAY", 6)
    PingIDUserFactory(organization=organization)

    demo.seed(organization)

    user_changes = ActivityEvent.objects.filter(
        organization=organization, category="administrator"
    )
    assert user_changes.filter(actor_user=global_admin.user).exists()
    assert not user_changes.filter(actor_user=auditor.user).exists()

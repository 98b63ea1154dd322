"""Lock order between PingID API calls and administrators' integration changes.

An API call locks the organization's activity chain head when it writes its
event, and its commit checks the event's foreign key with a KEY SHARE lock on
the organization row. Changes that lock the organization row must let that
check through, or the two transactions deadlock.
"""

from __future__ import annotations

import threading
import time

import pytest
from django.db import transaction

from accounts.models import Membership, Organization
from activity.chain import chain_verify
from activity.services import event_record
from integrations.services import settings_file_generate, third_party_clients_set
from pingid_portal.actors import Actor
from tests.concurrency import run_together

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _postgresql(postgresql_database: None) -> None:
    pass


def _event_then_commit_late(
    organization: Organization, chain_locked: threading.Event
) -> str:
    """Hold the chain head, then commit once the other thread is waiting for it."""
    with transaction.atomic():
        event_record(organization=organization, action="test.api_call")
        chain_locked.set()
        # Long enough for the other thread to lock the organization row and
        # queue on the chain head.
        time.sleep(0.5)
    return "committed"


@pytest.mark.parametrize("change", ["switch", "generate"])
def test_org_lock_lets_event_commit(
    organization: Organization, global_admin: Membership, change: str
) -> None:
    actor = Actor.for_membership(global_admin)
    chain_locked = threading.Event()

    def administrator_change() -> str:
        chain_locked.wait(timeout=10)
        if change == "switch":
            third_party_clients_set(actor=actor, enabled=False, reason="maintenance")
        else:
            settings_file_generate(actor=actor, kind="full")
        return "changed"

    results = run_together(
        lambda: _event_then_commit_late(organization, chain_locked),
        administrator_change,
    )

    assert results == ["committed", "changed"]
    assert chain_verify(organization.pk).intact

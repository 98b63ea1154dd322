"""The per-organization hash chain that makes changed or removed events visible.

Each event stores `hash = SHA-256(previous_hash + canonical content)`, where the
canonical content is a sorted-key JSON encoding of the fields below. Events
without an organization form a chain of their own.
"""

from __future__ import annotations

import hashlib
import ipaddress
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.db import transaction

from activity.models import ActivityEvent, ChainHead, chain_key_of

# Hashed fields. `actor_user` is left out on purpose: it is set to NULL when the
# administrator's account is deleted, which is not tampering (`actor_display`
# keeps who it was).
HASHED_FIELDS = (
    "organization_id",
    "sequence",
    "occurred_at",
    "category",
    "action",
    "outcome",
    "actor_kind",
    "actor_display",
    "actor_role",
    "settings_file_id",
    "target_type",
    "target_id",
    "target_display",
    "pingid_user_id",
    "pingid_username",
    "service",
    "device_id",
    "device_display",
    "application",
    "before",
    "after",
    "reason",
    "message",
    "ip_address",
    "user_agent",
    "truncated_fields",
)
# Rows fetched at a time while verifying.
VERIFY_CHUNK_SIZE = 2000


def normalize_ip(value: str | None) -> str | None:
    """Return the address in the form PostgreSQL's inet prints it."""
    if not value:
        return None
    return ipaddress.ip_address(value).compressed


def _canonical_value(name: str, value: Any) -> Any:
    if name == "occurred_at" and isinstance(value, datetime):
        return value.astimezone(UTC).isoformat(timespec="microseconds")
    if name == "ip_address":
        return normalize_ip(value)
    return value


def event_hash(values: dict[str, Any], previous_hash: str) -> str:
    """Compute the hash of one event from its field values and its predecessor's hash."""
    content = {name: _canonical_value(name, values[name]) for name in HASHED_FIELDS}
    encoded = json.dumps(
        content, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str
    )
    return hashlib.sha256((previous_hash + encoded).encode("utf-8")).hexdigest()


def chain_append(event: ActivityEvent) -> None:
    """Give an unsaved event its sequence and hash, and move the chain head.

    Must run in the transaction that saves the event: the head row stays locked
    until it commits, so concurrent writers of one organization queue here.
    """
    assert transaction.get_connection().in_atomic_block
    key = chain_key_of(event.organization_id)
    head, _ = ChainHead.objects.select_for_update().get_or_create(
        chain_key=key, defaults={"organization_id": event.organization_id}
    )
    event.sequence = head.last_sequence + 1
    event.previous_hash = head.last_hash
    values = {name: getattr(event, name) for name in HASHED_FIELDS}
    event.hash = event_hash(values, event.previous_hash)
    ChainHead.objects.filter(pk=head.pk).update(
        last_sequence=event.sequence, last_hash=event.hash
    )


@dataclass(frozen=True)
class ChainReport:
    """The result of verifying one chain."""

    chain_key: str
    events_checked: int
    # The first event that does not match, or None when the chain is intact.
    broken_event_id: int | None = None
    broken_sequence: int | None = None
    problem: str = ""

    @property
    def intact(self) -> bool:
        return not self.problem


def _chain_events(organization_id: int | None) -> Iterable[dict[str, Any]]:
    events = ActivityEvent.objects.all()
    if organization_id is None:
        events = events.filter(organization__isnull=True)
    else:
        events = events.filter(organization_id=organization_id)
    fields = ("id", "previous_hash", "hash", *HASHED_FIELDS)
    return events.order_by("sequence").values(*fields).iterator(VERIFY_CHUNK_SIZE)


def chain_verify(organization_id: int | None) -> ChainReport:
    """Recompute one chain and name the first event that breaks it.

    A changed field breaks that event's hash; a removed event leaves a gap in
    the sequence, reported at the event after it; removed newest events show
    as a head that points past the last event.
    """
    key = chain_key_of(organization_id)
    head = ChainHead.objects.filter(chain_key=key).first()
    expected_sequence = (head.anchor_sequence if head else 0) + 1
    expected_previous = head.anchor_hash if head else ""
    checked = 0
    for values in _chain_events(organization_id):
        checked += 1
        problem = ""
        if values["sequence"] != expected_sequence:
            problem = (
                f"sequence {values['sequence']} follows {expected_sequence - 1}: "
                "events between them were removed"
            )
        elif values["previous_hash"] != expected_previous:
            problem = "its link to the previous event does not match"
        elif event_hash(values, values["previous_hash"]) != values["hash"]:
            problem = "its content does not match its hash: it was changed"
        if problem:
            return ChainReport(key, checked, values["id"], values["sequence"], problem)
        expected_sequence += 1
        expected_previous = values["hash"]
    last_sequence = head.last_sequence if head else 0
    if last_sequence != expected_sequence - 1 or (
        head is not None and head.last_hash != expected_previous
    ):
        return ChainReport(
            key,
            checked,
            None,
            expected_sequence,
            f"the chain ends at sequence {expected_sequence - 1} but its head "
            f"records {last_sequence}: the newest events were removed",
        )
    return ChainReport(key, checked)


def chain_keys(organization_id: int | None = None) -> list[int | None]:
    """Return the organization ids of every chain, or only the one asked for."""
    if organization_id is not None:
        return [organization_id]
    ids = ChainHead.objects.order_by("chain_key").values_list(
        "organization_id", flat=True
    )
    return list(ids)

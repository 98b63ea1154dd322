"""The per-organization hash chain that makes changed or removed events visible.

Each event stores `hash = SHA-256(previous_hash + canonical content)`, where the
canonical content is a sorted-key JSON encoding of the fields below. Events
without an organization form a chain of their own.
"""

from __future__ import annotations

import hashlib
import ipaddress
import json
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from typing import Any

from django.db import DatabaseError, connection, transaction

from activity.models import ActivityEvent, ChainHead, chain_key_of
from pingid_portal import rows

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


def canonical_content(values: dict[str, Any]) -> str:
    """Return the JSON text of an event's hashed fields that its hash covers."""
    content = {name: _canonical_value(name, values[name]) for name in HASHED_FIELDS}
    return json.dumps(
        content, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str
    )


def event_hash(values: dict[str, Any], previous_hash: str) -> str:
    """Compute the hash of one event from its field values and its predecessor's hash."""
    encoded = canonical_content(values)
    return hashlib.sha256((previous_hash + encoded).encode("utf-8")).hexdigest()


def chain_lock(organization_id: int | None) -> tuple[int, int, str]:
    """Lock the head row of a chain, creating it if needed, until the transaction ends.

    Returns the head's id, last sequence and last hash. Code that locks other
    rows a PingID API call also locks (a settings file) takes this lock first.
    """
    assert transaction.get_connection().in_atomic_block
    key = chain_key_of(organization_id)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {rows.quote('id')}, {rows.quote('last_sequence')}, "  # noqa: S608
            f"{rows.quote('last_hash')} FROM {rows.table(ChainHead)} "
            f"WHERE {rows.quote('chain_key')} = %s {rows.for_update()}",
            [key],
        )
        found = cursor.fetchone()
    if found is None:
        head, _ = ChainHead.objects.select_for_update().get_or_create(
            chain_key=key, defaults={"organization_id": organization_id}
        )
        found = (head.pk, head.last_sequence, head.last_hash)
    return found


def chain_append(event: ActivityEvent) -> None:
    """Give an unsaved event its sequence and hash, and move the chain head.

    Must run in the transaction that saves the event: the head row stays locked
    until it commits, so concurrent writers of one organization queue here.
    """
    head_id, last_sequence, last_hash = chain_lock(event.organization_id)
    event.sequence = last_sequence + 1
    event.previous_hash = last_hash
    values = {name: getattr(event, name) for name in HASHED_FIELDS}
    event.hash = event_hash(values, event.previous_hash)
    rows.row_update(
        ChainHead,
        head_id,
        last_sequence=event.sequence,
        last_hash=event.hash,
        previous_hash=event.previous_hash,
    )


def event_append(event: ActivityEvent) -> None:
    """Insert an unsaved event at the end of its chain, in the caller's transaction.

    On PostgreSQL one statement locks and moves the chain head and inserts
    the event. The database computes the hash with sha256() over the same
    text as `event_hash`, and the head stays locked only from that statement
    to the commit. Inside `rows.write_batch()` the statements
    are queued, and the event gets its key, sequence and hash when they are
    sent.
    """
    if connection.vendor != "postgresql":
        chain_append(event)
        rows.row_insert(event)
        return
    # The sequence is known only under the lock, so the database writes it
    # between the two parts of the content.
    mark = secrets.token_hex(16)
    values = {name: getattr(event, name) for name in HASHED_FIELDS}
    prefix, found, suffix = canonical_content({**values, "sequence": mark}).partition(
        json.dumps(mark)
    )
    assert found
    key = chain_key_of(event.organization_id)
    head_sql, append_sql, fields = _append_plan()
    params = [
        prefix,
        suffix,
        key,
        *(
            field.get_db_prep_save(field.pre_save(event, True), connection)
            for field in fields
        ),
    ]

    def appended(row: Any) -> None:
        if row is None:
            # The chain's first event: create the head, then append again.
            # organization_create records an event, so an organization's head
            # exists before any PingID API call can lock its settings file.
            with connection.cursor() as cursor:
                cursor.execute(head_sql, [key, event.organization_id])
                cursor.execute(append_sql, params)
                row = cursor.fetchone()
        if row is None:
            raise DatabaseError(f"The activity chain head {key} was not found.")
        event.pk, event.sequence, event.previous_hash, event.hash = row
        event._state.adding = False
        event._state.db = connection.alias

    rows.write(append_sql, params, appended)


# Event columns that `event_append` fills from the moved chain head.
_CHAINED_COLUMNS = {
    "sequence": "head.last_sequence",
    "previous_hash": "head.previous_hash",
    "hash": "head.last_hash",
}


@cache
def _append_plan() -> tuple[str, str, list[Any]]:
    """Return the PostgreSQL statements of `event_append` and its parameter fields.

    The first creates the chain head when the second, which moves the head
    and inserts the event, found none. In an UPDATE, every expression of SET reads
    the row as it was before, also when the row was changed by a transaction
    that this one waited for.
    """
    head = rows.table(ChainHead)
    head_sql = (
        f"INSERT INTO {head} "  # noqa: S608
        "(chain_key, organization_id, last_sequence, last_hash, previous_hash, "
        "anchor_sequence, anchor_hash) VALUES (%s, %s, 0, '', '', 0, '') "
        "ON CONFLICT (chain_key) DO NOTHING"
    )
    event_fields = [
        field for field in ActivityEvent._meta.concrete_fields if not field.primary_key
    ]
    fields = [field for field in event_fields if field.attname not in _CHAINED_COLUMNS]
    selected = ", ".join(
        _CHAINED_COLUMNS.get(field.attname, f"CAST(%s AS {field.db_type(connection)})")
        for field in event_fields
    )
    append_sql = (
        f"WITH head AS (UPDATE {head} SET "  # noqa: S608
        "previous_hash = last_hash, last_sequence = last_sequence + 1, "
        "last_hash = encode(sha256(convert_to(last_hash || CAST(%s AS text) || "
        "CAST(last_sequence + 1 AS text) || CAST(%s AS text), 'UTF8')), 'hex') "
        "WHERE chain_key = %s "
        "RETURNING last_sequence, last_hash, previous_hash) "
        f"INSERT INTO {rows.table(ActivityEvent)} "
        f"({', '.join(rows.quote(field.column) for field in event_fields)}) "
        f"SELECT {selected} FROM head "
        "RETURNING id, sequence, previous_hash, hash"
    )
    return head_sql, append_sql, fields


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

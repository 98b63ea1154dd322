"""Keyset pagination of the users page: pages by the last row seen, not by offset.

A cursor is the sort value and id of a boundary row, base64url-encoded JSON.
Nullable sort fields keep their nulls last in both directions.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import F, OrderBy, Q, QuerySet

from users.models import PingIDUser


@dataclass(frozen=True)
class Sort:
    label: str
    field: str
    ascending: bool
    # True when the field can be null; nulls come last.
    nullable: bool = False
    # True when the field alone orders the organization's users (no id tiebreak).
    unique: bool = False


SORTS: dict[str, Sort] = {
    "username": Sort("Username A to Z", "username_key", True, unique=True),
    "-username": Sort("Username Z to A", "username_key", False, unique=True),
    "-last_authenticated": Sort(
        "Last authentication, newest first", "last_authenticated_at", False, True
    ),
    "last_authenticated": Sort(
        "Last authentication, oldest first", "last_authenticated_at", True, True
    ),
    "-created": Sort("Created, newest first", "created_at", False),
    "created": Sort("Created, oldest first", "created_at", True),
}
DEFAULT_SORT = "username"


@dataclass(frozen=True)
class Page:
    rows: list[PingIDUser]
    next_cursor: str | None
    previous_cursor: str | None


def encode_cursor(sort: Sort, row: PingIDUser) -> str:
    value = getattr(row, sort.field)
    if isinstance(value, datetime):
        value = value.isoformat()
    raw = json.dumps([value, row.pk], ensure_ascii=False).encode("utf-8")
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def decode_cursor(sort: Sort, cursor: str) -> tuple[Any, int] | None:
    """Return the (value, id) of `cursor`, or None when it is malformed."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        value, pk = json.loads(raw.decode("utf-8"))
        if not isinstance(pk, int):
            return None
        if value is not None and sort.field != "username_key":
            value = datetime.fromisoformat(value)
        elif value is not None and not isinstance(value, str):
            return None
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
        return None
    if value is None and not sort.nullable:
        return None
    return value, pk


def _ordering(sort: Sort, forward: bool) -> list[OrderBy]:
    ascending = sort.ascending == forward
    # Nulls stay last on screen, so a backward query puts them first.
    value = (
        F(sort.field).asc(nulls_last=forward or None, nulls_first=not forward or None)
        if ascending
        else F(sort.field).desc(
            nulls_last=forward or None, nulls_first=not forward or None
        )
    )
    if sort.unique:
        return [value]
    return [value, F("id").asc() if ascending else F("id").desc()]


def _beyond(sort: Sort, value: Any, pk: int, forward: bool) -> Q:
    """Return the rows that come after (value, pk) in the direction of travel."""
    ascending = sort.ascending == forward
    greater = "gt" if ascending else "lt"
    field = sort.field
    if value is None:
        # A null boundary: only nulls follow going forward, and every non-null
        # row precedes it going backward.
        same = Q(**{f"{field}__isnull": True, f"id__{greater}": pk})
        return same if forward else same | Q(**{f"{field}__isnull": False})
    condition = Q(**{f"{field}__{greater}": value})
    if not sort.unique:
        condition |= Q(**{field: value, f"id__{greater}": pk})
    if sort.nullable and forward:
        condition |= Q(**{f"{field}__isnull": True})
    return condition


def paginate(
    queryset: QuerySet[PingIDUser],
    sort: Sort,
    *,
    after: str = "",
    before: str = "",
    size: int = 50,
) -> Page:
    """Return one page of `queryset` after the `after` or before the `before` cursor."""
    forward = not before
    boundary = decode_cursor(sort, before or after) if (before or after) else None
    if boundary is not None:
        queryset = queryset.filter(_beyond(sort, *boundary, forward=forward))
    rows = list(queryset.order_by(*_ordering(sort, forward))[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    if not forward:
        rows.reverse()
    if not rows:
        return Page(rows, None, None)
    first, last = encode_cursor(sort, rows[0]), encode_cursor(sort, rows[-1])
    if forward:
        return Page(rows, last if more else None, first if boundary else None)
    return Page(rows, last, first if more else None)

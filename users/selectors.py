"""Read queries on PingID users, scoped to one organization."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Count, F, QuerySet
from django.utils import timezone

from activity.models import ActivityEvent
from devices.models import Device
from users.models import (
    PingIDUser,
    UserService,
    UserStatus,
    bypass_active_q,
    username_key,
)

if TYPE_CHECKING:
    from accounts.models import Organization


def user_get_by_username(
    organization: Organization, username: str
) -> PingIDUser | None:
    """Return the organization's PingID user with `username`, matched without case.

    New usernames are stored without surrounding spaces, so " sam " finds
    "sam". A user stored with the spaces, before usernames were trimmed, is
    still found by its exact name first.
    """
    exact, trimmed = username_key(username), username_key(username.strip())
    users = PingIDUser.objects.for_organization(organization).filter(
        username_key__in={exact, trimmed}
    )
    by_key = {user.username_key: user for user in users}
    return by_key.get(exact) or by_key.get(trimmed)


def user_queryset(organization: Organization) -> QuerySet[PingIDUser]:
    return PingIDUser.objects.for_organization(organization)


def user_list_rows(users: list[PingIDUser]) -> list[UserRow]:
    """Return the rows of the users page: each user with services and device count.

    Two queries for any number of users: services, then device counts.
    """
    ids = [user.pk for user in users]
    services: dict[int, list[UserService]] = {pk: [] for pk in ids}
    for row in UserService.objects.filter(user_id__in=ids).order_by("service"):
        services[row.user_id].append(row)
    counts = dict(
        Device.objects.filter(user_id__in=ids)
        .values_list("user_id")
        .annotate(count=Count("id"))
        .values_list("user_id", "count")
    )
    return [
        UserRow(
            user=user, services=services[user.pk], device_count=counts.get(user.pk, 0)
        )
        for user in users
    ]


@dataclass(frozen=True)
class UserRow:
    user: PingIDUser
    services: list[UserService]
    device_count: int

    @property
    def enabled_services(self) -> list[UserService]:
        return [row for row in self.services if row.enabled]

    @property
    def bypassed_services(self) -> list[UserService]:
        return [row for row in self.services if row.is_bypassed()]


def user_status_counts(queryset: QuerySet[PingIDUser]) -> dict[str, int]:
    """Return the number of users of `queryset` in each status, zero included."""
    counts = dict(
        queryset.order_by()
        .values_list("status")
        .annotate(count=Count("*"))
        .values_list("status", "count")
    )
    return {status: counts.get(status, 0) for status in UserStatus.values}


def user_recent_activity(
    organization: Organization, user: PingIDUser, limit: int = 20
) -> list[ActivityEvent]:
    return list(
        ActivityEvent.objects.for_organization(organization)
        .filter(pingid_user_id=user.pk)
        .order_by("-occurred_at", "-id")[:limit]
    )


def bypassed_services(organization: Organization) -> QuerySet[UserService]:
    """Return every service in bypass now, soonest end first, unlimited last."""
    return (
        UserService.objects.filter(
            bypass_active_q(timezone.now()), user__organization=organization
        )
        .select_related("user")
        .order_by(
            F("bypass_until").asc(nulls_last=True), "user__username_key", "service"
        )
    )

"""Read queries on PingID users, scoped to one organization."""

from __future__ import annotations

from typing import TYPE_CHECKING

from users.models import PingIDUser, username_key

if TYPE_CHECKING:
    from accounts.models import Organization


def user_get_by_username(
    organization: Organization, username: str
) -> PingIDUser | None:
    """Return the organization's PingID user with `username`, matched without case."""
    return (
        PingIDUser.objects.for_organization(organization)
        .filter(username_key=username_key(username))
        .first()
    )

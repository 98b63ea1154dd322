"""Scoped read queries of administrators and API tokens."""

from __future__ import annotations

from django.db.models import QuerySet

from accounts.models import ApiToken, Membership, Organization


def administrator_list(*, organization: Organization) -> QuerySet[Membership]:
    """Return the organization's administrators, by e-mail address."""
    return (
        Membership.objects.for_organization(organization)
        .select_related("user")
        .order_by("user__email", "pk")
    )


def api_token_list(*, membership: Membership) -> QuerySet[ApiToken]:
    """Return an administrator's own API tokens, newest first, revoked ones too."""
    return ApiToken.objects.filter(membership=membership).order_by("-created_at", "-pk")

"""The one tenancy mechanism: every query is scoped to one organization.

Models that belong to an organization use `OrganizationQuerySet` as their
manager. Views fetch objects only through `get_for_organization`, so an object
of another organization is a 404 and its existence never leaks.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.functional import SimpleLazyObject

if TYPE_CHECKING:
    from accounts.models import Membership, Organization

ModelT = TypeVar("ModelT", bound=models.Model)


class OrganizationQuerySet(models.QuerySet[ModelT]):
    """A queryset whose model has an `organization` foreign key."""

    def for_organization(
        self, organization: Organization
    ) -> OrganizationQuerySet[ModelT]:
        return self.filter(organization=organization)


def get_for_organization(
    queryset: models.QuerySet[ModelT], organization: Organization | None, **lookup: Any
) -> ModelT:
    """Fetch one object of `organization`, or raise Http404.

    Malformed lookups (a non-numeric id, say) are a 404 as well, never a 500.
    """
    if organization is None:
        raise Http404("No organization.")
    try:
        return queryset.filter(organization=organization).get(**lookup)
    except (ObjectDoesNotExist, ValueError, TypeError) as error:
        raise Http404(
            f"No {queryset.model._meta.verbose_name} matches the given query."
        ) from error


def membership_of(user: Any) -> Membership | None:
    """Return the membership of an authenticated, active Django user, else None."""
    if (
        user is None
        or not getattr(user, "is_authenticated", False)
        or not user.is_active
    ):
        return None
    from accounts.models import Membership

    try:
        return Membership.objects.select_related("organization", "user").get(user=user)
    except Membership.DoesNotExist:
        return None


def _organization_of(membership: Membership | None) -> Organization | None:
    return membership.organization if membership else None


class TenancyMiddleware:
    """Attach `request.membership` and `request.organization` for portal views."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        loaded: dict[str, Membership | None] = {}

        def load_membership() -> Membership | None:
            if "membership" not in loaded:
                loaded["membership"] = membership_of(getattr(request, "user", None))
            return loaded["membership"]

        request.membership = SimpleLazyObject(load_membership)  # type: ignore[attr-defined]
        request.organization = SimpleLazyObject(  # type: ignore[attr-defined]
            lambda: _organization_of(load_membership())
        )
        return self.get_response(request)

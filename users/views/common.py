"""Helpers shared by the portal views of the users area."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect

from activity.models import ActivityEvent
from pingid_portal.errors import ServiceError
from pingid_portal.http import PortalRequest
from pingid_portal.tenancy import get_for_organization
from pingid_portal.times import local_time_text
from users.models import PingIDUser


def user_get(request: PortalRequest, user_id: int) -> PingIDUser:
    """Fetch a PingID user of the administrator's organization, or raise Http404."""
    return get_for_organization(
        PingIDUser.objects.all(), request.organization, pk=user_id
    )


def user_for_action(request: PortalRequest, user_id: int) -> PingIDUser | HttpResponse:
    """Fetch the user a page or action is about.

    A user of this organization that was removed (perhaps by another
    administrator a moment ago) redirects to the users page with a message
    naming who removed it, instead of a 404 page. Any other unknown id is a 404.
    """
    user = PingIDUser.objects.filter(
        organization=request.organization, pk=user_id
    ).first()
    if user is not None:
        return user
    removal = (
        ActivityEvent.objects.for_organization(request.organization)
        .filter(pingid_user_id=user_id, action="user.remove")
        .order_by("-occurred_at")
        .first()
    )
    if removal is None:
        raise Http404("No PingID user matches the given query.")
    when = local_time_text(removal.occurred_at)
    messages.error(
        request,
        f"PingID user {removal.pingid_username!r} no longer exists: "
        f"{removal.actor_display} removed it at {when}. Nothing was changed.",
    )
    return redirect("users:user_list")


def conflict_redirect(
    request: PortalRequest, error: ServiceError, user: PingIDUser
) -> HttpResponse:
    """Flash a conflict and go where the administrator can see the current state."""
    messages.error(request, error.message)
    if error.code == "user_removed":
        return redirect("users:user_list")
    return redirect("users:user_detail", user_id=user.pk)

"""Helpers shared by the portal views of the users area."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect

from pingid_portal.errors import ServiceError
from pingid_portal.http import PortalRequest
from pingid_portal.tenancy import get_for_organization
from users.models import PingIDUser


def user_get(request: PortalRequest, user_id: int) -> PingIDUser:
    """Fetch a PingID user of the administrator's organization, or raise Http404."""
    return get_for_organization(
        PingIDUser.objects.all(), request.organization, pk=user_id
    )


def user_for_action(request: PortalRequest, user_id: int) -> PingIDUser | HttpResponse:
    """Fetch the user an action form is about.

    A POST for a user that was removed meanwhile (another administrator was
    quicker) redirects to the users page with a message instead of a 404 page.
    """
    if request.method == "POST":
        user = PingIDUser.objects.filter(
            organization=request.organization, pk=user_id
        ).first()
        if user is None:
            username = request.POST.get("username", "")
            name = f"PingID user {username!r}" if username else "This PingID user"
            messages.error(
                request,
                f"{name} no longer exists: another administrator or a client "
                "removed it. Nothing was changed; the activity log shows the removal.",
            )
            return redirect("users:user_list")
        return user
    return user_get(request, user_id)


def form_add_service_error(form: forms.Form, error: ServiceError) -> None:
    """Show a service error beside its field, or above the form."""
    field = error.field if error.field in form.fields else None
    form.add_error(field, error.message)


def conflict_redirect(
    request: PortalRequest, error: ServiceError, user: PingIDUser
) -> HttpResponse:
    """Flash a conflict and go where the administrator can see the current state."""
    messages.error(request, error.message)
    if error.code == "user_removed":
        return redirect("users:user_list")
    return redirect("users:user_detail", user_id=user.pk)

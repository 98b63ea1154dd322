"""Portal views shared by every area: the access decorator, error pages, dashboard."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django import forms
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django_htmx.http import HttpResponseClientRedirect

from pingid_portal.errors import ServiceError, error_envelope
from pingid_portal.http import PortalRequest
from pingid_portal.permissions import Action, require_permission

PortalView = Callable[..., HttpResponse]


def portal_view(action: Action = Action.VIEW) -> Callable[[PortalView], PortalView]:
    """Let in only signed-in administrators whose role may perform `action`."""

    def decorator(view: PortalView) -> PortalView:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                if getattr(request, "htmx", False):
                    # A swapped-in sign-in page would land inside a panel, so the
                    # response makes htmx load the sign-in page as a whole page.
                    login = redirect_to_login(request.htmx.current_url_abs_path or "/")  # type: ignore[attr-defined]
                    return HttpResponseClientRedirect(login["Location"])
                return redirect_to_login(request.get_full_path())
            if not request.user.is_verified():  # type: ignore[attr-defined]
                # Signed in with a password only: the MFA step comes next.
                return redirect_to_login(
                    request.get_full_path(), login_url="accounts:mfa_verify"
                )
            membership = request.membership  # type: ignore[attr-defined]
            if not membership:
                raise PermissionDenied(
                    "Your account is not an administrator of any organization."
                )
            require_permission(membership.role, action)
            # Times on the page are shown in the administrator's own time zone.
            with timezone.override(membership.time_zone):
                return view(request, *args, **kwargs)

        wrapper.portal_action = action  # type: ignore[attr-defined]
        return wrapper

    return decorator


def form_add_service_error(form: forms.Form, error: ServiceError) -> None:
    """Show a service error beside its field, or above the form as a non-field error."""
    field = error.field if error.field in form.fields else None
    form.add_error(field, error.message)


def _wants_json(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def handler403(
    request: HttpRequest, exception: Exception | None = None
) -> HttpResponse:
    message = (
        str(exception)
        if exception and str(exception)
        else "You may not open this page."
    )
    if _wants_json(request):
        return JsonResponse(error_envelope("permission_denied", message), status=403)
    context = {
        "code": 403,
        "headline": "You may not open this page",
        "detail": f"{message} If you need it, ask a global administrator of your organization.",
    }
    return render(request, "errors/error.html", context, status=403)


def handler404(
    request: HttpRequest, exception: Exception | None = None
) -> HttpResponse:
    if _wants_json(request):
        return JsonResponse(error_envelope("not_found", "Not found."), status=404)
    context = {
        "code": 404,
        "headline": "Page not found",
        "detail": "The page or record does not exist, or it was removed. "
        "Check the address, or go back to the dashboard.",
    }
    return render(request, "errors/error.html", context, status=404)


def handler500(request: HttpRequest) -> HttpResponse:
    if _wants_json(request):
        message = "Internal server error. The error has been logged; try again later."
        return JsonResponse(error_envelope("server_error", message), status=500)
    return render(request, "errors/500.html", status=500)


@portal_view()
def dashboard(request: PortalRequest) -> HttpResponse:
    from activity.dashboard import dashboard_context

    period = request.GET.get("period", "day")
    context = dashboard_context(
        request.organization, period, request.membership.time_zone
    )
    return render(request, "dashboard.html", context)

"""The administrators page: list, add, change role, disable, re-enable, remove."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from accounts import selectors, services
from accounts.forms import (
    AdministratorCreateForm,
    AdministratorReasonForm,
    AdministratorRoleForm,
)
from accounts.models import Membership
from accounts.views.common import error_status
from pingid_portal.actors import Actor
from pingid_portal.errors import ServiceError
from pingid_portal.http import PortalRequest
from pingid_portal.permissions import Action, Role
from pingid_portal.tenancy import get_for_organization
from pingid_portal.views import form_add_service_error, portal_view

# Filter chips of the list: name to (label, condition).
LIST_FILTERS: dict[str, tuple[str, Q]] = {
    "all": ("All", Q()),
    "active": ("Active", Q(user__is_active=True)),
    "disabled": ("Disabled", Q(user__is_active=False)),
    Role.GLOBAL_ADMIN.value: (Role.GLOBAL_ADMIN.label, Q(role=Role.GLOBAL_ADMIN)),
    Role.HELP_DESK.value: (Role.HELP_DESK.label, Q(role=Role.HELP_DESK)),
    Role.AUDITOR.value: (Role.AUDITOR.label, Q(role=Role.AUDITOR)),
}


def _administrator_get(request: PortalRequest, administrator_id: int) -> Membership:
    return get_for_organization(
        Membership.objects.select_related("user"),
        request.organization,
        pk=administrator_id,
    )


def _filter_chips(request: PortalRequest, current: str) -> list[dict[str, object]]:
    administrators = selectors.administrator_list(organization=request.organization)
    counts = administrators.aggregate(
        **{
            name: Count("pk", filter=condition)
            for name, (_, condition) in LIST_FILTERS.items()
        }
    )
    return [
        {"name": name, "label": label, "count": counts[name], "active": name == current}
        for name, (label, _) in LIST_FILTERS.items()
    ]


@portal_view(Action.ADMINISTRATOR_VIEW)
@require_GET
def administrator_list(request: PortalRequest) -> HttpResponse:
    current = request.GET.get("filter", "all")
    if current not in LIST_FILTERS:
        current = "all"

    administrators = selectors.administrator_list(
        organization=request.organization
    ).filter(LIST_FILTERS[current][1])

    context = {
        "administrators": administrators,
        "chips": _filter_chips(request, current),
        "current_filter": current,
    }
    template = "accounts/administrator_list.html"
    if request.htmx and not request.htmx.boosted:
        template += "#table"
    return render(request, template, context)


@portal_view(Action.ADMINISTRATOR_MANAGE)
@require_http_methods(["GET", "POST"])
def administrator_create(request: PortalRequest) -> HttpResponse:
    form = AdministratorCreateForm(request.POST if request.method == "POST" else None)
    if request.method != "POST":
        return render(request, "accounts/administrator_create.html", {"form": form})
    if not form.is_valid():
        messages.error(request, "Administrator not added: correct the marked fields.")
        return render(
            request, "accounts/administrator_create.html", {"form": form}, status=400
        )

    try:
        membership, password = services.administrator_create(
            actor=Actor.from_request(request), **form.cleaned_data
        )
    except ServiceError as error:
        form_add_service_error(form, error)
        messages.error(request, "Administrator not added.")
        return render(
            request,
            "accounts/administrator_create.html",
            {"form": form},
            status=error_status(error),
        )

    messages.success(request, f"Administrator {membership.user.email} added.")
    response = render(
        request,
        "accounts/administrator_created.html",
        {"administrator": membership, "password": password},
    )
    # The generated password is shown once, so no cache may keep this page.
    add_never_cache_headers(response)
    return response


def _detail_response(
    request: PortalRequest,
    membership: Membership,
    *,
    role_form: AdministratorRoleForm | None = None,
    reason_form: AdministratorReasonForm | None = None,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    context = {
        "administrator": membership,
        "role_form": role_form
        or AdministratorRoleForm(initial={"role": membership.role}),
        "reason_form": reason_form or AdministratorReasonForm(),
        "error": error,
    }
    template = "accounts/administrator_detail.html"
    if request.htmx:
        template += "#panel"
    return render(request, template, context, status=status)


def _action_done(request: PortalRequest, membership: Membership) -> HttpResponse:
    """Respond to a successful change: the panel for htmx, else a redirect to the detail page."""
    if request.htmx:
        membership.refresh_from_db()
        membership.user.refresh_from_db()
        return _detail_response(request, membership)
    return redirect("accounts:administrator_detail", administrator_id=membership.pk)


@portal_view(Action.ADMINISTRATOR_VIEW)
@require_GET
def administrator_detail(request: PortalRequest, administrator_id: int) -> HttpResponse:
    membership = _administrator_get(request, administrator_id)
    return _detail_response(request, membership)


@portal_view(Action.ADMINISTRATOR_MANAGE)
@require_POST
def administrator_change_role(
    request: PortalRequest, administrator_id: int
) -> HttpResponse:
    membership = _administrator_get(request, administrator_id)

    form = AdministratorRoleForm(request.POST)
    if not form.is_valid():
        return _detail_response(request, membership, role_form=form, status=400)

    try:
        services.administrator_change_role(
            actor=Actor.from_request(request),
            membership=membership,
            role=form.cleaned_data["role"],
        )
    except ServiceError as error:
        form_add_service_error(form, error)
        messages.error(request, f"Role of {membership.user.email} not changed.")
        return _detail_response(
            request, membership, role_form=form, status=error_status(error)
        )

    label = Role(form.cleaned_data["role"]).label.lower()
    messages.success(request, f"{membership.user.email} is now {label}.")
    return _action_done(request, membership)


def _set_active(
    request: PortalRequest, administrator_id: int, *, active: bool
) -> HttpResponse:
    membership = _administrator_get(request, administrator_id)

    form = AdministratorReasonForm(request.POST)
    if not form.is_valid():
        return _detail_response(request, membership, reason_form=form, status=400)

    verb = "re-enabled" if active else "disabled"
    try:
        services.administrator_set_active(
            actor=Actor.from_request(request),
            membership=membership,
            active=active,
            reason=form.cleaned_data["reason"],
        )
    except ServiceError as error:
        messages.error(request, f"{membership.user.email} was not {verb}.")
        return _detail_response(
            request,
            membership,
            reason_form=form,
            error=error.message,
            status=error_status(error),
        )

    messages.success(request, f"{membership.user.email} {verb}.")
    return _action_done(request, membership)


@portal_view(Action.ADMINISTRATOR_MANAGE)
@require_POST
def administrator_disable(
    request: PortalRequest, administrator_id: int
) -> HttpResponse:
    return _set_active(request, administrator_id, active=False)


@portal_view(Action.ADMINISTRATOR_MANAGE)
@require_POST
def administrator_enable(request: PortalRequest, administrator_id: int) -> HttpResponse:
    return _set_active(request, administrator_id, active=True)


@portal_view(Action.ADMINISTRATOR_MANAGE)
@require_http_methods(["GET", "POST"])
def administrator_remove(request: PortalRequest, administrator_id: int) -> HttpResponse:
    membership = _administrator_get(request, administrator_id)
    template = "accounts/administrator_remove.html"

    form = AdministratorReasonForm(request.POST if request.method == "POST" else None)
    if request.method != "POST" or not form.is_valid():
        status = 400 if request.method == "POST" else 200
        context = {"administrator": membership, "form": form}
        return render(request, template, context, status=status)

    try:
        services.administrator_remove(
            actor=Actor.from_request(request),
            membership=membership,
            reason=form.cleaned_data["reason"],
        )
    except ServiceError as error:
        form_add_service_error(form, error)
        messages.error(request, f"{membership.user.email} was not removed.")
        context = {"administrator": membership, "form": form}
        return render(request, template, context, status=error_status(error))

    messages.success(request, f"{membership.user.email} removed.")
    if request.htmx:
        return HttpResponseClientRedirect(reverse("accounts:administrator_list"))
    return redirect("accounts:administrator_list")

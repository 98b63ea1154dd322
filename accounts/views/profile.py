"""The profile page: the administrator's own time zone and API tokens."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_GET, require_POST

from accounts import selectors, services
from accounts.forms import ApiTokenCreateForm, TimeZoneForm
from accounts.models import ApiToken
from accounts.views.common import error_status
from pingid_portal.actors import Actor
from pingid_portal.errors import ServiceError
from pingid_portal.http import PortalRequest
from pingid_portal.permissions import Action
from pingid_portal.tenancy import get_for_organization
from pingid_portal.views import form_add_service_error, portal_view


def _profile_response(
    request: PortalRequest,
    *,
    time_zone_form: TimeZoneForm | None = None,
    token_form: ApiTokenCreateForm | None = None,
    new_token: str = "",
    status: int = 200,
) -> HttpResponse:
    membership = request.membership
    context = {
        "time_zone_form": time_zone_form
        or TimeZoneForm(initial={"time_zone": membership.time_zone}),
        "token_form": token_form or ApiTokenCreateForm(),
        "tokens": selectors.api_token_list(membership=membership),
        "new_token": new_token,
    }
    response = render(request, "accounts/profile.html", context, status=status)
    if new_token:
        # The token's secret value is shown once, so no cache may keep this page.
        add_never_cache_headers(response)
    return response


@portal_view()
@require_GET
def profile(request: PortalRequest) -> HttpResponse:
    return _profile_response(request)


@portal_view(Action.PROFILE_CHANGE)
@require_POST
def profile_time_zone(request: PortalRequest) -> HttpResponse:
    form = TimeZoneForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Time zone not changed: correct the marked field.")
        return _profile_response(request, time_zone_form=form, status=400)

    try:
        services.administrator_set_time_zone(
            actor=Actor.from_request(request),
            time_zone=form.cleaned_data["time_zone"],
        )
    except ServiceError as error:
        form_add_service_error(form, error)
        return _profile_response(
            request, time_zone_form=form, status=error_status(error)
        )

    messages.success(request, f"Time zone set to {form.cleaned_data['time_zone']}.")
    return redirect("accounts:profile")


@portal_view(Action.API_TOKEN_OWN)
@require_POST
def api_token_create(request: PortalRequest) -> HttpResponse:
    form = ApiTokenCreateForm(request.POST)
    if not form.is_valid():
        messages.error(request, "API token not created: correct the marked field.")
        return _profile_response(request, token_form=form, status=400)

    try:
        api_token, secret = services.api_token_create(
            actor=Actor.from_request(request), name=form.cleaned_data["name"]
        )
    except ServiceError as error:
        form_add_service_error(form, error)
        return _profile_response(request, token_form=form, status=error_status(error))

    messages.success(
        request,
        f"API token {api_token.name} created. Copy it now: it is not shown again.",
    )
    return _profile_response(request, new_token=secret)


@portal_view(Action.API_TOKEN_OWN)
@require_POST
def api_token_revoke(request: PortalRequest, token_id: int) -> HttpResponse:
    api_token = get_for_organization(
        ApiToken.objects.filter(membership=request.membership),
        request.organization,
        pk=token_id,
    )

    try:
        services.api_token_revoke(
            actor=Actor.from_request(request), api_token=api_token
        )
    except ServiceError as error:
        messages.error(request, error.message)
        return _profile_response(request, status=error_status(error))

    messages.success(request, f"API token {api_token.name} revoked.")
    return redirect("accounts:profile")

"""The Integrations page: settings files, the third-party clients switch, test connection."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from integrations import selectors
from integrations.connection_test import settings_file_connection_test
from integrations.forms import (
    SettingsFileGenerateForm,
    SettingsFileRevokeForm,
    ThirdPartyClientsForm,
)
from integrations.models import SettingsFile
from integrations.properties import idp_url
from integrations.services import (
    MAX_ACTIVE_SETTINGS_FILES_PER_KIND,
    settings_file_download,
    settings_file_generate,
    settings_file_revoke,
    third_party_clients_set,
)
from pingid_portal.actors import Actor
from pingid_portal.errors import ServiceError
from pingid_portal.http import PortalRequest
from pingid_portal.permissions import Action
from pingid_portal.tenancy import get_for_organization
from pingid_portal.views import portal_view


def _page(
    request: PortalRequest,
    *,
    generate_form: SettingsFileGenerateForm | None = None,
    switch_form: ThirdPartyClientsForm | None = None,
    status: int = 200,
) -> HttpResponse:
    organization = request.organization
    files = list(selectors.settings_file_list(organization))
    context = {
        "settings_files": files,
        "active_files": [item for item in files if item.is_active],
        "switch": selectors.third_party_clients_switch(organization),
        "generate_form": generate_form or SettingsFileGenerateForm(),
        "switch_form": switch_form or ThirdPartyClientsForm(),
        "idp_url": idp_url(),
        "max_active": MAX_ACTIVE_SETTINGS_FILES_PER_KIND,
    }
    return render(
        request, "integrations/settings_file_list.html", context, status=status
    )


@portal_view()
def settings_file_list(request: PortalRequest) -> HttpResponse:
    return _page(request)


@portal_view(Action.INTEGRATION_MANAGE)
@require_POST
def settings_file_generate_view(request: PortalRequest) -> HttpResponse:
    form = SettingsFileGenerateForm(request.POST)

    if not form.is_valid():
        return _page(request, generate_form=form, status=400)

    try:
        settings_file = settings_file_generate(
            actor=Actor.from_request(request), kind=form.cleaned_data["kind"]
        )
    except ServiceError as error:
        form.add_error("kind" if error.field == "kind" else None, error.message)
        messages.error(request, "No settings file was generated.")
        return _page(request, generate_form=form, status=400)

    messages.success(
        request,
        f"Generated {settings_file.get_kind_display().lower()} settings file "
        f"{settings_file.token}. Download it and hand it to the integration.",
    )
    return redirect("integrations:settings_file_list")


@portal_view(Action.INTEGRATION_MANAGE)
@require_POST
def settings_file_download_view(
    request: PortalRequest, settings_file_id: int
) -> HttpResponse:
    settings_file: SettingsFile = get_for_organization(
        SettingsFile.objects.all(), request.organization, pk=settings_file_id
    )

    try:
        text = settings_file_download(
            actor=Actor.from_request(request), settings_file=settings_file
        )
    except ServiceError as error:
        messages.error(request, error.message)
        return redirect("integrations:settings_file_list")

    response = HttpResponse(text, content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="pingid.properties"'
    response["Cache-Control"] = "no-store"
    return response


@portal_view(Action.INTEGRATION_MANAGE)
def settings_file_revoke_view(
    request: PortalRequest, settings_file_id: int
) -> HttpResponse:
    """Show the confirmation with the file's last use; revoke on POST."""
    settings_file: SettingsFile = get_for_organization(
        SettingsFile.objects.all(), request.organization, pk=settings_file_id
    )

    form = SettingsFileRevokeForm(request.POST or None)
    if request.method != "POST" or not form.is_valid():
        context = {"settings_file": settings_file, "form": form}
        return render(request, "integrations/settings_file_revoke.html", context)

    try:
        settings_file_revoke(
            actor=Actor.from_request(request),
            settings_file=settings_file,
            reason=form.cleaned_data["reason"],
        )
    except ServiceError as error:
        messages.error(request, error.message)
        return redirect("integrations:settings_file_list")

    messages.success(
        request,
        f"Revoked settings file {settings_file.token}: every call signed with it now fails.",
    )
    return redirect("integrations:settings_file_list")


@portal_view(Action.INTEGRATION_MANAGE)
@require_POST
def third_party_clients_view(request: PortalRequest) -> HttpResponse:
    form = ThirdPartyClientsForm(request.POST)

    if not form.is_valid():
        return _page(request, switch_form=form, status=400)

    enabled = form.cleaned_data["enabled"]
    try:
        third_party_clients_set(
            actor=Actor.from_request(request),
            enabled=enabled,
            reason=form.cleaned_data["reason"],
        )
    except ServiceError as error:
        form.add_error("reason" if error.field == "reason" else None, error.message)
        messages.error(request, "The switch was not changed.")
        return _page(request, switch_form=form, status=400)

    state = "on" if enabled else "off"
    messages.success(
        request, f"PingID authentication for third-party clients is {state}."
    )
    return redirect("integrations:settings_file_list")


@portal_view(Action.INTEGRATION_MANAGE)
@require_POST
def settings_file_test_view(
    request: PortalRequest, settings_file_id: int
) -> HttpResponse:
    settings_file = get_for_organization(
        SettingsFile.objects.select_related("organization"),
        request.organization,
        pk=settings_file_id,
    )

    result = settings_file_connection_test(
        actor=Actor.from_request(request), settings_file=settings_file
    )

    context = {"settings_file": settings_file, "result": result}
    if request.htmx:
        return render(
            request, "integrations/settings_file_list.html#connection_result", context
        )
    level = messages.SUCCESS if result.ok else messages.ERROR
    messages.add_message(
        request, level, f"Test connection of {settings_file.token}: {result.message}"
    )
    return redirect("integrations:settings_file_list")

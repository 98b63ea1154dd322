"""Portal pages of the activity log: events, a user's timeline, exports, integrity."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from accounts.models import Membership
from activity.exports import export_path
from activity.integrity import integrity_check_request
from activity.models import (
    ActivityEvent,
    Category,
    Export,
    ExportFormat,
    ExportStatus,
    IntegrityCheck,
    Outcome,
)
from activity.selectors import (
    FILTER_PARAMETERS,
    event_filter,
    event_page,
    export_list,
    filter_parameters,
)
from activity.services import export_create, export_retry
from pingid_portal.actors import Actor
from pingid_portal.errors import ServiceError
from pingid_portal.http import PortalRequest
from pingid_portal.permissions import Action
from pingid_portal.tenancy import get_for_organization
from pingid_portal.views import portal_view
from users.models import PingIDUser, Service


def _event_context(request: PortalRequest, fixed: dict[str, str]) -> dict[str, Any]:
    params = request.GET.copy()
    for name, value in fixed.items():
        params[name] = value
    filterset = event_filter(request.organization, params, request.membership.time_zone)
    page = None
    cursor_error = ""
    if filterset.is_valid():
        try:
            page = event_page(filterset.qs, request.GET.get("cursor"))
        except ServiceError as error:
            cursor_error = error.message
    query = filter_parameters(params)
    return {
        "filterset": filterset,
        "form": filterset.form,
        "page": page,
        "cursor_error": cursor_error,
        "filter_query": _query_string(query),
        "export_filter": query,
        "is_filtered": bool(query),
        "administrators": Membership.objects.filter(
            organization=request.organization
        ).select_related("user"),
        "outcomes": Outcome.choices,
        "categories": Category.choices,
        "services": Service.choices,
        "formats": ExportFormat.choices,
        "selected_outcomes": request.GET.getlist("outcome"),
    }


def _query_string(query: dict[str, list[str]]) -> str:
    from urllib.parse import urlencode

    return urlencode(
        [(name, value) for name, values in query.items() for value in values]
    )


def _render_events(request: PortalRequest, context: dict[str, Any]) -> HttpResponse:
    template = "activity/event_list.html"
    if request.htmx and request.htmx.target == "results":
        template += "#results"
    status = 200 if context["filterset"].is_valid() else 400
    return render(request, template, context, status=status)


@portal_view()
def event_list(request: PortalRequest) -> HttpResponse:
    context = _event_context(request, {})
    context["title"] = "Activity"
    return _render_events(request, context)


@portal_view()
def user_timeline(request: PortalRequest, pingid_user_id: int) -> HttpResponse:
    context = _event_context(request, {"pingid_user": str(pingid_user_id)})
    username = (
        PingIDUser.objects.filter(organization=request.organization, pk=pingid_user_id)
        .values_list("username", flat=True)
        .first()
    )
    if username is None:
        # The user was removed; the history stays under the stored username.
        history = ActivityEvent.objects.filter(
            organization=request.organization, pingid_user_id=pingid_user_id
        )
        username = history.values_list("pingid_username", flat=True).first()
        if username is None:
            raise Http404("No PingID user or activity with this id.")
    context["title"] = f"Timeline of {username}"
    context["timeline_user_id"] = pingid_user_id
    return _render_events(request, context)


@portal_view(Action.ACTIVITY_EXPORT)
@require_POST
def export_start(request: PortalRequest) -> HttpResponse:
    actor = Actor.from_request(request)
    try:
        export = export_create(
            actor=actor,
            params=request.POST,
            format=request.POST.get("format", ExportFormat.CSV),
            gzip=request.POST.get("gzip") == "on",
            time_zone=request.membership.time_zone,
        )
    except ServiceError as error:
        if error.field in FILTER_PARAMETERS:
            # The events page shows the filter's errors under the labels it
            # shows, so the flash line only states what did not happen.
            messages.error(
                request,
                "Export not started: the filter is invalid. Correct it below, "
                "then export again.",
            )
        else:
            messages.error(request, error.message)
        return redirect(
            f"{_events_url()}?{_query_string(filter_parameters(request.POST))}"
        )
    messages.success(request, f"Export {export.pk} started.")
    return redirect("activity:export_detail", export_id=export.pk)


def _events_url() -> str:
    from django.urls import reverse

    return reverse("activity:event_list")


@portal_view(Action.ACTIVITY_EXPORT)
def export_detail(request: PortalRequest, export_id: int) -> HttpResponse:
    export = get_for_organization(
        Export.objects.all(), request.organization, pk=export_id
    )
    template = "activity/export_detail.html"
    if request.htmx:
        template += "#status"
    context = {
        "export": export,
        "filter_query": _query_string(export.filter),
        "recent": export_list(request.organization),
    }
    return render(request, template, context)


@portal_view(Action.ACTIVITY_EXPORT)
@require_POST
def export_retry_view(request: PortalRequest, export_id: int) -> HttpResponse:
    export = get_for_organization(
        Export.objects.all(), request.organization, pk=export_id
    )
    try:
        export_retry(actor=Actor.from_request(request), export=export)
    except ServiceError as error:
        messages.error(request, error.message)
    return redirect("activity:export_detail", export_id=export.pk)


# FileResponse streams, so it is not an HttpResponse in the stubs.
@portal_view(Action.ACTIVITY_EXPORT)  # type: ignore[arg-type]
def export_download(request: PortalRequest, export_id: int) -> FileResponse:
    export = get_for_organization(
        Export.objects.all(), request.organization, pk=export_id
    )
    return export_file_response(export)


def export_file_response(export: Export) -> FileResponse:
    """Send a finished export's file; anything else is a 404."""
    path = export_path(export)
    if export.status != ExportStatus.SUCCEEDED or path is None or not path.exists():
        raise Http404("The export has no file: it is not finished, failed or expired.")
    content_type = (
        "text/csv" if export.format == ExportFormat.CSV else "application/jsonl"
    )
    response = FileResponse(
        open(path, "rb"),  # noqa: SIM115 - FileResponse closes it
        as_attachment=True,
        filename=export.file_name,
        content_type="application/gzip" if export.gzip else content_type,
    )
    if not export.gzip:
        response["Content-Type"] = f"{content_type}; charset=utf-8"
    return response


# Checks listed on the integrity page, the latest first.
INTEGRITY_HISTORY = 10


@portal_view()
@require_http_methods(["GET", "POST"])
def integrity(request: PortalRequest) -> HttpResponse:
    """Show the latest chain checks; POST queues one (run by a Celery task)."""
    if request.method == "POST":
        integrity_check_request(actor=Actor.from_request(request))
        if not request.htmx:
            return redirect("activity:integrity")
    checks = list(
        IntegrityCheck.objects.for_organization(request.organization)[
            :INTEGRITY_HISTORY
        ]
    )
    template = "activity/integrity.html"
    if request.htmx:
        template += "#report"
    return render(
        request,
        template,
        {"latest": checks[0] if checks else None, "earlier": checks[1:]},
    )

"""CSV import: upload a file, preview every row's outcome, then apply it."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django_htmx.http import HttpResponseClientRefresh

from pingid_portal.actors import Actor
from pingid_portal.errors import ServiceError
from pingid_portal.http import PortalRequest
from pingid_portal.permissions import Action
from pingid_portal.tenancy import get_for_organization
from pingid_portal.views import form_add_service_error, portal_view
from users.forms import ImportUploadForm
from users.imports import import_apply as apply_import
from users.imports import import_counts, import_is_running
from users.imports import import_preview as preview_import
from users.models import ImportStatus, UserImport


@portal_view(Action.USER_MANAGE)
def import_upload(request: PortalRequest) -> HttpResponse:
    form = ImportUploadForm(request.POST or None, request.FILES or None)

    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            user_import = preview_import(
                actor=Actor.from_request(request),
                file_name=upload.name or "upload.csv",
                data=upload.read(),
            )
        except ServiceError as error:
            form_add_service_error(form, error)
        else:
            return redirect("users:import_preview", import_id=user_import.pk)

    return render(request, "users/import_upload.html", {"form": form})


@portal_view(Action.USER_MANAGE)
def import_preview(request: PortalRequest, import_id: int) -> HttpResponse:
    user_import = get_for_organization(
        UserImport.objects.all(), request.organization, pk=import_id
    )
    running = import_is_running(user_import, timezone.now())
    if request.htmx and not running:
        # The apply finished or stopped: reload the whole page with the results.
        return HttpResponseClientRefresh()
    context = {
        "user_import": user_import,
        "counts": import_counts(user_import.rows),
        "applied": user_import.status == ImportStatus.APPLIED,
        "running": running,
        "stopped": user_import.status == ImportStatus.APPLYING and not running,
        "done_counts": import_counts(user_import.rows[: user_import.rows_applied]),
        "rows_left": len(user_import.rows) - user_import.rows_applied,
    }
    template = "users/import_preview.html"
    if request.htmx:
        template += "#progress"
    return render(request, template, context)


@portal_view(Action.USER_MANAGE)
def import_apply(request: PortalRequest, import_id: int) -> HttpResponse:
    user_import = get_for_organization(
        UserImport.objects.all(), request.organization, pk=import_id
    )
    if request.method != "POST":
        return redirect("users:import_preview", import_id=user_import.pk)

    try:
        user_import = apply_import(
            actor=Actor.from_request(request), user_import=user_import
        )
    except ServiceError as error:
        messages.error(request, error.message)
        return redirect("users:import_preview", import_id=user_import.pk)

    if user_import.status != ImportStatus.APPLIED:
        messages.info(
            request,
            f"Applying {len(user_import.rows) - user_import.rows_applied} rows in "
            "the background: this page shows the progress.",
        )
        return redirect("users:import_preview", import_id=user_import.pk)
    counts = import_counts(user_import.rows)
    messages.success(
        request,
        f"Import applied: {counts['create']} created, {counts['update']} updated, "
        f"{counts['unchanged']} unchanged, {counts['error']} rows with errors.",
    )
    return redirect("users:import_preview", import_id=user_import.pk)

"""Bulk actions: choose users, confirm the action, then watch its progress."""

from __future__ import annotations

from django import forms
from django.http import HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils import timezone

from pingid_portal.actors import Actor
from pingid_portal.errors import ServiceError
from pingid_portal.http import PortalRequest
from pingid_portal.permissions import Action
from pingid_portal.tenancy import get_for_organization
from pingid_portal.views import form_add_service_error, portal_view
from users.bulk import BULK_SYNC_LIMIT, bulk_job_create, bulk_job_run, bulk_parameters
from users.filters import UserFilterSet
from users.forms import BypassForm, OptionalReasonForm, ReasonForm
from users.models import BulkAction, PingIDUser, UserBulkJob
from users.selectors import user_queryset
from users.views.bypass import bypass_form, review_bypass


def selected_user_ids(request: PortalRequest) -> list[int]:
    """Return the ids the bulk form selected: ticked rows, or all matching a filter."""
    users = user_queryset(request.organization)
    if request.POST.get("all_matching"):
        filterset = UserFilterSet(
            QueryDict(request.POST.get("filter", "")), queryset=users
        )
        users = filterset.qs if filterset.is_valid() else users.none()
    else:
        ids = [value for value in request.POST.getlist("user") if value.isdigit()]
        users = users.filter(pk__in=ids)
    return list(users.order_by("username_key").values_list("pk", flat=True))


def action_form(request: PortalRequest, action: str) -> forms.Form:
    if action == BulkAction.BYPASS:
        return bypass_form(request, None, bound=bool(request.POST.get("step")))
    form_class = OptionalReasonForm if action == BulkAction.REMOVE else ReasonForm
    return form_class(request.POST if request.POST.get("step") else None)


@portal_view(Action.USER_MANAGE)
def bulk_start(request: PortalRequest) -> HttpResponse:
    if request.method != "POST":
        return redirect("users:user_list")
    action = request.POST.get("action", "")
    if action not in BulkAction.values:
        return redirect("users:user_list")
    user_ids = selected_user_ids(request)
    form = action_form(request, action)

    step = request.POST.get("step", "")
    review = None
    if step in ("review", "confirm") and form.is_valid():
        if isinstance(form, BypassForm):
            review = review_bypass(request, form)
        # Without users the page shows its own "No user selected" message.
        ready = (
            step == "confirm"
            and bool(user_ids)
            and (review is not None or not isinstance(form, BypassForm))
        )
        job = _create_job(request, action, form, user_ids) if ready else None
        if job is not None:
            if job.total <= BULK_SYNC_LIMIT:
                bulk_job_run(job.pk)
            return redirect("users:bulk_job_detail", job_id=job.pk)

    context = {
        "action": BulkAction(action),
        "form": form,
        "count": len(user_ids),
        "sample": PingIDUser.objects.filter(pk__in=user_ids[:10]).order_by(
            "username_key"
        ),
        "selected": request.POST.getlist("user"),
        "all_matching": request.POST.get("all_matching", ""),
        "filter": request.POST.get("filter", ""),
        "sync_limit": BULK_SYNC_LIMIT,
        "review": review,
    }
    return render(request, "users/bulk_confirm.html", context)


def _create_job(
    request: PortalRequest, action: str, form: forms.Form, user_ids: list[int]
) -> UserBulkJob | None:
    actor = Actor.from_request(request)
    arguments: dict[str, object] = {"reason": form.cleaned_data.get("reason", "")}
    if action == BulkAction.BYPASS:
        until, unlimited = form.end(timezone.now())  # type: ignore[attr-defined]
        arguments |= {
            "until": until,
            "unlimited": unlimited,
            "services": form.cleaned_data["services"] or None,
        }
    try:
        parameters = bulk_parameters(actor=actor, action=action, **arguments)  # type: ignore[arg-type]
        return bulk_job_create(
            actor=actor, action=action, user_ids=user_ids, parameters=parameters
        )
    except ServiceError as error:
        if error.field == "until" and "duration" in form.fields:
            error.field = (
                "until_local"
                if form.cleaned_data.get("duration") == "until"
                else "duration"
            )
        form_add_service_error(form, error)
        return None


@portal_view(Action.USER_MANAGE)
def bulk_job_list(request: PortalRequest) -> HttpResponse:
    jobs = UserBulkJob.objects.for_organization(request.organization).defer("user_ids")[
        :50
    ]
    return render(request, "users/bulk_job_list.html", {"jobs": jobs})


@portal_view(Action.USER_MANAGE)
def bulk_job_detail(request: PortalRequest, job_id: int) -> HttpResponse:
    job = get_for_organization(
        UserBulkJob.objects.defer("user_ids"), request.organization, pk=job_id
    )
    template = "users/bulk_job_detail.html"
    if request.htmx:
        template += "#progress"
    return render(request, template, {"job": job})

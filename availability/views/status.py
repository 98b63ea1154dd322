"""The status page: component states, uptime per day and incidents."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from availability import selectors
from availability.forms import IncidentNoteForm
from availability.models import Incident, IncidentNote
from availability.probes import probes_run_if_due
from availability.services import incident_note_add
from availability.uptime import current_states, incidents_recent, uptime_report
from pingid_portal.actors import Actor
from pingid_portal.errors import ServiceError
from pingid_portal.http import PortalRequest
from pingid_portal.permissions import Action
from pingid_portal.views import form_add_service_error, portal_view

UPTIME_DAYS = 90


@portal_view()
def overview(request: PortalRequest) -> HttpResponse:
    organization = request.organization
    now = timezone.now()
    probes_run_if_due(now=now)
    state = selectors.service_state_get(organization)

    context = {
        "now": now,
        "states": current_states(now),
        "uptime": uptime_report(organization, now=now, days=UPTIME_DAYS),
        "incidents": incidents_recent(organization, now=now, limit=10),
        "state": state,
        "effective_modes": selectors.failure_modes_effective(organization, state),
        "days": UPTIME_DAYS,
    }
    return render(request, "availability/overview.html", context)


@portal_view()
def incident_list(request: PortalRequest) -> HttpResponse:
    incidents = incidents_recent(request.organization, now=timezone.now())
    return render(request, "availability/incident_list.html", {"incidents": incidents})


def _incident_context(
    request: PortalRequest, incident: Incident, form: IncidentNoteForm
) -> dict[str, object]:
    notes = IncidentNote.objects.for_organization(request.organization).filter(
        incident=incident
    )
    return {"incident": incident, "notes": list(notes), "form": form}


def _incident_get(incident_id: int) -> Incident:
    # Incidents are platform-wide, so every organization may read them. Only
    # the notes belong to an organization.
    return get_object_or_404(Incident, pk=incident_id)


@portal_view()
def incident_detail(request: PortalRequest, incident_id: int) -> HttpResponse:
    incident = _incident_get(incident_id)
    context = _incident_context(request, incident, IncidentNoteForm())
    return render(request, "availability/incident_detail.html", context)


@portal_view(Action.AVAILABILITY_MANAGE)
def incident_note_create(request: PortalRequest, incident_id: int) -> HttpResponse:
    incident = _incident_get(incident_id)
    if request.method != "POST":
        return redirect("availability:incident_detail", incident_id=incident.pk)

    form = IncidentNoteForm(request.POST)
    if form.is_valid():
        try:
            incident_note_add(
                actor=Actor.from_request(request),
                incident=incident,
                text=form.cleaned_data["text"],
            )
        except ServiceError as error:
            form_add_service_error(form, error)
        else:
            messages.success(request, "Note added.")
            return redirect("availability:incident_detail", incident_id=incident.pk)

    context = _incident_context(request, incident, form)
    return render(request, "availability/incident_detail.html", context)

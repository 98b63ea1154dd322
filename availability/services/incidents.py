"""Notes on incidents."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from activity.services import event_record
from availability.models import Incident, IncidentNote
from pingid_portal.actors import Actor
from pingid_portal.errors import ServiceError
from pingid_portal.permissions import Action

NOTE_MAX_LENGTH = 2000


def incident_note_add(*, actor: Actor, incident: Incident, text: str) -> IncidentNote:
    """Add a note to an incident, seen by the actor's organization only."""
    actor.require(Action.AVAILABILITY_MANAGE)
    text = text.strip()
    if not text:
        raise ServiceError("Note is empty: write the note text.", field="text")
    if len(text) > NOTE_MAX_LENGTH:
        raise ServiceError(
            f"Note is too long ({len(text)} characters): shorten it to "
            f"{NOTE_MAX_LENGTH} or fewer.",
            field="text",
        )
    with transaction.atomic():
        note = IncidentNote.objects.create(
            incident=incident,
            organization=actor.organization,
            text=text,
            author=actor.display,
            created_at=timezone.now(),
        )
        event_record(
            actor=actor,
            action="availability.incident_note_add",
            target=incident,
            after={"text": text},
        )
    return note

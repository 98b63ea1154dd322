"""The one writer of activity events."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from django.db import models, transaction
from django.utils import timezone

from activity.chain import event_append, normalize_ip
from activity.models import ActivityEvent, Category, Outcome
from pingid_portal import rows
from pingid_portal.actors import ActorKind
from pingid_portal.errors import ConflictError, ServiceError
from pingid_portal.permissions import Action

if TYPE_CHECKING:
    from accounts.models import Organization
    from activity.models import Export
    from pingid_portal.actors import Actor

# Longest stored text of the unbounded fields, in characters.
TEXT_LIMIT = 2000
# Longest stored JSON of `before` and `after`, in characters of its encoding.
JSON_LIMIT = 20000
TRUNCATION_MARK = "…[truncated]"


def _clean(value: str) -> str:
    """Drop characters that PostgreSQL text cannot store (NUL) and lone surrogates."""
    value = value.replace("\x00", "")
    return value.encode("utf-8", "replace").decode("utf-8")


def _fit_text(name: str, value: object, limit: int, truncated: list[str]) -> str:
    text = _clean("" if value is None else str(value))
    if len(text) <= limit:
        return text
    truncated.append(name)
    return text[: limit - len(TRUNCATION_MARK)] + TRUNCATION_MARK


def _fit_json(name: str, value: Any, truncated: list[str]) -> Any:
    if value is None:
        return None
    encoded = _clean(json.dumps(value, default=str, ensure_ascii=False))
    if len(encoded) <= JSON_LIMIT:
        return json.loads(encoded)
    truncated.append(name)
    return {"truncated": True, "prefix": encoded[:JSON_LIMIT]}


def _fit_ip(value: str | None, truncated: list[str]) -> str | None:
    from django.core.exceptions import ValidationError
    from django.core.validators import validate_ipv46_address

    if not value:
        return None
    try:
        validate_ipv46_address(value)
    except ValidationError:
        truncated.append("ip_address")
        return None
    return normalize_ip(value)


def _char_limit(field_name: str) -> int:
    field = ActivityEvent._meta.get_field(field_name)
    assert isinstance(field, models.CharField) and field.max_length is not None
    return field.max_length


def event_record(
    *,
    action: str,
    actor: Actor | None = None,
    organization: Organization | None = None,
    outcome: str = Outcome.SUCCESS,
    category: str = Category.ADMINISTRATOR,
    target: models.Model | None = None,
    target_type: str = "",
    target_id: object = "",
    target_display: str = "",
    before: Any = None,
    after: Any = None,
    reason: str = "",
    message: str = "",
    ip_address: str | None = None,
    user_agent: str | None = None,
    actor_display: str | None = None,
    pingid_user: Any = None,
    service: str = "",
    device: Any = None,
    application: str = "",
    occurred_at: Any = None,
) -> ActivityEvent:
    """Write one activity event in the caller's transaction.

    Any input is stored: text longer than its field is cut and the field is
    named in `truncated_fields`; characters the database cannot hold are
    dropped; an invalid IP address is dropped and marked.

    The event is appended to its organization's hash chain. The chain's head
    row stays locked until the caller's transaction ends.
    """
    truncated: list[str] = []
    if target is not None:
        target_type = target_type or target._meta.model_name or ""
        target_id = target_id or target.pk
        target_display = target_display or str(target)
    if pingid_user is not None and not target_type:
        target_type, target_id, target_display = (
            "pingiduser",
            pingid_user.pk,
            str(pingid_user),
        )

    def char(name: str, value: object) -> str:
        return _fit_text(name, value, _char_limit(name), truncated)

    event = ActivityEvent(
        organization=organization or (actor.organization if actor else None),
        occurred_at=occurred_at or timezone.now(),
        category=category,
        action=char("action", action),
        outcome=outcome,
        actor_kind=actor.kind if actor else ActorKind.SYSTEM,
        actor_user=actor.user if actor else None,
        actor_display=char(
            "actor_display", actor_display or (actor.display if actor else "")
        ),
        actor_role=actor.role if actor else "",
        settings_file_id=actor.settings_file_id if actor else None,
        target_type=char("target_type", target_type),
        target_id=char("target_id", target_id),
        target_display=char("target_display", target_display),
        pingid_user_id=pingid_user.pk if pingid_user is not None else None,
        pingid_username=char(
            "pingid_username", pingid_user.username if pingid_user else ""
        ),
        service=char("service", service),
        device_id=char("device_id", device.pk if device is not None else ""),
        device_display=char(
            "device_display", str(device) if device is not None else ""
        ),
        application=char("application", application),
        before=_fit_json("before", before, truncated),
        after=_fit_json("after", after, truncated),
        reason=_fit_text("reason", reason, TEXT_LIMIT, truncated),
        message=_fit_text("message", message, TEXT_LIMIT, truncated),
        ip_address=_fit_ip(
            ip_address or (actor.ip_address if actor else None), truncated
        ),
        user_agent=_fit_text(
            "user_agent",
            user_agent
            if user_agent is not None
            else (actor.user_agent if actor else ""),
            TEXT_LIMIT,
            truncated,
        ),
    )
    event.truncated_fields = truncated
    with transaction.atomic(savepoint=False), rows.write_batch():
        event_append(event)
    return event


def export_create(
    *,
    actor: Actor,
    params: Any,
    format: str,
    gzip: bool = False,
    time_zone: str = "UTC",
) -> Export:
    """Queue an export of exactly the activity that `params` filter."""
    from django.utils.datastructures import MultiValueDict

    from activity.models import Export, ExportFormat
    from activity.selectors import FILTER_PARAMETERS, event_filter, filter_parameters
    from activity.tasks import run_export

    actor.require(Action.ACTIVITY_EXPORT)
    if format not in ExportFormat.values:
        raise ServiceError(
            f"Unknown export format {format!r}: choose csv or jsonl.",
            field="format",
        )
    if not hasattr(params, "getlist"):
        # A JSON object from the API; form data carries other fields too.
        unknown = sorted(set(params) - set(FILTER_PARAMETERS))
        if unknown:
            raise ServiceError(
                f"Unknown filter {', '.join(unknown)}: use "
                f"{', '.join(FILTER_PARAMETERS)}.",
                field="filter",
            )
    stored = filter_parameters(params)
    filterset = event_filter(actor.organization, MultiValueDict(stored), time_zone)
    if not filterset.is_valid():
        name, messages = next(iter(filterset.errors.items()))
        raise ServiceError(f"{name}: {' '.join(messages)}", field=name)
    with transaction.atomic():
        export = Export.objects.create(
            organization=actor.organization,
            requester=actor.user,
            requester_display=actor.display,
            filter=stored,
            time_zone=time_zone,
            format=format,
            gzip=gzip,
            total_estimate=filterset.qs.count(),
        )
        event_record(
            actor=actor,
            action="activity.export",
            target=export,
            target_display=export.file_name,
            after={"filter": export.filter, "format": format, "gzip": gzip},
        )
        transaction.on_commit(lambda: run_export.delay(export.pk))
    return export


def export_retry(*, actor: Actor, export: Export) -> Export:
    """Queue a failed export again, keeping its filter."""
    from activity.models import Export, ExportStatus
    from activity.tasks import run_export

    actor.require(Action.ACTIVITY_EXPORT)
    with transaction.atomic():
        reset = Export.objects.filter(
            pk=export.pk, organization=actor.organization, status=ExportStatus.FAILED
        ).update(status=ExportStatus.PENDING, error="", rows_written=0)
        if not reset:
            raise ConflictError(
                "Only a failed export can be retried; this one is "
                f"{export.get_status_display().lower()}.",
                code="export_not_failed",
            )
        event_record(actor=actor, action="activity.export_retry", target=export)
        transaction.on_commit(lambda: run_export.delay(export.pk))
    export.refresh_from_db()
    return export

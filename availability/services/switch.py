"""The service switch and the behaviour during errors."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from activity.services import event_record
from availability.models import FailureMode, ServiceFailureMode, ServiceState
from availability.selectors import failure_mode_overrides
from pingid_portal.actors import Actor
from pingid_portal.errors import ServiceError
from pingid_portal.permissions import Action
from users.models import Service

REASON_MAX_LENGTH = 500


def clean_reason(reason: str, *, required: bool) -> str:
    reason = reason.strip()
    if required and not reason:
        raise ServiceError(
            "Reason is missing: say why, so other administrators understand.",
            field="reason",
        )
    if len(reason) > REASON_MAX_LENGTH:
        raise ServiceError(
            f"Reason is too long ({len(reason)} characters): shorten it to "
            f"{REASON_MAX_LENGTH} or fewer.",
            field="reason",
        )
    return reason


def _lock_state(actor: Actor) -> ServiceState:
    state, _ = ServiceState.objects.select_for_update().get_or_create(
        organization=actor.organization
    )
    return state


def availability_set_service(
    *, actor: Actor, enabled: bool, reason: str
) -> ServiceState:
    """Switch PingID on or off for the actor's organization.

    A reason is required to switch it off and optional to switch it on.
    """
    actor.require(Action.AVAILABILITY_MANAGE)
    reason = clean_reason(reason, required=not enabled)

    with transaction.atomic():
        state = _lock_state(actor)
        if state.enabled == enabled:
            word = "enabled" if enabled else "disabled"
            raise ServiceError(
                f"PingID is already {word} for this organization: nothing changed.",
                code="unchanged",
                field="enabled",
            )
        before = {"enabled": state.enabled, "reason": state.reason}
        state.enabled = enabled
        state.reason = reason
        state.changed_at = timezone.now()
        state.changed_by = actor.display
        state.save()
        event_record(
            actor=actor,
            action="availability.service_enable"
            if enabled
            else "availability.service_disable",
            target=state,
            target_display="PingID service",
            before=before,
            after={"enabled": enabled, "reason": reason},
            reason=reason,
        )
    return state


def _validate_mode(value: str, field: str) -> None:
    if value not in FailureMode.values:
        raise ServiceError(
            f"Behaviour {value!r} is invalid: choose one of "
            f"{', '.join(FailureMode.values)}.",
            field=field,
        )


def availability_set_failure_modes(
    *, actor: Actor, default_mode: str, overrides: dict[str, str | None]
) -> ServiceState:
    """Set the default behaviour during errors and the per-service overrides.

    `overrides` maps a service to its mode, or to None to follow the default;
    services it leaves out keep their current override.
    """
    actor.require(Action.AVAILABILITY_MANAGE)
    _validate_mode(default_mode, "default_mode")
    for service, mode in overrides.items():
        if service not in Service.values:
            raise ServiceError(
                f"Service {service!r} is unknown: choose one of "
                f"{', '.join(Service.values)}.",
                field="overrides",
            )
        if mode is not None:
            _validate_mode(mode, "overrides")

    with transaction.atomic():
        state = _lock_state(actor)
        before = {
            "default_mode": state.failure_mode,
            "overrides": failure_mode_overrides(actor.organization),
        }
        state.failure_mode = default_mode
        state.save(update_fields=["failure_mode"])
        for service, mode in overrides.items():
            _override_set(actor, service, mode)
        after = {
            "default_mode": default_mode,
            "overrides": failure_mode_overrides(actor.organization),
        }
        if before != after:
            event_record(
                actor=actor,
                action="availability.failure_modes_change",
                target=state,
                target_display="Behaviour during errors",
                before=before,
                after=after,
            )
    return state


def _override_set(actor: Actor, service: str, mode: str | None) -> None:
    rows = ServiceFailureMode.objects.for_organization(actor.organization)
    if mode is None:
        rows.filter(service=service).delete()
        return
    ServiceFailureMode.objects.update_or_create(
        organization=actor.organization, service=service, defaults={"mode": mode}
    )

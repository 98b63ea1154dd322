"""Decisions of the PingID API when the service cannot authenticate normally.

`authentication_decision` is asked by the PingID API before it authenticates
anyone. It returns None when authentication proceeds normally, or a
`Decision` saying whether to reject (fail closed) or bypass (fail open), and
why. `dependency_failure_decision` is asked when an authentication cannot
finish because a dependency failed.

Precedence, first match wins:

1. An emergency bypass in force that covers the service: BYPASS, whatever
   else holds, because a global administrator opened it for this situation.
2. The service switched off: the behaviour during errors of the service.
3. A maintenance window in progress: the behaviour during errors of the service.
4. Otherwise None: authenticate normally.

The behaviour during errors of a service is its override when it has one,
else the organization's default, else REJECT.

A BYPASS decision skips MFA only. The PingID API still rejects unknown and
suspended users and users not enabled for the service before it applies one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from availability import selectors
from availability.models import FailureMode

if TYPE_CHECKING:
    from accounts.models import Organization


class DecisionMode:
    REJECT = "reject"
    BYPASS = "bypass"


class DecisionReason:
    SERVICE_DISABLED = "service_disabled"
    MAINTENANCE = "maintenance"
    EMERGENCY_BYPASS = "emergency_bypass"
    DEPENDENCY_FAILURE = "dependency_failure"


@dataclass(frozen=True)
class Decision:
    mode: str
    reason: str
    # One sentence for the activity event and the API response.
    message: str


def _outcome_clause(mode: str, service: str) -> str:
    if mode == FailureMode.BYPASS:
        return (
            f"MFA was bypassed because the behaviour during errors for service "
            f"{service} is bypass (fail open)"
        )
    return (
        f"authentication was rejected because the behaviour during errors for "
        f"service {service} is reject (fail closed)"
    )


def _sentence(text: str) -> str:
    """Return `text` as one sentence: a final full stop and no line breaks."""
    text = " ".join(text.split()).rstrip(".")
    return f"{text}."


def authentication_decision(
    *, organization: Organization, service: str, now: datetime
) -> Decision | None:
    """Return how to treat an authentication for `service` at `now`, or None for normal."""
    bypass = selectors.emergency_bypass_active(organization, now)
    if bypass is not None and bypass.covers(service):
        return Decision(
            mode=DecisionMode.BYPASS,
            reason=DecisionReason.EMERGENCY_BYPASS,
            message=_sentence(
                f"MFA was bypassed by an emergency bypass until "
                f"{bypass.effective_end:%Y-%m-%d %H:%M} UTC: {bypass.reason}"
            ),
        )

    state = selectors.service_state_get(organization)
    if not state.enabled:
        mode = selectors.failure_mode_for(organization, service)
        reason_text = f" ({state.reason})" if state.reason else ""
        return Decision(
            mode=mode,
            reason=DecisionReason.SERVICE_DISABLED,
            message=_sentence(
                f"PingID is disabled for this organization{reason_text}, so "
                f"{_outcome_clause(mode, service)}"
            ),
        )

    window = selectors.maintenance_current(organization, now)
    if window is not None:
        mode = selectors.failure_mode_for(organization, service)
        return Decision(
            mode=mode,
            reason=DecisionReason.MAINTENANCE,
            message=_sentence(
                f"PingID is in maintenance until {window.ends_at:%Y-%m-%d %H:%M} "
                f"UTC, so {_outcome_clause(mode, service)}"
            ),
        )
    return None


def dependency_failure_decision(
    *, organization: Organization, service: str
) -> Decision:
    """Return the configured behaviour when a dependency failed mid-authentication."""
    mode = selectors.failure_mode_for(organization, service)
    return Decision(
        mode=mode,
        reason=DecisionReason.DEPENDENCY_FAILURE,
        message=_sentence(
            f"A dependency of PingID failed, so {_outcome_clause(mode, service)}"
        ),
    )

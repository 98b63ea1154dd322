"""What the PingID API does when the service cannot authenticate normally.

`authentication_decision` is asked by the PingID API before it authenticates
anyone. It returns None when authentication proceeds normally, or a
`Decision` saying whether to reject (fail closed) or bypass (fail open), and
why. `dependency_failure_decision` is asked when an authentication cannot
finish because a dependency failed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

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
    # One sentence for the activity event and the API answer.
    message: str


def authentication_decision(
    *, organization: Organization, service: str, now: datetime
) -> Decision | None:
    """Return how to treat an authentication for `service` at `now`, or None for normal."""
    # TODO(before availability lands): read the switch, maintenance windows and
    # emergency bypass of the organization.
    return None


def dependency_failure_decision(
    *, organization: Organization, service: str
) -> Decision:
    """Return the configured behaviour when a dependency failed mid-authentication."""
    # TODO(before availability lands): read the organization's behaviour during errors.
    return Decision(
        mode=DecisionMode.REJECT,
        reason=DecisionReason.DEPENDENCY_FAILURE,
        message="Authentication failed because a dependency is unavailable.",
    )

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from pingid_portal.permissions import Action, has_permission


def portal(request: HttpRequest) -> dict[str, Any]:
    """Add the administrator's membership and what their role may do."""
    membership = getattr(request, "membership", None)
    if not membership:
        return {"membership": None, "can": {}}
    can = {
        action.name.lower(): has_permission(membership.role, action)
        for action in Action
    }
    return {
        "membership": membership,
        "organization": membership.organization,
        "can": can,
    }

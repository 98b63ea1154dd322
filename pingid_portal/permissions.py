"""The permission table: which roles may perform which action.

Every interface (portal views, the management API, the PingID API, tasks and
commands) calls `has_permission` or `require_permission`; nothing else decides
who may do what.
"""

from __future__ import annotations

from django.db import models


class Role(models.TextChoices):
    """Roles of portal administrators."""

    GLOBAL_ADMIN = "global_admin", "Global administrator"
    HELP_DESK = "help_desk", "Help desk"
    AUDITOR = "auditor", "Auditor"


class ClientRole(models.TextChoices):
    """Roles of callers that are not administrators."""

    SETTINGS_FILE_FULL = "settings_file_full", "Settings file (full)"
    SETTINGS_FILE_AUTH_ONLY = (
        "settings_file_auth_only",
        "Settings file (authentication only)",
    )
    SYSTEM = "system", "System"


class Action(models.TextChoices):
    """Everything the permission table rules on."""

    VIEW = "view", "See users, devices, activity, availability and integrations"
    USER_MANAGE = (
        "user.manage",
        "Create, edit, disable, enable, remove and import PingID users",
    )
    USER_BYPASS = "user.bypass", "Bypass MFA for a PingID user until an instant"
    USER_BYPASS_UNLIMITED = (
        "user.bypass_unlimited",
        "Bypass MFA for a PingID user without end",
    )
    DEVICE_MANAGE = "device.manage", "Unpair, pair, block and edit devices"
    AUTHENTICATE = "authenticate", "Run PingID authentications"
    ACTIVITY_EXPORT = "activity.export", "Export the activity log"
    ADMINISTRATOR_VIEW = "administrator.view", "See administrators"
    ADMINISTRATOR_MANAGE = (
        "administrator.manage",
        "Add, change and remove administrators",
    )
    AVAILABILITY_MANAGE = "availability.manage", "Change service availability"
    INTEGRATION_MANAGE = (
        "integration.manage",
        "Generate, download and revoke settings files",
    )
    ORGANIZATION_MANAGE = "organization.manage", "Change organization settings"
    API_TOKEN_OWN = "api_token.own", "Create and revoke one's own API tokens"
    PROFILE_CHANGE = "profile.change", "Change one's own time zone"


_EVERY_ADMINISTRATOR = frozenset(Role)
_GLOBAL = frozenset({Role.GLOBAL_ADMIN})
_OPERATORS = frozenset({Role.GLOBAL_ADMIN, Role.HELP_DESK})
_FULL_CLIENT = frozenset({ClientRole.SETTINGS_FILE_FULL, ClientRole.SYSTEM})
_ANY_CLIENT = frozenset(
    {
        ClientRole.SETTINGS_FILE_FULL,
        ClientRole.SETTINGS_FILE_AUTH_ONLY,
        ClientRole.SYSTEM,
    }
)

PERMISSIONS: dict[Action, frozenset[str]] = {
    Action.VIEW: _EVERY_ADMINISTRATOR | _ANY_CLIENT,
    Action.USER_MANAGE: _OPERATORS | _FULL_CLIENT,
    Action.USER_BYPASS: _OPERATORS | _FULL_CLIENT,
    Action.USER_BYPASS_UNLIMITED: _GLOBAL | _FULL_CLIENT,
    Action.DEVICE_MANAGE: _OPERATORS | _FULL_CLIENT,
    Action.AUTHENTICATE: _ANY_CLIENT,
    Action.ACTIVITY_EXPORT: frozenset({Role.GLOBAL_ADMIN, Role.AUDITOR})
    | {ClientRole.SYSTEM},
    Action.ADMINISTRATOR_VIEW: _GLOBAL | {ClientRole.SYSTEM},
    Action.ADMINISTRATOR_MANAGE: _GLOBAL | {ClientRole.SYSTEM},
    Action.AVAILABILITY_MANAGE: _GLOBAL | {ClientRole.SYSTEM},
    Action.INTEGRATION_MANAGE: _GLOBAL | {ClientRole.SYSTEM},
    Action.ORGANIZATION_MANAGE: _GLOBAL | {ClientRole.SYSTEM},
    Action.API_TOKEN_OWN: _EVERY_ADMINISTRATOR,
    Action.PROFILE_CHANGE: _EVERY_ADMINISTRATOR,
}


def has_permission(role: str | None, action: Action) -> bool:
    """Return whether `role` may perform `action`; an unknown role may do nothing."""
    return role is not None and role in PERMISSIONS[action]


def require_permission(role: str | None, action: Action) -> None:
    """Raise `PermissionDenied` unless `role` may perform `action`."""
    from django.core.exceptions import PermissionDenied

    if not has_permission(role, action):
        # Only the first letter is lowered, so "MFA" and "PingID" keep their case.
        label = str(Action(action).label)
        raise PermissionDenied(f"Your role may not {label[:1].lower()}{label[1:]}.")

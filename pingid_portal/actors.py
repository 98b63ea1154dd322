"""The performer of a state change: an administrator, a settings file or the system.

Services take an `Actor` so that the portal, the management API, the PingID
API, tasks and commands all pass the same thing to the permission check and to
the activity event writer.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pingid_portal.permissions import Action, ClientRole, require_permission

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django.http import HttpRequest

    from accounts.models import Membership, Organization


class ActorKind:
    ADMINISTRATOR = "administrator"
    SETTINGS_FILE = "settings_file"
    SYSTEM = "system"


@dataclass(frozen=True)
class Actor:
    organization: Organization
    kind: str
    # A `Role` for administrators, a `ClientRole` otherwise.
    role: str
    display: str
    user: User | None = None
    membership: Membership | None = None
    settings_file_id: int | None = None
    ip_address: str | None = None
    user_agent: str = ""

    @property
    def time_zone(self) -> str:
        """The time zone in which messages to this actor give times.

        An administrator's own zone, else the organization's.
        """
        if self.membership is not None:
            return str(self.membership.time_zone)
        return str(self.organization.time_zone)

    def require(self, action: Action) -> None:
        """Raise `PermissionDenied` unless this actor may perform `action`."""
        require_permission(self.role, action)

    @classmethod
    def for_membership(
        cls,
        membership: Membership,
        *,
        ip_address: str | None = None,
        user_agent: str = "",
    ) -> Actor:
        return cls(
            organization=membership.organization,
            kind=ActorKind.ADMINISTRATOR,
            role=membership.role,
            display=membership.user.email,
            user=membership.user,
            membership=membership,
            ip_address=ip_address,
            user_agent=user_agent,
        )

    @classmethod
    def for_background_work(
        cls,
        organization: Organization,
        user_id: int | None,
        display: str,
        *,
        ip_address: str | None = None,
        user_agent: str = "",
    ) -> Actor:
        """Rebuild, in a Celery task, the administrator who started the work.

        Raise `PermissionDenied` when that administrator was removed from the
        organization or disabled since, so that the work stops.
        """
        from django.core.exceptions import PermissionDenied

        from accounts.models import Membership

        membership = (
            Membership.objects.select_related("user", "organization")
            .filter(user_id=user_id, organization=organization)
            .first()
            if user_id is not None
            else None
        )
        if membership is None or not membership.user.is_active:
            raise PermissionDenied(
                f"The administrator who started this work ({display}) was removed "
                "or disabled."
            )
        return cls.for_membership(
            membership, ip_address=ip_address, user_agent=user_agent
        )

    @classmethod
    def from_request(
        cls, request: HttpRequest, membership: Membership | None = None
    ) -> Actor:
        """Build the actor of a portal or management API request."""
        membership = membership or request.membership  # type: ignore[attr-defined]
        return cls.for_membership(
            membership,
            ip_address=client_ip(request),
            user_agent=request_user_agent(request),
        )

    @classmethod
    def system(cls, organization: Organization, display: str = "system") -> Actor:
        return cls(
            organization=organization,
            kind=ActorKind.SYSTEM,
            role=ClientRole.SYSTEM,
            display=display,
        )

    @classmethod
    def for_settings_file(
        cls, settings_file: Any, *, ip_address: str | None = None, user_agent: str = ""
    ) -> Actor:
        return cls(
            organization=settings_file.organization,
            kind=ActorKind.SETTINGS_FILE,
            role=settings_file.client_role,
            display=f"settings file {settings_file.token}",
            settings_file_id=settings_file.pk,
            ip_address=ip_address,
            user_agent=user_agent,
        )


def client_ip(request: HttpRequest) -> str | None:
    """Return the client's IP address.

    REMOTE_ADDR is used as is: a proxy in front of the portal must set it (for
    gunicorn, `--forwarded-allow-ips`), because X-Forwarded-For can be forged.
    """
    address = request.META.get("REMOTE_ADDR") or None
    return address


def request_user_agent(request: HttpRequest) -> str:
    return str(request.META.get("HTTP_USER_AGENT", ""))

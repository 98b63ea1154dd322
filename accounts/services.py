"""State changes of organizations, administrators and API tokens."""

from __future__ import annotations

import secrets
import unicodedata
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from accounts.authentication import TOKEN_PREFIX, hash_token
from accounts.models import TIME_ZONE_CHOICES, ApiToken, Membership, Organization
from activity.services import event_record
from pingid_portal.actors import Actor, client_ip, request_user_agent
from pingid_portal.errors import ConflictError, ServiceError
from pingid_portal.permissions import Action, Role

# A token's use is recorded at most once per this interval, so a busy
# integration does not flood the activity log.
API_TOKEN_USE_RECORD_INTERVAL = timedelta(minutes=5)
TIME_ZONES = frozenset(name for name, _ in TIME_ZONE_CHOICES)
# Maximum length of a first or last name in Django's user model.
NAME_MAX_LENGTH = 150


def _membership_state(membership: Membership) -> dict[str, Any]:
    return {
        "email": membership.user.email,
        "role": membership.role,
        "active": membership.user.is_active,
        "time_zone": membership.time_zone,
    }


def organization_create(*, name: str, time_zone: str = "UTC") -> Organization:
    """Create an organization whose name no other organization has.

    Runs of spaces (any Unicode space) become one space, and names are
    compared case-folded, so "Acme  Corp" and "ACME CORP" are the same name.
    """
    if any(unicodedata.category(character) == "Cc" for character in name):
        raise ServiceError(
            "Organization name contains a control character (such as a tab): "
            "remove it.",
            field="name",
        )
    name = " ".join(name.split())
    if not name:
        raise ServiceError("Organization name is missing: give a name.", field="name")
    max_length = Organization._meta.get_field("name").max_length or 0
    if len(name) > max_length:
        raise ServiceError(
            f"Organization name is too long ({len(name)} characters): use at most "
            f"{max_length}.",
            field="name",
        )
    with transaction.atomic():
        # NOTE: no database constraint backs this check, so two commands run at
        # the same instant could still create the same name twice.
        key = name.casefold()
        existing = next(
            (
                organization
                for organization in Organization.objects.only("name", "org_alias")
                if " ".join(organization.name.split()).casefold() == key
            ),
            None,
        )
        if existing is not None:
            raise ServiceError(
                f"An organization named {existing.name!r} already exists (org alias "
                f"{existing.org_alias}): choose another name. Nothing was created.",
                code="duplicate",
                field="name",
            )
        organization = Organization.objects.create(name=name, time_zone=time_zone)
        event_record(
            actor=Actor.system(organization, "operator command"),
            action="organization.create",
            target=organization,
            after={"name": name, "org_alias": str(organization.org_alias)},
        )
    return organization


def _lock_global_admins(organization: Organization) -> int:
    """Lock the organization's active global administrators and count them."""
    rows = Membership.objects.select_for_update().filter(
        organization=organization, role=Role.GLOBAL_ADMIN, user__is_active=True
    )
    return len(list(rows.values_list("pk", flat=True)))


def _reject_last_global_admin(membership: Membership, change: str) -> None:
    if membership.role != Role.GLOBAL_ADMIN or not membership.user.is_active:
        return
    if _lock_global_admins(membership.organization) <= 1:
        raise ConflictError(
            f"Cannot {change} {membership.user.email}: they are the last active global "
            "administrator. Make another administrator a global administrator first.",
            code="last_global_admin",
        )


def _reject_acting_on_self(actor: Actor, membership: Membership, change: str) -> None:
    if actor.user is not None and actor.user.pk == membership.user_id:
        raise ServiceError(
            f"You cannot {change} your own account: ask another global administrator.",
            code="own_account",
        )


def _validate_time_zone(time_zone: str) -> None:
    if time_zone not in TIME_ZONES:
        raise ServiceError(
            f"Time zone {time_zone!r} is invalid: choose an IANA name such as "
            "Europe/Berlin or UTC.",
            field="time_zone",
        )


def _reject_granting_unheld_role(actor: Actor, role: str) -> None:
    order = [Role.AUDITOR, Role.HELP_DESK, Role.GLOBAL_ADMIN]
    if actor.kind == "administrator" and order.index(Role(role)) > order.index(
        Role(actor.role)
    ):
        raise ServiceError("You cannot grant a role you do not hold.", field="role")


def administrator_create(
    *,
    actor: Actor,
    email: str,
    role: str,
    password: str | None = None,
    first_name: str = "",
    last_name: str = "",
    time_zone: str = "UTC",
) -> tuple[Membership, str | None]:
    """Create an administrator. Return the membership and the generated password, if any."""
    actor.require(Action.ADMINISTRATOR_MANAGE)
    email = get_user_model().objects.normalize_email(email.strip()).lower()
    try:
        validate_email(email)
    except ValidationError as error:
        raise ServiceError(
            "E-mail address is invalid: enter an address like name@example.com.",
            field="email",
        ) from error
    if role not in Role.values:
        raise ServiceError(
            f"Role {role!r} is invalid: choose one of {', '.join(Role.values)}.",
            field="role",
        )
    _reject_granting_unheld_role(actor, role)
    _validate_time_zone(time_zone)
    for field, value in (("first_name", first_name), ("last_name", last_name)):
        if len(value) > NAME_MAX_LENGTH:
            raise ServiceError(
                f"Name is too long: use at most {NAME_MAX_LENGTH} characters.",
                field=field,
            )
    generated = None
    if password is None:
        generated = password = secrets.token_urlsafe(15)
    else:
        try:
            validate_password(password, User(username=email, email=email))
        except ValidationError as error:
            raise ServiceError(" ".join(error.messages), field="password") from error

    with transaction.atomic():
        if User.objects.filter(username__iexact=email).exists():
            raise ServiceError(
                f"An administrator with e-mail {email} already exists.",
                code="duplicate",
                field="email",
            )
        user = User.objects.create_user(
            username=email,
            email=email,
            password=password,
            first_name=first_name,
            last_name=last_name,
        )
        membership = Membership.objects.create(
            user=user, organization=actor.organization, role=role, time_zone=time_zone
        )
        event_record(
            actor=actor,
            action="administrator.create",
            target=membership,
            target_display=email,
            after=_membership_state(membership),
        )
    return membership, generated


def administrator_change_role(
    *, actor: Actor, membership: Membership, role: str
) -> Membership:
    actor.require(Action.ADMINISTRATOR_MANAGE)
    if role not in Role.values:
        raise ServiceError(
            f"Role {role!r} is invalid: choose one of {', '.join(Role.values)}.",
            field="role",
        )
    _reject_granting_unheld_role(actor, role)
    with transaction.atomic():
        membership = (
            Membership.objects.select_for_update()
            .select_related("user")
            .get(pk=membership.pk)
        )
        if membership.role == role:
            return membership
        if role != Role.GLOBAL_ADMIN:
            _reject_last_global_admin(membership, "demote")
        before = _membership_state(membership)
        membership.role = role
        membership.save(update_fields=["role"])
        event_record(
            actor=actor,
            action="administrator.change_role",
            target=membership,
            target_display=membership.user.email,
            before=before,
            after=_membership_state(membership),
        )
    return membership


def administrator_set_active(
    *, actor: Actor, membership: Membership, active: bool, reason: str = ""
) -> Membership:
    """Disable or re-enable an administrator. Disabling ends their sessions and tokens."""
    actor.require(Action.ADMINISTRATOR_MANAGE)
    with transaction.atomic():
        membership = (
            Membership.objects.select_for_update()
            .select_related("user")
            .get(pk=membership.pk)
        )
        if membership.user.is_active == active:
            return membership
        if not active:
            _reject_last_global_admin(membership, "disable")
            _reject_acting_on_self(actor, membership, "disable")
        before = _membership_state(membership)
        membership.user.is_active = active
        membership.user.save(update_fields=["is_active"])
        if not active:
            _end_access(membership)
        event_record(
            actor=actor,
            action="administrator.enable" if active else "administrator.disable",
            target=membership,
            target_display=membership.user.email,
            before=before,
            after=_membership_state(membership),
            reason=reason,
        )
    return membership


def administrator_remove(
    *, actor: Actor, membership: Membership, reason: str = ""
) -> None:
    actor.require(Action.ADMINISTRATOR_MANAGE)
    with transaction.atomic():
        try:
            membership = (
                Membership.objects.select_for_update()
                .select_related("user")
                .get(pk=membership.pk)
            )
        except Membership.DoesNotExist as error:
            raise ConflictError(
                "This administrator was already removed.", code="already_removed"
            ) from error
        _reject_last_global_admin(membership, "remove")
        _reject_acting_on_self(actor, membership, "remove")
        before = _membership_state(membership)
        _end_access(membership)
        event_record(
            actor=actor,
            action="administrator.remove",
            target=membership,
            target_display=membership.user.email,
            before=before,
            reason=reason,
        )
        membership.user.delete()


def _end_access(membership: Membership) -> None:
    """End every session of the administrator and revoke their API tokens."""
    from accounts.sessions import sessions_end_for_user

    ApiToken.objects.filter(membership=membership, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    sessions_end_for_user(membership.user)


def administrator_set_time_zone(*, actor: Actor, time_zone: str) -> Membership:
    """Change the acting administrator's own time zone."""
    actor.require(Action.PROFILE_CHANGE)
    assert actor.membership is not None
    _validate_time_zone(time_zone)
    with transaction.atomic():
        membership = (
            Membership.objects.select_for_update()
            .select_related("user", "organization")
            .get(pk=actor.membership.pk)
        )
        if membership.time_zone == time_zone:
            return membership
        before = _membership_state(membership)
        membership.time_zone = time_zone
        membership.save(update_fields=["time_zone"])
        event_record(
            actor=actor,
            action="administrator.change_time_zone",
            target=membership,
            target_display=membership.user.email,
            before=before,
            after=_membership_state(membership),
        )
    return membership


def api_token_create(*, actor: Actor, name: str) -> tuple[ApiToken, str]:
    """Create an API token for the acting administrator; return it and its secret value."""
    actor.require(Action.API_TOKEN_OWN)
    assert actor.membership is not None
    name = name.strip()
    if not name:
        raise ServiceError(
            "Token name is missing: name the token after what uses it.", field="name"
        )
    if len(name) > 100:
        raise ServiceError(
            "Token name is too long: use at most 100 characters.", field="name"
        )
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        api_token = ApiToken.objects.create(
            membership=actor.membership,
            organization=actor.organization,
            name=name,
            prefix=token[:10],
            token_hash=hash_token(token),
        )
        event_record(actor=actor, action="api_token.create", target=api_token)
    return api_token, token


def api_token_revoke(*, actor: Actor, api_token: ApiToken) -> ApiToken:
    actor.require(Action.API_TOKEN_OWN)
    with transaction.atomic():
        api_token = ApiToken.objects.select_for_update().get(pk=api_token.pk)
        if api_token.revoked_at is not None:
            raise ConflictError(
                "This token was already revoked.", code="already_revoked"
            )
        api_token.revoked_at = timezone.now()
        api_token.save(update_fields=["revoked_at"])
        event_record(actor=actor, action="api_token.revoke", target=api_token)
    return api_token


def api_token_record_use(*, api_token: ApiToken, request: Any, now: datetime) -> None:
    """Store the token's last use, and write an event at most every few minutes."""
    ip_address = client_ip(request)
    recent = (
        api_token.last_used_at is not None
        and now - api_token.last_used_at < API_TOKEN_USE_RECORD_INTERVAL
        and api_token.last_used_ip == ip_address
    )
    with transaction.atomic():
        ApiToken.objects.filter(pk=api_token.pk).update(
            last_used_at=now, last_used_ip=ip_address
        )
        if not recent:
            actor = Actor.for_membership(
                api_token.membership,
                ip_address=ip_address,
                user_agent=request_user_agent(request),
            )
            event_record(
                actor=actor,
                action="api_token.use",
                target=api_token,
                message=f"{request.method} {request.path}",
            )

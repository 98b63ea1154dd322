"""State changes of settings files and of the third-party clients switch."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from accounts.models import Organization
from activity.chain import chain_lock
from activity.services import event_record
from integrations.models import SettingsFile, SettingsFileKind, ThirdPartyClientsSwitch
from integrations.properties import (
    properties_render,
    signing_key_generate,
    token_generate,
)
from pingid_portal import rows
from pingid_portal.actors import Actor
from pingid_portal.errors import ConflictError, ServiceError
from pingid_portal.permissions import Action

# Active (not revoked) settings files per organization and kind, as in PingID.
MAX_ACTIVE_SETTINGS_FILES_PER_KIND = 5


def _settings_file_state(settings_file: SettingsFile) -> dict[str, object]:
    return {
        "token": settings_file.token,
        "kind": settings_file.kind,
        "revoked": settings_file.revoked_at is not None,
    }


def settings_file_generate(*, actor: Actor, kind: str) -> SettingsFile:
    """Create a settings file of `kind`, up to the limit of active files per kind."""
    actor.require(Action.INTEGRATION_MANAGE)
    if kind not in SettingsFileKind.values:
        raise ServiceError(
            f"Invalid settings file kind {kind!r}: choose "
            f"{' or '.join(SettingsFileKind.values)}.",
            field="kind",
        )
    with transaction.atomic():
        # Lock the organization row so that two generations cannot both pass the
        # limit. NO KEY UPDATE lets the foreign-key checks of concurrent activity
        # events (KEY SHARE on this row, at their commit) through: those
        # transactions hold the chain head this one waits for.
        Organization.objects.select_for_update(no_key=True).get(
            pk=actor.organization.pk
        )
        active = SettingsFile.objects.for_organization(actor.organization).filter(
            kind=kind, revoked_at__isnull=True
        )
        limit = MAX_ACTIVE_SETTINGS_FILES_PER_KIND
        if active.count() >= limit:
            label = SettingsFileKind(kind).label.lower()
            raise ServiceError(
                f"This organization already has {limit} active {label} settings files, "
                "the maximum. Revoke one that is no longer deployed, then generate again.",
                code="settings_file_limit",
                field="kind",
            )
        settings_file = SettingsFile.objects.create(
            organization=actor.organization,
            kind=kind,
            token=token_generate(),
            signing_key=signing_key_generate(),
            created_by=actor.user,
            created_by_display=actor.display,
        )
        event_record(
            actor=actor,
            action="settings_file.generate",
            target=settings_file,
            after=_settings_file_state(settings_file),
        )
    return settings_file


def settings_file_download(*, actor: Actor, settings_file: SettingsFile) -> str:
    """Return the `pingid.properties` text of an active file and record the download."""
    actor.require(Action.INTEGRATION_MANAGE)
    now = timezone.now()
    with transaction.atomic():
        current = SettingsFile.objects.select_related("organization").get(
            pk=settings_file.pk, organization=actor.organization
        )
        if current.revoked_at is not None:
            raise ConflictError(
                f"Settings file {current.token} was revoked on "
                f"{current.revoked_at:%Y-%m-%d %H:%M} UTC and cannot be downloaded. "
                "Generate a new file instead.",
                code="settings_file_revoked",
            )
        text = properties_render(
            signing_key=current.signing_key,
            token=current.token,
            org_alias=str(current.organization.org_alias),
            organization_name=current.organization.name,
            kind_label=current.get_kind_display().lower(),
            downloaded_by=actor.display,
            downloaded_at=now,
        )
        event_record(
            actor=actor,
            action="settings_file.download",
            target=current,
            occurred_at=now,
        )
    return text


def settings_file_revoke(
    *, actor: Actor, settings_file: SettingsFile, reason: str = ""
) -> SettingsFile:
    """Revoke a settings file: every call signed with it fails from now on."""
    actor.require(Action.INTEGRATION_MANAGE)
    with transaction.atomic():
        # Lock order: chain head, then file row, as in every PingID API call
        # (`settings_file_record_use`); the other order could deadlock.
        chain_lock(actor.organization.pk)
        current = (
            SettingsFile.objects.select_for_update()
            .filter(pk=settings_file.pk, organization=actor.organization)
            .first()
        )
        if current is None:
            raise ConflictError("The settings file no longer exists.")
        if current.revoked_at is not None:
            raise ConflictError(
                f"Settings file {current.token} was already revoked by "
                f"{current.revoked_by_display or 'another administrator'}.",
                code="settings_file_revoked",
            )
        before = _settings_file_state(current)
        current.revoked_at = timezone.now()
        current.revoked_by = actor.user
        current.revoked_by_display = actor.display
        current.revoke_reason = reason.strip()
        current.save(
            update_fields=[
                "revoked_at",
                "revoked_by",
                "revoked_by_display",
                "revoke_reason",
            ]
        )
        event_record(
            actor=actor,
            action="settings_file.revoke",
            target=current,
            before=before,
            after=_settings_file_state(current),
            reason=current.revoke_reason,
            message=(
                f"Last used {current.last_used_at:%Y-%m-%d %H:%M:%S} UTC, "
                f"{current.call_count} calls."
                if current.last_used_at
                else "Never used."
            ),
        )
    return current


_RECORD_USE_SQL = (
    f"UPDATE {rows.table(SettingsFile)} "  # noqa: S608
    "SET call_count = call_count + 1, last_used_at = %s WHERE id = %s"
)


def settings_file_record_use(*, settings_file: SettingsFile) -> None:
    """Count one accepted API call of the file and note when it happened.

    The row stays locked until the caller's transaction ends. A PingID API
    call runs this last, after its activity event locked the chain head, so
    `settings_file_revoke` takes the chain head's lock before the file's.
    """
    now = rows.param(SettingsFile, "last_used_at", timezone.now())
    rows.write(_RECORD_USE_SQL, [now, settings_file.pk])


def third_party_clients_set(*, actor: Actor, enabled: bool, reason: str) -> None:
    """Switch PingID authentication for third-party clients on or off.

    While off, every PingID API call of the organization is rejected. A reason
    is required to switch it off, because the page shows it to other
    administrators.
    """
    actor.require(Action.INTEGRATION_MANAGE)
    reason = reason.strip()
    if not enabled and not reason:
        raise ServiceError(
            "Reason is missing: say why third-party clients are switched off.",
            field="reason",
        )
    now = timezone.now()
    with transaction.atomic():
        # NO KEY UPDATE, as in settings_file_generate.
        organization = Organization.objects.select_for_update(no_key=True).get(
            pk=actor.organization.pk
        )
        before = organization.third_party_clients_enabled
        if before == enabled:
            state = "on" if enabled else "off"
            raise ConflictError(
                f"Third-party clients are already switched {state}.",
                code="unchanged",
                field="enabled",
            )
        organization.third_party_clients_enabled = enabled
        organization.save(update_fields=["third_party_clients_enabled"])
        ThirdPartyClientsSwitch.objects.update_or_create(
            organization=organization,
            defaults={
                "reason": reason,
                "changed_at": now,
                "changed_by_display": actor.display,
            },
        )
        event_record(
            actor=actor,
            action="third_party_clients.enable"
            if enabled
            else "third_party_clients.disable",
            target=organization,
            before={"third_party_clients_enabled": before},
            after={"third_party_clients_enabled": enabled},
            reason=reason,
            occurred_at=now,
        )
    actor.organization.third_party_clients_enabled = enabled

"""Device operations: activation codes, unpairing, attributes and pairing."""

from __future__ import annotations

import uuid
from typing import Any

from devices.models import PairingKind, PairingSession
from devices.services import (
    activation_code_issue,
    activation_code_status,
    device_move,
    device_rename,
    device_set_primary,
    device_unpair,
    device_unpair_all,
    email_pairing_finish,
    email_pairing_start,
    totp_pairing_finish,
    totp_pairing_start,
)
from devices.services.activation import HOURS_DEFAULT, HOURS_MAX, HOURS_MIN
from integrations.pingid.authentication import SignedCall
from integrations.pingid.errors import ErrorId, PingIDError
from integrations.pingid.operations.base import device_find, user_find
from integrations.pingid.operations.service_errors import pingid_error_from
from pingid_portal.errors import ServiceError, excerpt

# Unpair reason recorded for API calls, which carry none.
_API_UNPAIR_REASON = "other"


def get_activation_code(call: SignedCall) -> dict[str, Any]:
    user = user_find(call)
    try:
        _, code = activation_code_issue(
            actor=call.actor,
            user=user,
            device_type=call.body.text("deviceType"),
            hours=call.body.integer(
                "hoursUntilExpiration",
                default=HOURS_DEFAULT,
                minimum=HOURS_MIN,
                maximum=HOURS_MAX,
            ),
        )
    except ServiceError as error:
        raise pingid_error_from(error, body=call.body) from error
    return {"activationCode": code}


def get_pairing_status(call: SignedCall) -> dict[str, Any]:
    code = call.body.text("activationCode", required=True)
    state = activation_code_status(organization=call.organization, code=code)
    return {"pairingStatus": state.status, "deviceId": state.device_id}


def unpair_device(call: SignedCall) -> dict[str, Any]:
    """Unpair deviceId, or every device of the user when deviceId is absent."""
    user = user_find(call)
    note = (
        f"Unpaired through the PingID API with settings file {call.settings_file.token}"
    )
    try:
        if call.body.value("deviceId") is None:
            device_unpair_all(
                actor=call.actor, user=user, reason=_API_UNPAIR_REASON, note=note
            )
        else:
            device = device_find(call, user)
            device_unpair(
                actor=call.actor, device=device, reason=_API_UNPAIR_REASON, note=note
            )
    except ServiceError as error:
        raise pingid_error_from(error, body=call.body) from error
    return {}


def update_device_attributes(call: SignedCall) -> dict[str, Any]:
    """Make a device primary, rename it, or move it to another position."""
    user = user_find(call)
    device = device_find(call, user)
    attribute = call.body.text("attributeName", required=True)
    try:
        match attribute.upper():
            case "SET_PRIMARY":
                device_set_primary(actor=call.actor, device=device)
            case "NICKNAME":
                nickname = call.body.text("attributeValue")
                device_rename(actor=call.actor, device=device, nickname=nickname)
            case "ORDER":
                position = call.body.integer("attributeValue")
                if position is None:
                    raise PingIDError(
                        ErrorId.INVALID_INPUT,
                        "attributeValue is missing: send the new position, 0 first.",
                    )
                device_move(actor=call.actor, device=device, position=position)
            case _:
                raise PingIDError(
                    ErrorId.INVALID_INPUT,
                    f"Invalid {call.body.spelling('attributeName')} "
                    f"{excerpt(attribute)}: send SET_PRIMARY, NICKNAME or ORDER.",
                )
    except ServiceError as error:
        raise pingid_error_from(error, body=call.body) from error
    return {}


def authenticator_app_start_pairing(call: SignedCall) -> dict[str, Any]:
    user = user_find(call, "username")
    pairing_type = call.body.text("pairingType", default="TOTP")
    if pairing_type.upper() != "TOTP":
        raise PingIDError(
            ErrorId.INVALID_INPUT,
            f"Invalid {call.body.spelling('pairingType')} {excerpt(pairing_type)}: "
            "send TOTP.",
        )
    try:
        session, secret, uri = totp_pairing_start(actor=call.actor, user=user)
    except ServiceError as error:
        raise pingid_error_from(error, body=call.body) from error
    return {
        "sessionId": str(session.session_id),
        "pairingKey": secret,
        "pairingKeyUri": uri,
    }


def _pairing_session(call: SignedCall, kind: str) -> PairingSession:
    session_id = call.body.text("sessionId", required=True)
    try:
        parsed = uuid.UUID(session_id)
    except ValueError:
        parsed = None
    session = (
        PairingSession.objects.for_organization(call.organization)
        .filter(session_id=parsed, kind=kind)
        .first()
        if parsed
        else None
    )
    if session is None:
        raise PingIDError(
            ErrorId.INVALID_SESSION,
            "Invalid session: no pairing with this sessionId. Start the pairing again.",
        )
    return session


def authenticator_app_finish_pairing(call: SignedCall) -> dict[str, Any]:
    session = _pairing_session(call, PairingKind.TOTP)
    otp = call.body.text("otp", required=True)
    try:
        device = totp_pairing_finish(actor=call.actor, session=session, otp=otp)
    except ServiceError as error:
        raise pingid_error_from(error, body=call.body) from error
    return {"deviceId": device.pk}


def start_offline_pairing(call: SignedCall) -> dict[str, Any]:
    """Start pairing an e-mail address; SMS and voice have no gateway here."""
    user = user_find(call, "username")
    pairing_type = call.body.text("type", required=True)
    if pairing_type.upper() != "EMAIL":
        raise PingIDError(
            ErrorId.INVALID_INPUT,
            f"Invalid {call.body.spelling('type')} {excerpt(pairing_type)}: this "
            "service sends no SMS or voice calls. Send EMAIL, or pair an "
            "authenticator app with authenticatorappstartpairing.",
        )
    email = call.body.text("pairingData", required=True)
    try:
        session = email_pairing_start(actor=call.actor, user=user, email=email)
    except ServiceError as error:
        raise pingid_error_from(
            error, body=call.body, renamed={"email": "pairingData"}
        ) from error
    return {"sessionId": str(session.session_id)}


def finalize_offline_pairing(call: SignedCall) -> dict[str, Any]:
    session = _pairing_session(call, PairingKind.EMAIL)
    otp = call.body.text("otp", required=True)
    try:
        device = email_pairing_finish(actor=call.actor, session=session, otp=otp)
    except ServiceError as error:
        raise pingid_error_from(error, body=call.body) from error
    return {"deviceId": device.pk}

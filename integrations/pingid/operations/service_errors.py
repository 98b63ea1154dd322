"""Turning the services' `ServiceError`s into PingID errors.

A service names the input at fault by its own argument name (`username`,
`hours`, `until`). A PingID client knows only the `reqBody` fields it sent, so
the message names the request field instead, spelled the way the client sent it.
"""

from __future__ import annotations

from collections.abc import Mapping

from integrations.pingid.errors import ErrorId, PingIDError
from integrations.pingid.fields import RequestBody
from pingid_portal.errors import ServiceError

# ServiceError codes raised by the users and devices services, and their errorId.
_ERROR_IDS = {
    "duplicate": ErrorId.USER_EXISTS,
    "user_removed": ErrorId.USER_NOT_FOUND,
    "user_not_found": ErrorId.USER_NOT_FOUND,
    "already_suspended": ErrorId.CANNOT_SUSPEND,
    "not_suspended": ErrorId.CANNOT_ACTIVATE,
    "user_suspended": ErrorId.CANNOT_UPDATE_USER,
    "otp_invalid": ErrorId.WRONG_OTP,
    "pairing_not_found": ErrorId.INVALID_SESSION,
    "pairing_expired": ErrorId.INVALID_SESSION,
    "pairing_finished": ErrorId.INVALID_SESSION,
    "activation_code_invalid": ErrorId.ACTIVATION_FAILED,
    "not_bypassed": ErrorId.CANNOT_UPDATE_USER,
    # Transient: the same request can succeed when sent again.
    "retry": ErrorId.TRANSACTION_FAILED,
    "devices_changed": ErrorId.TRANSACTION_FAILED,
}

# The reqBody field that carries each service argument named in `ServiceError.field`,
# for the services that the operations call. Arguments whose request field has
# the same name (email, role, otp) are absent.
_REQUEST_FIELDS = {
    "username": "userName",
    "first_name": "fName",
    "last_name": "lName",
    "device_type": "deviceType",
    "hours": "hoursUntilExpiration",
    "until": "bypassUntil",
    "services": "spAliases",
    "position": "attributeValue",
    "nickname": "attributeValue",
}


def _request_field(
    field: str, body: RequestBody | None, renamed: Mapping[str, str] | None
) -> str:
    """Return the reqBody field that carries a service's `field`.

    The name is spelled the way the client sent it when `body` is known, else
    canonically. `renamed` maps the arguments that one operation takes from
    another request field than the one in `_REQUEST_FIELDS` (startofflinepairing sends
    the e-mail address in `pairingData`).
    """
    name = (renamed or {}).get(field) or _REQUEST_FIELDS.get(field, field)
    return body.spelling(name) if body is not None else name


def pingid_error_from(
    error: ServiceError,
    default: int = ErrorId.INVALID_INPUT,
    *,
    body: RequestBody | None = None,
    renamed: Mapping[str, str] | None = None,
) -> PingIDError:
    """Return the PingID error for a service's rule violation, naming its field."""
    # Any other conflict (already unpaired, not locked) is the state of the
    # target, which a retry does not change: it keeps `default`, with HTTP 409.
    error_id = _ERROR_IDS.get(error.code, default)
    message = error.message
    if error.field:
        message = f"{message} (field {_request_field(error.field, body, renamed)})"
    return PingIDError(error_id, message, http_status=error.status_code)

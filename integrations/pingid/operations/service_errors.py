"""Turning the services' `ServiceError` codes into PingID errorIds."""

from __future__ import annotations

from integrations.pingid.errors import ErrorId, PingIDError
from pingid_portal.errors import ConflictError, ServiceError

# ServiceError codes raised by the users and devices services, and their errorId.
_ERROR_IDS = {
    "duplicate": ErrorId.USER_EXISTS,
    "user_removed": ErrorId.USER_NOT_FOUND,
    "already_suspended": ErrorId.CANNOT_SUSPEND,
    "not_suspended": ErrorId.CANNOT_ACTIVATE,
    "user_suspended": ErrorId.CANNOT_UPDATE_USER,
    "otp_invalid": ErrorId.WRONG_OTP,
    "pairing_not_found": ErrorId.INVALID_SESSION,
    "pairing_expired": ErrorId.INVALID_SESSION,
    "pairing_finished": ErrorId.INVALID_SESSION,
    "activation_code_invalid": ErrorId.ACTIVATION_FAILED,
    "retry": ErrorId.TRANSACTION_FAILED,
}


def pingid_error_from(
    error: ServiceError, default: int = ErrorId.INVALID_INPUT
) -> PingIDError:
    """Return the PingID error for a service's rule violation, keeping its message."""
    error_id = _ERROR_IDS.get(error.code)
    if error_id is None:
        error_id = (
            ErrorId.TRANSACTION_FAILED if isinstance(error, ConflictError) else default
        )
    message = error.message
    if error.field:
        message = f"{message} (field {error.field})"
    return PingIDError(error_id, message, http_status=error.status_code)

"""PingID errorId values: Ping's published ones and ours.

Ping publishes no ids for signature, timestamp, replay, revoked files, the
third-party clients switch or rate limits; ours are in the 9xxxx range, which
Ping does not use, and are stable (documented in docs/pingid-api.md).
"""

from __future__ import annotations


class ErrorId:
    OK = 200
    # Next steps of startauthentication.
    EMAIL_OTP = 30005
    AUTHENTICATOR_APP_OTP = 30015
    # Ping's client errors.
    INVALID_INPUT = 400
    TRANSACTION_FAILED = 10551
    USER_DELETION_FAILED = 10553
    USER_EXISTS = 10556
    CANNOT_UPDATE_USER = 10558
    CANNOT_SUSPEND = 10561
    CANNOT_ACTIVATE = 10562
    USER_NOT_FOUND = 10564
    ACTIVATION_FAILED = 10565
    WRONG_OTP = 20513
    INVALID_SESSION = 20517
    # Ours: the request itself.
    MALFORMED_REQUEST = 90001
    UNSIGNED_REQUEST = 90002
    UNSUPPORTED_ALGORITHM = 90003
    UNKNOWN_SETTINGS_FILE = 90004
    BAD_SIGNATURE = 90005
    REQUEST_HEADER_MISMATCH = 90006
    # Ours: time and replay.
    INVALID_TIMESTAMP = 90010
    STALE_TIMESTAMP = 90011
    REPLAYED_REQUEST = 90012
    # Ours: the caller's standing.
    SETTINGS_FILE_REVOKED = 90020
    THIRD_PARTY_CLIENTS_OFF = 90021
    OPERATION_NOT_ALLOWED = 90022
    UNKNOWN_OPERATION = 90023
    # Ours: rate limits.
    RATE_LIMIT_SETTINGS_FILE = 90030
    RATE_LIMIT_USER = 90031
    # Ours: authentication outcomes that Ping has no id for.
    USER_SUSPENDED = 90040
    NO_DEVICE = 90041
    AUTHENTICATION_REJECTED = 90042
    DEVICE_LOCKED = 90043


class PingIDError(Exception):
    """An error returned as a signed `responseBody` with `errorId` and `errorMsg`."""

    def __init__(self, error_id: int, message: str, *, http_status: int = 400) -> None:
        super().__init__(message)
        self.error_id = error_id
        self.message = message
        self.http_status = http_status

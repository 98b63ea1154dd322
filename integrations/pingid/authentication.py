"""Checking a signed PingID request: algorithm, file, signature, time, replay."""

from __future__ import annotations

import base64
import binascii
import logging
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.db import connection
from django.utils import timezone
from rest_framework.authentication import BaseAuthentication
from rest_framework.request import Request

from accounts.models import Organization
from integrations.models import SettingsFile
from integrations.pingid import limits
from integrations.pingid.errors import ErrorId, PingIDError
from integrations.pingid.fields import RequestBody
from integrations.pingid.jws import CompactJWS, signature_valid
from pingid_portal import rows
from pingid_portal.actors import Actor, client_ip, request_user_agent
from pingid_portal.errors import excerpt

logger = logging.getLogger(__name__)

TIMESTAMP_FORMATS = ("%Y-%m-%d %H:%M:%S.%f", "%Y-%m-%d %H:%M:%S")


@dataclass
class SignedCall:
    """An accepted PingID request: its signer and its request body."""

    settings_file: SettingsFile
    jws: CompactJWS
    body: RequestBody
    actor: Actor
    client_ip: str | None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def organization(self) -> Any:
        return self.settings_file.organization


def _fail(error_id: int, message: str, http_status: int = 401) -> PingIDError:
    return PingIDError(error_id, message, http_status=http_status)


def _algorithm_check(jws: CompactJWS) -> None:
    algorithm = jws.header.get("alg")
    if not isinstance(algorithm, str) or algorithm.lower() == "none":
        raise _fail(
            ErrorId.UNSIGNED_REQUEST,
            "Unsigned request: the JWS header must have alg HS256.",
        )
    if algorithm != "HS256":
        raise _fail(
            ErrorId.UNSUPPORTED_ALGORITHM,
            f"Unsupported algorithm {algorithm[:20]!r}: only HS256 is accepted.",
        )


def _file_names(jws: CompactJWS) -> tuple[str, str]:
    """Return the org alias (sent as org_alias or orgAlias) and token of the header."""
    org_alias = jws.header.get("org_alias", jws.header.get("orgAlias"))
    token = jws.header.get("token")
    if not isinstance(org_alias, str) or not isinstance(token, str):
        raise _fail(
            ErrorId.MALFORMED_REQUEST,
            "The JWS header must name org_alias (or orgAlias) and token.",
            http_status=400,
        )
    return org_alias, token


# A settings file and its organization, found by token and org alias.
_SETTINGS_FILE_SQL = (
    f"SELECT {rows.columns(SettingsFile, 'f')}, "  # noqa: S608
    f"{rows.columns(Organization, 'o')} "
    f"FROM {rows.table(SettingsFile)} f "
    f"JOIN {rows.table(Organization)} o ON o.id = f.organization_id "
    "WHERE f.token = %s AND o.org_alias = %s"
)


def _settings_file_find(org_alias: str, token: str) -> SettingsFile:
    try:
        alias = uuid.UUID(org_alias)
    except ValueError:
        alias = None
    row = None
    if alias:
        with connection.cursor() as cursor:
            cursor.execute(
                _SETTINGS_FILE_SQL,
                [token[:64], rows.param(Organization, "org_alias", alias)],
            )
            row = cursor.fetchone()
    if row is None:
        raise _fail(
            ErrorId.UNKNOWN_SETTINGS_FILE,
            "Unknown settings file: no file with this token belongs to this org "
            "alias. Download the settings file again from the Integrations page.",
        )
    settings_file = rows.instance_from_row(SettingsFile, row)
    organization = rows.instance_from_row(
        Organization, row, rows.column_count(SettingsFile)
    )
    assert settings_file is not None and organization is not None
    settings_file.organization = organization
    return settings_file


def _signing_key(settings_file: SettingsFile) -> bytes:
    try:
        return base64.b64decode(settings_file.signing_key, validate=True)
    except binascii.Error as error:
        raise ValueError(
            f"Stored key of settings file {settings_file.pk} is invalid."
        ) from error


def _timestamp_check(value: Any) -> None:
    if value is None:
        raise _fail(
            ErrorId.INVALID_TIMESTAMP,
            "reqHeader.timestamp is missing: send UTC time as yyyy-MM-dd HH:mm:ss.SSS.",
            http_status=400,
        )
    if not isinstance(value, str):
        raise _fail(
            ErrorId.INVALID_TIMESTAMP,
            f"Invalid reqHeader.timestamp {excerpt(value)}: send UTC time as a "
            "string, yyyy-MM-dd HH:mm:ss.SSS.",
            http_status=400,
        )
    for time_format in TIMESTAMP_FORMATS:
        try:
            sent = datetime.strptime(value.strip(), time_format).replace(tzinfo=UTC)
            break
        except ValueError:
            continue
    else:
        raise _fail(
            ErrorId.INVALID_TIMESTAMP,
            f"Invalid reqHeader.timestamp {excerpt(value)}: send UTC time as "
            "yyyy-MM-dd HH:mm:ss.SSS.",
            http_status=400,
        )
    tolerance = settings.PINGID_TIMESTAMP_TOLERANCE_SECONDS
    skew = abs((timezone.now() - sent).total_seconds())
    if skew > tolerance:
        raise _fail(
            ErrorId.STALE_TIMESTAMP,
            f"Stale request: its timestamp is {int(skew)} seconds from server time, "
            f"more than the {tolerance} allowed. Check the client's clock (UTC).",
        )


def _request_header_check(
    jws: CompactJWS, settings_file: SettingsFile
) -> dict[str, Any]:
    request_header = jws.payload.get("reqHeader")
    if not isinstance(request_header, dict):
        raise _fail(
            ErrorId.MALFORMED_REQUEST,
            "The JWS payload must hold reqHeader and reqBody objects.",
            http_status=400,
        )
    secret_key = request_header.get("secretKey")
    if secret_key is not None and secret_key != settings_file.token:
        raise _fail(
            ErrorId.REQUEST_HEADER_MISMATCH,
            "reqHeader.secretKey differs from the token in the JWS header.",
        )
    org_alias = request_header.get("orgAlias")
    if org_alias is not None and str(org_alias) != str(
        settings_file.organization.org_alias
    ):
        raise _fail(
            ErrorId.REQUEST_HEADER_MISMATCH,
            "reqHeader.orgAlias differs from the org alias in the JWS header.",
        )
    return request_header


def _request_body(jws: CompactJWS) -> RequestBody:
    body = jws.payload.get("reqBody", {})
    if not isinstance(body, dict):
        raise _fail(
            ErrorId.MALFORMED_REQUEST, "reqBody must be a JSON object.", http_status=400
        )
    return RequestBody(body)


class SignedRequestAuthentication(BaseAuthentication):
    """Accept a request only when its settings file signed it, now, once."""

    def authenticate(self, request: Request) -> tuple[None, SignedCall]:
        jws = request.data
        if not isinstance(jws, CompactJWS):
            raise _fail(
                ErrorId.MALFORMED_REQUEST,
                "The body must be a compact JWS (three base64url parts joined by dots).",
                http_status=400,
            )
        body = jws.payload.get("reqBody")
        if isinstance(body, dict) and "clientData" in body:
            request.pingid_client_data = body["clientData"]  # type: ignore[attr-defined]
        org_alias, token = _file_names(jws)
        settings_file = _settings_file_find(org_alias, token)
        # From here on, responses are signed with the file's key.
        request.pingid_settings_file = settings_file  # type: ignore[attr-defined]
        _algorithm_check(jws)
        if not signature_valid(jws, _signing_key(settings_file)):
            logger.warning(
                "PingID request with a bad signature for file %s", settings_file.pk
            )
            raise _fail(
                ErrorId.BAD_SIGNATURE,
                "Invalid signature: sign with the key (use_base64_key) of this "
                "settings file.",
            )
        self._standing_check(settings_file)
        request_header = _request_header_check(jws, settings_file)
        _timestamp_check(request_header.get("timestamp"))
        limits.call_admit(settings_file.token, jws.signature, settings_file.pk)

        address = client_ip(request)
        actor = Actor.for_settings_file(
            settings_file, ip_address=address, user_agent=request_user_agent(request)
        )
        call = SignedCall(
            settings_file=settings_file,
            jws=jws,
            body=_request_body(jws),
            actor=actor,
            client_ip=address,
        )
        return None, call

    @staticmethod
    def _standing_check(settings_file: SettingsFile) -> None:
        if settings_file.revoked_at is not None:
            raise _fail(
                ErrorId.SETTINGS_FILE_REVOKED,
                f"This settings file was revoked on "
                f"{settings_file.revoked_at:%Y-%m-%d %H:%M} UTC. Deploy a current "
                "settings file.",
            )
        if not settings_file.organization.third_party_clients_enabled:
            raise _fail(
                ErrorId.THIRD_PARTY_CLIENTS_OFF,
                "PingID authentication for third-party clients is switched off for "
                "this organization. A global administrator can switch it on in the "
                "portal under Integrations.",
                http_status=403,
            )

    def authenticate_header(self, request: Request) -> str:
        return "PingID-JWS"

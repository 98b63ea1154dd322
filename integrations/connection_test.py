"""The "Test connection" round trip: a signed call through the real PingID API.

The request goes through the same DRF view, parser, authentication and
renderer as a client's call, in process, so the test works behind any proxy
and never sends traffic over the network. The response's signature is checked
with the file's key, as a client would.
"""

from __future__ import annotations

import base64
import io
import time
from dataclasses import dataclass
from datetime import UTC, datetime

from django.core.handlers.wsgi import WSGIRequest
from django.db import transaction
from django.urls import reverse

from activity.models import Outcome
from activity.services import event_record
from integrations.models import SettingsFile
from integrations.pingid.api import PingIDOperationView
from integrations.pingid.errors import ErrorId
from integrations.pingid.jws import MalformedJWS, jws_parse, jws_sign, signature_valid
from pingid_portal.actors import Actor
from pingid_portal.permissions import Action

# A username no organization is expected to have; the call reads, never writes.
PROBE_USERNAME = "pingid-portal-connection-test"
PROBE_OPERATION = "getuserdetails"


@dataclass(frozen=True)
class ConnectionTestResult:
    ok: bool
    # One sentence for the administrator.
    message: str
    error_id: int | None
    http_status: int
    elapsed_ms: float


def _request_for(settings_file: SettingsFile, actor: Actor) -> WSGIRequest:
    organization = settings_file.organization
    key = base64.b64decode(settings_file.signing_key)
    timestamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")[:-3]
    payload = {
        "reqHeader": {
            "locale": "en",
            "orgAlias": str(organization.org_alias),
            "secretKey": settings_file.token,
            "timestamp": timestamp,
            "version": "4.9",
        },
        "reqBody": {"userName": PROBE_USERNAME, "clientData": "connection test"},
    }
    header = {
        "alg": "HS256",
        "org_alias": str(organization.org_alias),
        "token": settings_file.token,
    }
    body = jws_sign(header, payload, key).encode("ascii")
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": reverse("pingid-operation", kwargs={"operation": PROBE_OPERATION}),
        "CONTENT_TYPE": "application/json",
        "CONTENT_LENGTH": str(len(body)),
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "443",
        "wsgi.url_scheme": "https",
        "wsgi.input": io.BytesIO(body),
        "REMOTE_ADDR": actor.ip_address or "127.0.0.1",
        "HTTP_USER_AGENT": "pingid-portal connection test",
    }
    return WSGIRequest(environ)


def _result_of(
    settings_file: SettingsFile, status: int, content: bytes, elapsed_ms: float
) -> ConnectionTestResult:
    try:
        response = jws_parse(content.decode("ascii"))
    except (UnicodeDecodeError, MalformedJWS):
        return ConnectionTestResult(
            False,
            "The API returned something other than a JWS.",
            None,
            status,
            elapsed_ms,
        )
    body = response.payload.get("responseBody", {})
    error_id = body.get("errorId")
    key = base64.b64decode(settings_file.signing_key)
    if response.header.get("alg") != "HS256" or not signature_valid(response, key):
        return ConnectionTestResult(
            False,
            f"The response is not signed with this file's key: {body.get('errorMsg')}",
            error_id,
            status,
            elapsed_ms,
        )
    if error_id in (ErrorId.OK, ErrorId.USER_NOT_FOUND):
        return ConnectionTestResult(
            True,
            "Connection works: the API accepted the signed request and its signed "
            "response verified with this file's key.",
            error_id,
            status,
            elapsed_ms,
        )
    return ConnectionTestResult(
        False,
        f"The API rejected the call: {body.get('errorMsg')}",
        error_id,
        status,
        elapsed_ms,
    )


def settings_file_connection_test(
    *, actor: Actor, settings_file: SettingsFile
) -> ConnectionTestResult:
    """Make one signed getuserdetails call with the file and record the outcome."""
    actor.require(Action.INTEGRATION_MANAGE)
    settings_file = SettingsFile.objects.select_related("organization").get(
        pk=settings_file.pk, organization=actor.organization
    )
    request = _request_for(settings_file, actor)
    started = time.perf_counter()
    response = PingIDOperationView.as_view()(request, operation=PROBE_OPERATION)
    response.render()
    elapsed_ms = (time.perf_counter() - started) * 1000
    result = _result_of(
        settings_file, response.status_code, response.content, elapsed_ms
    )
    with transaction.atomic():
        event_record(
            actor=actor,
            action="settings_file.test_connection",
            target=settings_file,
            outcome=Outcome.SUCCESS if result.ok else Outcome.FAILURE,
            message=result.message,
            after={"error_id": result.error_id},
        )
    return result

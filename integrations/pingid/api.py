"""The DRF view behind `/pingid/rest/4/<operation>/do`, with its parser and renderer."""

from __future__ import annotations

import base64
import logging
import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, transaction
from rest_framework import exceptions
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.parsers import BaseParser
from rest_framework.permissions import BasePermission
from rest_framework.renderers import BaseRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from integrations.pingid.authentication import SignedCall, SignedRequestAuthentication
from integrations.pingid.errors import ErrorId, PingIDError
from integrations.pingid.jws import MalformedJWS, jws_parse, jws_sign, jws_unsigned
from integrations.pingid.operations import OPERATIONS, Operation
from integrations.services import settings_file_record_use
from pingid_portal import rows
from pingid_portal.errors import ServiceError
from pingid_portal.permissions import has_permission

logger = logging.getLogger(__name__)

# Maximum request body read, in bytes. PingID requests are a few kilobytes.
MAX_BODY_BYTES = 256 * 1024


class JWSParser(BaseParser):
    """Parse a compact JWS body, sent by clients as `application/json`."""

    media_type = "*/*"

    def parse(
        self,
        stream: Any,
        media_type: str | None = None,
        parser_context: Mapping[str, Any] | None = None,
    ) -> Any:
        raw = stream.read(MAX_BODY_BYTES + 1) if stream is not None else b""
        if len(raw) > MAX_BODY_BYTES:
            raise PingIDError(
                ErrorId.MALFORMED_REQUEST,
                f"Request body too large: at most {MAX_BODY_BYTES} bytes.",
            )
        try:
            return jws_parse(raw.decode("ascii"))
        except (UnicodeDecodeError, MalformedJWS) as error:
            raise PingIDError(
                ErrorId.MALFORMED_REQUEST,
                f"The body is not a compact JWS: {error}.",
            ) from error


class JWSRenderer(BaseRenderer):
    """Sign every response with the key of the request's settings file.

    When no settings file could be identified there is no shared key, so the
    response is a JWS with `alg: none` and an empty signature.
    """

    media_type = "application/json"
    format = "jws"
    charset = None

    def render(
        self,
        data: Any,
        accepted_media_type: str | None = None,
        renderer_context: Mapping[str, Any] | None = None,
    ) -> bytes:
        request = (renderer_context or {}).get("request")
        settings_file = getattr(request, "pingid_settings_file", None)
        if settings_file is None:
            return jws_unsigned({}, data).encode("ascii")
        header = {
            "alg": "HS256",
            "orgAlias": str(settings_file.organization.org_alias),
            "token": settings_file.token,
        }
        key = base64.b64decode(settings_file.signing_key)
        return jws_sign(header, data, key).encode("ascii")


class FirstChoiceNegotiation(BaseContentNegotiation):
    """Use the JWS parser and renderer whatever the Content-Type and Accept headers are."""

    def select_parser(
        self, request: Request, parsers: Iterable[BaseParser]
    ) -> BaseParser:
        return next(iter(parsers))

    def select_renderer(
        self,
        request: Request,
        renderers: Iterable[BaseRenderer],
        format_suffix: str | None = None,
    ) -> tuple[BaseRenderer, str]:
        renderer = next(iter(renderers))
        return renderer, renderer.media_type


def operation_lookup(name: str) -> Operation:
    operation = OPERATIONS.get(name.lower())
    if operation is None:
        raise PingIDError(
            ErrorId.UNKNOWN_OPERATION,
            f"Unknown operation {name[:60]!r}: see the operations of PingID API version 4.",
            http_status=404,
        )
    return operation


class SettingsFileMayCall(BasePermission):
    """Let a settings file call an operation only if its role may perform it."""

    def has_permission(self, request: Request, view: APIView) -> bool:
        call = request.auth
        assert isinstance(call, SignedCall)
        operation = operation_lookup(view.kwargs["operation"])
        if not has_permission(call.settings_file.client_role, operation.action):
            raise PingIDError(
                ErrorId.OPERATION_NOT_ALLOWED,
                f"Operation {operation.name} is not allowed for an "
                f"{call.settings_file.get_kind_display().lower()} settings file. Use a "
                "full settings file.",
                http_status=403,
            )
        return True


def response_body(request: Request | None, fields: dict[str, Any]) -> dict[str, Any]:
    """Wrap operation fields in PingID's responseBody, echoing clientData."""
    body: dict[str, Any] = {
        "errorId": ErrorId.OK,
        "errorMsg": "ok",
        "uniqueMsgId": f"pp_{uuid.uuid4().hex}",
        "clientData": getattr(request, "pingid_client_data", None),
    }
    body.update(fields)
    return {"responseBody": body}


def _error_of(exc: Exception) -> PingIDError:
    if isinstance(exc, PingIDError):
        return exc
    if isinstance(exc, ServiceError):
        from integrations.pingid.operations.service_errors import pingid_error_from

        return pingid_error_from(exc)
    if isinstance(exc, PermissionDenied):
        return PingIDError(ErrorId.OPERATION_NOT_ALLOWED, str(exc), http_status=403)
    if isinstance(exc, exceptions.MethodNotAllowed):
        return PingIDError(
            ErrorId.MALFORMED_REQUEST,
            "Method not allowed: PingID operations take POST.",
            http_status=405,
        )
    if isinstance(exc, exceptions.APIException):
        return PingIDError(ErrorId.MALFORMED_REQUEST, str(exc.detail))
    if isinstance(exc, DatabaseError):
        logger.exception("Database error in a PingID API call")
    else:
        logger.exception("Unhandled error in a PingID API call")
    return PingIDError(
        ErrorId.TRANSACTION_FAILED,
        "Transaction failed: the error has been logged. Retry the request.",
        http_status=500,
    )


def pingid_exception_handler(exc: Exception, context: dict[str, Any]) -> Response:
    """Return every error as a signed responseBody with errorId and errorMsg."""
    error = _error_of(exc)
    fields = {"errorId": error.error_id, "errorMsg": error.message}
    return Response(
        response_body(context.get("request"), fields), status=error.http_status
    )


class PingIDOperationView(APIView):
    """One PingID API operation: verify, authorize, call the operation, sign."""

    authentication_classes = [SignedRequestAuthentication]
    permission_classes = [SettingsFileMayCall]
    parser_classes = [JWSParser]
    renderer_classes = [JWSRenderer]
    content_negotiation_class = FirstChoiceNegotiation
    throttle_classes: list[Any] = []
    http_method_names = ["post"]
    # Not part of the management API's OpenAPI schema: docs/pingid-api.md
    # describes this protocol.
    schema = None

    def get_exception_handler(self) -> Any:
        return pingid_exception_handler

    def post(self, request: Request, operation: str) -> Response:
        call = request.auth
        assert isinstance(call, SignedCall)
        handler = operation_lookup(operation)

        # An operation's own changes sit in savepoints (the services' atomic
        # blocks), so a PingIDError keeps only what the operation meant to keep,
        # such as a counted OTP failure. The use count comes last: its UPDATE
        # locks the file's row until the commit. The batch sends the call's
        # last writes (events, counters) in one round trip before the commit.
        with transaction.atomic(), rows.write_batch():
            try:
                fields = handler.run(call)
                status = 200
            except PingIDError as error:
                fields = {"errorId": error.error_id, "errorMsg": error.message}
                status = error.http_status
            settings_file_record_use(settings_file=call.settings_file)

        return Response(response_body(request, fields), status=status)

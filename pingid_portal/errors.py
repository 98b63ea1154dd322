"""The one JSON error envelope of the management API.

Every error returns `{"code": ..., "message": ..., "fields": {...}}`: `code` is
stable and machine-readable, `message` is a sentence for people, `fields` maps
each invalid input field to its messages (empty when the error is not about a
field).
"""

from __future__ import annotations

import json
import logging
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

logger = logging.getLogger(__name__)

# Maximum number of characters of a client's value that an error message repeats.
EXCERPT_LENGTH = 40


class ServiceError(Exception):
    """A rule violation raised by a service; shown to people as is.

    `code` is stable; `field` names the input at fault, when there is one.
    """

    status_code = 400

    def __init__(
        self, message: str, *, code: str = "invalid", field: str | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.field = field


def excerpt(value: object, limit: int = EXCERPT_LENGTH) -> str:
    """Quote a client's value for an error message, cut to its first `limit` characters.

    A cut value ends in "…" and states its full length, so that a client that
    sent a huge value gets back a short message that still identifies it.
    Strings are quoted with `repr`; booleans and None are written as in JSON
    (`true`, `null`), the form clients send; other values are not quoted.
    """
    if value is None or isinstance(value, bool):
        return json.dumps(value)
    text = value if isinstance(value, str) else str(value)
    quote = repr if isinstance(value, str) else str
    if len(text) <= limit:
        return quote(text)
    return f"{quote(text[:limit])}… ({len(text)} characters)"


class ConflictError(ServiceError):
    """The target changed or disappeared since the caller looked at it."""

    status_code = 409

    def __init__(
        self, message: str, *, code: str = "conflict", field: str | None = None
    ) -> None:
        super().__init__(message, code=code, field=field)


def error_envelope(
    code: str, message: str, fields: dict[str, list[str]] | None = None
) -> dict[str, Any]:
    return {"code": code, "message": message, "fields": fields or {}}


def _field_errors(detail: Any) -> dict[str, list[str]]:
    if isinstance(detail, dict):
        return {
            str(name): [
                str(item) for item in (value if isinstance(value, list) else [value])
            ]
            for name, value in detail.items()
        }
    return {}


def _request_too_large(context: dict[str, Any]) -> Response:
    # Django raises RequestDataTooBig when a view reads a body longer than
    # DATA_UPLOAD_MAX_MEMORY_SIZE, which is the client's fault, not a 500.
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    logger.warning(
        "Rejected an API request body over %s bytes in view %s",
        limit,
        context.get("view"),
    )
    return Response(
        error_envelope(
            "request_too_large",
            f"Request body is too large: send at most {limit} bytes.",
        ),
        status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
    )


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Return every API error in the envelope."""
    if isinstance(exc, ServiceError):
        fields = {exc.field: [exc.message]} if exc.field else {}
        return Response(
            error_envelope(exc.code, exc.message, fields), status=exc.status_code
        )
    if isinstance(exc, RequestDataTooBig):
        return _request_too_large(context)
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(
            exc.message_dict
            if hasattr(exc, "error_dict")
            else {"non_field_errors": exc.messages}
        )
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    if isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)

    response = exception_handler(exc, context)
    if response is None:
        logger.exception("Unhandled error in API view %s", context.get("view"))
        return Response(
            error_envelope(
                "server_error",
                "Internal server error. The error has been logged; try again later.",
            ),
            status=status.HTTP_500_INTERNAL_SERVER_ERROR,
        )
    assert isinstance(exc, exceptions.APIException)
    if isinstance(exc, exceptions.ValidationError):
        fields = _field_errors(exc.detail)
        non_field = fields.pop("non_field_errors", [])
        message = non_field[0] if non_field else "Invalid input: see the field errors."
        if isinstance(exc.detail, list):
            message = " ".join(str(item) for item in exc.detail) or message
        response.data = error_envelope("invalid", message, fields)
    else:
        detail = exc.detail
        codes = exc.get_codes()
        response.data = error_envelope(
            codes if isinstance(codes, str) else exc.default_code, str(detail)
        )
    return response

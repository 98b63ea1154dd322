"""The OpenAPI schema and Swagger UI of the management API.

They are for signed-in administrators, with a portal session (the browser) or
an API token. This module is apart from `pingid_portal.api` because DRF imports
that one while it starts, before drf-spectacular's views can be imported.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework import authentication, permissions
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from accounts.authentication import ApiTokenAuthentication
from pingid_portal.api import IsOrganizationMember
from pingid_portal.permissions import Action


def _authenticators() -> list[authentication.BaseAuthentication]:
    # Token first: its `WWW-Authenticate` header makes an anonymous call a 401.
    return [ApiTokenAuthentication(), authentication.SessionAuthentication()]


class _SignedInMixin:
    """Require a signed-in administrator and render errors as the JSON envelope."""

    permission_action = Action.VIEW

    def get_permissions(self) -> list[permissions.BasePermission]:
        return [IsOrganizationMember()]

    def get_authenticators(self) -> list[authentication.BaseAuthentication]:
        return _authenticators()

    def handle_exception(self, exc: Exception) -> Response:
        response: Response = super().handle_exception(exc)  # type: ignore[misc]
        # The page's own renderer (YAML, HTML) would not render the envelope.
        request = self.request  # type: ignore[attr-defined]
        request.accepted_renderer = JSONRenderer()
        request.accepted_media_type = JSONRenderer.media_type
        return response


class SchemaView(_SignedInMixin, SpectacularAPIView):
    """The OpenAPI schema of the management API."""


class DocsView(_SignedInMixin, SpectacularSwaggerSplitView):
    """Swagger UI for the schema, with its script in a file for the CSP."""


_ERROR_RESPONSES = {
    "400": "Invalid input: `fields` names each invalid field.",
    "401": "Missing, invalid or revoked API token.",
    "403": "The caller's role may not perform this action.",
    "404": "No such object in the caller's organization.",
    "409": "The object changed or a rule forbids the change, such as removing "
    "the last active global administrator.",
    "500": "Internal server error.",
}
_ERROR_SCHEMA = {
    "type": "object",
    "required": ["code", "message", "fields"],
    "properties": {
        "code": {"type": "string", "description": "Stable, machine-readable code."},
        "message": {"type": "string", "description": "Sentence for people."},
        "fields": {
            "type": "object",
            "description": "Messages for each invalid input field.",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
        },
    },
}


def schema_add_error_responses(
    result: dict[str, Any], generator: Any, request: Any, public: bool
) -> dict[str, Any]:
    """Document the error envelope as the response of every error status.

    A drf-spectacular postprocessing hook, listed in `SPECTACULAR_SETTINGS`.
    """
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas["Error"] = _ERROR_SCHEMA
    content = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for path_item in result.get("paths", {}).values():
        for operation in path_item.values():
            responses = operation.setdefault("responses", {})
            for status, description in _ERROR_RESPONSES.items():
                responses.setdefault(
                    status, {"description": description, "content": content}
                )
    return result

"""The OpenAPI schema and Swagger UI of the management API.

They are for signed-in administrators, with a portal session (the browser) or
an API token. This module is apart from `pingid_portal.api` because DRF imports
that one while it starts, before drf-spectacular's views can be imported.
"""

from __future__ import annotations

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
    """Require a signed-in administrator; answer errors with the JSON envelope."""

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

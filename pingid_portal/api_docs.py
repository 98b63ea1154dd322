"""The OpenAPI schema and Swagger UI of the management API.

They are for signed-in administrators, with a portal session (the browser) or
an API token. This module is apart from `pingid_portal.api` because DRF imports
that one while it starts, before drf-spectacular's views can be imported.
"""

from __future__ import annotations

from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework import authentication

from accounts.authentication import ApiTokenAuthentication
from pingid_portal.api import IsOrganizationMember
from pingid_portal.permissions import Action


def _authenticators() -> list[authentication.BaseAuthentication]:
    # Token first: its `WWW-Authenticate` header makes an anonymous call a 401.
    return [ApiTokenAuthentication(), authentication.SessionAuthentication()]


class SchemaView(SpectacularAPIView):
    """The OpenAPI schema of the management API."""

    permission_action = Action.VIEW
    permission_classes = [IsOrganizationMember]

    def get_authenticators(self) -> list[authentication.BaseAuthentication]:
        return _authenticators()


class DocsView(SpectacularSwaggerSplitView):
    """Swagger UI for the schema, with its script in a file for the CSP."""

    permission_action = Action.VIEW
    permission_classes = [IsOrganizationMember]

    def get_authenticators(self) -> list[authentication.BaseAuthentication]:
        return _authenticators()

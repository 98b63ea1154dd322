"""Base pieces of the management REST API: permission class and pagination."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from rest_framework import (
    authentication,
    exceptions,
    pagination,
    parsers,
    permissions,
)
from rest_framework.request import Request

from pingid_portal.permissions import Action, has_permission
from pingid_portal.tenancy import membership_of

if TYPE_CHECKING:
    from rest_framework.views import APIView


def view_action(view: APIView, method: str) -> Action | None:
    """Return the action a view requires for an HTTP method.

    Views set `permission_action` to an `Action` (for every method) or to a
    dict from method to `Action`. Read-only methods default to `Action.VIEW`;
    a writing method without a rule is denied.
    """
    rule = getattr(view, "permission_action", None)
    if isinstance(rule, dict):
        action = rule.get(method)
    else:
        action = rule
    if action is None and method in permissions.SAFE_METHODS:
        return Action.VIEW
    return action


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, with too deeply nested input as a parse error."""

    def parse(
        self,
        stream: Any,
        media_type: str | None = None,
        parser_context: Mapping[str, Any] | None = None,
    ) -> Any:
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError as error:
            # json.loads raises RecursionError past the interpreter's recursion
            # limit, about 1000 levels; DRF would turn it into a 500.
            raise exceptions.ParseError(
                "JSON parse error - the body is nested too deeply: "
                "send at most a few hundred levels of arrays and objects."
            ) from error


def _session_verified(request: Request) -> bool:
    is_verified = getattr(request.user, "is_verified", None)
    return bool(is_verified is not None and is_verified())


class IsOrganizationMember(permissions.BasePermission):
    """Let in administrators whose role may perform the view's action."""

    message = "Your role may not perform this action."

    def has_permission(self, request: Request, view: APIView) -> bool:
        membership = membership_of(request.user)
        if membership is None:
            return False
        session = isinstance(
            request.successful_authenticator, authentication.SessionAuthentication
        )
        if session and not _session_verified(request):
            # A portal session (not an API token) counts only after the MFA step.
            raise exceptions.PermissionDenied(
                "Your session has not passed two-step verification: sign in again "
                "in the portal, or use an API token."
            )
        request.membership = membership  # type: ignore[attr-defined]
        request.organization = membership.organization  # type: ignore[attr-defined]
        method = request.method or "GET"
        if not hasattr(view, method.lower()):
            # Let DRF return 405 Method Not Allowed, because no handler exists to guard.
            return True
        action = view_action(view, method)
        return action is not None and has_permission(membership.role, action)


class CursorPagination(pagination.CursorPagination):
    page_size = 50
    max_page_size = 500
    page_size_query_param = "page_size"
    ordering = "-id"

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        return super().get_paginated_response_schema(schema)

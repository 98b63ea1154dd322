"""API token authentication for the management API."""

from __future__ import annotations

import hashlib
from typing import Any

from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions
from rest_framework.request import Request

TOKEN_PREFIX = "pp_"


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class ApiTokenAuthentication(authentication.BaseAuthentication):
    """Authenticate `Authorization: Bearer <token>` against stored token hashes."""

    keyword = "Bearer"

    def authenticate(self, request: Request) -> tuple[Any, Any] | None:
        header = authentication.get_authorization_header(request).decode("latin-1")
        if not header:
            return None
        scheme, _, token = header.partition(" ")
        if scheme.lower() not in ("bearer", "token"):
            return None
        token = token.strip()
        if not token:
            raise exceptions.AuthenticationFailed("Missing token after 'Bearer'.")
        return self._authenticate_token(request, token)

    def _authenticate_token(self, request: Request, token: str) -> tuple[Any, Any]:
        from accounts.models import ApiToken
        from accounts.services import api_token_record_use

        try:
            api_token = ApiToken.objects.select_related(
                "membership__user", "membership__organization"
            ).get(token_hash=hash_token(token), revoked_at__isnull=True)
        except ApiToken.DoesNotExist as error:
            raise exceptions.AuthenticationFailed(
                "Invalid or revoked API token."
            ) from error
        user = api_token.membership.user
        if not user.is_active:
            raise exceptions.AuthenticationFailed(
                "The administrator of this token is disabled."
            )
        api_token_record_use(api_token=api_token, request=request, now=timezone.now())
        return user, api_token

    def authenticate_header(self, request: Request) -> str:
        return self.keyword


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "accounts.authentication.ApiTokenAuthentication"
    name = "apiToken"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {"type": "http", "scheme": "bearer"}

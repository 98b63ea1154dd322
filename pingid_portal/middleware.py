"""Middleware that keeps management API errors in the JSON envelope."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse

from pingid_portal.errors import error_envelope


class APINotFoundMiddleware:
    """Turn a non-JSON 404 under /api/ into the JSON error envelope.

    With DEBUG on, Django returns its technical 404 page for an unmatched URL
    instead of calling handler404, so /api/v1/nope/ would get HTML. DRF views
    already return JSON, so only responses of another type are replaced.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            response.status_code == 404
            and request.path.startswith("/api/")
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            return JsonResponse(error_envelope("not_found", "Not found."), status=404)
        return response

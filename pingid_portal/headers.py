"""Response headers for pages and downloads that show secrets."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse

View = Callable[..., HttpResponse]


def no_store(view: View) -> View:
    """Forbid browsers and proxies to keep a copy of the response.

    Use it on every page or download that shows a secret (MFA seeds, recovery
    codes, new API tokens, activation codes, settings files), so the secret
    cannot be read back from the browser cache or the back button. For class
    views, wrap with `django.utils.decorators.method_decorator(no_store)`.
    """

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        response["Cache-Control"] = "no-store"
        response["Pragma"] = "no-cache"
        return response

    return wrapper

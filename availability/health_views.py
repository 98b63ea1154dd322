"""/health/live and /health/ready for load balancers and orchestrators.

Both respond without authentication, so they return states and fixed
phrases only, and never versions, host names, URLs or error texts.
"""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from availability.health import State, broker_embedded, readiness


@never_cache
@require_GET
def live(request: HttpRequest) -> JsonResponse:
    """Return 200 while the process serves requests."""
    return JsonResponse({"status": State.OK})


@never_cache
@require_GET
def ready(request: HttpRequest) -> JsonResponse:
    """Return 200 when every required component works, else 503 naming the failed ones."""
    checks = readiness()
    failed = [name for name, check in checks.items() if check.failed]
    components = {
        name: {"state": check.state, "detail": check.detail}
        for name, check in checks.items()
    }
    body = {
        "status": State.FAILED if failed else State.OK,
        "failed": failed,
        "mode": "embedded" if broker_embedded() else "broker",
        "components": components,
    }
    return JsonResponse(body, status=503 if failed else 200)

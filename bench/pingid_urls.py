"""The product's URLs plus a minimal unsigned JSON view, for the baseline only."""

from django.http import HttpRequest, JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from pingid_portal.urls import urlpatterns as product_urlpatterns


@csrf_exempt
def baseline(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"responseBody": {"errorId": 200, "errorMsg": "ok"}})


urlpatterns = [path("bench/baseline", baseline), *product_urlpatterns]

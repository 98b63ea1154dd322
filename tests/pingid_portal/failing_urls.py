"""The project's URLs plus an API view that raises, to test the 500 envelope."""

from django.urls import path
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from pingid_portal.permissions import Action
from pingid_portal.urls import handler403, handler404, handler500, urlpatterns

__all__ = ["handler403", "handler404", "handler500", "urlpatterns"]


class FailingView(APIView):
    permission_action = Action.VIEW

    def get(self, request: Request) -> Response:
        raise RuntimeError("deliberate failure for the 500 envelope test")


urlpatterns = [path("api/v1/failing/", FailingView.as_view()), *urlpatterns]

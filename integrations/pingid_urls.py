from django.urls import URLPattern, URLResolver, path

from integrations.pingid.api import PingIDOperationView

urlpatterns: list[URLPattern | URLResolver] = [
    path(
        "rest/4/<str:operation>/do",
        PingIDOperationView.as_view(),
        name="pingid-operation",
    ),
]

from django.urls import URLPattern, URLResolver, path

from availability import health_views

app_name = "health"

urlpatterns: list[URLPattern | URLResolver] = [
    path("live", health_views.live, name="live"),
    path("ready", health_views.ready, name="ready"),
]

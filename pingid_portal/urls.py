from csp.decorators import csp_update
from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path

from pingid_portal import views
from pingid_portal.api_docs import DocsView, SchemaView

api_v1: list[URLPattern | URLResolver] = [
    path("", include("accounts.api_urls")),
    path("", include("users.api_urls")),
    path("", include("devices.api_urls")),
    path("", include("activity.api_urls")),
    path("", include("availability.api_urls")),
    path("", include("integrations.api_urls")),
    path("schema/", SchemaView.as_view(), name="api-schema"),
    path(
        # Swagger UI adds a <style> element at run time, so this page alone
        # allows inline styles; its script is a file (see DocsView).
        "docs/",
        csp_update({"style-src": ["'unsafe-inline'"]})(
            DocsView.as_view(url_name="api-schema")
        ),
        name="api-docs",
    ),
]

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("accounts/", include("accounts.urls")),
    path("users/", include("users.urls")),
    path("devices/", include("devices.urls")),
    path("activity/", include("activity.urls")),
    path("availability/", include("availability.urls")),
    path("integrations/", include("integrations.urls")),
    path("api/v1/", include(api_v1)),
    path("django-admin/", admin.site.urls),
]

handler403 = "pingid_portal.views.handler403"
handler404 = "pingid_portal.views.handler404"
handler500 = "pingid_portal.views.handler500"

urlpatterns += [
    path("pingid/", include("integrations.pingid_urls")),
    path("health/", include("availability.health_urls")),
]

from django.urls import URLPattern, URLResolver, path

from activity import api

urlpatterns: list[URLPattern | URLResolver] = [
    path("activity/events/", api.EventList.as_view(), name="activity-event-list"),
    path("activity/exports/", api.ExportList.as_view(), name="activity-export-list"),
    path(
        "activity/exports/<int:export_id>/",
        api.ExportDetail.as_view(),
        name="activity-export-detail",
    ),
    path(
        "activity/exports/<int:export_id>/download/",
        api.ExportDownload.as_view(),
        name="activity-export-download",
    ),
]

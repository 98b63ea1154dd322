from django.urls import path

from activity import views

app_name = "activity"

urlpatterns = [
    path("", views.event_list, name="event_list"),
    path("users/<int:pingid_user_id>/", views.user_timeline, name="user_timeline"),
    path("integrity/", views.integrity, name="integrity"),
    path("exports/", views.export_start, name="export_start"),
    path("exports/<int:export_id>/", views.export_detail, name="export_detail"),
    path(
        "exports/<int:export_id>/retry/",
        views.export_retry_view,
        name="export_retry",
    ),
    path(
        "exports/<int:export_id>/download/",
        views.export_download,
        name="export_download",
    ),
]

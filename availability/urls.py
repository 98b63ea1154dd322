from django.urls import path

from availability import views

app_name = "availability"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("settings/", views.settings_page, name="settings"),
    path("settings/switch/", views.service_switch, name="service_switch"),
    path("settings/failure-modes/", views.failure_modes, name="failure_modes"),
    path("emergency-bypass/", views.emergency_bypass, name="emergency_bypass"),
    path(
        "emergency-bypass/start/",
        views.emergency_bypass_start,
        name="emergency_bypass_start",
    ),
    path(
        "emergency-bypass/<int:bypass_id>/end/",
        views.emergency_bypass_end,
        name="emergency_bypass_end",
    ),
    path("maintenance/", views.maintenance_list, name="maintenance_list"),
    path("maintenance/new/", views.maintenance_create, name="maintenance_create"),
    path(
        "maintenance/<int:window_id>/cancel/",
        views.maintenance_cancel,
        name="maintenance_cancel",
    ),
    path("incidents/", views.incident_list, name="incident_list"),
    path("incidents/<int:incident_id>/", views.incident_detail, name="incident_detail"),
    path(
        "incidents/<int:incident_id>/notes/",
        views.incident_note_create,
        name="incident_note_create",
    ),
]

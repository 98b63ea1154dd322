from django.urls import URLPattern, URLResolver, path

from availability import api

urlpatterns: list[URLPattern | URLResolver] = [
    path("availability/", api.AvailabilityView.as_view(), name="api-availability"),
    path(
        "availability/service/",
        api.ServiceSwitchView.as_view(),
        name="api-availability-service",
    ),
    path(
        "availability/failure-modes/",
        api.FailureModesView.as_view(),
        name="api-availability-failure-modes",
    ),
    path(
        "availability/emergency-bypasses/",
        api.EmergencyBypassListView.as_view(),
        name="api-emergency-bypass-list",
    ),
    path(
        "availability/emergency-bypasses/<int:bypass_id>/",
        api.EmergencyBypassDetailView.as_view(),
        name="api-emergency-bypass-detail",
    ),
    path(
        "availability/emergency-bypasses/<int:bypass_id>/end/",
        api.EmergencyBypassEndView.as_view(),
        name="api-emergency-bypass-end",
    ),
    path(
        "availability/maintenance-windows/",
        api.MaintenanceWindowListView.as_view(),
        name="api-maintenance-window-list",
    ),
    path(
        "availability/maintenance-windows/<int:window_id>/",
        api.MaintenanceWindowDetailView.as_view(),
        name="api-maintenance-window-detail",
    ),
    path(
        "availability/maintenance-windows/<int:window_id>/cancel/",
        api.MaintenanceWindowCancelView.as_view(),
        name="api-maintenance-window-cancel",
    ),
    path(
        "availability/components/",
        api.ComponentStateView.as_view(),
        name="api-availability-components",
    ),
    path(
        "availability/uptime/", api.UptimeView.as_view(), name="api-availability-uptime"
    ),
    path(
        "availability/incidents/",
        api.IncidentListView.as_view(),
        name="api-incident-list",
    ),
    path(
        "availability/incidents/<int:incident_id>/",
        api.IncidentDetailView.as_view(),
        name="api-incident-detail",
    ),
    path(
        "availability/incidents/<int:incident_id>/notes/",
        api.IncidentNoteCreateView.as_view(),
        name="api-incident-note-create",
    ),
]

from django.urls import URLPattern, URLResolver, path

from availability import api

urlpatterns: list[URLPattern | URLResolver] = [
    path("availability/", api.AvailabilityView.as_view(), name="availability"),
    path(
        "availability/service/",
        api.ServiceSwitchView.as_view(),
        name="availability-service",
    ),
    path(
        "availability/failure-modes/",
        api.FailureModesView.as_view(),
        name="availability-failure-modes",
    ),
    path(
        "availability/emergency-bypasses/",
        api.EmergencyBypassListView.as_view(),
        name="emergency-bypass-list",
    ),
    path(
        "availability/emergency-bypasses/<int:pk>/",
        api.EmergencyBypassDetailView.as_view(),
        name="emergency-bypass-detail",
    ),
    path(
        "availability/emergency-bypasses/<int:pk>/end/",
        api.EmergencyBypassEndView.as_view(),
        name="emergency-bypass-end",
    ),
    path(
        "availability/maintenance-windows/",
        api.MaintenanceWindowListView.as_view(),
        name="maintenance-window-list",
    ),
    path(
        "availability/maintenance-windows/<int:pk>/",
        api.MaintenanceWindowDetailView.as_view(),
        name="maintenance-window-detail",
    ),
    path(
        "availability/maintenance-windows/<int:pk>/cancel/",
        api.MaintenanceWindowCancelView.as_view(),
        name="maintenance-window-cancel",
    ),
    path(
        "availability/components/",
        api.ComponentStateView.as_view(),
        name="availability-components",
    ),
    path("availability/uptime/", api.UptimeView.as_view(), name="availability-uptime"),
    path(
        "availability/incidents/",
        api.IncidentListView.as_view(),
        name="incident-list",
    ),
    path(
        "availability/incidents/<int:pk>/",
        api.IncidentDetailView.as_view(),
        name="incident-detail",
    ),
    path(
        "availability/incidents/<int:pk>/notes/",
        api.IncidentNoteCreateView.as_view(),
        name="incident-note-create",
    ),
]

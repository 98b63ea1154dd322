"""Portal pages of the availability area."""

from availability.views.controls import (
    emergency_bypass,
    emergency_bypass_end,
    emergency_bypass_start,
    failure_modes,
    service_switch,
    settings_page,
)
from availability.views.maintenance import (
    maintenance_cancel,
    maintenance_create,
    maintenance_list,
)
from availability.views.status import (
    incident_detail,
    incident_list,
    incident_note_create,
    overview,
)

__all__ = [
    "emergency_bypass",
    "emergency_bypass_end",
    "emergency_bypass_start",
    "failure_modes",
    "incident_detail",
    "incident_list",
    "incident_note_create",
    "maintenance_cancel",
    "maintenance_create",
    "maintenance_list",
    "overview",
    "service_switch",
    "settings_page",
]

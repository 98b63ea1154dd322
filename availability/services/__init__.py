"""State changes of service availability; the only code that writes its models."""

from availability.services.emergency import (
    emergency_bypass_end,
    emergency_bypass_record_ended,
    emergency_bypass_start,
)
from availability.services.incidents import incident_note_add
from availability.services.maintenance import (
    maintenance_window_cancel,
    maintenance_window_create,
)
from availability.services.switch import (
    availability_set_failure_modes,
    availability_set_service,
)

__all__ = [
    "availability_set_failure_modes",
    "availability_set_service",
    "emergency_bypass_end",
    "emergency_bypass_record_ended",
    "emergency_bypass_start",
    "incident_note_add",
    "maintenance_window_cancel",
    "maintenance_window_create",
]

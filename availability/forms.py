"""Portal forms of the availability pages. Times are entered in the
administrator's time zone, which the views activate around validation."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings

from availability.models import FailureMode
from users.models import Service

DATETIME_WIDGET = forms.DateTimeInput(
    attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
)
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]


def _datetime_field(label: str, **kwargs: Any) -> forms.DateTimeField:
    """Return a date-and-time field in the administrator's time zone."""
    return forms.DateTimeField(
        label=label,
        widget=DATETIME_WIDGET,
        input_formats=DATETIME_FORMATS,
        error_messages={
            "invalid": f"{label} is invalid: enter a date and time such as "
            "2026-06-01T14:30."
        },
        **kwargs,
    )


class ServiceSwitchForm(forms.Form):
    enabled = forms.TypedChoiceField(
        label="PingID for this organization",
        choices=[("true", "Enabled"), ("false", "Disabled")],
        coerce=lambda value: value == "true",
    )
    reason = forms.CharField(
        label="Reason",
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Required to disable. Shown in the banner on every page.",
    )


class FailureModesForm(forms.Form):
    """The default behaviour during errors and one optional override per service."""

    default_mode = forms.ChoiceField(
        label="Default for every service",
        choices=FailureMode.choices,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for value, label in Service.choices:
            self.fields[f"override_{value}"] = forms.ChoiceField(
                label=label,
                required=False,
                choices=[("", "Use the default"), *FailureMode.choices],
            )

    def overrides(self) -> dict[str, str | None]:
        return {
            value: self.cleaned_data.get(f"override_{value}") or None
            for value in Service.values
        }

    def override_fields(self) -> list[forms.BoundField]:
        return [self[f"override_{value}"] for value in Service.values]


class EmergencyBypassForm(forms.Form):
    ends_at = _datetime_field(
        "Ends at",
        help_text="In your time zone. MFA is required again from this time on.",
    )
    services = forms.MultipleChoiceField(
        label="Services",
        required=False,
        choices=Service.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text="Leave all unticked to bypass MFA for every service.",
    )
    reason = forms.CharField(
        label="Reason",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Recorded in the activity log and shown in the red banner.",
    )


class MaintenanceWindowForm(forms.Form):
    starts_at = _datetime_field("Starts at")
    ends_at = _datetime_field("Ends at")
    message = forms.CharField(
        label="Message",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        hours = settings.AVAILABILITY_MAINTENANCE_NOTICE_HOURS
        self.fields[
            "message"
        ].help_text = (
            f"Shown in the banner from {hours} hours before the start until the end."
        )


class IncidentNoteForm(forms.Form):
    text = forms.CharField(
        label="Note", max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )

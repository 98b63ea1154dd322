"""Portal forms of the users area. Rules live in the services; forms parse input."""

from __future__ import annotations

import zoneinfo
from datetime import datetime, timedelta
from typing import Any

from django import forms

from users.models import Service
from users.services import REASON_MAX_LENGTH

DURATIONS: dict[str, tuple[str, timedelta | None]] = {
    "1h": ("1 hour", timedelta(hours=1)),
    "4h": ("4 hours", timedelta(hours=4)),
    "1d": ("1 day", timedelta(days=1)),
    "3d": ("3 days", timedelta(days=3)),
    "until": ("Until a chosen time", None),
    "unlimited": ("No end", None),
}


class ReasonForm(forms.Form):
    reason = forms.CharField(
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Recorded in the activity log.",
        error_messages={
            "required": "Reason is missing: say why, for the activity log."
        },
    )


class OptionalReasonForm(forms.Form):
    reason = forms.CharField(
        max_length=REASON_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Optional; recorded in the activity log.",
    )


class WallClockDateTimeField(forms.DateTimeField):
    """A date and time without time zone, to which the form attaches the administrator's.

    Django's own field attaches the active time zone and rejects every time
    that a clock change skips or repeats. This field leaves those cases to
    `local_to_aware`, which explains them to the administrator.
    """

    def to_python(self, value: Any) -> datetime | None:
        if value in self.empty_values:
            return None
        if isinstance(value, datetime):
            return value.replace(tzinfo=None)
        text = str(value).strip()
        for input_format in self.input_formats:
            try:
                return datetime.strptime(text, input_format)  # noqa: DTZ007
            except ValueError:
                continue
        raise forms.ValidationError(self.error_messages["invalid"], code="invalid")


class BypassForm(forms.Form):
    """Bypass MFA: which services, for how long, and why."""

    services = forms.MultipleChoiceField(
        choices=Service.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Leave all unticked to bypass every service the user has.",
    )
    duration = forms.ChoiceField(
        choices=[(key, label) for key, (label, _) in DURATIONS.items()],
        initial="1h",
        widget=forms.RadioSelect,
    )
    until_local = WallClockDateTimeField(
        required=False,
        label="End time",
        error_messages={
            "invalid": "End time is invalid: enter a date and time such as "
            "2026-06-01T14:30."
        },
        input_formats=[
            "%Y-%m-%dT%H:%M",
            "%Y-%m-%dT%H:%M:%S",
            "%Y-%m-%d %H:%M",
            "%Y-%m-%d %H:%M:%S",
        ],
        widget=forms.DateTimeInput(
            attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
        ),
    )
    reason = ReasonForm.base_fields["reason"]

    def __init__(
        self,
        *args: Any,
        time_zone: str,
        allow_unlimited: bool,
        service_choices: list[tuple[str, str]] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.time_zone = zoneinfo.ZoneInfo(time_zone)
        self.fields[
            "until_local"
        ].help_text = (
            f"In your time zone, {time_zone}; used with “Until a chosen time”."
        )
        if not allow_unlimited:
            field = self.fields["duration"]
            assert isinstance(field, forms.ChoiceField)
            field.choices = [
                (key, label)
                for key, (label, _) in DURATIONS.items()
                if key != "unlimited"
            ]
        if service_choices is not None:
            services = self.fields["services"]
            assert isinstance(services, forms.MultipleChoiceField)
            services.choices = service_choices

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("duration") == "until" and "until_local" not in self.errors:
            local = cleaned.get("until_local")
            if local is None:
                self.add_error(
                    "until_local", "End time is missing: choose a date and time."
                )
            else:
                try:
                    cleaned["until"] = local_to_aware(local, self.time_zone)
                except ValueError as error:
                    self.add_error("until_local", str(error))
        return cleaned

    def end(self, now: datetime) -> tuple[datetime | None, bool]:
        """Return the bypass end and whether it has none, measured from `now`."""
        duration = self.cleaned_data["duration"]
        if duration == "unlimited":
            return None, True
        if duration == "until":
            return self.cleaned_data["until"], False
        delta = DURATIONS[duration][1]
        assert delta is not None
        return now + delta, False


def local_to_aware(local: datetime, time_zone: zoneinfo.ZoneInfo) -> datetime:
    """Attach `time_zone` to a wall-clock time; raise ValueError for one that does not exist.

    A wall-clock time that occurs twice (when clocks go back) is taken at its
    first occurrence.
    """
    naive = local.replace(tzinfo=None)
    aware = naive.replace(tzinfo=time_zone, fold=0)
    round_trip = aware.astimezone(zoneinfo.ZoneInfo("UTC")).astimezone(time_zone)
    if round_trip.replace(tzinfo=None) != naive:
        raise ValueError(
            f"{naive:%Y-%m-%d %H:%M} does not exist in {time_zone.key} (the clocks "
            "skip it): choose another time."
        )
    return aware


class RemoveForm(forms.Form):
    scope = forms.ChoiceField(
        choices=[("user", "Remove the user entirely, with their devices")]
        + [(value, f"Remove from {label} only") for value, label in Service.choices],
        initial="user",
        widget=forms.RadioSelect,
    )
    reason = OptionalReasonForm.base_fields["reason"]


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label="CSV file",
        help_text="UTF-8, with or without BOM. Columns: username (required), "
        "first_name, last_name, email, role, status, services (separated by "
        "spaces or semicolons).",
    )

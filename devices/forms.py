"""Forms of the devices pages; the services check the rules again."""

from __future__ import annotations

from typing import Any

from django import forms

from devices.models import DeviceType, UnpairReason
from devices.services.activation import (
    APP_DEVICE_TYPES,
    HOURS_DEFAULT,
    HOURS_MAX,
    HOURS_MIN,
)
from devices.services.inventory import NICKNAME_MAX_LENGTH

BLOCKED_CHOICES = [("", "Blocked or not"), ("yes", "Blocked"), ("no", "Not blocked")]
CODE_TYPE_CHOICES = [("", "Any mobile app (Android or iPhone)")] + [
    (value, label) for value, label in DeviceType.choices if value in APP_DEVICE_TYPES
]


class DeviceFilterForm(forms.Form):
    type = forms.ChoiceField(
        required=False, choices=[("", "Every type"), *DeviceType.choices]
    )
    os_version = forms.ChoiceField(required=False, label="OS version")
    app_version = forms.ChoiceField(required=False, label="App version")
    blocked = forms.ChoiceField(required=False, choices=BLOCKED_CHOICES)
    unused_days = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=3650,
        label="Unused for days",
        help_text="Devices not used for at least this many days.",
    )
    before = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def __init__(
        self, *args: Any, os_versions: list[str], app_versions: list[str], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["os_version"].choices = [("", "Every OS version")] + [  # type: ignore[attr-defined]
            (value, value) for value in os_versions
        ]
        self.fields["app_version"].choices = [("", "Every app version")] + [  # type: ignore[attr-defined]
            (value, value) for value in app_versions
        ]


class UnpairForm(forms.Form):
    reason = forms.ChoiceField(
        choices=UnpairReason.choices,
        widget=forms.RadioSelect,
        initial=UnpairReason.LOST,
    )
    note = forms.CharField(
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Optional, kept in the activity log (ticket number, details).",
    )


class RenameForm(forms.Form):
    nickname = forms.CharField(
        required=False,
        max_length=NICKNAME_MAX_LENGTH,
        help_text="Leave empty to remove the nickname.",
    )


class ActivationCodeForm(forms.Form):
    device_type = forms.ChoiceField(
        required=False, choices=CODE_TYPE_CHOICES, label="App"
    )
    hours = forms.IntegerField(
        min_value=HOURS_MIN,
        max_value=HOURS_MAX,
        initial=HOURS_DEFAULT,
        label="Valid for hours",
        help_text=f"From {HOURS_MIN} to {HOURS_MAX} hours (14 days).",
    )


class OtpForm(forms.Form):
    session = forms.UUIDField(widget=forms.HiddenInput)
    otp = forms.CharField(
        label="Code",
        max_length=10,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}
        ),
        help_text="The six-digit code the device shows or received.",
    )


class EmailPairingForm(forms.Form):
    email = forms.EmailField(
        label="E-mail address",
        help_text="A six-digit code is sent there; the user reads it to you.",
    )


class LostDeviceForm(forms.Form):
    reason = forms.ChoiceField(
        choices=UnpairReason.choices,
        widget=forms.RadioSelect,
        initial=UnpairReason.LOST,
    )
    note = forms.CharField(
        required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )
    bypass = forms.BooleanField(
        required=False,
        label="Bypass MFA until the new device is paired",
    )
    bypass_until = forms.DateTimeField(
        required=False,
        label="Bypass until",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        help_text="In your time zone. Help-desk administrators may bypass for a "
        "limited time only.",
    )
    bypass_unlimited = forms.BooleanField(
        required=False,
        label="Bypass without end (global administrators only)",
    )
    bypass_reason = forms.CharField(
        required=False, max_length=500, label="Bypass reason"
    )
    issue_code = forms.BooleanField(
        required=False, label="Issue an activation code for a new device"
    )
    code_device_type = forms.ChoiceField(
        required=False, choices=CODE_TYPE_CHOICES, label="App"
    )
    code_hours = forms.IntegerField(
        required=False,
        min_value=HOURS_MIN,
        max_value=HOURS_MAX,
        initial=HOURS_DEFAULT,
        label="Code valid for hours",
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("bypass"):
            if not data.get("bypass_until") and not data.get("bypass_unlimited"):
                self.add_error("bypass_until", "Enter when the bypass ends.")
            if not (data.get("bypass_reason") or "").strip():
                self.add_error("bypass_reason", "Enter why MFA is bypassed.")
        if data.get("issue_code") and data.get("code_hours") is None:
            self.add_error("code_hours", f"Enter {HOURS_MIN} to {HOURS_MAX} hours.")
        return data

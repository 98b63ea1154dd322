"""Forms of the Integrations page."""

from __future__ import annotations

from django import forms

from integrations.models import SettingsFileKind


class SettingsFileGenerateForm(forms.Form):
    kind = forms.ChoiceField(
        choices=SettingsFileKind.choices,
        initial=SettingsFileKind.FULL,
        help_text="Full: user administration, pairing and authentication. "
        "Authentication only: for Windows, Mac and SSH logins.",
    )


class SettingsFileRevokeForm(forms.Form):
    reason = forms.CharField(
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Optional: why the file is revoked, for the activity log.",
    )


class ThirdPartyClientsForm(forms.Form):
    enabled = forms.TypedChoiceField(
        choices=[("on", "On"), ("off", "Off")],
        coerce=lambda value: value == "on",
        widget=forms.HiddenInput,
    )
    reason = forms.CharField(
        required=False,
        max_length=1000,
        help_text="Required to switch off: shown on this page to other administrators.",
    )

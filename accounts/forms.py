from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm

from accounts.models import TIME_ZONE_CHOICES
from pingid_portal.permissions import Role


class SignInForm(AuthenticationForm):
    """Sign in with e-mail address and password."""

    username = forms.CharField(
        label="E-mail address",
        max_length=254,
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )
    error_messages = {
        "invalid_login": "Wrong e-mail address or password. Check both and try again.",
        "inactive": "This administrator account is disabled. Ask a global administrator.",
    }


class AdministratorCreateForm(forms.Form):
    email = forms.EmailField(
        label="E-mail address",
        max_length=150,
        help_text="The administrator signs in with this address.",
        error_messages={
            "required": "E-mail address is missing: enter the address they sign in with.",
            "invalid": "E-mail address is invalid: enter an address like name@example.com.",
        },
    )
    first_name = forms.CharField(label="First name", max_length=150, required=False)
    last_name = forms.CharField(label="Last name", max_length=150, required=False)
    # No role is preselected, so nobody becomes a global administrator by default.
    role = forms.ChoiceField(
        label="Role",
        choices=[("", "Choose a role"), *Role.choices],
        error_messages={"required": "Role is missing: choose one."},
    )
    time_zone = forms.ChoiceField(
        label="Time zone",
        choices=TIME_ZONE_CHOICES,
        initial="UTC",
        help_text="Times in the portal are shown in this zone.",
    )


class AdministratorRoleForm(forms.Form):
    role = forms.ChoiceField(label="Role", choices=Role.choices)


class AdministratorReasonForm(forms.Form):
    """The optional reason given when disabling, re-enabling or removing."""

    reason = forms.CharField(
        label="Reason", max_length=500, required=False, widget=forms.TextInput
    )


class TimeZoneForm(forms.Form):
    time_zone = forms.ChoiceField(
        label="Time zone",
        choices=TIME_ZONE_CHOICES,
        help_text="Times in the portal are shown in this zone.",
    )


class ApiTokenCreateForm(forms.Form):
    name = forms.CharField(
        label="Token name",
        max_length=100,
        error_messages={
            "required": "Token name is missing: name the token after what uses it."
        },
        help_text="Name it after what uses it, such as “HR sync job”.",
    )

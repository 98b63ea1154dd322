"""Forms of the sign-in steps: password with lockout, then an MFA code."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from accounts.forms import SignInForm
from accounts.lockout import (
    SignInAttempt,
    lockout_active,
    lockout_message,
    sign_in_failure_record,
)
from pingid_portal.actors import client_ip, request_user_agent


class LockoutSignInForm(SignInForm):
    """The password step: a locked account or address is rejected before the password is checked."""

    def clean(self) -> dict[str, Any]:
        attempt = SignInAttempt(
            username=str(self.data.get("username", "")),
            ip_address=client_ip(self.request) if self.request else None,
            user_agent=request_user_agent(self.request) if self.request else "",
        )
        lockout = lockout_active(attempt)
        if lockout is not None:
            raise ValidationError(lockout_message(lockout), code="locked")
        try:
            return super().clean()
        except ValidationError:
            caused = sign_in_failure_record(attempt)
            if caused is not None:
                raise ValidationError(lockout_message(caused), code="locked") from None
            raise


class MfaCodeForm(forms.Form):
    code = forms.CharField(
        label="Code",
        max_length=32,
        help_text="The 6-digit code of your authenticator app, or one of your recovery codes.",
        widget=forms.TextInput(
            attrs={
                "autofocus": True,
                "autocomplete": "one-time-code",
                "inputmode": "text",
                "spellcheck": "false",
            }
        ),
    )


class EnrollmentCodeForm(forms.Form):
    code = forms.CharField(
        label="Code from your app",
        max_length=16,
        help_text="Enter the 6-digit code your authenticator app shows now.",
        widget=forms.TextInput(
            attrs={
                "autofocus": True,
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
            }
        ),
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(label="Reason", max_length=500, required=False)

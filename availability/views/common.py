"""Helpers shared by the availability pages."""

from __future__ import annotations

from django import forms
from django.contrib import messages

from pingid_portal.errors import ServiceError
from pingid_portal.http import PortalRequest


def form_error_from_service(
    request: PortalRequest, form: forms.Form, error: ServiceError
) -> None:
    """Show a service's rule violation beside its field, or above the form."""
    field = error.field if error.field in form.fields else None
    form.add_error(field, error.message)
    messages.error(request, f"Nothing was changed: {error.message}")

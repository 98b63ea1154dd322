"""Helpers shared by the account pages: rendering service errors on forms."""

from __future__ import annotations

from django import forms

from pingid_portal.errors import ConflictError, ServiceError


def form_add_service_error(form: forms.Form, error: ServiceError) -> None:
    """Show a service error beside its field, or as a non-field error."""
    field = error.field if error.field in form.fields else None
    form.add_error(field, error.message)


def error_status(error: ServiceError) -> int:
    """Return 409 for a conflict (the target changed), 400 for invalid input."""
    return 409 if isinstance(error, ConflictError) else 400

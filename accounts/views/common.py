"""Helpers shared by the account pages: rendering service errors on forms."""

from __future__ import annotations

from pingid_portal.errors import ConflictError, ServiceError


def error_status(error: ServiceError) -> int:
    """Return 409 for a conflict (the target changed), 400 for invalid input."""
    return 409 if isinstance(error, ConflictError) else 400

"""Typed request classes for what the middleware adds."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest

if TYPE_CHECKING:
    from django_htmx.middleware import HtmxDetails

    from accounts.models import Membership, Organization


class PortalRequest(HttpRequest):
    """A request of a signed-in administrator, as portal views receive it."""

    membership: Membership
    organization: Organization
    htmx: HtmxDetails

from __future__ import annotations

from typing import Any

from django import template
from django.utils import timezone

from availability.selectors import banners_get

register = template.Library()


@register.inclusion_tag("availability/banners.html", takes_context=True)
def availability_banners(context: dict[str, Any]) -> dict[str, Any]:
    """Render the organization's availability banners, or nothing when signed out."""
    organization = context.get("organization")
    if organization is None:
        return {"banners": None}
    return {
        "banners": banners_get(organization, timezone.now()),
        "membership": context.get("membership"),
    }

"""Template filters of the activity pages."""

from __future__ import annotations

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


@register.filter
def wrap_after_dots(value: object) -> SafeString:
    """Escape `value` and let the browser break the line after each dot.

    Event actions such as `authentication.pairing_finish` contain no space,
    so without a break opportunity they set the width of their table column.
    """
    parts = (escape(part) for part in str(value).split("."))
    return mark_safe(".<wbr>".join(parts))  # noqa: S308 - every part is escaped

"""Filters shared by the query-string filter sets of the portal pages and the API.

django-filter silently leaves an invalid value out of the query, and its
boolean filter reads any unknown text as "no filter". These filters reject
such values instead, so that a mistyped filter shows an error and no rows
rather than every row.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import django_filters
from django import forms
from django.core.exceptions import ValidationError

TRUE_VALUES = ("true", "1")
FALSE_VALUES = ("false", "0")


class StrictNullBooleanField(forms.NullBooleanField):
    """A yes/no/any value that rejects text other than true, false, 1, 0 or empty."""

    widget = forms.TextInput

    # django-stubs types BooleanField.to_python as returning bool only, and its
    # own NullBooleanField overrides it the same way with this ignore.
    def to_python(self, value: Any) -> bool | None:  # type: ignore[override]
        if isinstance(value, bool):
            return value
        text = "" if value is None else str(value).strip().lower()
        if text == "":
            return None
        if text in TRUE_VALUES:
            return True
        if text in FALSE_VALUES:
            return False
        raise ValidationError(
            f"“{value}” is not true or false: use true, false, or leave it empty.",
            code="invalid",
        )


class StrictBooleanFilter(django_filters.BooleanFilter):
    field_class = StrictNullBooleanField


class IntegerFilter(django_filters.NumberFilter):
    """A number filter for whole numbers, because `NumberFilter` accepts decimals."""

    field_class = forms.IntegerField


def choice_error_messages(choices: Iterable[tuple[Any, Any]]) -> dict[str, str]:
    """Return field error messages that list the values a choice filter accepts."""
    values = ", ".join(str(value) for value, _ in choices)
    return {
        "invalid_choice": f"“%(value)s” is not a valid choice: use one of {values}."
    }


def range_error_messages(minimum: int, maximum: int, unit: str) -> dict[str, str]:
    """Return one message for every way a whole number can miss a range."""
    message = f"Enter a whole number of {unit} from {minimum} to {maximum}."
    return {"invalid": message, "min_value": message, "max_value": message}

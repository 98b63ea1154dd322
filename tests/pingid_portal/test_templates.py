"""Checks over the template files themselves."""

from __future__ import annotations

import re
from pathlib import Path

from django.conf import settings

# A date filter followed by a literal "UTC", as in {{ x|date:"H:i" }} UTC.
DATE_THEN_UTC = re.compile(r'\|date:"[^"]*"\s*\}\}\s*UTC')
UTC_BLOCK = re.compile(r'{% timezone "UTC" %}.*?{% endtimezone %}', re.DOTALL)


def test_no_local_time_labelled_utc() -> None:
    offenders = []
    for path in sorted(Path(settings.BASE_DIR, "templates").rglob("*.html")):
        # Inside {% timezone "UTC" %} the time really is UTC.
        text = UTC_BLOCK.sub("", path.read_text())
        for match in DATE_THEN_UTC.finditer(text):
            offenders.append(f"{path.name}: {match.group()}")

    assert offenders == []

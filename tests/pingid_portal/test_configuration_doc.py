"""docs/configuration.md lists every environment variable that settings.py reads."""

from __future__ import annotations

import re
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]
# env.str("NAME", ...), env.bool(...), env.db(...), _secret("NAME") and the like.
VARIABLE = re.compile(r"""(?:env\.\w+|_secret)\(\s*["']([A-Z][A-Z0-9_]*)["']""")


def test_every_setting_variable_is_documented() -> None:
    settings_source = (BASE_DIR / "pingid_portal" / "settings.py").read_text()
    documentation = (BASE_DIR / "docs" / "configuration.md").read_text()
    variables = set(VARIABLE.findall(settings_source))

    assert "DATABASE_URL" in variables
    for variable in sorted(variables):
        assert f"`{variable}`" in documentation, (
            f"{variable} is read in settings.py but missing from docs/configuration.md"
        )

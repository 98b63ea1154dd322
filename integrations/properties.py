"""The `pingid.properties` text and the keys written into it.

Clients read the file with a real Java-properties parser, or split each line at
the first `=` and drop the backslashes; they decode the key with the standard
or the URL-safe base64 alphabet. Every one of these readers must end up with
the same 32 bytes, so keys are drawn until their base64 contains none of the
characters on which the alphabets differ.
"""

from __future__ import annotations

import base64
import secrets
from datetime import UTC, datetime

from django.conf import settings

KEY_BYTES = 32
# Characters that differ between the standard and the URL-safe base64 alphabets.
_ALPHABET_SPECIFIC = frozenset("+/-_")
# Order of the keys in the file, as in the files Ping Identity hands out.
PROPERTY_KEYS = (
    "use_base64_key",
    "use_signature",
    "token",
    "idp_url",
    "org_alias",
    "admin_url",
    "authenticator_url",
)


def signing_key_generate() -> str:
    """Return the standard base64 of 32 random bytes that no reader can misread."""
    while True:
        encoded = base64.b64encode(secrets.token_bytes(KEY_BYTES)).decode("ascii")
        if not _ALPHABET_SPECIFIC.intersection(encoded):
            return encoded


def token_generate() -> str:
    """Return a new settings-file id: 32 lowercase hex characters."""
    return secrets.token_hex(16)


def idp_url() -> str:
    return f"{settings.PORTAL_BASE_URL}/pingid"


def authenticator_url() -> str:
    return f"{idp_url()}/auth"


def escape_value(value: str) -> str:
    """Escape a value for a Java properties file, leaving `:` plain.

    Backslash, `=`, line breaks and tabs are escaped; a leading space would be
    dropped by parsers and is escaped too. `:` stays plain so that readers
    that split at `=` get a usable URL.
    """
    escaped = (
        value.replace("\\", "\\\\")
        .replace("=", "\\=")
        .replace("\n", "\\n")
        .replace("\r", "\\r")
        .replace("\t", "\\t")
    )
    if escaped.startswith(" "):
        escaped = "\\" + escaped
    return escaped


def _comment(text: str) -> str:
    return "# " + " ".join(text.split())


def properties_render(
    *,
    signing_key: str,
    token: str,
    org_alias: str,
    organization_name: str,
    kind_label: str,
    downloaded_by: str,
    downloaded_at: datetime,
) -> str:
    """Return the text of `pingid.properties` with a header naming the downloader."""
    values = {
        "use_base64_key": signing_key,
        "use_signature": "true",
        "token": token,
        "idp_url": idp_url(),
        "org_alias": org_alias,
        "admin_url": settings.PORTAL_BASE_URL,
        "authenticator_url": authenticator_url(),
    }
    lines = [
        _comment(f"PingID settings file ({kind_label}) of {organization_name}"),
        _comment(
            f"Downloaded by {downloaded_by} at "
            f"{downloaded_at.astimezone(UTC):%Y-%m-%d %H:%M:%S} UTC"
        ),
        _comment("Keep this file secret: its key signs every PingID API call."),
    ]
    lines += [f"{key}={escape_value(values[key])}" for key in PROPERTY_KEYS]
    return "\n".join(lines) + "\n"

"""QR codes as inline SVG (segno), for activation codes and otpauth:// URIs."""

from __future__ import annotations

import io

import segno
from django.utils.safestring import SafeString, mark_safe


def qr_svg(data: str) -> SafeString:
    """Return an SVG element (no XML declaration) that encodes `data`."""
    buffer = io.BytesIO()
    # make_qr, not make: short digit strings would become Micro QR codes,
    # which many phone cameras cannot read.
    segno.make_qr(data, error="m").save(
        buffer,
        kind="svg",
        # No width or height: the viewBox lets CSS size the code.
        omitsize=True,
        border=2,
        xmldecl=False,
        svgns=True,
        title="QR code",
        svgclass="qr",
        lineclass=None,
    )
    # segno escapes nothing user-controlled into the SVG but the encoded
    # modules, so the markup is safe to embed.
    return mark_safe(buffer.getvalue().decode("utf-8"))  # noqa: S308

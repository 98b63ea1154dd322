from __future__ import annotations

import pytest

from devices.display import mask_email, mask_phone, masked_display_id
from devices.models import Device, DeviceType
from devices.qr import qr_svg


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("+1 555 010 9876", "+• ••• ••• 9876"),
        ("+4915112345678", "+•••••••••5678"),
        ("123", "123"),
    ],
)
def test_mask_phone(value: str, masked: str) -> None:
    assert mask_phone(value) == masked


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("alice@example.com", "a•••@example.com"),
        ("@example.com", "•••"),
        ("no-at-sign", "•••"),
    ],
)
def test_mask_email(value: str, masked: str) -> None:
    assert mask_email(value) == masked


@pytest.mark.parametrize(
    ("device_type", "display_id", "shown"),
    [
        (DeviceType.YUBIKEY, "YubiKey 5 #12345", "YubiKey 5 #12345"),
        (DeviceType.IPHONE, "+1 555 010 9876", "+• ••• ••• 9876"),
        (DeviceType.SMS, "555-0100", "•••-0100"),
        (DeviceType.EMAIL, "bo@example.org", "b•••@example.org"),
        (DeviceType.DESKTOP, "", ""),
    ],
)
def test_masked_display_id(device_type: str, display_id: str, shown: str) -> None:
    device = Device(type=device_type, display_id=display_id)

    assert masked_display_id(device) == shown


def test_qr_svg_is_plain_qr_without_inline_style() -> None:
    svg = qr_svg("123456789012")

    assert svg.startswith("<svg")
    # A full QR code (21 modules and a border of 2), never a Micro QR code.
    assert 'viewBox="0 0 25 25"' in svg
    assert "style=" not in svg

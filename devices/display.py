"""Display of device identifiers, with phone numbers and e-mail addresses masked."""

from __future__ import annotations

import re

from devices.models import Device, DeviceType

MASK = "•"
_PHONE = re.compile(r"^\+?[\d\s().-]{7,}$")
_VISIBLE_DIGITS = 4


def mask_phone(value: str) -> str:
    """Hide every digit but the last four; keep '+', spaces and separators."""
    total = sum(ch.isdigit() for ch in value)
    seen = 0
    masked = []
    for ch in value:
        if ch.isdigit():
            seen += 1
            masked.append(ch if seen > total - _VISIBLE_DIGITS else MASK)
        else:
            masked.append(ch)
    return "".join(masked)


def mask_email(value: str) -> str:
    """Keep the first character of the local part and the whole domain."""
    local, at, domain = value.rpartition("@")
    if not at or not local:
        return MASK * 3
    return f"{local[0]}{MASK * 3}@{domain}"


def masked_display_id(device: Device) -> str:
    """Return the display id as lists show it."""
    value = device.display_id
    if not value:
        return ""
    if device.type == DeviceType.EMAIL or "@" in value:
        return mask_email(value)
    if device.type in (DeviceType.SMS, DeviceType.VOICE) or _PHONE.match(value):
        return mask_phone(value)
    return value


def device_label(device: Device) -> str:
    """Return a name people recognise a device by, without personal data."""
    name = device.nickname or device.model or device.get_type_display()
    masked = masked_display_id(device)
    return f"{name} ({masked})" if masked and masked != name else name

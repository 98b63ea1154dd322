"""Portal pages of the devices area."""

from devices.views.inventory import (
    device_block,
    device_detail,
    device_list,
    device_move_down,
    device_move_up,
    device_rename,
    device_set_primary,
    device_unblock,
)
from devices.views.lost import device_lost
from devices.views.pairing import activation_code_issue, email_pairing, totp_pairing
from devices.views.unpair import (
    device_unpair,
    device_unpair_all,
    otp_unlock,
    user_devices,
)

__all__ = [
    "activation_code_issue",
    "device_block",
    "device_detail",
    "device_list",
    "device_lost",
    "device_move_down",
    "device_move_up",
    "device_rename",
    "device_set_primary",
    "device_unblock",
    "device_unpair",
    "device_unpair_all",
    "email_pairing",
    "otp_unlock",
    "totp_pairing",
    "user_devices",
]

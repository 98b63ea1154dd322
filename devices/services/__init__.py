"""Device services: the only code that changes devices, codes and OTP state."""

from devices.services.activation import (
    PairingState,
    activation_code_claim,
    activation_code_issue,
    activation_code_pair,
    activation_code_status,
)
from devices.services.inventory import (
    device_block,
    device_move,
    device_rename,
    device_reorder,
    device_set_primary,
    device_unblock,
    device_unpair,
    device_unpair_all,
)
from devices.services.lost import (
    BypassRequest,
    LostDeviceResult,
    device_lost_recover,
)
from devices.services.otp import (
    OtpOutcome,
    OtpResult,
    email_otp_send,
    otp_check,
    otp_unlock,
    otp_verify,
)
from devices.services.pairing import (
    email_pairing_finish,
    email_pairing_start,
    totp_pairing_finish,
    totp_pairing_start,
    totp_pairing_uri,
)

__all__ = [
    "BypassRequest",
    "LostDeviceResult",
    "device_lost_recover",
    "OtpOutcome",
    "OtpResult",
    "PairingState",
    "activation_code_claim",
    "activation_code_issue",
    "activation_code_pair",
    "activation_code_status",
    "device_block",
    "device_move",
    "device_rename",
    "device_reorder",
    "device_set_primary",
    "device_unblock",
    "device_unpair",
    "device_unpair_all",
    "email_otp_send",
    "email_pairing_finish",
    "email_pairing_start",
    "otp_unlock",
    "otp_check",
    "otp_verify",
    "totp_pairing_finish",
    "totp_pairing_start",
    "totp_pairing_uri",
]

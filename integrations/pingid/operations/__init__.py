"""The PingID API operations, by the lowercase name in `/rest/4/<name>/do`."""

from __future__ import annotations

from integrations.pingid.operations import authentication, devices, users
from integrations.pingid.operations.base import Operation
from pingid_portal.permissions import Action

_OPERATIONS = [
    Operation("adduser", "AddUser", Action.USER_MANAGE, users.add_user),
    Operation("getuserdetails", "GetUserDetails", Action.VIEW, users.get_user_details),
    Operation("edituser", "EditUser", Action.USER_MANAGE, users.edit_user),
    Operation("deleteuser", "DeleteUser", Action.USER_MANAGE, users.delete_user),
    Operation("suspenduser", "SuspendUser", Action.USER_MANAGE, users.suspend_user),
    Operation("activateuser", "ActivateUser", Action.USER_MANAGE, users.activate_user),
    Operation(
        "userbypass", "ToggleUserBypass", Action.USER_BYPASS, users.toggle_user_bypass
    ),
    Operation(
        "getactivationcode",
        "GetActivationCode",
        Action.DEVICE_MANAGE,
        devices.get_activation_code,
    ),
    Operation(
        "pairingstatus",
        "GetPairingStatus",
        Action.DEVICE_MANAGE,
        devices.get_pairing_status,
    ),
    Operation(
        "unpairdevice", "UnpairDevice", Action.DEVICE_MANAGE, devices.unpair_device
    ),
    Operation(
        "updatedeviceattr",
        "UpdateDeviceAttributes",
        Action.DEVICE_MANAGE,
        devices.update_device_attributes,
    ),
    Operation(
        "authenticatorappstartpairing",
        "AuthenticatorAppStartPairing",
        Action.DEVICE_MANAGE,
        devices.authenticator_app_start_pairing,
    ),
    Operation(
        "authenticatorappfinishpairing",
        "AuthenticatorAppFinishPairing",
        Action.DEVICE_MANAGE,
        devices.authenticator_app_finish_pairing,
    ),
    Operation(
        "startofflinepairing",
        "StartOfflinePairing",
        Action.DEVICE_MANAGE,
        devices.start_offline_pairing,
    ),
    Operation(
        "finalizeofflinepairing",
        "FinalizeOfflinePairing",
        Action.DEVICE_MANAGE,
        devices.finalize_offline_pairing,
    ),
    Operation(
        "startauthentication",
        "StartAuthentication",
        Action.AUTHENTICATE,
        authentication.start_authentication,
    ),
    Operation(
        "authoffline",
        "AuthenticateOffline",
        Action.AUTHENTICATE,
        authentication.authenticate_offline,
    ),
    Operation(
        "cancelauthentication",
        "CancelAuthentication",
        Action.AUTHENTICATE,
        authentication.cancel_authentication,
    ),
]

OPERATIONS: dict[str, Operation] = {
    operation.path: operation for operation in _OPERATIONS
}

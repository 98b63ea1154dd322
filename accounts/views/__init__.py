"""Portal pages of the accounts area: sign-in, administrators and the profile."""

from accounts.views.administrators import (
    administrator_change_role,
    administrator_create,
    administrator_detail,
    administrator_disable,
    administrator_enable,
    administrator_list,
    administrator_remove,
)
from accounts.views.profile import (
    api_token_create,
    api_token_revoke,
    profile,
    profile_time_zone,
)
from accounts.views.sign_in import SignInView, SignOutView

__all__ = [
    "SignInView",
    "SignOutView",
    "administrator_change_role",
    "administrator_create",
    "administrator_detail",
    "administrator_disable",
    "administrator_enable",
    "administrator_list",
    "administrator_remove",
    "api_token_create",
    "api_token_revoke",
    "profile",
    "profile_time_zone",
]

"""State changes of PingID users: create, edit, disable, enable, bypass, remove.

Each `user_*` operation except `user_mark_authenticated` checks the actor's
permission, locks the user's row, changes the state and writes exactly one
activity event in the same transaction. A user that another administrator
removed in the meantime raises `ConflictError`.
"""

from users.services.bypass import (
    bypass_cap,
    check_bypass_end,
    user_bypass,
    user_bypass_end,
)
from users.services.common import (
    EDITABLE_FIELDS,
    REASON_MAX_LENGTH,
    clean_reason,
    clean_services,
    clean_user_fields,
    clean_username,
    lock_user,
    service_state,
    user_state,
)
from users.services.users import (
    user_activate,
    user_create,
    user_mark_authenticated,
    user_remove,
    user_suspend,
    user_update,
)

__all__ = [
    "EDITABLE_FIELDS",
    "REASON_MAX_LENGTH",
    "bypass_cap",
    "check_bypass_end",
    "clean_reason",
    "clean_services",
    "clean_user_fields",
    "clean_username",
    "lock_user",
    "service_state",
    "user_activate",
    "user_bypass",
    "user_bypass_end",
    "user_create",
    "user_mark_authenticated",
    "user_remove",
    "user_state",
    "user_suspend",
    "user_update",
]

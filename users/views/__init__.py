"""Portal views of the users area."""

from users.views.bulk import bulk_job_detail, bulk_job_list, bulk_start
from users.views.bypass import user_bypass_view
from users.views.detail import (
    user_detail,
    user_disable,
    user_enable,
    user_remove_view,
    user_resume_mfa,
)
from users.views.imports import import_apply, import_preview, import_upload
from users.views.list import bypass_list, user_list, user_status_counts_view

__all__ = [
    "bulk_job_detail",
    "bulk_job_list",
    "bulk_start",
    "bypass_list",
    "import_apply",
    "import_preview",
    "import_upload",
    "user_bypass_view",
    "user_detail",
    "user_disable",
    "user_enable",
    "user_list",
    "user_remove_view",
    "user_resume_mfa",
    "user_status_counts_view",
]

from django.urls import URLPattern, URLResolver, path

from users import api

urlpatterns: list[URLPattern | URLResolver] = [
    path("users/", api.UserListView.as_view(), name="api-user-list"),
    path("users/bypassed/", api.BypassedListView.as_view(), name="api-user-bypassed"),
    path("users/bulk/", api.BulkActionView.as_view(), name="api-user-bulk"),
    path(
        "users/bulk/<int:job_id>/",
        api.BulkJobDetailView.as_view(),
        name="api-user-bulk-job",
    ),
    path("users/imports/", api.ImportListView.as_view(), name="api-user-import-list"),
    path(
        "users/imports/<int:import_id>/",
        api.ImportDetailView.as_view(),
        name="api-user-import-detail",
    ),
    path(
        "users/imports/<int:import_id>/apply/",
        api.ImportApplyView.as_view(),
        name="api-user-import-apply",
    ),
    path("users/<int:user_id>/", api.UserDetailView.as_view(), name="api-user-detail"),
    path(
        "users/<int:user_id>/suspend/",
        api.UserSuspendView.as_view(),
        name="api-user-suspend",
    ),
    path(
        "users/<int:user_id>/activate/",
        api.UserActivateView.as_view(),
        name="api-user-activate",
    ),
    path(
        "users/<int:user_id>/bypass/",
        api.UserBypassView.as_view(),
        name="api-user-bypass",
    ),
    path(
        "users/<int:user_id>/resume-mfa/",
        api.UserResumeMfaView.as_view(),
        name="api-user-resume-mfa",
    ),
    path(
        "users/<int:user_id>/remove/",
        api.UserRemoveView.as_view(),
        name="api-user-remove",
    ),
]

from django.urls import URLPattern, URLResolver, path

from accounts import api

urlpatterns: list[URLPattern | URLResolver] = [
    path("me/", api.MeView.as_view(), name="api-me"),
    path(
        "administrators/",
        api.AdministratorListView.as_view(),
        name="api-administrator-list",
    ),
    path(
        "administrators/<int:administrator_id>/",
        api.AdministratorDetailView.as_view(),
        name="api-administrator-detail",
    ),
    path(
        "administrators/<int:administrator_id>/disable/",
        api.AdministratorDisableView.as_view(),
        name="api-administrator-disable",
    ),
    path(
        "administrators/<int:administrator_id>/enable/",
        api.AdministratorEnableView.as_view(),
        name="api-administrator-enable",
    ),
    path("tokens/", api.ApiTokenListView.as_view(), name="api-token-list"),
    path(
        "tokens/<int:token_id>/",
        api.ApiTokenDetailView.as_view(),
        name="api-token-detail",
    ),
    path(
        "tokens/<int:token_id>/revoke/",
        api.ApiTokenRevokeView.as_view(),
        name="api-token-revoke",
    ),
]

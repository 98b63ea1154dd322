from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("sign-in/", views.SignInView.as_view(), name="login"),
    path("sign-out/", views.SignOutView.as_view(), name="logout"),
    path("administrators/", views.administrator_list, name="administrator_list"),
    path(
        "administrators/add/",
        views.administrator_create,
        name="administrator_create",
    ),
    path(
        "administrators/<int:administrator_id>/",
        views.administrator_detail,
        name="administrator_detail",
    ),
    path(
        "administrators/<int:administrator_id>/role/",
        views.administrator_change_role,
        name="administrator_change_role",
    ),
    path(
        "administrators/<int:administrator_id>/disable/",
        views.administrator_disable,
        name="administrator_disable",
    ),
    path(
        "administrators/<int:administrator_id>/enable/",
        views.administrator_enable,
        name="administrator_enable",
    ),
    path(
        "administrators/<int:administrator_id>/remove/",
        views.administrator_remove,
        name="administrator_remove",
    ),
    path("profile/", views.profile, name="profile"),
    path("profile/time-zone/", views.profile_time_zone, name="profile_time_zone"),
    path("profile/tokens/", views.api_token_create, name="api_token_create"),
    path(
        "profile/tokens/<int:token_id>/revoke/",
        views.api_token_revoke,
        name="api_token_revoke",
    ),
]

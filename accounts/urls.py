from django.urls import path

from accounts import security_views, views

app_name = "accounts"

urlpatterns = [
    path("sign-in/", security_views.SecureSignInView.as_view(), name="login"),
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

# Security: the MFA step, enrollment, sessions, lockouts.
urlpatterns += [
    path("mfa/", security_views.mfa_verify, name="mfa_verify"),
    path("mfa/enroll/", security_views.mfa_enroll, name="mfa_enroll"),
    path("security/me/", security_views.my_security, name="my_security"),
    path(
        "security/me/recovery-codes/",
        security_views.recovery_codes_regenerate,
        name="recovery_codes_regenerate",
    ),
    path(
        "security/sessions/<int:administrator_session_id>/end/",
        security_views.session_end_view,
        name="session_end",
    ),
    path("security/", security_views.security_overview, name="security_overview"),
    path(
        "security/administrators/<int:administrator_id>/",
        security_views.administrator_security,
        name="administrator_security",
    ),
    path(
        "security/administrators/<int:administrator_id>/reset-mfa/",
        security_views.administrator_mfa_reset_view,
        name="administrator_mfa_reset",
    ),
    path(
        "security/lockouts/<int:lockout_id>/lift/",
        security_views.lockout_lift_view,
        name="lockout_lift",
    ),
]

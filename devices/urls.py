from django.urls import path

from devices import views

app_name = "devices"

urlpatterns = [
    path("", views.device_list, name="device_list"),
    path("<int:device_id>/", views.device_detail, name="device_detail"),
    path("<int:device_id>/unpair/", views.device_unpair, name="device_unpair"),
    path("<int:device_id>/lost/", views.device_lost, name="device_lost"),
    path(
        "<int:device_id>/primary/", views.device_set_primary, name="device_set_primary"
    ),
    path("<int:device_id>/block/", views.device_block, name="device_block"),
    path("<int:device_id>/unblock/", views.device_unblock, name="device_unblock"),
    path("<int:device_id>/move-up/", views.device_move_up, name="device_move_up"),
    path("<int:device_id>/move-down/", views.device_move_down, name="device_move_down"),
    path("<int:device_id>/rename/", views.device_rename, name="device_rename"),
    path("users/<int:user_id>/", views.user_devices, name="user_devices"),
    path(
        "users/<int:user_id>/unpair-all/",
        views.device_unpair_all,
        name="device_unpair_all",
    ),
    path(
        "users/<int:user_id>/activation-code/",
        views.activation_code_issue,
        name="activation_code_issue",
    ),
    path(
        "users/<int:user_id>/pair/authenticator/",
        views.totp_pairing,
        name="totp_pairing",
    ),
    path("users/<int:user_id>/pair/email/", views.email_pairing, name="email_pairing"),
    path("users/<int:user_id>/otp-unlock/", views.otp_unlock, name="otp_unlock"),
]

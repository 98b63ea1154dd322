from django.urls import path

from integrations import views

app_name = "integrations"

urlpatterns = [
    path("", views.settings_file_list, name="settings_file_list"),
    path("generate/", views.settings_file_generate_view, name="settings_file_generate"),
    path(
        "<int:settings_file_id>/download/",
        views.settings_file_download_view,
        name="settings_file_download",
    ),
    path(
        "<int:settings_file_id>/revoke/",
        views.settings_file_revoke_view,
        name="settings_file_revoke",
    ),
    path(
        "<int:settings_file_id>/test/",
        views.settings_file_test_view,
        name="settings_file_test",
    ),
    path(
        "third-party-clients/",
        views.third_party_clients_view,
        name="third_party_clients",
    ),
]

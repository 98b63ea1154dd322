from django.urls import path

from integrations import views

app_name = "integrations"

urlpatterns = [
    path("", views.settings_file_list, name="settings_file_list"),
]

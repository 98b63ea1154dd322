from django.urls import path

from activity import views

app_name = "activity"

urlpatterns = [
    path("", views.event_list, name="event_list"),
]

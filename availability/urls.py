from django.urls import path

from availability import views

app_name = "availability"

urlpatterns = [
    path("", views.overview, name="overview"),
]

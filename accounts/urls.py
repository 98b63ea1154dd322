from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("sign-in/", views.SignInView.as_view(), name="login"),
    path("sign-out/", views.SignOutView.as_view(), name="logout"),
    path("administrators/", views.administrator_list, name="administrator_list"),
    path("profile/", views.profile, name="profile"),
]

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.http import HttpResponse
from django.shortcuts import render

from accounts.forms import SignInForm
from pingid_portal.http import PortalRequest
from pingid_portal.permissions import Action
from pingid_portal.views import portal_view


class SignInView(auth_views.LoginView):
    template_name = "accounts/sign_in.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True


class SignOutView(auth_views.LogoutView):
    next_page = "accounts:login"


# TODO(before this area lands): replace with the real pages.
@portal_view(Action.ADMINISTRATOR_VIEW)
def administrator_list(request: PortalRequest) -> HttpResponse:
    return render(request, "placeholder.html", {"title": "Administrators"})


@portal_view()
def profile(request: PortalRequest) -> HttpResponse:
    return render(request, "placeholder.html", {"title": "Profile"})

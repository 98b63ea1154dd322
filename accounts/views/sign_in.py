from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from accounts.forms import SignInForm


class SignInView(auth_views.LoginView):
    template_name = "accounts/sign_in.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True


class SignOutView(auth_views.LogoutView):
    """Sign out on POST only, so that a link on another site cannot sign anyone out.

    A GET (a bookmark or a typed address) shows a page with the sign-out
    button, or sends a visitor who is not signed in to the sign-in page.
    """

    http_method_names = ["get", "post", "options"]
    next_page = "accounts:login"
    template_name = "accounts/sign_out.html"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            messages.info(request, "You are not signed in.")
            return redirect(self.next_page)
        return render(request, self.template_name)

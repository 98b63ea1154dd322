"""Sign-in steps (password, MFA code, enrollment) and the security pages."""

from __future__ import annotations

from typing import Any

import django_otp
import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice

from accounts.lockout import (
    SignInAttempt,
    lockout_active,
    lockout_lift,
    lockout_message,
    sign_in_failure_record,
    sign_in_success_record,
)
from accounts.mfa import (
    administrator_mfa_reset,
    mfa_device_for_code,
    mfa_enrollment_confirm,
    mfa_enrollment_device,
    mfa_is_enrolled,
    mfa_recovery_codes_left,
    mfa_recovery_codes_regenerate,
)
from accounts.mfa_codes import totp_uri
from accounts.models import (
    AdministratorSession,
    AdministratorTOTPDevice,
    LockoutScope,
    Membership,
    SignInLockout,
)
from accounts.security_forms import (
    EnrollmentCodeForm,
    LockoutSignInForm,
    MfaCodeForm,
    ReasonForm,
)
from accounts.sessions import (
    SESSION_EXPIRED_KEY,
    session_end,
    session_key_cycle,
    sessions_active_for,
)
from activity.models import Outcome
from activity.services import event_record
from pingid_portal.actors import Actor, client_ip, request_user_agent
from pingid_portal.errors import ServiceError
from pingid_portal.headers import no_store
from pingid_portal.http import PortalRequest
from pingid_portal.permissions import Action
from pingid_portal.tenancy import get_for_organization
from pingid_portal.views import portal_view

EXPIRY_MESSAGES = {
    "idle": "You were signed out after a period without activity. Sign in again.",
    "absolute": "Your session reached its maximum length. Sign in again.",
    "signed_out": "Your session ended. Sign in again.",
}


@method_decorator(no_store, name="dispatch")
class SecureSignInView(auth_views.LoginView):
    """The password step; the MFA step follows before any portal page opens."""

    template_name = "accounts/sign_in.html"
    authentication_form = LockoutSignInForm
    redirect_authenticated_user = False

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        reason = request.session.pop(SESSION_EXPIRED_KEY, None)
        if reason in EXPIRY_MESSAGES:
            messages.info(request, EXPIRY_MESSAGES[reason])
        if request.user.is_authenticated:
            return redirect(self._mfa_url())
        return super().get(request, *args, **kwargs)

    def _mfa_url(self) -> str:
        url = reverse("accounts:mfa_verify")
        next_url = self.get_redirect_url()
        return f"{url}?next={next_url}" if next_url else url

    def get_success_url(self) -> str:
        return self._mfa_url()


def _next_url(request: HttpRequest) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse("dashboard")


def _attempt(request: HttpRequest) -> SignInAttempt:
    return SignInAttempt(
        username=request.user.get_username(),
        ip_address=client_ip(request),
        user_agent=request_user_agent(request),
    )


def _locked_out(request: HttpRequest, message: str) -> HttpResponse:
    logout(request)
    messages.error(request, message)
    return redirect("accounts:login")


def _complete_sign_in(request: HttpRequest, device: Device) -> None:
    django_otp.login(request, device)
    # A new key once fully signed in, so a key seen before MFA is worthless.
    session_key_cycle(request)
    sign_in_success_record(_attempt(request))
    recovery = isinstance(device, StaticDevice)
    message = "Signed in with a recovery code." if recovery else "Signed in with TOTP."
    event_record(
        actor=Actor.from_request(request),
        action="administrator.mfa_verify",
        target=request.membership,  # type: ignore[attr-defined]
        target_display=request.user.get_username(),
        message=message,
    )
    if recovery:
        left = mfa_recovery_codes_left(request.user)  # type: ignore[arg-type]
        messages.warning(
            request,
            f"You used a recovery code; {left} are left. Regenerate them on your "
            "security page if you run low.",
        )


def _mfa_failure(
    request: HttpRequest, form: Any, field_message: str
) -> HttpResponse | None:
    """Count a wrong code, and return the sign-in redirect when it caused a lockout."""
    attempt = _attempt(request)
    caused = sign_in_failure_record(attempt)
    event_record(
        organization=request.organization,  # type: ignore[attr-defined]
        actor_display=attempt.account,
        action="administrator.mfa_verify",
        outcome=Outcome.FAILURE,
        target=request.membership,  # type: ignore[attr-defined]
        target_display=attempt.account,
        message="Wrong MFA code.",
        ip_address=attempt.ip_address,
        user_agent=attempt.user_agent,
    )
    if caused is not None:
        return _locked_out(request, lockout_message(caused))
    form.add_error("code", field_message)
    return None


def _half_signed_in(request: HttpRequest) -> HttpResponse | None:
    """Redirect away unless a password-only session of an administrator is present."""
    if not request.user.is_authenticated:
        return redirect_to_login(_next_url(request))
    if request.user.is_verified():  # type: ignore[attr-defined]
        return redirect(_next_url(request))
    if not request.membership:  # type: ignore[attr-defined]
        raise PermissionDenied(
            "Your account is not an administrator of any organization."
        )
    lockout = lockout_active(_attempt(request))
    if lockout is not None:
        return _locked_out(request, lockout_message(lockout))
    return None


@no_store
def mfa_verify(request: HttpRequest) -> HttpResponse:
    if (early := _half_signed_in(request)) is not None:
        return early
    if not mfa_is_enrolled(request.user):  # type: ignore[arg-type]
        return redirect(f"{reverse('accounts:mfa_enroll')}?next={_next_url(request)}")

    form = MfaCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = mfa_device_for_code(request.user, form.cleaned_data["code"])  # type: ignore[arg-type]
        if device is not None:
            _complete_sign_in(request, device)
            return redirect(_next_url(request))
        message = (
            "Code is invalid or was already used: enter the code your app shows now, "
            "or an unused recovery code."
        )
        if (locked := _mfa_failure(request, form, message)) is not None:
            return locked

    context = {"form": form, "next": _next_url(request), "membership": None}
    return render(request, "accounts/mfa_verify.html", context)


def _qr_svg(uri: str) -> str:
    return segno.make(uri, error="m").svg_inline(
        scale=5, dark="#111827", light="#ffffff"
    )


def _grouped(secret: str) -> str:
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


@no_store
def mfa_enroll(request: HttpRequest) -> HttpResponse:
    if (early := _half_signed_in(request)) is not None:
        return early
    if mfa_is_enrolled(request.user):  # type: ignore[arg-type]
        return redirect(f"{reverse('accounts:mfa_verify')}?next={_next_url(request)}")
    device = mfa_enrollment_device(request.user)  # type: ignore[arg-type]

    form = EnrollmentCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = mfa_enrollment_confirm(
                actor=Actor.from_request(request),
                device=device,
                code=form.cleaned_data["code"],
            )
        except ServiceError as error:
            if (locked := _mfa_failure(request, form, error.message)) is not None:
                return locked
        else:
            _complete_sign_in(request, device)
            context = {
                "codes": codes,
                "next": _next_url(request),
                "first_time": True,
                "membership": None,
            }
            return render(request, "accounts/recovery_codes.html", context)

    uri = totp_uri(device.key, request.user.get_username())
    context = {
        "form": form,
        "next": _next_url(request),
        "qr_svg": mark_safe(_qr_svg(uri)),  # noqa: S308 - segno's own SVG markup
        "secret": _grouped(device.key),
        "uri": uri,
        "membership": None,
    }
    return render(request, "accounts/mfa_enroll.html", context)


@portal_view()
def my_security(request: PortalRequest) -> HttpResponse:
    user = request.user
    context = {
        "sessions": sessions_active_for(user),  # type: ignore[arg-type]
        "current_key": request.session.session_key,
        "enrolled": mfa_is_enrolled(user),  # type: ignore[arg-type]
        "recovery_codes_left": mfa_recovery_codes_left(user),  # type: ignore[arg-type]
        "idle_minutes": settings.SESSION_IDLE_TIMEOUT_SECONDS // 60,
        "absolute_hours": settings.SESSION_ABSOLUTE_TIMEOUT_SECONDS // 3600,
        "security_section": "own",
    }
    return render(request, "accounts/my_security.html", context)


@portal_view()
@require_POST
@no_store
def recovery_codes_regenerate(request: PortalRequest) -> HttpResponse:
    try:
        codes = mfa_recovery_codes_regenerate(actor=Actor.from_request(request))
    except ServiceError as error:
        messages.error(request, error.message)
        return redirect("accounts:my_security")
    context = {
        "codes": codes,
        "next": reverse("accounts:my_security"),
        "first_time": False,
    }
    return render(request, "accounts/recovery_codes.html", context)


@portal_view()
@require_POST
def session_end_view(
    request: PortalRequest, administrator_session_id: int
) -> HttpResponse:
    # A session of another organization is a 404, like any other object.
    session = get_object_or_404(
        AdministratorSession,
        pk=administrator_session_id,
        user__membership__organization=request.organization,
    )
    target = Membership.objects.get(user_id=session.user_id)
    current = session.session_key == request.session.session_key
    try:
        session_end(
            actor=Actor.from_request(request),
            session=session,
            current_key=request.session.session_key,
        )
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        if current:
            return redirect("accounts:login")
        messages.success(request, "The session ended. That browser must sign in again.")
    return redirect(_return_to(request, target))


def _return_to(request: HttpRequest, target: Membership) -> str:
    if target.user_id == request.user.pk:
        return reverse("accounts:my_security")
    return reverse("accounts:administrator_security", args=[target.pk])


@portal_view(Action.ADMINISTRATOR_VIEW)
def security_overview(request: PortalRequest) -> HttpResponse:
    has_app = AdministratorTOTPDevice.objects.filter(
        user=OuterRef("user"), confirmed=True
    )
    administrators = (
        Membership.objects.for_organization(request.organization)
        .select_related("user")
        .annotate(
            mfa_enrolled=Exists(has_app),
            session_count=Count("user__administrator_sessions"),
            last_seen=Max("user__administrator_sessions__last_seen_at"),
        )
        .order_by("user__email")
    )
    lockouts = _active_lockouts(request)
    context = {
        "administrators": administrators,
        "lockouts": lockouts,
        "security_section": "organization",
    }
    return render(request, "accounts/security_overview.html", context)


def _lockouts_visible(request: PortalRequest) -> QuerySet[SignInLockout]:
    # Address lockouts have no organization: they block every sign-in from
    # the address, this organization's administrators included.
    return SignInLockout.objects.filter(
        Q(organization=request.organization)
        | Q(scope=LockoutScope.IP_ADDRESS, organization__isnull=True)
    )


def _active_lockouts(request: PortalRequest) -> list[SignInLockout]:
    return list(
        _lockouts_visible(request).filter(
            lifted_at__isnull=True, locked_until__gt=timezone.now()
        )
    )


@portal_view(Action.ADMINISTRATOR_VIEW)
def administrator_security(
    request: PortalRequest, administrator_id: int
) -> HttpResponse:
    target = get_for_organization(
        Membership.objects.select_related("user"),
        request.organization,
        pk=administrator_id,
    )
    context = {
        "target": target,
        "sessions": sessions_active_for(target.user),
        "current_key": request.session.session_key,
        "enrolled": mfa_is_enrolled(target.user),
        "recovery_codes_left": mfa_recovery_codes_left(target.user),
        "form": ReasonForm(),
        "security_section": "organization",
    }
    return render(request, "accounts/administrator_security.html", context)


@portal_view(Action.ADMINISTRATOR_MANAGE)
@require_POST
def administrator_mfa_reset_view(
    request: PortalRequest, administrator_id: int
) -> HttpResponse:
    target = get_for_organization(
        Membership.objects.select_related("user"),
        request.organization,
        pk=administrator_id,
    )
    form = ReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        administrator_mfa_reset(
            actor=Actor.from_request(request), membership=target, reason=reason
        )
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            f"MFA of {target.user.email} was reset and their sessions ended. They set "
            "up an authenticator app at their next sign-in.",
        )
    return redirect("accounts:administrator_security", administrator_id=target.pk)


@portal_view(Action.ADMINISTRATOR_MANAGE)
@require_POST
def lockout_lift_view(request: PortalRequest, lockout_id: int) -> HttpResponse:
    lockout = get_object_or_404(_lockouts_visible(request), pk=lockout_id)
    form = ReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        lockout_lift(actor=Actor.from_request(request), lockout=lockout, reason=reason)
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"Sign-in is possible again for {lockout.value}.")
    return redirect("accounts:security_overview")

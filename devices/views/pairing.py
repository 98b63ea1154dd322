"""Activation codes, authenticator-app pairing and e-mail pairing pages.

Pages that show a secret (activation code, TOTP secret) are sent with
Cache-Control: no-store. An activation code is shown once. A TOTP key is
shown again only in the reply to a wrong code for its pairing, and only
while that pairing is open. Opening the page anew starts with a new key.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils import timezone

from devices import services
from devices.forms import ActivationCodeForm, EmailPairingForm, OtpForm
from devices.models import PairingKind, PairingSession
from devices.qr import qr_svg
from devices.services.activation import format_code
from devices.views.common import no_store, pingid_user_get, service_run, user_url
from pingid_portal.actors import Actor
from pingid_portal.http import PortalRequest
from pingid_portal.permissions import Action
from pingid_portal.views import portal_view
from users.models import PingIDUser


@portal_view(Action.DEVICE_MANAGE)
def activation_code_issue(request: PortalRequest, user_id: int) -> HttpResponse:
    pingid_user = pingid_user_get(request, user_id)
    form = ActivationCodeForm(request.POST if request.method == "POST" else None)
    context = {"pingid_user": pingid_user, "form": form, "back": user_url(user_id)}
    if request.method == "POST" and form.is_valid():
        actor = Actor.from_request(request)
        done, issued = service_run(
            request,
            lambda: services.activation_code_issue(
                actor=actor,
                user=pingid_user,
                device_type=form.cleaned_data["device_type"],
                hours=form.cleaned_data["hours"],
            ),
            form,
        )
        if done and issued is not None:
            activation, code = issued
            context.update(
                activation=activation,
                code=format_code(code),
                qr=qr_svg(code),
            )
    response = render(request, "devices/activation_code.html", context)
    return no_store(response)


def _session_of(
    request: PortalRequest, pingid_user: PingIDUser, form: OtpForm, kind: str
) -> PairingSession | None:
    """Return the pairing that the validated `form` names, or None."""
    session_id = form.cleaned_data.get("session")
    if session_id is None:
        return None
    return (
        PairingSession.objects.for_organization(request.organization)
        .filter(user=pingid_user, kind=kind, session_id=session_id)
        .select_related("user", "organization")
        .first()
    )


def _totp_key_context(session: PairingSession | None) -> dict[str, object]:
    """Return the key and QR code of an open TOTP pairing, else offer a new start."""
    if session is None or not session.is_open(timezone.now()):
        return {"restart": True}
    uri = services.totp_pairing_uri(session)
    return {"secret": session.secret, "uri": uri, "qr": qr_svg(uri)}


@portal_view(Action.DEVICE_MANAGE)
def totp_pairing(request: PortalRequest, user_id: int) -> HttpResponse:
    """Start on POST without a code; finish on POST with the session and a code.

    After a wrong code the page shows the same key again, because the app
    already scanned it, and the error once, beside the code field.
    """
    pingid_user = pingid_user_get(request, user_id)
    actor = Actor.from_request(request)
    context: dict[str, object] = {"pingid_user": pingid_user, "back": user_url(user_id)}
    if request.method == "POST" and "otp" in request.POST:
        form = OtpForm(request.POST)
        valid = form.is_valid()
        session = _session_of(request, pingid_user, form, PairingKind.TOTP)
        if session is None:
            form.add_error(None, "This pairing no longer exists: start again.")
        elif valid:
            found: PairingSession = session
            done, device = service_run(
                request,
                lambda: services.totp_pairing_finish(
                    actor=actor, session=found, otp=form.cleaned_data["otp"]
                ),
                form,
            )
            if done and device is not None:
                messages.success(
                    request,
                    f"Authenticator app paired for {pingid_user.username} as "
                    f"{device.get_role_display().lower()} device.",
                )
                return HttpResponseRedirect(user_url(user_id))
            # The wrong code was counted and may have closed the pairing.
            session.refresh_from_db()
        context.update(form=form, **_totp_key_context(session))
    elif request.method == "POST":
        done, started = service_run(
            request,
            lambda: services.totp_pairing_start(actor=actor, user=pingid_user),
        )
        if done and started is not None:
            session = started[0]
            context.update(
                form=OtpForm(initial={"session": session.session_id}),
                **_totp_key_context(session),
            )
    return no_store(render(request, "devices/totp_pairing.html", context))


@portal_view(Action.DEVICE_MANAGE)
def email_pairing(request: PortalRequest, user_id: int) -> HttpResponse:
    """Send a code on POST with an address; finish on POST with a code."""
    pingid_user = pingid_user_get(request, user_id)
    actor = Actor.from_request(request)
    context: dict[str, object] = {"pingid_user": pingid_user, "back": user_url(user_id)}
    email_form = EmailPairingForm(
        request.POST if request.method == "POST" and "email" in request.POST else None,
        initial={"email": pingid_user.email},
    )
    context["email_form"] = email_form
    if request.method == "POST" and "otp" in request.POST:
        form = OtpForm(request.POST)
        session = (
            _session_of(request, pingid_user, form, PairingKind.EMAIL)
            if (form.is_valid())
            else None
        )
        if session is not None:
            found_email: PairingSession = session
            done, device = service_run(
                request,
                lambda: services.email_pairing_finish(
                    actor=actor, session=found_email, otp=form.cleaned_data["otp"]
                ),
                form,
            )
            if done and device is not None:
                messages.success(
                    request, f"E-mail device paired for {pingid_user.username}."
                )
                return HttpResponseRedirect(user_url(user_id))
            context["email"] = session.email
        elif form.is_valid():
            form.add_error(None, "This pairing no longer exists: start again.")
        context["form"] = form
    elif request.method == "POST" and email_form.is_valid():
        done, session = service_run(
            request,
            lambda: services.email_pairing_start(
                actor=actor, user=pingid_user, email=email_form.cleaned_data["email"]
            ),
            email_form,
        )
        if done and session is not None:
            context.update(
                form=OtpForm(initial={"session": session.session_id}),
                email=session.email,
            )
    return render(request, "devices/email_pairing.html", context)

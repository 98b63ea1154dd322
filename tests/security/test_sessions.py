from __future__ import annotations

from collections.abc import Callable

import pytest
import time_machine
from django.contrib.sessions.models import Session
from django.test import Client

from accounts.models import AdministratorSession, ApiToken, Membership
from accounts.services import (
    administrator_remove,
    administrator_set_active,
    api_token_create,
)
from accounts.sessions import sessions_end_for_user
from activity.models import ActivityEvent
from pingid_portal.actors import Actor
from tests.conftest import mfa_device_for
from tests.security.helpers import sign_in_fully

pytestmark = pytest.mark.django_db

START = "2026-03-01 10:00:00"


def test_sign_in_records_session(global_admin: Membership) -> None:
    device = mfa_device_for(global_admin)
    client = Client(HTTP_USER_AGENT="Firefox test", REMOTE_ADDR="192.0.2.7")

    sign_in_fully(client, global_admin, device)
    tracked = AdministratorSession.objects.get(user=global_admin.user)

    assert tracked.session_key == client.session.session_key
    assert tracked.ip_address == "192.0.2.7"
    assert tracked.user_agent == "Firefox test"


def test_idle_timeout_ends_session(
    global_admin: Membership, client_for: Callable[[Membership], Client]
) -> None:
    with time_machine.travel(START, tick=False) as traveller:
        client = client_for(global_admin)
        traveller.shift(29 * 60)
        active = client.get("/")
        traveller.shift(29 * 60)
        still_active = client.get("/")
        traveller.shift(30 * 60 + 1)
        expired = client.get("/")
        sign_in_page = client.get(expired["Location"])

    assert active.status_code == 200
    assert still_active.status_code == 200
    assert expired.status_code == 302
    assert expired["Location"].startswith("/accounts/sign-in/")
    assert not AdministratorSession.objects.filter(user=global_admin.user).exists()
    assert "without activity" in sign_in_page.content.decode()


def test_idle_timeout_is_configurable(
    global_admin: Membership,
    client_for: Callable[[Membership], Client],
    settings: object,
) -> None:
    settings.SESSION_IDLE_TIMEOUT_SECONDS = 120  # type: ignore[attr-defined]
    with time_machine.travel(START, tick=False) as traveller:
        client = client_for(global_admin)
        traveller.shift(121)
        response = client.get("/")

    assert response.status_code == 302


def test_absolute_timeout_ends_active_session(
    global_admin: Membership, client_for: Callable[[Membership], Client]
) -> None:
    with time_machine.travel(START, tick=False) as traveller:
        client = client_for(global_admin)
        for _ in range(47):
            traveller.shift(15 * 60)
            assert client.get("/").status_code == 200
        traveller.shift(15 * 60 + 1)
        response = client.get("/")
        sign_in_page = client.get(response["Location"])

    assert response.status_code == 302
    assert "maximum length" in sign_in_page.content.decode()


def test_absolute_timeout_is_configurable(
    global_admin: Membership,
    client_for: Callable[[Membership], Client],
    settings: object,
) -> None:
    settings.SESSION_ABSOLUTE_TIMEOUT_SECONDS = 600  # type: ignore[attr-defined]
    with time_machine.travel(START, tick=False) as traveller:
        client = client_for(global_admin)
        traveller.shift(300)
        client.get("/")
        traveller.shift(301)
        response = client.get("/")

    assert response.status_code == 302


def test_disabling_ends_sessions_and_tokens(
    global_admin: Membership,
    help_desk: Membership,
    client_for: Callable[[Membership], Client],
) -> None:
    client = client_for(help_desk)
    api_token, token = api_token_create(actor=Actor.for_membership(help_desk), name="x")

    administrator_set_active(
        actor=Actor.for_membership(global_admin), membership=help_desk, active=False
    )
    api_token.refresh_from_db()

    assert client.get("/").status_code == 302
    assert not AdministratorSession.objects.filter(user=help_desk.user).exists()
    assert api_token.revoked_at is not None
    api = Client().get("/api/v1/schema/", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert api.status_code == 401


def test_removing_ends_sessions_and_tokens(
    global_admin: Membership,
    help_desk: Membership,
    client_for: Callable[[Membership], Client],
) -> None:
    client = client_for(help_desk)
    session_key = client.session.session_key
    api_token_create(actor=Actor.for_membership(help_desk), name="x")

    administrator_remove(actor=Actor.for_membership(global_admin), membership=help_desk)

    assert client.get("/").status_code == 302
    assert not Session.objects.filter(session_key=session_key).exists()
    assert not ApiToken.objects.exists()


def test_ending_sessions_reads_only_theirs(
    global_admin: Membership,
    help_desk: Membership,
    client_for: Callable[[Membership], Client],
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    clients = [client_for(help_desk) for _ in range(3)]
    other = client_for(global_admin)

    with CaptureQueriesContext(connection) as captured:
        ended = sessions_end_for_user(help_desk.user)
    session_table_queries = [
        query["sql"] for query in captured if "django_session" in query["sql"]
    ]

    assert ended == 3
    assert session_table_queries
    for sql in session_table_queries:
        assert "session_key" in sql.partition("WHERE")[2]
    for client in clients:
        assert client.get("/").status_code == 302
    assert other.get("/").status_code == 200


def test_own_sessions_page_lists_and_ends(
    global_admin: Membership, client_for: Callable[[Membership], Client]
) -> None:
    laptop = client_for(global_admin)
    phone = client_for(global_admin)
    phone_session = AdministratorSession.objects.get(
        session_key=phone.session.session_key
    )

    page = laptop.get("/accounts/security/me/")
    response = laptop.post(f"/accounts/security/sessions/{phone_session.pk}/end/")

    assert page.status_code == 200
    assert len(page.context["sessions"]) == 2
    assert "This browser" in page.content.decode()
    assert response.status_code == 302
    assert phone.get("/").status_code == 302
    assert laptop.get("/").status_code == 200
    assert ActivityEvent.objects.filter(action="administrator.session_end").exists()


def test_global_admin_ends_another_admins_session(
    global_admin: Membership,
    auditor: Membership,
    client_for: Callable[[Membership], Client],
) -> None:
    target = client_for(auditor)
    tracked = AdministratorSession.objects.get(user=auditor.user)
    client = client_for(global_admin)

    page = client.get(f"/accounts/security/administrators/{auditor.pk}/")
    response = client.post(f"/accounts/security/sessions/{tracked.pk}/end/")

    assert page.status_code == 200
    assert "End session" in page.content.decode()
    assert response.status_code == 302
    assert target.get("/").status_code == 302


def test_help_desk_cannot_end_others_sessions(
    help_desk: Membership,
    auditor: Membership,
    client_for: Callable[[Membership], Client],
) -> None:
    target = client_for(auditor)
    tracked = AdministratorSession.objects.get(user=auditor.user)

    response = client_for(help_desk).post(
        f"/accounts/security/sessions/{tracked.pk}/end/"
    )

    assert response.status_code == 403
    assert target.get("/").status_code == 200


def test_outsider_cannot_end_sessions(
    auditor: Membership,
    outsider: Membership,
    client_for: Callable[[Membership], Client],
) -> None:
    target = client_for(auditor)
    tracked = AdministratorSession.objects.get(user=auditor.user)

    response = client_for(outsider).post(
        f"/accounts/security/sessions/{tracked.pk}/end/"
    )

    assert response.status_code == 404
    assert target.get("/").status_code == 200
    assert AdministratorSession.objects.filter(pk=tracked.pk).exists()


def test_session_cookie_flags(global_admin: Membership, settings: object) -> None:
    settings.SESSION_COOKIE_SECURE = True  # type: ignore[attr-defined]
    device = mfa_device_for(global_admin)
    client = Client()

    sign_in_fully(client, global_admin, device)
    cookie = client.cookies["sessionid"]

    assert cookie["httponly"] is True
    assert cookie["secure"] is True
    assert cookie["samesite"] == "Lax"


def test_production_defaults_make_cookies_secure() -> None:
    import subprocess
    import sys

    script = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='pingid_portal.settings';"
        "from django.conf import settings as s;"
        "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY,"
        " s.SECURE_HSTS_SECONDS > 0, s.SESSION_IDLE_TIMEOUT_SECONDS,"
        " s.SESSION_ABSOLUTE_TIMEOUT_SECONDS)"
    )
    env = {"SECRET_KEY": "k", "PATH": "/usr/bin:/bin"}
    output = subprocess.run(
        [sys.executable, "-c", script],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()

    assert output == ["True", "True", "True", "True", "1800", "43200"]


def test_sign_out_get_shows_button(
    global_admin: Membership, client_for: Callable[[Membership], Client]
) -> None:
    client = client_for(global_admin)

    response = client.get("/accounts/sign-out/")
    page = response.content.decode()

    assert response.status_code == 200
    assert '<form method="post" action="/accounts/sign-out/">' in page
    assert "csrfmiddlewaretoken" in page
    assert global_admin.user.email in page
    assert client.get("/").status_code == 200


def test_sign_out_get_when_signed_out_redirects() -> None:
    response = Client().get("/accounts/sign-out/", follow=True)

    assert response.redirect_chain == [("/accounts/sign-in/", 302)]
    assert "You are not signed in." in response.content.decode()


def test_sign_out_post_ends_session(
    global_admin: Membership, client_for: Callable[[Membership], Client]
) -> None:
    client = client_for(global_admin)

    response = client.post("/accounts/sign-out/")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/sign-in/"
    assert client.get("/").status_code == 302


def test_sign_out_post_needs_csrf_token(global_admin: Membership) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(global_admin.user)

    response = client.post("/accounts/sign-out/")

    assert response.status_code == 403
    assert "_auth_user_id" in client.session

"""User operations through the PingID API, audited like portal changes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from activity.models import ActivityEvent
from tests.factories import PingIDUserFactory
from tests.integrations.conftest import Integration
from users.models import PingIDUser, UserStatus

pytestmark = pytest.mark.django_db


def test_add_user_accepts_both_spellings(integration: Integration) -> None:
    first = integration.call(
        "adduser",
        {"userName": "alice", "fName": "Alice", "lName": "Liddell", "email": "a@x.org"},
    )
    second = integration.call(
        "adduser", {"username": "bob", "fname": "Bob", "lname": "Builder"}
    )

    assert first.error_id == 200
    assert second.error_id == 200
    alice = PingIDUser.objects.get(username="alice")
    bob = PingIDUser.objects.get(username="bob")
    assert (alice.first_name, alice.last_name, alice.email) == (
        "Alice",
        "Liddell",
        "a@x.org",
    )
    assert (bob.first_name, bob.last_name) == ("Bob", "Builder")
    assert first.body["userDetails"]["userName"] == "alice"


def test_add_user_string_boolean_issues_code(integration: Integration) -> None:
    answer = integration.call("adduser", {"userName": "carol", "activateUser": "true"})
    plain = integration.call("adduser", {"userName": "dave", "activateUser": "false"})

    assert answer.error_id == 200
    assert len(answer.body["activationCode"]) == 12
    assert "activationCode" not in plain.body
    assert (
        PingIDUser.objects.get(username="carol").status == UserStatus.PENDING_ACTIVATION
    )


def test_add_user_bad_boolean_names_field(integration: Integration) -> None:
    answer = integration.call("adduser", {"userName": "erin", "activateUser": "yes"})

    assert answer.error_id == 400
    assert "activateUser" in answer.body["errorMsg"]
    assert not PingIDUser.objects.filter(username="erin").exists()


def test_add_existing_user_is_10556(integration: Integration) -> None:
    integration.call("adduser", {"userName": "alice"})

    answer = integration.call("adduser", {"userName": "ALICE"})

    assert answer.error_id == 10556
    assert answer.status == 400


def test_org_alias_header_spelling(integration: Integration) -> None:
    client = integration.client
    header = {
        "alg": "HS256",
        "orgAlias": client.org_alias,
        "token": client.token,
        "typ": "JWT",
    }

    answer = integration.post(
        "adduser", client.sign({"userName": "zed"}, header=header)
    )

    assert answer.error_id == 200


def test_client_data_is_echoed(integration: Integration) -> None:
    answer = integration.call(
        "getuserdetails", {"userName": "nobody", "clientData": {"ticket": 42}}
    )

    assert answer.error_id == 10564
    assert answer.body["clientData"] == {"ticket": 42}
    assert answer.body["uniqueMsgId"]


def test_api_change_audited_with_settings_file(integration: Integration) -> None:
    integration.call("adduser", {"userName": "alice"})

    event = ActivityEvent.objects.get(action="user.create")

    assert event.actor_kind == "settings_file"
    assert event.settings_file_id == integration.settings_file.pk
    assert event.ip_address == "198.51.100.7"
    assert integration.settings_file.token in event.actor_display


def test_edit_user_replaces_fields(integration: Integration) -> None:
    user = PingIDUserFactory(
        organization=integration.settings_file.organization, username="al"
    )

    answer = integration.call("edituser", {"userName": "al", "fName": "Al"})

    user.refresh_from_db()
    assert answer.error_id == 200
    assert user.first_name == "Al"
    assert user.last_name == ""
    assert user.email == ""


def test_suspend_then_activate(integration: Integration) -> None:
    organization = integration.settings_file.organization
    user = PingIDUserFactory(organization=organization, username="sam")

    suspended = integration.call("suspenduser", {"userName": "sam"})
    again = integration.call("suspenduser", {"userName": "sam"})
    activated = integration.call("activateuser", {"userName": "sam"})
    active_again = integration.call("activateuser", {"userName": "sam"})

    user.refresh_from_db()
    assert suspended.error_id == 200
    assert again.error_id == 10561
    assert activated.error_id == 200
    assert active_again.error_id == 10562
    assert user.status == UserStatus.ACTIVE


def test_delete_user(integration: Integration) -> None:
    PingIDUserFactory(
        organization=integration.settings_file.organization, username="del"
    )

    answer = integration.call("deleteuser", {"userName": "del"})
    missing = integration.call("deleteuser", {"userName": "del"})

    assert answer.error_id == 200
    assert missing.error_id == 10564
    assert ActivityEvent.objects.filter(action="user.remove").count() == 1


def test_user_bypass_until_and_end(integration: Integration) -> None:
    organization = integration.settings_file.organization
    user = PingIDUserFactory(organization=organization, username="byp")
    until = datetime.now(UTC) + timedelta(hours=2)

    started = integration.call(
        "userbypass",
        {
            "userName": "byp",
            "bypassUntil": int(until.timestamp() * 1000),
            "spAliases": ["vpn"],
        },
    )
    details = integration.call("getuserdetails", {"userName": "byp"})
    ended = integration.call("userbypass", {"userName": "byp", "bypassUntil": None})

    assert started.error_id == 200
    vpn = next(
        s for s in details.body["userDetails"]["spList"] if s["spAlias"] == "vpn"
    )
    assert vpn["status"] == "BYPASS"
    assert ended.error_id == 200
    assert not any(row.is_bypassed() for row in user.services.all())


def test_ending_missing_bypass_is_not_retryable(integration: Integration) -> None:
    PingIDUserFactory(
        organization=integration.settings_file.organization, username="nob"
    )

    answer = integration.call("userbypass", {"userName": "nob", "bypassUntil": None})

    assert answer.status == 409
    assert answer.error_id == 10558
    assert answer.error_id != 10551


def test_unknown_long_username_echo_is_cut(integration: Integration) -> None:
    answer = integration.call("getuserdetails", {"userName": "z" * 3000})

    assert answer.error_id == 10564
    assert "(3000 characters)" in answer.body["errorMsg"]
    assert len(answer.body["errorMsg"]) < 200


def test_bypass_without_until_is_invalid(integration: Integration) -> None:
    PingIDUserFactory(
        organization=integration.settings_file.organization, username="x1"
    )

    answer = integration.call("userbypass", {"userName": "x1"})

    assert answer.error_id == 400
    assert "bypassUntil" in answer.body["errorMsg"]


@pytest.mark.parametrize(
    ("operation", "body", "field"),
    [
        ("adduser", {"userName": "\ud800"}, "userName"),
        ("adduser", {"username": "al\ud800"}, "username"),
        ("edituser", {"userName": "al", "fName": "\udfff"}, "fName"),
        ("getuserdetails", {"userName": "\ud800"}, "userName"),
    ],
)
def test_lone_surrogate_names_field(
    integration: Integration, operation: str, body: dict[str, str], field: str
) -> None:
    user = PingIDUserFactory(
        organization=integration.settings_file.organization,
        username="al",
        first_name="Alan",
    )

    answer = integration.call(operation, body)

    user.refresh_from_db()
    assert answer.status == 400
    assert answer.error_id == 400
    assert answer.body["errorMsg"].startswith(f"Invalid {field}:")
    assert "surrogate" in answer.body["errorMsg"]
    assert user.first_name == "Alan"
    assert PingIDUser.objects.count() == 1

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from accounts.models import Membership
from activity.models import ActivityEvent
from pingid_portal.actors import Actor
from pingid_portal.errors import ConflictError, ServiceError
from users.imports import import_apply, import_counts, import_preview
from users.models import ImportStatus, PingIDUser, UserImport, UserStatus

pytestmark = pytest.mark.django_db

GOOD_AND_BAD = (
    "username,first_name,last_name,email,role,status,services\n"
    "jdoe,Jane,Doe,jane@example.com,REGULAR,ACTIVE,web vpn\n"
    "Ελένη,Ελένη,Π.,eleni@example.com,,,\n"
    "=SUM(A1),Formula,Name,,,,\n"
    "broken,Bad,Mail,not-an-email,,,\n"
    "@team lead,Team,Lead,lead@example.com,ADMIN,,ssh\n"
)


def preview(actor: Actor, text: str, encoding: str = "utf-8") -> UserImport:
    return import_preview(
        actor=actor, file_name="users.csv", data=text.encode(encoding)
    )


def test_one_bad_row_applies_the_good_ones(admin_actor: Actor) -> None:
    user_import = preview(admin_actor, GOOD_AND_BAD)
    assert not PingIDUser.objects.exists()

    applied = import_apply(actor=admin_actor, user_import=user_import)

    counts = import_counts(applied.rows)
    assert counts == {"create": 4, "update": 0, "unchanged": 0, "error": 1}
    [bad] = [row for row in applied.rows if row["outcome"] == "error"]
    assert bad["line"] == 5
    assert bad["username"] == "broken"
    assert "E-mail address" in bad["error"]
    assert set(PingIDUser.objects.values_list("username", flat=True)) == {
        "jdoe",
        "Ελένη",
        "=SUM(A1)",
        "@team lead",
    }
    jdoe = PingIDUser.objects.get(username="jdoe")
    assert jdoe.status == UserStatus.ACTIVE
    assert sorted(jdoe.services.values_list("service", flat=True)) == ["vpn", "web"]
    assert ActivityEvent.objects.filter(action="user.create").count() == 4


def test_reimport_changes_nothing(admin_actor: Actor) -> None:
    import_apply(actor=admin_actor, user_import=preview(admin_actor, GOOD_AND_BAD))
    before = list(PingIDUser.objects.order_by("id").values())
    events_before = ActivityEvent.objects.filter(action__startswith="user.c").count()

    second = preview(admin_actor, "\ufeff" + GOOD_AND_BAD)
    assert import_counts(second.rows)["unchanged"] == 4
    applied = import_apply(actor=admin_actor, user_import=second)

    assert import_counts(applied.rows) == {
        "create": 0,
        "update": 0,
        "unchanged": 4,
        "error": 1,
    }
    assert list(PingIDUser.objects.order_by("id").values()) == before
    assert ActivityEvent.objects.filter(action__startswith="user.c").count() == (
        events_before
    )
    assert not ActivityEvent.objects.filter(action="user.update").exists()


def test_update_keeps_empty_cells_and_services(
    admin_actor: Actor, make_user: Callable[..., PingIDUser]
) -> None:
    make_user(
        username="Keep", first_name="Old", email="keep@example.com", services=["web"]
    )
    text = "username,first_name,email,services\nKEEP,New,,vpn\n"

    applied = import_apply(actor=admin_actor, user_import=preview(admin_actor, text))

    [row] = applied.rows
    assert row["outcome"] == "update"
    user = PingIDUser.objects.get()
    assert user.username == "Keep"
    assert user.first_name == "New"
    assert user.email == "keep@example.com"
    enabled = sorted(s.service for s in user.services.all() if s.enabled)
    assert enabled == ["vpn", "web"]


def test_username_spaces_are_trimmed(
    admin_actor: Actor, make_user: Callable[..., PingIDUser]
) -> None:
    make_user(username="kim", first_name="Old")
    text = "username,first_name\n  kim ,New\n lee  ,Lee\n"

    applied = import_apply(actor=admin_actor, user_import=preview(admin_actor, text))

    assert [row["outcome"] for row in applied.rows] == ["update", "create"]
    assert [row["username"] for row in applied.rows] == ["kim", "lee"]
    assert PingIDUser.objects.get(username="kim").first_name == "New"
    assert PingIDUser.objects.filter(username="lee").exists()


def test_duplicate_username_in_file_is_an_error(admin_actor: Actor) -> None:
    text = "username\nsam\nSAM\n"

    user_import = preview(admin_actor, text)

    outcomes = [row["outcome"] for row in user_import.rows]
    assert outcomes == ["create", "error"]
    assert "first on line 2" in user_import.rows[1]["error"]


def test_suspended_status_cannot_be_imported(admin_actor: Actor) -> None:
    user_import = preview(admin_actor, "username,status\nsam,SUSPENDED\n")

    assert user_import.rows[0]["outcome"] == "error"
    assert "disable" in user_import.rows[0]["error"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ("username;name\nx;y\n".encode("latin-1"), "separated by semicolons"),
        (b"username,middle\nx,y\n", "Unknown column 'middle'"),
        ("username,name\nJosé,x\n".encode("latin-1"), "0xe9 on line 2"),
        (b"username,user_name,first_name\na,b,c\n", "appears 2 times (columns 1, 2)"),
        ("username,nom\n".encode("utf-16"), "not UTF-8"),
        (b"", "empty"),
        (b"first_name\nx\n", "Column username is missing"),
    ],
)
def test_bad_file_is_rejected_with_reason(
    admin_actor: Actor, data: bytes, message: str
) -> None:
    with pytest.raises(ServiceError) as error:
        import_preview(actor=admin_actor, file_name="bad.csv", data=data)

    assert message in error.value.message
    assert error.value.field == "file"
    assert not UserImport.objects.exists()


def test_row_with_wrong_cell_count_is_reported(admin_actor: Actor) -> None:
    user_import = preview(admin_actor, "username,first_name\nok,A\nbad,B,extra\n")

    assert [row["outcome"] for row in user_import.rows] == ["create", "error"]
    assert "3 cells" in user_import.rows[1]["error"]


def test_row_lists_every_error(admin_actor: Actor) -> None:
    text = (
        "username,email,role,status,services\n"
        "bad\tname,not-an-email,BOSS,SUSPENDED,web fax\n"
    )

    [row] = preview(admin_actor, text).rows

    assert row["outcome"] == "error"
    assert len(row["errors"]) == 5
    assert "control character" in row["errors"][0]
    assert "E-mail address 'not-an-email' is invalid" in row["errors"][1]
    assert "Role 'BOSS' is invalid" in row["errors"][2]
    assert "Status SUSPENDED" in row["errors"][3]
    assert "Unknown service 'fax'" in row["errors"][4]
    assert row["error"] == " ".join(row["errors"])
    assert not PingIDUser.objects.exists()


def test_preview_page_lists_errors_and_services(
    help_desk: Membership, client_for: Callable[[Membership], Client]
) -> None:
    text = "username,email,role,services\nann,not-an-email,BOSS,\nbob,,,web vpn\n"
    upload = SimpleUploadedFile("people.csv", text.encode())
    client = client_for(help_desk)

    uploaded = client.post(reverse("users:import_upload"), {"file": upload})
    page = client.get(uploaded["Location"]).content.decode()

    assert page.count('<li class="row-error">') == 2
    assert "E-mail address &#x27;not-an-email&#x27; is invalid" in page
    assert "Role &#x27;BOSS&#x27; is invalid" in page
    assert "<code>services</code>: web, vpn</div>" in page
    assert "[&#x27;web&#x27;" not in page


def test_preview_page_shows_services_change(
    help_desk: Membership,
    client_for: Callable[[Membership], Client],
    make_user: Callable[..., PingIDUser],
) -> None:
    make_user(username="cat", services=["web"])
    upload = SimpleUploadedFile("people.csv", b"username,services\ncat,vpn\n")
    client = client_for(help_desk)

    uploaded = client.post(reverse("users:import_upload"), {"file": upload})
    page = client.get(uploaded["Location"]).content.decode()

    assert "<code>services</code>: web → vpn, web</div>" in page


def test_import_applies_only_once(admin_actor: Actor) -> None:
    user_import = preview(admin_actor, "username\nsam\n")
    import_apply(actor=admin_actor, user_import=user_import)

    with pytest.raises(ConflictError):
        import_apply(actor=admin_actor, user_import=user_import)

    assert UserImport.objects.get().status == ImportStatus.APPLIED


def test_import_pages_upload_preview_apply(
    help_desk: Membership, client_for: Callable[[Membership], Client]
) -> None:
    client = client_for(help_desk)
    upload = SimpleUploadedFile("people.csv", ("\ufeff" + GOOD_AND_BAD).encode())

    uploaded = client.post(reverse("users:import_upload"), {"file": upload})
    user_import = UserImport.objects.get()
    assert uploaded["Location"] == reverse(
        "users:import_preview", args=[user_import.pk]
    )
    page = client.get(uploaded["Location"]).content.decode()
    assert "=SUM(A1)" in page
    assert "E-mail address" in page
    assert not PingIDUser.objects.exists()

    applied = client.post(
        reverse("users:import_apply", args=[user_import.pk]), follow=True
    )

    assert "4 created" in applied.content.decode()
    assert PingIDUser.objects.count() == 4


def test_import_page_shows_encoding_error(
    help_desk: Membership, client_for: Callable[[Membership], Client]
) -> None:
    upload = SimpleUploadedFile("people.csv", "username\nJosé\n".encode("cp1252"))

    response = client_for(help_desk).post(
        reverse("users:import_upload"), {"file": upload}
    )

    assert response.status_code == 200
    assert "not UTF-8" in response.content.decode()


def test_multiline_row_reported_at_first_line(admin_actor: Actor) -> None:
    text = 'username,first_name\nsam,"two\nlines"\nbad,"unclosed\n'

    user_import = preview(admin_actor, text)

    assert [row["line"] for row in user_import.rows] == [2, 4]


def test_huge_cell_names_the_limit(admin_actor: Actor) -> None:
    text = 'username,first_name\nsam,"' + "x" * 200_000 + '"\n'

    user_import = preview(admin_actor, text)

    assert "longer than 131,072 characters" in user_import.rows[0]["error"]

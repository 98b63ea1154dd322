from __future__ import annotations

import io
import uuid

import pytest
from django.core.management import CommandError, call_command

from accounts.models import Membership, Organization
from activity.models import ActivityEvent
from pingid_portal.permissions import Role

pytestmark = pytest.mark.django_db


def _run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_create_organization_prints_alias() -> None:
    output = _run("create_organization", "Initech")

    alias = uuid.UUID(output.strip())
    organization = Organization.objects.get(org_alias=alias)
    assert organization.name == "Initech"
    assert ActivityEvent.objects.filter(
        organization=organization, action="organization.create"
    ).exists()


def test_create_organization_rejects_blank_name() -> None:
    with pytest.raises(CommandError, match="name is missing"):
        _run("create_organization", "  ")

    assert not Organization.objects.exists()


@pytest.mark.parametrize(
    ("existing", "duplicate"),
    [
        ("Initech", "Initech"),
        ("Initech", " initech "),
        ("Initech", "INITECH"),
        ("Ini Tech", "INI TECH"),
        ("Ini Tech", "Ini\u00a0 Tech"),
        ("Ini Tech", "ini  tech"),
    ],
)
def test_create_organization_rejects_duplicate_name(
    existing: str, duplicate: str
) -> None:
    _run("create_organization", existing)

    with pytest.raises(CommandError) as error:
        _run("create_organization", duplicate)

    assert "already exists" in str(error.value)
    assert "choose another name" in str(error.value)
    assert Organization.objects.count() == 1
    assert ActivityEvent.objects.filter(action="organization.create").count() == 1


def test_create_organization_unicode_case_and_spaces() -> None:
    _run("create_organization", "Ökotest  AG")

    with pytest.raises(CommandError, match="already exists"):
        _run("create_organization", "ökotest ag")

    assert Organization.objects.get().name == "Ökotest AG"


def test_create_organization_rejects_control_character() -> None:
    with pytest.raises(CommandError, match="control character"):
        _run("create_organization", "Bad\tName")

    assert not Organization.objects.exists()


def test_create_organization_rejects_long_name() -> None:
    with pytest.raises(CommandError, match=r"too long \(201 characters\)"):
        _run("create_organization", "x" * 201)

    assert not Organization.objects.exists()


def test_create_administrator_generates_password(organization: Organization) -> None:
    output = _run(
        "create_administrator",
        "--organization",
        str(organization.org_alias),
        "--email",
        "ops@example.com",
        "--role",
        "global_admin",
    )

    password = output.split("Password (shown once): ")[1].strip()
    membership = Membership.objects.get(user__email="ops@example.com")
    assert membership.organization == organization
    assert membership.role == Role.GLOBAL_ADMIN
    assert membership.user.check_password(password)
    event = ActivityEvent.objects.get(action="administrator.create")
    assert event.actor_display == "operator command"


def test_create_administrator_reads_password_stdin(
    organization: Organization, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("a-long-chosen-passphrase\n"))

    output = _run(
        "create_administrator",
        "--organization",
        str(organization.org_alias),
        "--email",
        "desk@example.com",
        "--role",
        "help_desk",
        "--password-stdin",
    )

    assert "Password" not in output
    membership = Membership.objects.get(user__email="desk@example.com")
    assert membership.user.check_password("a-long-chosen-passphrase")


def test_create_administrator_rejects_weak_stdin_password(
    organization: Organization, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))

    with pytest.raises(CommandError, match="--password: .*too short"):
        _run(
            "create_administrator",
            "--organization",
            str(organization.org_alias),
            "--email",
            "desk@example.com",
            "--role",
            "help_desk",
            "--password-stdin",
        )

    assert not Membership.objects.exists()


@pytest.mark.parametrize(
    ("alias", "message"),
    [
        ("not-a-uuid", "is not an org alias"),
        (str(uuid.UUID(int=7)), "no organization has the alias"),
    ],
)
def test_create_administrator_unknown_alias(alias: str, message: str) -> None:
    with pytest.raises(CommandError, match=message):
        _run(
            "create_administrator",
            "--organization",
            alias,
            "--email",
            "x@example.com",
            "--role",
            "auditor",
        )


def test_create_administrator_bad_email(organization: Organization) -> None:
    with pytest.raises(CommandError, match="--email: E-mail address is invalid"):
        _run(
            "create_administrator",
            "--organization",
            str(organization.org_alias),
            "--email",
            "nobody",
            "--role",
            "auditor",
        )


def test_create_administrator_duplicate(global_admin: Membership) -> None:
    with pytest.raises(CommandError, match="already exists"):
        _run(
            "create_administrator",
            "--organization",
            str(global_admin.organization.org_alias),
            "--email",
            global_admin.user.email,
            "--role",
            "auditor",
        )

    assert Membership.objects.count() == 1

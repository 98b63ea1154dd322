"""Shared fixtures: the personas every test speaks of.

- `global_admin`, `help_desk`, `auditor`: administrators of `organization`.
- `outsider`: a global administrator of `other_organization`.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY

from accounts.mfa_codes import totp_secret_new
from accounts.models import AdministratorTOTPDevice, Membership, Organization
from pingid_portal.permissions import Role
from tests.factories import MembershipFactory, OrganizationFactory


@pytest.fixture(autouse=True)
def fast_password_hasher(settings: Any) -> None:
    """Hash passwords with MD5 in tests: PBKDF2 takes most of a second per user."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def organization(db: None) -> Organization:
    return OrganizationFactory(name="Acme")


@pytest.fixture
def other_organization(db: None) -> Organization:
    return OrganizationFactory(name="Other Corp")


@pytest.fixture
def make_admin(db: None) -> Callable[..., Membership]:
    def make(
        organization: Organization, role: str = Role.GLOBAL_ADMIN, **kwargs: object
    ) -> Membership:
        return MembershipFactory(organization=organization, role=role, **kwargs)

    return make


@pytest.fixture
def global_admin(
    organization: Organization, make_admin: Callable[..., Membership]
) -> Membership:
    return make_admin(organization, Role.GLOBAL_ADMIN)


@pytest.fixture
def help_desk(
    organization: Organization, make_admin: Callable[..., Membership]
) -> Membership:
    return make_admin(organization, Role.HELP_DESK)


@pytest.fixture
def auditor(
    organization: Organization, make_admin: Callable[..., Membership]
) -> Membership:
    return make_admin(organization, Role.AUDITOR)


@pytest.fixture
def outsider(
    other_organization: Organization, make_admin: Callable[..., Membership]
) -> Membership:
    return make_admin(other_organization, Role.GLOBAL_ADMIN)


@pytest.fixture
def client_for(db: None) -> Callable[[Membership], Client]:
    """Return a test client signed in as the given administrator."""

    return verified_client


def verified_client(membership: Membership) -> Client:
    """Return a test client past both sign-in steps: password and MFA code."""
    client = Client(HTTP_USER_AGENT="pytest-client")
    client.force_login(membership.user)
    mfa_verify_session(client, membership)
    return client


def mfa_verify_session(client: Client, membership: Membership) -> None:
    """Mark the client's signed-in session as past the MFA step."""
    device = mfa_device_for(membership)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


def mfa_device_for(membership: Membership) -> AdministratorTOTPDevice:
    """Return the administrator's confirmed authenticator, creating one if needed."""
    device = AdministratorTOTPDevice.objects.filter(
        user=membership.user, confirmed=True
    ).first()
    if device is None:
        device = AdministratorTOTPDevice.objects.create(
            user=membership.user,
            name="Authenticator app",
            key=totp_secret_new(),
            confirmed=True,
        )
    return device


@pytest.fixture
def run_on_commit(
    django_capture_on_commit_callbacks: Callable[..., object],
) -> Iterator[None]:
    """Run `transaction.on_commit` callbacks as they are queued, like a real commit."""
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[attr-defined]
        yield


@pytest.fixture(scope="session")
def configured_services() -> dict[str, str]:
    """The external services this run was given; a test that needs one and cannot
    reach it fails rather than skips."""
    return {
        "database": settings.DATABASES["default"]["ENGINE"],
        "broker": os.environ.get("CELERY_BROKER_URL", ""),
    }


@pytest.fixture(autouse=True)
def clear_cache() -> Iterator[None]:
    """Start every test without sign-in failure counters or other cached state."""
    cache.clear()
    yield
    cache.clear()


# External services. With PORTAL_REQUIRE_SERVICES=true (set by .ci/run), a test
# that needs PostgreSQL, Redis or a Celery worker and cannot reach it fails;
# without it, such a test skips and names the variable to set.


def services_required() -> bool:
    return os.environ.get("PORTAL_REQUIRE_SERVICES") == "true"


def service_missing(message: str) -> None:
    """Fail under PORTAL_REQUIRE_SERVICES=true, else skip, with `message`."""
    if services_required():
        pytest.fail(f"{message} (PORTAL_REQUIRE_SERVICES=true)", pytrace=False)
    pytest.skip(message)


@pytest.fixture
def postgresql_database() -> None:
    """Require that the tests run on PostgreSQL."""
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        service_missing(
            "Needs PostgreSQL: set DATABASE_URL=postgres://USER@HOST:5432/NAME"
        )


@pytest.fixture
def redis_broker() -> str:
    """Return the Redis broker URL after checking that Redis responds."""
    from celery import current_app
    from kombu.exceptions import OperationalError

    broker_url = os.environ.get("CELERY_BROKER_URL", "")
    if not broker_url.startswith("redis"):
        service_missing(
            "Needs a Redis broker: set CELERY_BROKER_URL=redis://HOST:6379/DB"
        )
    try:
        with current_app.connection_for_write() as connection:
            connection.ensure_connection(max_retries=1, timeout=5)
    except OperationalError as error:
        service_missing(
            f"Redis at CELERY_BROKER_URL={broker_url} is unreachable: {error}"
        )
    return broker_url


@pytest.fixture(autouse=True)
def celery_eager_unless_worker(request: pytest.FixtureRequest) -> Iterator[None]:
    """Run tasks in-process unless the test starts a real worker.

    With CELERY_BROKER_URL set and no worker, a queued task would wait in Redis
    and never run, so every test but those using `celery_worker` runs tasks
    eagerly, as `make run` does.
    """
    from pingid_portal.celery import app

    if "celery_worker" in request.fixturenames:
        yield
        return
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = eager


@pytest.fixture
def celery_worker(transactional_db: None, redis_broker: str) -> Iterator[object]:
    """Start a real Celery worker, in a thread, consuming from the Redis broker.

    The worker shares the test database through committed transactions, hence
    `transactional_db`. No result backend is configured, so tests check a
    task's effect in the database rather than calling `.get()`.
    """
    from celery.contrib.testing.worker import start_worker

    from pingid_portal.celery import app

    app.conf.task_always_eager = False
    with start_worker(app, perform_ping_check=False, shutdown_timeout=30) as worker:
        yield worker

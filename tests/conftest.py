"""Shared fixtures: the personas every test speaks of.

- `global_admin`, `help_desk`, `auditor`: administrators of `organization`.
- `outsider`: a global administrator of `other_organization`.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY

from accounts.mfa_codes import totp_secret_new
from accounts.models import AdministratorTOTPDevice, Membership, Organization
from pingid_portal.permissions import Role
from tests.factories import MembershipFactory, OrganizationFactory


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

    def make(membership: Membership) -> Client:
        client = Client(HTTP_USER_AGENT="pytest-client")
        client.force_login(membership.user)
        # Complete the MFA step as well, as every portal page requires it.
        device = mfa_device_for(membership)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
        return client

    return make


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

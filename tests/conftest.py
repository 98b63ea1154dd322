"""Shared fixtures: the personas every test speaks of.

- `global_admin`, `help_desk`, `auditor`: administrators of `organization`.
- `outsider`: a global administrator of `other_organization`.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator

import pytest
from django.conf import settings
from django.test import Client

from accounts.models import Membership, Organization
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
        return client

    return make


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

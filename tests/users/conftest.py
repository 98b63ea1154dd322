from __future__ import annotations

from collections.abc import Callable

import pytest
from rest_framework.test import APIClient

from accounts.models import Membership, Organization
from accounts.services import api_token_create
from pingid_portal.actors import Actor
from tests.factories import PingIDUserFactory
from users.models import PingIDUser


@pytest.fixture
def actor_for() -> Callable[[Membership], Actor]:
    return Actor.for_membership


@pytest.fixture
def admin_actor(global_admin: Membership) -> Actor:
    return Actor.for_membership(global_admin)


@pytest.fixture
def help_desk_actor(help_desk: Membership) -> Actor:
    return Actor.for_membership(help_desk)


@pytest.fixture
def auditor_actor(auditor: Membership) -> Actor:
    return Actor.for_membership(auditor)


@pytest.fixture
def make_user(organization: Organization) -> Callable[..., PingIDUser]:
    def make(**kwargs: object) -> PingIDUser:
        kwargs.setdefault("organization", organization)
        return PingIDUserFactory(**kwargs)

    return make


@pytest.fixture
def pingid_user(make_user: Callable[..., PingIDUser]) -> PingIDUser:
    return make_user(username="alice", first_name="Alice", last_name="Liddell")


@pytest.fixture
def api_for() -> Callable[[Membership], APIClient]:
    """Return a management API client signed in with a new token of `membership`."""

    def make(membership: Membership) -> APIClient:
        _, token = api_token_create(actor=Actor.for_membership(membership), name="test")
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
        return client

    return make

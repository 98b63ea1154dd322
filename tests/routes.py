"""Sample objects for the route-walking permission tests.

A route with a URL parameter needs an object to point at. `SAMPLES` maps each
URL keyword argument name to a factory that creates such an object in the
organization under test and returns the URL value plus the strings that
identify the object; an administrator of another organization must never see
those strings. An area that adds a route with a new keyword argument adds its
factory here with `@sample("kwarg_name")`.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from accounts.authentication import TOKEN_PREFIX, hash_token
from accounts.models import ApiToken, Membership, Organization
from pingid_portal.permissions import Role
from tests.factories import MembershipFactory


@dataclass(frozen=True)
class SampleContext:
    """Where a sample is made: the organization and the administrator who asks.

    `owner` is the requesting administrator for personas of the organization,
    and the organization's global administrator for an outsider or an
    anonymous visitor, so "own" objects (API tokens) belong to someone there.
    """

    organization: Organization
    owner: Membership


@dataclass(frozen=True)
class Sample:
    value: object
    identifiers: list[str] = field(default_factory=list)


SampleFactory = Callable[[SampleContext], Sample]
SAMPLES: dict[str, SampleFactory] = {}


def sample(kwarg: str) -> Callable[[SampleFactory], SampleFactory]:
    """Register the sample factory for URL keyword argument `kwarg`."""

    def register(factory: SampleFactory) -> SampleFactory:
        assert kwarg not in SAMPLES, f"A sample for {kwarg!r} is already registered."
        SAMPLES[kwarg] = factory
        return factory

    return register


def _marker() -> str:
    return uuid.uuid4().hex[:12]


@sample("administrator_id")
def administrator_sample(context: SampleContext) -> Sample:
    marker = _marker()
    membership = MembershipFactory(
        organization=context.organization,
        role=Role.HELP_DESK,
        user__email=f"sample-{marker}@example.com",
        user__first_name=f"Sample{marker}",
    )
    return Sample(membership.pk, [membership.user.email, f"Sample{marker}"])


@sample("token_id")
def token_sample(context: SampleContext) -> Sample:
    marker = _marker()
    api_token = ApiToken.objects.create(
        membership=context.owner,
        organization=context.organization,
        name=f"sample token {marker}",
        prefix=f"{TOKEN_PREFIX}{marker[:7]}",
        token_hash=hash_token(f"{TOKEN_PREFIX}{marker}"),
    )
    return Sample(api_token.pk, [api_token.name, api_token.prefix])


@sample("session_id")
def session_sample(context: SampleContext) -> Sample:
    from django.utils import timezone

    from accounts.models import AdministratorSession

    marker = _marker()
    session = AdministratorSession.objects.create(
        user=context.owner.user,
        session_key=f"sample{marker}",
        created_at=timezone.now(),
        last_seen_at=timezone.now(),
        ip_address="192.0.2.10",
        user_agent=f"Sample browser {marker}",
    )
    return Sample(session.pk, [session.user_agent])


@sample("lockout_id")
def lockout_sample(context: SampleContext) -> Sample:
    from datetime import timedelta

    from django.utils import timezone

    from accounts.models import LockoutScope, SignInLockout

    marker = _marker()
    lockout = SignInLockout.objects.create(
        scope=LockoutScope.ACCOUNT,
        value=f"locked-{marker}@example.com",
        organization=context.organization,
        failure_count=5,
        created_at=timezone.now(),
        locked_until=timezone.now() + timedelta(minutes=15),
    )
    return Sample(lockout.pk, [lockout.value])

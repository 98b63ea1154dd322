"""Every combination of switch, maintenance, emergency bypass and behaviour
during errors, through `authentication_decision`."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta

import pytest

from accounts.models import Organization
from availability.decisions import (
    DecisionMode,
    DecisionReason,
    authentication_decision,
    dependency_failure_decision,
)
from availability.models import FailureMode, ServiceFailureMode, ServiceState
from pingid_portal.actors import Actor
from tests.availability.conftest import make_bypass, make_window

SERVICE = "vpn"
OTHER_SERVICE = "web"

# Emergency bypass: none, covering every service, covering only another service.
BYPASS_CASES = ["none", "all", "other_service"]
MODES = [FailureMode.REJECT, FailureMode.BYPASS]
OVERRIDES = [None, FailureMode.REJECT, FailureMode.BYPASS]

COMBINATIONS = list(
    itertools.product(
        [True, False],  # service enabled
        [False, True],  # maintenance in progress
        BYPASS_CASES,
        MODES,  # organization default
        OVERRIDES,  # override for SERVICE
    )
)


def _expected(
    enabled: bool, maintenance: bool, bypass: str, default: str, override: str | None
) -> tuple[str, str] | None:
    if bypass == "all":
        return DecisionMode.BYPASS, DecisionReason.EMERGENCY_BYPASS
    configured = override or default
    if not enabled:
        return configured, DecisionReason.SERVICE_DISABLED
    if maintenance:
        return configured, DecisionReason.MAINTENANCE
    return None


def _arrange(
    actor: Actor,
    now: datetime,
    enabled: bool,
    maintenance: bool,
    bypass: str,
    default: str,
    override: str | None,
) -> None:
    organization = actor.organization
    ServiceState.objects.create(
        organization=organization,
        enabled=enabled,
        reason="" if enabled else "Migrating to a new tenant",
        failure_mode=default,
    )
    if override:
        ServiceFailureMode.objects.create(
            organization=organization, service=SERVICE, mode=override
        )
    if maintenance:
        make_window(actor, now - timedelta(minutes=5), now + timedelta(hours=1))
    if bypass == "all":
        make_bypass(actor, now - timedelta(minutes=1))
    elif bypass == "other_service":
        make_bypass(actor, now - timedelta(minutes=1), services=[OTHER_SERVICE])


@pytest.mark.parametrize(
    ("enabled", "maintenance", "bypass", "default", "override"), COMBINATIONS
)
def test_decision_combination(
    admin_actor: Actor,
    now: datetime,
    enabled: bool,
    maintenance: bool,
    bypass: str,
    default: str,
    override: str | None,
) -> None:
    _arrange(admin_actor, now, enabled, maintenance, bypass, default, override)

    decision = authentication_decision(
        organization=admin_actor.organization, service=SERVICE, now=now
    )

    expected = _expected(enabled, maintenance, bypass, default, override)
    if expected is None:
        assert decision is None
        return
    assert decision is not None
    assert (decision.mode, decision.reason) == expected
    assert decision.message.endswith(".")
    assert "\n" not in decision.message


def test_decision_default_is_normal(organization: Organization, now: datetime) -> None:
    assert (
        authentication_decision(organization=organization, service="web", now=now)
        is None
    )


def test_disabled_without_settings_rejects(admin_actor: Actor, now: datetime) -> None:
    ServiceState.objects.create(organization=admin_actor.organization, enabled=False)

    decision = authentication_decision(
        organization=admin_actor.organization, service="ssh", now=now
    )

    assert decision is not None
    assert decision.mode == DecisionMode.REJECT
    assert "disabled" in decision.message
    assert "service ssh" in decision.message


def test_maintenance_bounds(admin_actor: Actor, now: datetime) -> None:
    start = now + timedelta(hours=1)
    end = start + timedelta(hours=1)
    make_window(admin_actor, start, end)
    organization = admin_actor.organization

    before = authentication_decision(
        organization=organization, service="web", now=start - timedelta(seconds=1)
    )
    at_start = authentication_decision(
        organization=organization, service="web", now=start
    )
    at_end = authentication_decision(organization=organization, service="web", now=end)

    assert before is None
    assert at_start is not None
    assert at_start.reason == DecisionReason.MAINTENANCE
    assert at_end is None


def test_cancelled_maintenance_ignored(admin_actor: Actor, now: datetime) -> None:
    window = make_window(
        admin_actor, now - timedelta(minutes=1), now + timedelta(hours=1)
    )
    window.cancelled_at = now - timedelta(minutes=2)
    window.save()

    decision = authentication_decision(
        organization=admin_actor.organization, service="web", now=now
    )

    assert decision is None


def test_bypass_ends_by_itself(admin_actor: Actor, now: datetime) -> None:
    bypass = make_bypass(admin_actor, now - timedelta(hours=1), timedelta(hours=2))
    organization = admin_actor.organization

    during = authentication_decision(organization=organization, service="web", now=now)
    after = authentication_decision(
        organization=organization, service="web", now=bypass.ends_at
    )

    assert during is not None
    assert during.reason == DecisionReason.EMERGENCY_BYPASS
    assert after is None


def test_bypass_ended_early_stops(admin_actor: Actor, now: datetime) -> None:
    bypass = make_bypass(admin_actor, now - timedelta(hours=1))
    bypass.ended_early_at = now - timedelta(minutes=1)
    bypass.save()

    decision = authentication_decision(
        organization=admin_actor.organization, service="web", now=now
    )

    assert decision is None


def test_other_organization_unaffected(
    admin_actor: Actor, other_organization: Organization, now: datetime
) -> None:
    ServiceState.objects.create(organization=admin_actor.organization, enabled=False)
    make_bypass(admin_actor, now - timedelta(minutes=1))
    make_window(admin_actor, now - timedelta(minutes=1), now + timedelta(hours=1))

    decision = authentication_decision(
        organization=other_organization, service="web", now=now
    )

    assert decision is None


@pytest.mark.parametrize(
    ("default", "override"), list(itertools.product(MODES, OVERRIDES))
)
def test_dependency_failure_mode(
    organization: Organization, default: str, override: str | None
) -> None:
    ServiceState.objects.create(organization=organization, failure_mode=default)
    if override:
        ServiceFailureMode.objects.create(
            organization=organization, service=SERVICE, mode=override
        )

    decision = dependency_failure_decision(organization=organization, service=SERVICE)
    other = dependency_failure_decision(organization=organization, service="ssh")

    assert decision.mode == (override or default)
    assert decision.reason == DecisionReason.DEPENDENCY_FAILURE
    assert other.mode == default


def test_dependency_failure_default_rejects(organization: Organization) -> None:
    decision = dependency_failure_decision(organization=organization, service="web")

    assert decision.mode == DecisionMode.REJECT
    assert decision.message == (
        "A dependency of PingID failed, so authentication was rejected because the "
        "behaviour during errors for service web is reject (fail closed)."
    )


def test_decision_query_count(
    admin_actor: Actor, now: datetime, django_assert_max_num_queries: object
) -> None:
    ServiceState.objects.create(organization=admin_actor.organization, enabled=False)

    with django_assert_max_num_queries(4):  # type: ignore[operator]
        authentication_decision(
            organization=admin_actor.organization, service="web", now=now
        )

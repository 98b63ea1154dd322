"""Sample objects for the route-walking permission tests.

A route with a URL parameter needs an object to point at. `SAMPLES` maps each
URL keyword argument name to a factory that creates such an object in the
organization under test. The factory returns the URL value and the strings
that identify the object, which an administrator of another organization must
never see. An area that adds a route with a new keyword argument adds its
factory here with `@sample("kwarg_name")`.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from accounts.authentication import TOKEN_PREFIX, hash_token
from accounts.models import ApiToken, Membership, Organization
from pingid_portal.permissions import Role
from tests.factories import MembershipFactory


@dataclass(frozen=True)
class SampleContext:
    """Where a sample is made: the organization and the administrator who sends the request.

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
    # True for platform-wide objects that every organization may read, such
    # as availability incidents; the identifiers must still stay hidden.
    platform_wide: bool = False


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


@sample("device_id")
def device_sample(context: SampleContext) -> Sample:
    from tests.factories import DeviceFactory, PingIDUserFactory

    marker = _marker()
    user = PingIDUserFactory(
        organization=context.organization, username=f"dev-{marker}"
    )
    device = DeviceFactory(user=user, nickname=f"Phone {marker}")
    return Sample(device.pk, [f"Phone {marker}", f"dev-{marker}"])


@sample("user_id")
def pingid_user_sample(context: SampleContext) -> Sample:
    from tests.factories import PingIDUserFactory

    marker = _marker()
    user = PingIDUserFactory(organization=context.organization, username=f"pu-{marker}")
    return Sample(user.pk, [f"pu-{marker}"])


@sample("job_id")
def bulk_job_sample(context: SampleContext) -> Sample:
    from users.models import UserBulkJob

    marker = _marker()
    job = UserBulkJob.objects.create(
        organization=context.organization,
        requested_by=context.owner.user,
        requested_by_display=f"job-{marker}@example.com",
        action="disable",
        parameters={"reason": f"reason {marker}"},
    )
    return Sample(job.pk, [f"job-{marker}@example.com"])


@sample("import_id")
def user_import_sample(context: SampleContext) -> Sample:
    from users.models import UserImport

    marker = _marker()
    user_import = UserImport.objects.create(
        organization=context.organization,
        uploaded_by=context.owner.user,
        uploaded_by_display="uploader@example.com",
        file_name=f"import-{marker}.csv",
        content=f"username\nimported-{marker}\n",
        rows=[
            {
                "line": 2,
                "username": f"imported-{marker}",
                "outcome": "create",
                "changes": {},
                "error": "",
            }
        ],
    )
    return Sample(user_import.pk, [f"import-{marker}.csv", f"imported-{marker}"])


@sample("session_id")
def pairing_session_sample(context: SampleContext) -> Sample:
    from datetime import timedelta

    from django.utils import timezone

    from devices.models import PairingKind, PairingSession
    from tests.factories import PingIDUserFactory

    marker = _marker()
    user = PingIDUserFactory(organization=context.organization, username=f"ps-{marker}")
    session = PairingSession.objects.create(
        organization=context.organization,
        user=user,
        kind=PairingKind.EMAIL,
        email=f"ps-{marker}@example.com",
        code_hash="0" * 64,
        expires_at=timezone.now() + timedelta(minutes=10),
    )
    return Sample(session.session_id, [f"ps-{marker}"])


@sample("pingid_user_id")
def pingid_user_with_history_sample(context: SampleContext) -> Sample:
    from activity.services import event_record
    from pingid_portal.actors import Actor
    from tests.factories import PingIDUserFactory

    marker = _marker()
    user = PingIDUserFactory(
        organization=context.organization, username=f"sample-{marker}"
    )
    event_record(
        actor=Actor.system(context.organization),
        category="authentication",
        action="authentication.finish",
        pingid_user=user,
        reason=f"sample reason {marker}",
    )
    return Sample(user.pk, [user.username, f"sample reason {marker}"])


@sample("export_id")
def export_sample(context: SampleContext) -> Sample:
    """A finished activity export with its file, so downloads return 200."""
    from django.conf import settings
    from django.utils import timezone

    from activity.models import Export, ExportStatus

    marker = _marker()
    export = Export.objects.create(
        organization=context.organization,
        requester=context.owner.user,
        requester_display=f"sample-{marker}@example.com",
        filter={"q": [f"sample{marker}"]},
        format="csv",
        status=ExportStatus.SUCCEEDED,
        finished_at=timezone.now(),
    )
    relative = f"{context.organization.pk}/{export.file_name}"
    path = settings.EXPORT_STORAGE / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"id,reason\r\n1,sample {marker}\r\n", encoding="utf-8")
    Export.objects.filter(pk=export.pk).update(file_path=relative)
    return Sample(
        export.pk,
        [f"sample-{marker}@example.com", f"sample{marker}", f"sample {marker}"],
    )


@sample("settings_file_id")
def settings_file_sample(context: SampleContext) -> Sample:
    from integrations.services import settings_file_generate
    from pingid_portal.actors import Actor

    settings_file = settings_file_generate(
        actor=Actor.system(context.organization), kind="auth_only"
    )
    return Sample(settings_file.pk, [settings_file.token])


@sample("bypass_id")
def emergency_bypass_sample(context: SampleContext) -> Sample:
    from django.utils import timezone

    from availability.models import EmergencyBypass

    marker = _marker()
    now = timezone.now()
    bypass = EmergencyBypass.objects.create(
        organization=context.organization,
        starts_at=now,
        ends_at=now + timedelta(hours=1),
        reason=f"sample bypass {marker}",
        started_by=context.owner.user.email,
    )
    return Sample(bypass.pk, [bypass.reason])


@sample("window_id")
def maintenance_window_sample(context: SampleContext) -> Sample:
    from django.utils import timezone

    from availability.models import MaintenanceWindow

    marker = _marker()
    now = timezone.now()
    window = MaintenanceWindow.objects.create(
        organization=context.organization,
        starts_at=now + timedelta(hours=1),
        ends_at=now + timedelta(hours=2),
        message=f"sample maintenance {marker}",
        created_by=context.owner.user.email,
    )
    return Sample(window.pk, [window.message])


@sample("incident_id")
def incident_sample(context: SampleContext) -> Sample:
    """An incident with a note of the organization.

    Incidents are platform-wide, so every organization may read the incident
    itself; only the note must stay hidden from another organization.
    """
    from django.utils import timezone

    from availability.models import Incident, IncidentNote

    marker = _marker()
    now = timezone.now()
    # Resolved, because a component may have only one open incident.
    incident = Incident.objects.create(
        component="database", started_at=now, resolved_at=now
    )
    IncidentNote.objects.create(
        incident=incident,
        organization=context.organization,
        text=f"sample note {marker}",
        author=context.owner.user.email,
        created_at=timezone.now(),
    )
    return Sample(incident.pk, [f"sample note {marker}"], platform_wide=True)


@sample("administrator_session_id")
def administrator_session_sample(context: SampleContext) -> Sample:
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

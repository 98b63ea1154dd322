"""Permission proof: every route responds to each persona as the permission table says.

The routes come from the URL resolver, so a route added later is walked by
default. Each is tried with GET, POST, PUT, PATCH and DELETE as a global
administrator, a help desk administrator, an auditor (all of `organization`),
an administrator of another organization (the outsider) and an anonymous
visitor. Portal views state their action with `@portal_view(Action.X)` (the
`portal_action` attribute); management API views with `permission_action`.
A route with neither, and not exempt below, fails.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.http import HttpResponse
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from rest_framework.views import APIView

from accounts.authentication import hash_token
from accounts.models import ApiToken, Membership, Organization
from pingid_portal.api import view_action
from pingid_portal.permissions import PERMISSIONS, Action
from tests.conftest import verified_client
from tests.routes import SAMPLES, Sample, SampleContext

# Routes that the permission table does not govern, by route name.
EXEMPT_NAMES = {
    "accounts:login": "the sign-in page is for visitors who are not signed in yet",
    "accounts:logout": "sign-out ends whatever session the visitor has",
    "accounts:mfa_verify": "the MFA step is for visitors who passed the password "
    "step (see tests/security/test_mfa.py)",
    "accounts:mfa_enroll": "MFA enrollment is for visitors who passed the password "
    "step (see tests/security/test_mfa.py)",
}
# Routes that the permission table does not govern, by path prefix.
EXEMPT_PREFIXES = {
    "django-admin/": "Django's admin is for superusers under Django's own "
    "permissions (see test_django_admin.py)",
    "pingid/": "the PingID API authenticates signed requests of a settings file, "
    "not administrators (test_pingid_route_rejects_unsigned_calls walks it)",
    "health/": "health endpoints for load balancers carry no organization data",
}
METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]
PERSONAS = ["global_admin", "help_desk", "auditor", "outsider", "anonymous"]


@dataclass(frozen=True)
class Route:
    path: str  # the pattern, for messages
    name: str  # namespaced route name, empty when the route has none
    callback: Callable[..., Any]
    kwargs: tuple[str, ...]


def _pattern_kwargs(pattern: Any) -> list[str]:
    converters = getattr(pattern, "converters", None)
    if converters:
        return list(converters)
    regex = getattr(pattern, "regex", None)
    return list(regex.groupindex) if regex is not None else []


def walk(
    patterns: list[URLPattern | URLResolver],
    prefix: str = "",
    namespace: str = "",
    kwargs: tuple[str, ...] = (),
) -> Iterator[Route]:
    """Yield every route under `patterns`, recursing into included URLconfs."""
    for entry in patterns:
        entry_kwargs = (*kwargs, *_pattern_kwargs(entry.pattern))
        path = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            inner = namespace
            if entry.namespace:
                inner = f"{namespace}{entry.namespace}:"
            yield from walk(entry.url_patterns, path, inner, entry_kwargs)
        else:
            name = f"{namespace}{entry.name}" if entry.name else ""
            yield Route(path, name, entry.callback, entry_kwargs)


def _exempt_reason(route: Route) -> str | None:
    if route.name in EXEMPT_NAMES:
        return EXEMPT_NAMES[route.name]
    for prefix, reason in EXEMPT_PREFIXES.items():
        if route.path.startswith(prefix):
            return reason
    return None


ALL_ROUTES = list(walk(get_resolver().url_patterns))
WALKED_ROUTES = [route for route in ALL_ROUTES if _exempt_reason(route) is None]


def test_exempt_route_names_exist() -> None:
    names = {route.name for route in ALL_ROUTES}

    for name in EXEMPT_NAMES:
        assert name in names, f"Exempt route {name} no longer exists: drop it."


def test_walk_finds_the_portal_and_api_routes() -> None:
    names = {route.name for route in WALKED_ROUTES}

    assert "dashboard" in names
    assert "accounts:administrator_detail" in names
    assert "api-administrator-detail" in names
    assert "api-schema" in names


@dataclass(frozen=True)
class Rule:
    """What a route expects of one method: the action, or None for 405."""

    kind: str  # "portal" or "api"
    action: Action | None


def _api_class(callback: Callable[..., Any]) -> type[APIView] | None:
    cls = getattr(callback, "cls", None)
    return cls if isinstance(cls, type) and issubclass(cls, APIView) else None


def rule_for(route: Route, method: str) -> Rule:
    """Read the route's permission rule, or fail saying how to add one."""
    portal_action = getattr(route.callback, "portal_action", None)
    if portal_action is not None:
        return Rule("portal", Action(portal_action))
    api_class = _api_class(route.callback)
    if api_class is None:
        pytest.fail(
            f"Route {route.path} ({route.name or 'unnamed'}) has no permission rule: "
            "decorate the view with @portal_view(Action.X), make it a DRF view "
            "with permission_action, or exempt it in tests/pingid_portal/"
            "test_routes.py with the reason."
        )
    if not hasattr(api_class, "permission_action"):
        pytest.fail(
            f"API view {api_class.__name__} ({route.path}) has no permission_action."
        )
    if not hasattr(api_class, method.lower()):
        return Rule("api", None)
    action = view_action(api_class, method)  # type: ignore[arg-type]
    if action is None:
        pytest.fail(
            f"API view {api_class.__name__} ({route.path}) handles {method} "
            "without a rule: add it to permission_action."
        )
    return Rule("api", Action(action))


def _samples(route: Route, context: SampleContext) -> dict[str, Sample]:
    samples = {}
    for kwarg in route.kwargs:
        if kwarg not in SAMPLES:
            pytest.fail(
                f"Route {route.path} has URL parameter {kwarg!r} with no sample "
                "object: register a factory with @sample("
                f"{kwarg!r}) in tests/routes.py."
            )
        samples[kwarg] = SAMPLES[kwarg](context)
    return samples


def _url(route: Route, samples: dict[str, Sample]) -> str:
    if not route.name:
        pytest.fail(f"Route {route.path} has no name: name it to walk it.")
    return reverse(route.name, kwargs={k: s.value for k, s in samples.items()})


class Personas:
    """Signed-in clients of each persona, for the portal and for the API."""

    def __init__(self, memberships: dict[str, Membership]) -> None:
        self.memberships = memberships
        self._tokens: dict[str, str] = {}

    def client(self, persona: str, kind: str) -> Client:
        if persona == "anonymous":
            return Client()
        membership = self.memberships[persona]
        if kind == "api":
            return Client(HTTP_AUTHORIZATION=f"Bearer {self._token(persona)}")
        return verified_client(membership)

    def _token(self, persona: str) -> str:
        if persona not in self._tokens:
            membership = self.memberships[persona]
            secret = f"pp_route-walk-{persona}-{membership.pk}"
            ApiToken.objects.create(
                membership=membership,
                organization=membership.organization,
                name="route walk",
                prefix=secret[:10],
                token_hash=hash_token(secret),
            )
            self._tokens[persona] = secret
        return self._tokens[persona]


def _request(client: Client, method: str, url: str) -> HttpResponse:
    send = getattr(client, method.lower())
    if method == "GET":
        return send(url)
    return send(url, data="{}", content_type="application/json")


def _check_anonymous(response: HttpResponse, rule: Rule, where: str) -> None:
    if rule.kind == "portal":
        assert response.status_code == 302, f"{where}: expected a redirect to sign-in"
        assert response["Location"].startswith(reverse("accounts:login")), where
    else:
        assert response.status_code == 401, f"{where}: expected 401"


def _check_member(response: HttpResponse, rule: Rule, role: str, where: str) -> None:
    status = response.status_code
    if rule.action is None:
        assert status == 405, f"{where}: expected 405 for an unhandled method"
    elif role in PERMISSIONS[rule.action]:
        assert status not in (401, 403, 404), (
            f"{where}: {role} may {rule.action.value} but got {status}"
        )
        assert status < 500, f"{where}: server error {status}"
    else:
        assert status == 403, f"{where}: {role} may not {rule.action.value}"


def _check_outsider(
    response: HttpResponse,
    route: Route,
    samples: dict[str, Sample],
    identifiers: list[str],
    where: str,
) -> None:
    status = response.status_code
    if route.kwargs and not all(s.platform_wide for s in samples.values()):
        # 405 depends only on the method, never on the object.
        assert status in (403, 404, 405), f"{where}: outsider got {status}"
    else:
        assert status < 500, f"{where}: server error {status}"
    body = response.content.decode(errors="replace")
    for identifier in identifiers:
        assert identifier not in body, f"{where}: outsider saw {identifier!r}"


@pytest.fixture
def personas(
    global_admin: Membership,
    help_desk: Membership,
    auditor: Membership,
    outsider: Membership,
) -> Personas:
    return Personas(
        {
            "global_admin": global_admin,
            "help_desk": help_desk,
            "auditor": auditor,
            "outsider": outsider,
        }
    )


def _organization_identifiers(organization: Organization) -> list[str]:
    emails = organization.memberships.values_list("user__email", flat=True)
    return [organization.name, str(organization.org_alias), *emails]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "route", WALKED_ROUTES, ids=[route.name or route.path for route in WALKED_ROUTES]
)
@pytest.mark.parametrize("method", METHODS)
def test_route_follows_permission_table(
    route: Route,
    method: str,
    personas: Personas,
    organization: Organization,
    global_admin: Membership,
) -> None:
    rule = rule_for(route, method)
    organization_identifiers = _organization_identifiers(organization)

    for persona in PERSONAS:
        member = personas.memberships.get(persona)
        in_organization = member is not None and persona != "outsider"
        owner = member if in_organization and member else global_admin
        samples = _samples(route, SampleContext(organization, owner))
        url = _url(route, samples)
        where = f"{method} {url} as {persona}"

        response = _request(personas.client(persona, rule.kind), method, url)

        if persona == "anonymous":
            _check_anonymous(response, rule, where)
        elif persona == "outsider":
            identifiers = [i for s in samples.values() for i in s.identifiers]
            _check_outsider(
                response, route, samples, identifiers + organization_identifiers, where
            )
        else:
            assert member is not None
            _check_member(response, rule, member.role, where)


PINGID_ROUTES = [route for route in ALL_ROUTES if route.path.startswith("pingid/")]


def _badly_signed_bodies(organization: Organization, token: str) -> list[str]:
    """Return calls in PingID's format that carry no valid signature of `token`."""
    import base64
    import hashlib
    import hmac
    import json

    def part(value: object) -> str:
        return (
            base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()
        )

    alias = str(organization.org_alias)
    payload = part(
        {"reqHeader": {"orgAlias": alias, "secretKey": token}, "reqBody": {}}
    )
    signed = f"{part({'alg': 'HS256', 'org_alias': alias, 'token': token})}.{payload}"
    unsigned = f"{part({'alg': 'none', 'org_alias': alias, 'token': token})}.{payload}"
    wrong = hmac.new(b"not the key", signed.encode(), hashlib.sha256).digest()
    wrong_part = base64.urlsafe_b64encode(wrong).rstrip(b"=").decode()
    return ["", "{}", f"{unsigned}.", f"{signed}.{wrong_part}"]


def _request_with_body(
    client: Client, method: str, url: str, body: str
) -> HttpResponse:
    send = getattr(client, method.lower())
    if method == "GET":
        return send(url)
    return send(url, data=body, content_type="application/json")


@pytest.mark.django_db
@pytest.mark.parametrize("method", METHODS)
def test_pingid_route_rejects_unsigned_calls(
    method: str,
    personas: Personas,
    organization: Organization,
    global_admin: Membership,
) -> None:
    """A portal session or an API token opens no PingID operation, for any role."""
    from integrations.models import SettingsFile, SettingsFileKind
    from integrations.pingid.operations import OPERATIONS
    from integrations.services import settings_file_generate
    from pingid_portal.actors import Actor

    settings_file = settings_file_generate(
        actor=Actor.for_membership(global_admin), kind=SettingsFileKind.FULL
    )
    bodies = _badly_signed_bodies(organization, settings_file.token)
    assert PINGID_ROUTES, "the PingID API routes are missing"

    clients = {
        (persona, kind): personas.client(persona, kind)
        for persona in PERSONAS
        for kind in ("portal", "api")
    }
    operations = [*OPERATIONS, "nosuchoperation"]
    if method != "POST":
        # Operations take POST only: one operation and body show the other methods.
        operations, bodies = operations[:1], bodies[-1:]

    for route in PINGID_ROUTES:
        for operation in operations:
            url = reverse(route.name, kwargs={"operation": operation})
            for (persona, kind), client in clients.items():
                for body in bodies:
                    response = _request_with_body(client, method, url, body)
                    where = f"{method} {url} as {persona} ({kind}) with {body[:20]!r}"
                    assert 400 <= response.status_code < 500, (
                        f"{where}: got {response.status_code}"
                    )
    assert SettingsFile.objects.get().call_count == 0


def _plain_view(request: object) -> HttpResponse:
    return HttpResponse("no rule")


def test_route_without_rule_fails() -> None:
    route = Route("plain/", "plain", _plain_view, ())

    with pytest.raises(pytest.fail.Exception, match="has no permission rule"):
        rule_for(route, "GET")


@pytest.mark.django_db
def test_unknown_url_parameter_fails(
    organization: Organization, global_admin: Membership
) -> None:
    route = Route("things/<int:thing_id>/", "things", _plain_view, ("thing_id",))
    context = SampleContext(organization, global_admin)

    with pytest.raises(pytest.fail.Exception, match=r"@sample\(.thing_id.\)"):
        _samples(route, context)

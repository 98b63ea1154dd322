"""Fixtures of the integrations tests: settings files and a signing client."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from accounts.models import Membership
from integrations.models import SettingsFile, SettingsFileKind
from integrations.services import settings_file_download, settings_file_generate
from pingid_portal.actors import Actor
from tests.integrations.pingid_client import PingIDClient, read_with_jproperties


@pytest.fixture(autouse=True)
def empty_cache() -> None:
    """Start every test with no replay marks and no rate-limit counters."""
    cache.clear()


@dataclass
class Answer:
    status: int
    body: dict[str, Any]
    content_type: str

    @property
    def error_id(self) -> int:
        return int(self.body["errorId"])


@dataclass
class Integration:
    """A settings file as a client holds it, and a way to call the API with it."""

    settings_file: SettingsFile
    text: str
    client: PingIDClient
    http: Client

    def post(self, operation: str, jws: str, *, verify: bool = True) -> Answer:
        response = self.http.post(
            self.client.path(operation), data=jws, content_type="application/json"
        )
        body = self.client.read_answer(response.content.decode(), verify=verify)
        return Answer(response.status_code, body, response["Content-Type"])

    def call(self, operation: str, body: dict[str, Any], **sign: Any) -> Answer:
        return self.post(operation, self.client.sign(body, **sign))


@pytest.fixture
def integration_for(db: None) -> Callable[..., Integration]:
    def make(membership: Membership, kind: str = SettingsFileKind.FULL) -> Integration:
        actor = Actor.for_membership(membership)
        settings_file = settings_file_generate(actor=actor, kind=kind)
        text = settings_file_download(actor=actor, settings_file=settings_file)
        client = PingIDClient.from_properties(read_with_jproperties(text))
        return Integration(
            settings_file, text, client, Client(REMOTE_ADDR="198.51.100.7")
        )

    return make


@pytest.fixture
def integration(
    global_admin: Membership, integration_for: Callable[..., Integration]
) -> Integration:
    return integration_for(global_admin)


@pytest.fixture
def auth_only_integration(
    global_admin: Membership, integration_for: Callable[..., Integration]
) -> Integration:
    return integration_for(global_admin, SettingsFileKind.AUTH_ONLY)

"""Fuzz the management API from its OpenAPI schema: no input causes a server error.

Schemathesis calls the WSGI application in process, authenticated with a
global administrator's API token, so every operation is reachable.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error

from accounts.models import Membership
from accounts.services import api_token_create
from pingid_portal.actors import Actor

# Examples per operation, bounded to keep `make test` short.
EXAMPLES_PER_OPERATION = 20


@pytest.fixture
def api_token(global_admin: Membership) -> str:
    _, token = api_token_create(actor=Actor.for_membership(global_admin), name="fuzz")
    return token


@pytest.fixture
def api_schema(api_token: str) -> Iterator[schemathesis.schemas.BaseSchema]:
    # The WSGI handler closes the connection before and after each request.
    # Inside the test's transaction autocommit is off, so PostgreSQL's
    # connection counts as unusable and would be closed mid-test. Django's
    # test client disconnects both signals the same way.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi(
            "/api/v1/schema/?format=json",
            get_wsgi_application(),
            headers={"Authorization": f"Bearer {api_token}"},
        )
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def _operations(schema: schemathesis.schemas.BaseSchema) -> list[Any]:
    return [result.ok() for result in schema.get_all_operations()]


# NOTE: schemathesis's pytest loader (`schemathesis.pytest.from_fixture`, 4.32)
# fails under pytest 9 (it sets the removed `Node._nodeid`), so the test
# drives each operation's hypothesis strategy itself.
@pytest.mark.django_db
def test_api_has_no_server_error(
    api_schema: schemathesis.schemas.BaseSchema, api_token: str
) -> None:
    headers = {"Authorization": f"Bearer {api_token}"}
    operations = _operations(api_schema)
    calls: list[str] = []

    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
            database=None,
        )
        def call(case: schemathesis.Case) -> None:
            response = case.call(headers=headers)
            calls.append(f"{case.method} {case.path}")
            case.validate_response(response, checks=[not_a_server_error])

        call()

    # Guards against a run that passes because nothing was called.
    assert operations
    assert len(calls) >= len(operations)

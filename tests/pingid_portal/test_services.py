"""The external services of a CI run are reachable and really used."""

from __future__ import annotations

import pytest
from django.db import connection

from pingid_portal.celery import app
from tests.conftest import service_missing


@pytest.mark.django_db
def test_database_is_postgresql(postgresql_database: None) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        (version,) = cursor.fetchone()

    assert version.startswith("PostgreSQL")


def test_broker_is_redis(redis_broker: str) -> None:
    with app.connection_for_write() as broker:
        broker.ensure_connection(max_retries=1)

        assert broker.transport_cls == "redis"


def test_cache_is_redis_with_broker(redis_broker: str) -> None:
    from django.core.cache import caches

    cache = caches["default"]
    cache.set("services-test", "reachable", timeout=10)

    assert cache.get("services-test") == "reachable"
    assert type(cache).__name__ == "RedisCache"


def test_missing_service_fails_when_required(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PORTAL_REQUIRE_SERVICES", "true")

    with pytest.raises(pytest.fail.Exception, match="set DATABASE_URL"):
        service_missing("Needs PostgreSQL: set DATABASE_URL")


def test_missing_service_skips_when_not_required(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("PORTAL_REQUIRE_SERVICES", raising=False)

    with pytest.raises(pytest.skip.Exception, match="set DATABASE_URL"):
        service_missing("Needs PostgreSQL: set DATABASE_URL")

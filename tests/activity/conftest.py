from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest

from accounts.models import Organization
from activity.models import ActivityEvent, Category
from activity.services import event_record
from pingid_portal.actors import Actor


@pytest.fixture
def export_storage(settings: Any, tmp_path: Any) -> Any:
    settings.EXPORT_STORAGE = tmp_path / "exports"
    return settings.EXPORT_STORAGE


@pytest.fixture
def record_auth(db: None) -> Callable[..., ActivityEvent]:
    """Write one authentication event through the one writer."""

    def record(
        organization: Organization,
        *,
        occurred_at: datetime | None = None,
        outcome: str = "success",
        **kwargs: Any,
    ) -> ActivityEvent:
        kwargs.setdefault("service", "web")
        return event_record(
            actor=Actor.system(organization, "settings file 7"),
            category=Category.AUTHENTICATION,
            action=kwargs.pop("action", "authentication.check"),
            outcome=outcome,
            occurred_at=occurred_at,
            **kwargs,
        )

    return record

from __future__ import annotations

import gzip
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from accounts.models import Membership
from activity.models import Category, Export, ExportStatus
from activity.services import event_record
from pingid_portal.actors import Actor
from tests.activity.worker import broker_available, eager_tasks, running_worker
from tests.browser.conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def task_runner(settings: Any, tmp_path: Path) -> Iterator[None]:
    """A real worker when a broker is configured, in-process tasks otherwise."""
    settings.EXPORT_STORAGE = tmp_path / "exports"
    if broker_available(settings):
        with running_worker():
            yield
    else:
        with eager_tasks():
            yield


def test_export_button_downloads_file_after_progress(
    task_runner: None,
    auditor: Membership,
    sign_in: Callable[[Membership], Page],
    live_server: Any,
    tmp_path: Path,
) -> None:
    actor = Actor.system(auditor.organization, "settings file 1")
    for number in range(120):
        event_record(
            actor=actor,
            category=Category.AUTHENTICATION,
            action="authentication.finish",
            outcome="failure" if number % 2 else "success",
            reason=f'Ω, "{number}"',
            service="vpn",
        )
    page = sign_in(auditor)
    page.goto(f"{live_server}/activity/?outcome=failure&service=vpn")
    page.select_option("select[name=format]", "jsonl")
    page.check("input[name=gzip]")

    page.click("[data-export-button]")
    expect(page.locator(".export-status")).to_have_attribute(
        "data-status", ExportStatus.SUCCEEDED, timeout=30_000
    )
    expect(page.locator(".progress")).to_have_attribute("aria-valuenow", "100")
    screenshot(page, "activity_export_done")
    with page.expect_download() as download_info:
        page.click("text=Download")
    path = tmp_path / "download.jsonl.gz"
    download_info.value.save_as(path)

    lines = gzip.decompress(path.read_bytes()).decode().splitlines()
    records = [json.loads(line) for line in lines]
    export = Export.objects.get()
    assert export.filter == {"outcome": ["failure"], "service": ["vpn"]}
    assert len(records) == 60
    assert records[0]["reason"] == 'Ω, "119"'
    assert {record["outcome"] for record in records} == {"failure"}

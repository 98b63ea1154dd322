from __future__ import annotations

import csv
import gzip
import io
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import time_machine
from celery.exceptions import Retry
from django.db import connection
from django.test import Client, TestCase

from accounts.models import Membership, Organization
from activity.export_runs import (
    Claim,
    export_claim,
    exports_delete_expired,
    exports_fail_stale,
)
from activity.exports import EXPORT_COLUMNS, export_write, neutralize
from activity.models import ActivityEvent, Export, ExportStatus
from activity.selectors import event_filter, event_page
from activity.tasks import delete_expired_exports, run_export
from tests.factories import PingIDUserFactory

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
TRICKY = [
    'comma, "quote" and\nnewline\r\nend',
    '=HYPERLINK("http://example.invalid")',
    "+1+2",
    "-3",
    "@SUM(A1)",
    "\tTab first",
    "\rCR first",
    "山田 Zoë Ωμέγα 🙂",
]


@pytest.fixture
def tricky_events(
    organization: Organization,
    other_organization: Organization,
    record_auth: Callable[..., ActivityEvent],
) -> list[ActivityEvent]:
    """Events with values that break naive CSV, one per tricky text, plus noise."""
    user = PingIDUserFactory(organization=organization, username='Zoë,"山田"')
    events = []
    for number, text in enumerate(TRICKY):
        events.append(
            record_auth(
                organization,
                occurred_at=NOW - timedelta(hours=number),
                outcome="failure",
                pingid_user=user,
                reason=text,
                message=text,
                application=text,
                ip_address="203.0.113.5",
                before={"note": text},
            )
        )
    # Outside the filter: another result, another organization.
    record_auth(organization, occurred_at=NOW - timedelta(hours=1), outcome="success")
    record_auth(other_organization, occurred_at=NOW, outcome="failure")
    return events


def _page_ids(organization: Organization, params: dict[str, Any]) -> list[int]:
    filterset = event_filter(organization, params, "Europe/Berlin")
    assert filterset.is_valid(), filterset.errors
    ids: list[int] = []
    cursor = None
    while True:
        page = event_page(filterset.qs, cursor, size=3)
        ids.extend(event.pk for event in page.events)
        if page.next_cursor is None:
            return ids
        cursor = page.next_cursor


def _start_export(
    client: Client, params: dict[str, Any], export_format: str, compress: bool = False
) -> Export:
    """Post the export form and run the queued task as a commit would."""
    data = {**params, "format": export_format}
    if compress:
        data["gzip"] = "on"
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post("/activity/exports/", data)
    assert response.status_code == 302, response.content
    return Export.objects.latest("pk")


def _read(export: Export, storage: Path) -> str:
    raw = (storage / export.file_path).read_bytes()
    if export.gzip:
        raw = gzip.decompress(raw)
    return raw.decode("utf-8")


@pytest.mark.parametrize("compress", [False, True])
def test_csv_export_matches_page_filter(
    global_admin: Membership,
    client_for: Callable[[Membership], Client],
    tricky_events: list[ActivityEvent],
    export_storage: Path,
    compress: bool,
) -> None:
    params = {"outcome": ["failure"], "since": "2026-11-19T00:00", "ip": "203.0.113.5"}
    with time_machine.travel(NOW + timedelta(minutes=5)):
        export = _start_export(client_for(global_admin), params, "csv", compress)
    export.refresh_from_db()

    assert export.status == ExportStatus.SUCCEEDED, export.error
    rows = list(csv.reader(io.StringIO(_read(export, export_storage), newline="")))
    assert rows[0] == list(EXPORT_COLUMNS)
    exported_ids = [int(row[0]) for row in rows[1:]]
    assert exported_ids == _page_ids(global_admin.organization, params)
    assert exported_ids == [event.pk for event in tricky_events]
    assert export.rows_written == len(tricky_events)
    reasons = [row[EXPORT_COLUMNS.index("reason")] for row in rows[1:]]
    assert reasons == [neutralize(text) for text in TRICKY]
    assert reasons[0] == 'comma, "quote" and\nnewline\r\nend'
    assert reasons[1].startswith("'=")
    assert reasons[7] == "山田 Zoë Ωμέγα 🙂"
    usernames = {row[EXPORT_COLUMNS.index("pingid_username")] for row in rows[1:]}
    assert usernames == {'Zoë,"山田"'}


def test_csv_export_quotes_by_rfc_4180(
    global_admin: Membership,
    client_for: Callable[[Membership], Client],
    tricky_events: list[ActivityEvent],
    export_storage: Path,
) -> None:
    with time_machine.travel(NOW + timedelta(minutes=5)):
        export = _start_export(client_for(global_admin), {"outcome": "failure"}, "csv")
    export.refresh_from_db()
    text = _read(export, export_storage)

    assert text.startswith("id,occurred_at,")
    assert '"comma, ""quote"" and\nnewline\r\nend"' in text
    assert text.endswith("\r\n")
    for line in text.split("\r\n")[1:]:
        if line:
            assert not line.startswith(("=", "+", "@"))


def test_json_lines_export_matches_page_filter(
    global_admin: Membership,
    client_for: Callable[[Membership], Client],
    tricky_events: list[ActivityEvent],
    export_storage: Path,
) -> None:
    params = {"outcome": ["failure"], "q": "a"}
    with time_machine.travel(NOW + timedelta(minutes=5)):
        export = _start_export(client_for(global_admin), params, "jsonl")
    export.refresh_from_db()

    lines = _read(export, export_storage).splitlines()
    records = [json.loads(line) for line in lines]
    assert [record["id"] for record in records] == _page_ids(
        global_admin.organization, params
    )
    assert len(records) >= 3
    by_id = {event.pk: event for event in tricky_events}
    for record in records:
        event = by_id[record["id"]]
        assert record["reason"] == event.reason
        assert record["before"] == event.before
        assert record["pingid_username"] == 'Zoë,"山田"'
        assert record["occurred_at"] == event.occurred_at.isoformat(
            timespec="microseconds"
        )


def test_export_leaves_out_events_after_request(
    global_admin: Membership,
    client_for: Callable[[Membership], Client],
    tricky_events: list[ActivityEvent],
    record_auth: Callable[..., ActivityEvent],
    export_storage: Path,
) -> None:
    with time_machine.travel(NOW + timedelta(minutes=5)):
        export = _start_export(
            client_for(global_admin), {"outcome": "failure"}, "jsonl"
        )
    with time_machine.travel(NOW + timedelta(minutes=6)):
        record_auth(global_admin.organization, outcome="failure")
        run_export(export.pk)
    export.refresh_from_db()

    assert export.rows_written == len(tricky_events)


def test_export_rejects_invalid_filter(
    global_admin: Membership,
    client_for: Callable[[Membership], Client],
    export_storage: Path,
) -> None:
    response = client_for(global_admin).post(
        "/activity/exports/", {"format": "csv", "ip": "999.1.1.1"}, follow=True
    )

    page = response.content.decode()

    assert "Export not started: the filter is invalid." in page
    assert "<li>IP address: Enter a valid IPv4 or IPv6 address.</li>" in page
    assert "<li>ip: " not in page
    assert not Export.objects.exists()


def test_export_needs_export_permission(
    help_desk: Membership,
    client_for: Callable[[Membership], Client],
    export_storage: Path,
) -> None:
    response = client_for(help_desk).post("/activity/exports/", {"format": "csv"})

    assert response.status_code == 403
    assert not Export.objects.exists()


def _export(organization: Organization, **fields: Any) -> Export:
    defaults: dict[str, Any] = {"requester_display": "x", "format": "csv"}
    return Export.objects.create(organization=organization, **{**defaults, **fields})


def test_claim_runs_pending_export_once(organization: Organization) -> None:
    export = _export(organization)

    assert export_claim(export.pk) is Claim.CLAIMED
    assert export_claim(export.pk) is Claim.BUSY
    export.refresh_from_db()
    assert export.attempts == 1


def test_task_skips_finished_export(
    organization: Organization, export_storage: Path
) -> None:
    export = _export(organization, status=ExportStatus.SUCCEEDED, rows_written=9)

    assert run_export(export.pk) == "done"
    export.refresh_from_db()
    assert export.rows_written == 9
    assert export.attempts == 0


def test_redelivered_task_takes_over_stale_export(
    organization: Organization,
    record_auth: Callable[..., ActivityEvent],
    export_storage: Path,
) -> None:
    record_auth(organization, occurred_at=NOW - timedelta(days=1))
    with time_machine.travel(NOW):
        export = _export(
            organization,
            status=ExportStatus.RUNNING,
            attempts=1,
            heartbeat_at=NOW - timedelta(minutes=10),
        )
        # A partial file left by the killed worker is never offered.
        directory = export_storage / str(organization.pk)
        directory.mkdir(parents=True)
        (directory / f".{export.pk}-dead.part").write_text("id,occ")

        assert run_export(export.pk) == "claimed"
    export.refresh_from_db()

    assert export.status == ExportStatus.SUCCEEDED
    assert export.attempts == 2
    assert export.rows_written == 1
    assert export.file_path == f"{organization.pk}/{export.file_name}"


def test_task_leaves_fresh_running_export_alone(
    organization: Organization, export_storage: Path
) -> None:
    with time_machine.travel(NOW):
        export = _export(
            organization,
            status=ExportStatus.RUNNING,
            attempts=1,
            heartbeat_at=NOW - timedelta(seconds=10),
        )
        # A worker retries later, by which time the heartbeat may be stale.
        with pytest.raises(Retry):
            run_export(export.pk)
        assert run_export.apply(args=[export.pk]).get() == "busy"
    export.refresh_from_db()

    assert export.status == ExportStatus.RUNNING
    assert export.attempts == 1


def test_stopped_worker_marks_export_failed(organization: Organization) -> None:
    with time_machine.travel(NOW):
        export = _export(
            organization,
            status=ExportStatus.RUNNING,
            heartbeat_at=NOW - timedelta(hours=1),
        )
        assert exports_fail_stale() == 1
    export.refresh_from_db()

    assert export.status == ExportStatus.FAILED
    assert "stopped" in export.error


def test_failed_write_marks_export_failed_and_retry_succeeds(
    global_admin: Membership,
    client_for: Callable[[Membership], Client],
    record_auth: Callable[..., ActivityEvent],
    export_storage: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    record_auth(global_admin.organization)
    client = client_for(global_admin)

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise OSError("No space left on device")

    # Fails after the rows are written, before the file is put in place.
    monkeypatch.setattr("activity.exports.os.replace", broken)
    export = _start_export(client, {}, "csv")
    export.refresh_from_db()
    assert export.status == ExportStatus.FAILED
    assert "No space left on device" in export.error
    assert client.get(f"/activity/exports/{export.pk}/download/").status_code == 404
    assert not list(export_storage.rglob("*.part"))

    monkeypatch.undo()
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(f"/activity/exports/{export.pk}/retry/")
    export.refresh_from_db()

    assert response.status_code == 302
    assert export.status == ExportStatus.SUCCEEDED
    assert client.get(f"/activity/exports/{export.pk}/download/").status_code == 200


def test_download_only_for_organization_exporters(
    global_admin: Membership,
    auditor: Membership,
    help_desk: Membership,
    outsider: Membership,
    client_for: Callable[[Membership], Client],
    record_auth: Callable[..., ActivityEvent],
    export_storage: Path,
) -> None:
    record_auth(global_admin.organization, message="secret")
    export = _start_export(client_for(global_admin), {}, "csv")
    url = f"/activity/exports/{export.pk}/download/"

    response = client_for(auditor).get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert b"secret" in b"".join(response.streaming_content)  # type: ignore[attr-defined]
    assert client_for(help_desk).get(url).status_code == 403
    assert client_for(outsider).get(url).status_code == 404


def test_expired_exports_are_deleted_with_files(
    organization: Organization,
    record_auth: Callable[..., ActivityEvent],
    export_storage: Path,
) -> None:
    record_auth(organization, occurred_at=NOW - timedelta(days=1))
    with time_machine.travel(NOW):
        old = _export(organization)
        run_export(old.pk)
    with time_machine.travel(NOW + timedelta(days=6)):
        recent = _export(organization)
        run_export(recent.pk)
    old.refresh_from_db()
    recent.refresh_from_db()

    with time_machine.travel(NOW + timedelta(days=7, hours=1)):
        assert delete_expired_exports() == 1
        assert exports_delete_expired() == 0

    assert not Export.objects.filter(pk=old.pk).exists()
    assert not (export_storage / old.file_path).exists()
    assert (export_storage / recent.file_path).exists()


def test_export_status_partial_polls_until_done(
    global_admin: Membership,
    client_for: Callable[[Membership], Client],
    export_storage: Path,
) -> None:
    export = _export(global_admin.organization, total_estimate=10, rows_written=4)
    client = client_for(global_admin)

    running = client.get(f"/activity/exports/{export.pk}/", HTTP_HX_REQUEST="true")
    assert 'hx-trigger="every 1s"' in running.content.decode()
    assert "<html" not in running.content.decode()
    assert 'data-width-percent="40"' in running.content.decode()

    Export.objects.filter(pk=export.pk).update(status=ExportStatus.FAILED, error="boom")
    done = client.get(f"/activity/exports/{export.pk}/", HTTP_HX_REQUEST="true")
    assert "hx-trigger" not in done.content.decode()
    assert "Retry export" in done.content.decode()


def test_database_and_python_rendering_agree(
    organization: Organization,
    tricky_events: list[ActivityEvent],
    export_storage: Path,
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("Lines are rendered by the database on PostgreSQL only.")
    events = ActivityEvent.objects.filter(organization=organization)
    parsed = {}
    for rendering in (True, False):
        for export_format in ("csv", "jsonl"):
            export = _export(organization, format=export_format)
            path, rows = export_write(export, events, lambda _: None, rendering)
            text = (export_storage / path).read_bytes().decode("utf-8")
            if export_format == "csv":
                assert text.endswith("\r\n")
                records = list(csv.DictReader(io.StringIO(text, newline="")))
                for record in records:
                    for name in ("before", "after", "truncated_fields"):
                        record[name] = (
                            json.loads(record[name]) if record[name] else None
                        )
            else:
                records = [json.loads(line) for line in text.splitlines()]
            parsed[(rendering, export_format)] = records
            assert rows == len(tricky_events) + 1

    assert parsed[(True, "csv")] == parsed[(False, "csv")]
    assert parsed[(True, "jsonl")] == parsed[(False, "jsonl")]
    reasons = [record["reason"] for record in parsed[(True, "csv")]]
    assert '\'=HYPERLINK("http://example.invalid")' in reasons
    assert "'\tTab first" in reasons


def test_partial_files_of_killed_workers_are_removed(
    organization: Organization, export_storage: Path
) -> None:
    import os

    directory = export_storage / str(organization.pk)
    directory.mkdir(parents=True)
    old = directory / ".5-dead.part"
    fresh = directory / ".6-alive.part"
    old.write_text("id,occ")
    fresh.write_text("id,occ")
    an_hour_ago = datetime.now().timestamp() - 3600
    os.utime(old, (an_hour_ago, an_hour_ago))

    delete_expired_exports()

    assert not old.exists()
    assert fresh.exists()

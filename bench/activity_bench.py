"""Activity benchmarks on the database filled by bench/activity_data.py.

Usage (from the repository root, after activity_data.py):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pingid_activity_bench \
        .venv/bin/python bench/activity_bench.py [--runs 7] [--export-rows 1000000]

1. Activity pages: server time of each filtered page (the whole Django request
   in-process through the test client, no network), median of --runs after one
   warm-up request.
2. Export: a CSV export of the newest --export-rows events, run by
   bench/activity_export_run.py in its own process as the worker would. It is
   compared with PostgreSQL's `COPY (same query) TO STDOUT WITH CSV` written to
   a file in the same run. Throughput is rows per second.
3. Worker memory: peak RSS of the export process for exports of several sizes.
4. Dashboard counts (--dashboard-only runs just this): the dashboard pages and
   the chart's query alone with the raw log only (skipped once the counts
   exist), the first and a repeated run of the counting task, the same with
   the counts current, and again after --late-events new authentications
   above the watermark.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pingid_portal.settings")
os.environ.setdefault("SECRET_KEY", "bench-only-key")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("EXPORT_STORAGE", "/tmp/pingid-activity-bench-exports")

import django  # noqa: E402


def local(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M")


def time_page(client: object, url: str, runs: int) -> tuple[float, int]:
    response = client.get(url)  # type: ignore[attr-defined]
    assert response.status_code == 200, (url, response.status_code)
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(url)  # type: ignore[attr-defined]
        samples.append((time.perf_counter() - started) * 1000)
    rows = response.content.count(b"<tr>") - 1
    return statistics.median(samples), rows


def bench_pages(runs: int) -> None:
    from django.test.utils import setup_test_environment

    from accounts.models import Membership
    from activity.models import ActivityEvent
    from activity.selectors import encode_cursor
    from bench.portal_client import signed_in_client

    setup_test_environment()
    membership = Membership.objects.select_related("organization").get(
        user__email="bench@example.com"
    )
    organization = membership.organization
    client = signed_in_client(membership.user)
    newest = ActivityEvent.objects.filter(organization=organization).order_by(
        "-occurred_at", "-id"
    )
    now = newest.values_list("occurred_at", flat=True).first() or datetime.now(UTC)
    sample = newest.values("ip_address", "pingid_user_id", "pingid_username")[5000]
    deep = newest[10_000]
    pages = [
        ("newest events, no filter", "/activity/"),
        (
            "failures on VPN, last 7 days",
            f"/activity/?outcome=failure&service=vpn&since={local(now - timedelta(days=7))}",
        ),
        (
            "denied or timed out, any time",
            "/activity/?outcome=denied&outcome=timed_out",
        ),
        (
            "authentications of one day",
            f"/activity/?category=authentication&since={local(now - timedelta(days=2))}&until={local(now - timedelta(days=1))}",
        ),
        (
            "one PingID user by name",
            f"/activity/?user={sample['pingid_username'].upper()}",
        ),
        ("one PingID user's timeline", f"/activity/users/{sample['pingid_user_id']}/"),
        ("one IP address", f"/activity/?ip={sample['ip_address']}"),
        (
            "administrator actions of one administrator",
            f"/activity/?administrator={membership.user_id}",
        ),
        (
            "text 'blocked', last 24 hours",
            f"/activity/?q=blocked&since={local(now - timedelta(days=1))}",
        ),
        (
            "page 201 (cursor after 10,000 events)",
            f"/activity/?cursor={encode_cursor(deep)}",
        ),
        ("dashboard, last 24 hours", "/?period=day"),
        ("dashboard, last 30 days", "/?period=month"),
    ]
    print(f"\n## Pages (median of {runs} runs, ms)")
    for name, url in pages:
        median, rows = time_page(client, url, runs)
        print(f"| {name} | {median:.1f} | {rows} |", flush=True)


def median_ms(call: Callable[[], object], runs: int) -> float:
    call()
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def time_dashboard(label: str, runs: int) -> None:
    from django.utils import timezone

    from accounts.models import Membership
    from activity.dashboard import PERIODS, authentication_bars
    from bench.portal_client import signed_in_client

    membership = Membership.objects.select_related("organization").get(
        user__email="bench@example.com"
    )
    client = signed_in_client(membership.user)
    for period in ("day", "month"):

        def page(period: str = period) -> None:
            response = client.get(f"/?period={period}")
            assert response.status_code == 200, response.status_code

        def chart(period: str = period) -> None:
            authentication_bars(
                membership.organization,
                PERIODS[period],
                timezone.now(),
                "Asia/Kathmandu",
            )

        page_ms = median_ms(page, runs)
        chart_ms = median_ms(chart, runs)
        print(f"| {label} | {period} | {page_ms:.1f} | {chart_ms:.1f} |", flush=True)


def write_late_events(count: int) -> None:
    """Write authentications through the one writer, a tenth of them dated days back."""
    from django.db import transaction
    from django.utils import timezone

    from accounts.models import Organization
    from activity.models import Category
    from activity.services import event_record
    from pingid_portal.actors import Actor

    organization = Organization.objects.get(name="Bench Corp")
    now = timezone.now()
    for number in range(count):
        days = 3 if number % 10 == 0 else 0
        with transaction.atomic():
            event_record(
                actor=Actor.system(organization, "bench"),
                category=Category.AUTHENTICATION,
                action="authentication.finish",
                outcome="failure" if number % 7 == 0 else "success",
                occurred_at=now - timedelta(days=days, seconds=number),
            )


def time_rollup(label: str) -> None:
    from activity.rollup import authentication_counts_update_all

    started = time.perf_counter()
    covered = authentication_counts_update_all()
    print(
        f"counting task, {label}: {covered} sequences in "
        f"{time.perf_counter() - started:.1f} s",
        flush=True,
    )


def bench_dashboard(runs: int, late_events: int) -> None:
    from django.test.utils import setup_test_environment

    from activity.models import AuthenticationCountWatermark

    setup_test_environment()

    print(f"\n## Dashboard (median of {runs} runs, ms; chart in Asia/Kathmandu)")
    print("| counts | period | page | chart query |")
    if not AuthenticationCountWatermark.objects.exists():
        time_dashboard("none (raw log)", runs)
    time_rollup("to the newest event")
    time_rollup("repeated at once")
    time_dashboard("current", runs)
    write_late_events(late_events)
    time_dashboard(f"{late_events} events behind", runs)
    time_rollup(f"after {late_events} events")


def create_export(rows: int) -> tuple[int, str]:
    """Create an export of the newest `rows` events; return its id and COPY SQL."""
    from django.db import connection
    from django.utils.datastructures import MultiValueDict

    from accounts.models import Membership
    from activity.exports import EXPORT_COLUMNS
    from activity.models import ActivityEvent, Export
    from activity.selectors import event_filter

    membership = Membership.objects.select_related("organization").get(
        user__email="bench@example.com"
    )
    organization = membership.organization
    newest = ActivityEvent.objects.filter(organization=organization).order_by(
        "-occurred_at", "-id"
    )
    boundary = newest.values_list("occurred_at", flat=True)[rows - 1]
    since = boundary.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")
    export = Export.objects.create(
        organization=organization,
        requester_display="bench",
        filter={"since": [since]},
        time_zone="UTC",
        format="csv",
    )
    filterset = event_filter(organization, MultiValueDict(export.filter), "UTC")
    query = (
        filterset.qs.filter(occurred_at__lte=export.created_at)
        .order_by("-occurred_at", "-id")
        .values_list(*EXPORT_COLUMNS)
    )
    sql, params = query.query.sql_with_params()
    with connection.cursor() as cursor:
        copy_sql = cursor.cursor.mogrify(sql, params)  # type: ignore[attr-defined]
    return export.pk, copy_sql


def run_export_process(export_id: int, *flags: str) -> dict[str, object]:
    output = subprocess.run(
        [
            sys.executable,
            str(ROOT / "bench" / "activity_export_run.py"),
            str(export_id),
            *flags,
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def run_copy(copy_sql: str) -> tuple[float, int]:
    from django.db import connection

    target = Path(os.environ["EXPORT_STORAGE"]) / "copy.csv"
    target.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    size = 0
    statement = f"COPY ({copy_sql}) TO STDOUT WITH CSV"
    with (
        connection.cursor() as cursor,
        open(target, "wb") as stream,
        cursor.cursor.copy(statement) as copy,  # type: ignore[attr-defined]
    ):
        for block in copy:
            stream.write(block)
            size += len(block)
    return time.perf_counter() - started, size


def bench_export(rows: int, runs: int) -> None:
    print(f"\n## Export of {rows} rows (CSV), {runs} runs")
    print(
        "| run | export rows/s | COPY rows/s | ratio | export s | COPY s | export peak RSS MiB |"
    )
    ratios = []
    for run in range(runs):
        export_id, copy_sql = create_export(rows)
        result = run_export_process(export_id)
        assert result["status"] == "succeeded", result
        copy_seconds, _ = run_copy(copy_sql)
        export_rate = int(result["rows"]) / float(result["seconds"])
        copy_rate = rows / copy_seconds
        ratios.append(export_rate / copy_rate)
        print(
            f"| {run + 1} | {export_rate:,.0f} | {copy_rate:,.0f} | {export_rate / copy_rate:.2f} "
            f"| {float(result['seconds']):.1f} | {copy_seconds:.1f} | {float(result['peak_rss_mib']):.0f} |",
            flush=True,
        )
    print(f"median ratio {statistics.median(ratios):.2f}")


def bench_memory(sizes: list[int]) -> None:
    print("\n## Export process peak RSS by export size")
    print("| rows | format | peak RSS MiB | seconds |")
    for size in sizes:
        export_id, _ = create_export(size)
        result = run_export_process(export_id)
        print(
            f"| {result['rows']} | csv | {float(result['peak_rss_mib']):.0f} | {float(result['seconds']):.1f} |",
            flush=True,
        )


def main() -> None:
    parser = argparse.ArgumentParser(description="Activity page and export benchmarks.")
    parser.add_argument("--runs", type=int, default=7, help="timed runs per page")
    parser.add_argument(
        "--export-rows", type=int, default=1_000_000, help="rows per export"
    )
    parser.add_argument(
        "--export-runs", type=int, default=3, help="export and COPY runs"
    )
    parser.add_argument(
        "--skip-pages", action="store_true", help="only run the export benchmarks"
    )
    parser.add_argument(
        "--skip-memory", action="store_true", help="skip the memory series"
    )
    parser.add_argument(
        "--dashboard-only",
        action="store_true",
        help="only run the dashboard counts benchmark",
    )
    parser.add_argument(
        "--late-events",
        type=int,
        default=2000,
        help="authentications written above the watermark in the dashboard benchmark",
    )
    arguments = parser.parse_args()
    django.setup()
    if arguments.dashboard_only:
        bench_dashboard(arguments.runs, arguments.late_events)
        return
    if not arguments.skip_pages:
        bench_pages(arguments.runs)
    bench_export(arguments.export_rows, arguments.export_runs)
    if not arguments.skip_memory:
        bench_memory([10_000, 100_000, 1_000_000, 3_000_000])


if __name__ == "__main__":
    main()

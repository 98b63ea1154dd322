"""Benchmark: signed `authoffline` round trips per second against a JSON baseline.

Both run under the same gunicorn (sync workers, by default two per core plus
one) on 127.0.0.1 in the same run, after a warm-up that is not measured. The
PingID API verifies every call (HS256, timestamp, replay mark and rate limits
in Redis), checks the TOTP (replay protection, lockout counting), writes the
authentication event to the activity chain and counts the settings file's
use. The baseline is a minimal unsigned Django JSON view. Each authoffline
call finishes a distinct session with the current code of a distinct
authenticator app, so every call succeeds. After each run the benchmark
checks every answer's signature and errorId, one event per call, the
chain's integrity and the file's call count.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pingid_integrations \\
    REDIS_URL=redis://127.0.0.1:6379/5 .venv/bin/python bench/pingid_api.py

Prints requests per second of each run and the medians.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ["DJANGO_SETTINGS_MODULE"] = "bench.pingid_settings"
os.environ.setdefault("SECRET_KEY", "benchmark-only-secret-key")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")

import django  # noqa: E402

django.setup()

import pyotp  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import Organization  # noqa: E402
from activity.chain import chain_verify  # noqa: E402
from activity.models import ActivityEvent  # noqa: E402
from devices.models import Device, DeviceRole, DeviceType  # noqa: E402
from integrations.models import AuthenticationSession, SettingsFile  # noqa: E402
from integrations.properties import signing_key_generate  # noqa: E402
from tests.integrations.pingid_client import PingIDClient  # noqa: E402
from users.models import PingIDUser, Service, UserService, UserStatus  # noqa: E402

HOST = "127.0.0.1"


def _prepare(calls: int) -> tuple[PingIDClient, list[tuple[str, str]]]:
    """Create a file and `calls` users, each with an app and an open session."""
    organization = Organization.objects.create(name=f"bench {secrets.token_hex(4)}")
    settings_file = SettingsFile.objects.create(
        organization=organization,
        kind="full",
        token=secrets.token_hex(16),
        signing_key=signing_key_generate(),
        created_by_display="bench",
    )
    users = PingIDUser.objects.bulk_create(
        PingIDUser(
            organization=organization,
            username=f"bench-{index}",
            username_key=f"bench-{index}",
            status=UserStatus.ACTIVE,
        )
        for index in range(calls)
    )
    UserService.objects.bulk_create(
        UserService(user=user, service=Service.WEB) for user in users
    )
    secrets_by_user = {user.pk: pyotp.random_base32() for user in users}
    devices = Device.objects.bulk_create(
        Device(
            organization=organization,
            user=user,
            type=DeviceType.AUTHENTICATOR_APP,
            role=DeviceRole.PRIMARY,
            totp_secret=secrets_by_user[user.pk],
        )
        for user in users
    )
    now = timezone.now()
    sessions = AuthenticationSession.objects.bulk_create(
        AuthenticationSession(
            organization=organization,
            session_id=secrets.token_urlsafe(24),
            settings_file=settings_file,
            user=device.user,
            device=device,
            service=Service.WEB,
            created_at=now,
            expires_at=now + timedelta(hours=1),
        )
        for device in devices
    )
    client = PingIDClient(
        token=settings_file.token,
        org_alias=str(organization.org_alias),
        key=__import__("base64").b64decode(settings_file.signing_key),
        idp_url=f"http://{HOST}/pingid",
    )
    return client, [
        (session.session_id, secrets_by_user[session.user_id]) for session in sessions
    ]


def _post(url: str, body: bytes) -> tuple[int, bytes]:
    request = urllib.request.Request(
        url, data=body, headers={"Content-Type": "application/json"}, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def _cpu_seconds(server_pid: int) -> dict[str, float]:
    """Return the CPU time used so far by each group of processes (Linux /proc).

    Groups: gunicorn (its master and workers), postgres (the backends serving
    loopback connections), redis and client (this process).
    """
    tick = os.sysconf("SC_CLK_TCK")
    totals = dict.fromkeys(("gunicorn", "postgres", "redis", "client"), 0.0)
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        # Fields after the command name: state, ppid, ..., utime (14), stime (15).
        fields = stat[stat.rindex(")") + 2 :].split()
        used = (int(fields[11]) + int(fields[12])) / tick
        pid, parent = int(entry.name), int(fields[1])
        if server_pid in (pid, parent):
            totals["gunicorn"] += used
        elif command.startswith("postgres:") and "127.0.0.1(" in command:
            totals["postgres"] += used
        elif "redis-server" in command:
            totals["redis"] += used
        elif pid == os.getpid():
            totals["client"] += used
    return totals


def _timed(
    url_bodies: list[tuple[str, Callable[[], bytes]]], threads: int, server_pid: int
) -> tuple[float, list[bytes], dict[str, float]]:
    """POST every body (made at send time) from `threads` clients.

    Returns calls per second, the response bodies, and the CPU milliseconds per call
    of each process group.
    """
    cpu_before = _cpu_seconds(server_pid)
    started = time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        results = list(pool.map(lambda item: _post(item[0], item[1]()), url_bodies))
    elapsed = time.perf_counter() - started
    cpu_after = _cpu_seconds(server_pid)
    bad = [status for status, _ in results if status != 200]
    if bad:
        first = next(content for status, content in results if status != 200)
        raise SystemExit(
            f"{len(bad)} calls failed, first HTTP status {bad[0]}: {first[:300]!r}"
        )
    cpu = {
        group: (cpu_after[group] - cpu_before[group]) * 1000 / len(url_bodies)
        for group in cpu_after
    }
    return len(url_bodies) / elapsed, [content for _, content in results], cpu


def _baseline_run(
    base: str, calls: int, threads: int, server_pid: int
) -> tuple[float, dict[str, float]]:
    body = b'{"reqBody": {"userName": "baseline"}}'
    rate, _, cpu = _timed(
        [(f"{base}/bench/baseline", lambda: body)] * calls, threads, server_pid
    )
    return rate, cpu


def _signed_authoffline(client: PingIDClient, session_id: str, secret: str) -> bytes:
    body = {"sessionId": session_id, "otp": pyotp.TOTP(secret).now()}
    return client.sign(body).encode()


def _audit_check(organization: Organization, calls: int) -> None:
    """Fail unless every call left one successful event in an intact chain."""
    finished = ActivityEvent.objects.filter(
        organization=organization,
        action="authentication.finish",
        outcome="success",
    ).count()
    if finished != calls:
        raise SystemExit(f"{finished} authentication events for {calls} calls")
    report = chain_verify(organization.pk)
    if not report.intact:
        raise SystemExit(f"activity chain broken: {report.problem}")
    used = SettingsFile.objects.get(organization=organization).call_count
    if used != calls:
        raise SystemExit(f"settings file counted {used} calls of {calls}")


def _pingid_run(
    base: str, calls: int, threads: int, server_pid: int
) -> tuple[float, dict[str, float]]:
    client, sessions = _prepare(calls)
    url = f"{base}/pingid/rest/4/authoffline/do"
    # Signed at send time: under load a run can outlast a TOTP step.
    bodies = [
        (
            url,
            functools.partial(_signed_authoffline, client, session_id, secret),
        )
        for session_id, secret in sessions
    ]
    rate, contents, cpu = _timed(bodies, threads, server_pid)
    for content in contents:
        answer = client.read_answer(content.decode())
        if answer["errorId"] != 200:
            raise SystemExit(f"authoffline failed: {answer}")
    _audit_check(Organization.objects.get(org_alias=client.org_alias), calls)
    return rate, cpu


def _cpu_line(cpu: dict[str, float]) -> str:
    parts = [f"{group} {milliseconds:.2f}" for group, milliseconds in cpu.items()]
    return f"CPU ms per call: {', '.join(parts)}, total {sum(cpu.values()):.2f}"


def _median_cpu(runs: list[dict[str, float]]) -> dict[str, float]:
    return {
        group: round(statistics.median(run[group] for run in runs), 3)
        for group in runs[0]
    }


def _wait_for(port: int) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex((HOST, port)) == 0:
                return
        time.sleep(0.2)
    raise SystemExit(f"gunicorn did not listen on {HOST}:{port}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8155)
    parser.add_argument("--calls", type=int, default=1500, help="Calls per run.")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--threads", type=int, default=8, help="Concurrent clients.")
    parser.add_argument(
        "--workers",
        type=int,
        # Gunicorn's documented starting point: (2 x number of cores) + 1.
        default=2 * (os.cpu_count() or 1) + 1,
        help="Gunicorn worker processes (sync).",
    )
    arguments = parser.parse_args()

    call_command("migrate", verbosity=0)
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "pingid_portal.wsgi:application",
            "-w",
            str(arguments.workers),
            "-b",
            f"{HOST}:{arguments.port}",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=os.environ.copy(),
    )
    try:
        _wait_for(arguments.port)
        base = f"http://{HOST}:{arguments.port}"
        # Warm-up, not measured: every worker imports and connects.
        _baseline_run(base, 20 * arguments.workers, arguments.threads, server.pid)
        _pingid_run(base, 20 * arguments.workers, arguments.threads, server.pid)
        baseline, pingid = [], []
        baseline_cpu, pingid_cpu = [], []
        for run in range(arguments.runs):
            rate, cpu = _baseline_run(
                base, arguments.calls, arguments.threads, server.pid
            )
            baseline.append(rate)
            baseline_cpu.append(cpu)
            print(f"run {run + 1}: baseline {rate:.0f}/s; {_cpu_line(cpu)}")
            rate, cpu = _pingid_run(
                base, arguments.calls, arguments.threads, server.pid
            )
            pingid.append(rate)
            pingid_cpu.append(cpu)
            print(f"run {run + 1}: authoffline {rate:.0f}/s; {_cpu_line(cpu)}")
        ratio = statistics.median(pingid) / statistics.median(baseline)
        print(
            json.dumps(
                {
                    "baseline_median_per_second": round(statistics.median(baseline)),
                    "authoffline_median_per_second": round(statistics.median(pingid)),
                    "ratio": round(ratio, 3),
                    "baseline_cpu_ms_per_call": _median_cpu(baseline_cpu),
                    "authoffline_cpu_ms_per_call": _median_cpu(pingid_cpu),
                    "calls_per_run": arguments.calls,
                    "runs": arguments.runs,
                    "threads": arguments.threads,
                    "workers": arguments.workers,
                    "database": django.conf.settings.DATABASES["default"]["ENGINE"],
                    "cache": django.conf.settings.CACHES["default"]["BACKEND"],
                }
            )
        )
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)


if __name__ == "__main__":
    main()

"""Production configuration: `check --deploy` is clean, static files are served."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

BASE_DIR = Path(__file__).resolve().parents[2]


def test_check_deploy_reports_nothing(tmp_path: Path) -> None:
    # Start from this run's environment without its test-only overrides. The
    # browser tests set DJANGO_ALLOW_ASYNC_UNSAFE, which check --deploy rejects.
    test_only = ("SECURE_", "SESSION_", "CSRF_", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE")
    environment = {
        key: value for key, value in os.environ.items() if not key.startswith(test_only)
    }
    environment.update(
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="portal.example.com",
        PORTAL_BASE_URL="https://portal.example.com",
        PORTAL_VAR_DIR=str(tmp_path),
    )

    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "DEBUG"],
        cwd=BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == "System check identified no issues (0 silenced)."


def test_missing_secret_key_is_rejected(tmp_path: Path) -> None:
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in ("SECRET_KEY", "SECRET_KEY_FILE", "DEBUG")
    }
    environment["PORTAL_VAR_DIR"] = str(tmp_path)

    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode != 0
    assert "SECRET_KEY is missing" in result.stderr


@pytest.mark.django_db
def test_whitenoise_serves_compressed_static(client: Client) -> None:
    from django.templatetags.static import static

    assert not settings.DEBUG
    url = static("css/portal.css")

    response = client.get(url, HTTP_ACCEPT_ENCODING="gzip")

    assert url != "/static/css/portal.css", "expected a hashed, cacheable name"
    assert response.status_code == 200
    assert response["Content-Encoding"] == "gzip"
    assert "immutable" in response["Cache-Control"]


def test_procfile_names_web_worker_and_beat() -> None:
    lines = (BASE_DIR / "Procfile").read_text().splitlines()
    processes = dict(line.split(": ", 1) for line in lines if line.strip())

    assert processes["web"].startswith("gunicorn pingid_portal.wsgi")
    assert processes["worker"].startswith("celery -A pingid_portal worker")
    assert processes["beat"].startswith("celery -A pingid_portal beat")

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.http import HttpRequest, HttpResponse
from django.test import Client, RequestFactory

from accounts.models import Membership
from pingid_portal.headers import no_store

pytestmark = pytest.mark.django_db

TEMPLATE_DIRS = [Path(__file__).resolve().parents[2] / "templates"] + list(
    Path(__file__).resolve().parents[2].glob("*/templates")
)


def _directives(header: str) -> dict[str, list[str]]:
    parsed = {}
    for part in header.split(";"):
        name, *values = part.split()
        parsed[name] = values
    return parsed


def test_portal_page_headers(
    global_admin: Membership, client_for: Callable[[Membership], Client]
) -> None:
    response = client_for(global_admin).get("/")
    policy = _directives(response["Content-Security-Policy"])

    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["base-uri"] == ["'none'"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_no_unsafe_sources_in_policy(
    global_admin: Membership, client_for: Callable[[Membership], Client]
) -> None:
    header = client_for(global_admin).get("/")["Content-Security-Policy"]

    assert "unsafe-inline" not in header
    assert "unsafe-eval" not in header


def test_hsts_only_over_https(db: None, settings: Any) -> None:
    settings.SECURE_HSTS_SECONDS = 31536000
    client = Client()

    secure = client.get("/accounts/sign-in/", secure=True)
    plain = client.get("/accounts/sign-in/")

    assert secure["Strict-Transport-Security"].startswith("max-age=31536000")
    assert "includeSubDomains" in secure["Strict-Transport-Security"]
    assert "Strict-Transport-Security" not in plain


def test_sign_in_page_is_not_cached(db: None) -> None:
    response = Client().get("/accounts/sign-in/")

    assert response["Cache-Control"] == "no-store"


def test_no_store_decorator_sets_headers() -> None:
    @no_store
    def view(request: HttpRequest) -> HttpResponse:
        return HttpResponse("secret")

    response = view(RequestFactory().get("/"))

    assert response["Cache-Control"] == "no-store"
    assert response["Pragma"] == "no-cache"


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
INLINE_STYLE = re.compile(r"<style\b|\sstyle\s*=|\son[a-z]+\s*=", re.IGNORECASE)


@pytest.mark.parametrize(
    "template",
    [path for directory in TEMPLATE_DIRS for path in directory.rglob("*.html")],
    ids=str,
)
def test_template_has_no_inline_code(template: Path) -> None:
    text = template.read_text()

    assert not INLINE_SCRIPT.search(text), "inline <script> found"
    assert not INLINE_STYLE.search(text), "inline style or event handler found"

"""The users page and the "Bypassed now" page."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.http import HttpResponse, QueryDict
from django.shortcuts import render

from pingid_portal.http import PortalRequest
from pingid_portal.permissions import Action, has_permission
from pingid_portal.views import portal_view
from users.filters import UserFilterSet
from users.models import UserStatus
from users.pagination import DEFAULT_SORT, SORTS, paginate
from users.selectors import (
    bypassed_services,
    user_list_rows,
    user_queryset,
    user_status_counts,
)
from users.views.rows import row_views

PAGE_SIZE = 50


def filter_users(request: PortalRequest, data: QueryDict) -> UserFilterSet:
    return UserFilterSet(data, queryset=user_queryset(request.organization))


def query_without(data: QueryDict, *names: str) -> str:
    """Return `data` as a query string without `names` and without empty values."""
    pairs = [
        (key, value)
        for key, values in data.lists()
        if key not in names
        for value in values
        if value != ""
    ]
    return urlencode(pairs)


@portal_view()
def user_list(request: PortalRequest) -> HttpResponse:
    filterset = filter_users(request, request.GET)
    sort_key = request.GET.get("sort", DEFAULT_SORT)
    sort = SORTS.get(sort_key) or SORTS[DEFAULT_SORT]

    # An invalid filter shows its errors and no rows, never every row.
    valid = filterset.is_valid()
    users = filterset.qs if valid else filterset.queryset.none()
    page = paginate(
        users,
        sort,
        after=request.GET.get("after", ""),
        before=request.GET.get("before", ""),
        size=PAGE_SIZE,
    )
    context = {
        "filterset": filterset,
        "rows": row_views(user_list_rows(page.rows)),
        "page": page,
        "sorts": SORTS,
        "sort_key": sort_key if sort_key in SORTS else DEFAULT_SORT,
        "selectable": has_permission(request.membership.role, Action.USER_MANAGE)
        or has_permission(request.membership.role, Action.USER_BYPASS),
        **_chip_context(request),
    }
    template = "users/user_list.html"
    if request.htmx and request.htmx.target == "results":
        template += "#results"
    return render(request, template, context, status=200 if valid else 400)


def _chip_context(
    request: PortalRequest, counts: dict[str, int] | None = None
) -> dict[str, Any]:
    chip_query = query_without(request.GET, "after", "before", "status")
    active_status = request.GET.get("status", "")
    chips = [
        (status, label, counts[status] if counts else None)
        for status, label in UserStatus.choices
    ]
    total = sum(counts.values()) if counts else None
    matching = counts.get(active_status, total) if counts else None
    return {
        "counts_loaded": counts is not None,
        "total": total,
        "status_chips": chips,
        "active_status": active_status,
        "matching": matching,
        "base_query": query_without(request.GET, "after", "before"),
        "chip_query": chip_query,
    }


@portal_view()
def user_status_counts_view(request: PortalRequest) -> HttpResponse:
    """Render the status chips with counts, which the users page requests after the rows.

    Counting a million users takes longer than rendering a page of them (see
    docs/benchmarks.md), so the users page itself runs no count query.
    """
    without_status = request.GET.copy()
    without_status.pop("status", None)
    filterset = filter_users(request, without_status)

    counts = user_status_counts(
        filterset.qs if filterset.is_valid() else filterset.queryset.none()
    )

    context = _chip_context(request, counts)
    return render(request, "users/user_list.html#chips", context)


@portal_view()
def bypass_list(request: PortalRequest) -> HttpResponse:
    rows = list(bypassed_services(request.organization))
    return render(request, "users/bypass_list.html", {"rows": rows})

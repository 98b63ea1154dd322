"""The users page and the "Bypassed now" page."""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import HttpResponse, QueryDict
from django.shortcuts import render

from pingid_portal.http import PortalRequest
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

    users = filterset.qs
    page = paginate(
        users,
        sort,
        after=request.GET.get("after", ""),
        before=request.GET.get("before", ""),
        size=PAGE_SIZE,
    )
    without_status = filter_users(request, _without(request.GET, "status")).qs
    counts = user_status_counts(without_status)

    base_query = query_without(request.GET, "after", "before")
    context = {
        "filterset": filterset,
        "rows": user_list_rows(page.rows),
        "page": page,
        "sorts": SORTS,
        "sort_key": sort_key if sort_key in SORTS else DEFAULT_SORT,
        "status_chips": [
            (status, label, counts[status]) for status, label in UserStatus.choices
        ],
        "matching": counts.get(request.GET.get("status", ""), sum(counts.values()))
        if filterset.is_valid()
        else 0,
        "active_status": request.GET.get("status", ""),
        "base_query": base_query,
        "chip_query": query_without(request.GET, "after", "before", "status"),
    }
    template = "users/user_list.html"
    if request.htmx and request.htmx.target == "results":
        template += "#results"
    return render(request, template, context)


def _without(data: QueryDict, name: str) -> QueryDict:
    copy = data.copy()
    copy.pop(name, None)
    return copy


@portal_view()
def bypass_list(request: PortalRequest) -> HttpResponse:
    rows = list(bypassed_services(request.organization))
    return render(request, "users/bypass_list.html", {"rows": rows})

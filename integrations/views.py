from django.http import HttpResponse
from django.shortcuts import render

from pingid_portal.http import PortalRequest
from pingid_portal.views import portal_view


# TODO(before this area lands): replace with the real page.
@portal_view()
def settings_file_list(request: PortalRequest) -> HttpResponse:
    return render(request, "placeholder.html", {"title": "Integrations"})

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from workflows.models import Case


def family_page(request: HttpRequest, token: str) -> HttpResponse:
    """The family's own timeline, reached through the private link in every message."""
    case = get_object_or_404(Case, access_token=token)
    deadlines = case.deadlines.order_by("due")
    response = render(
        request,
        "family/page.html",
        {"case": case, "deadlines": deadlines},
    )
    response["X-Robots-Tag"] = "noindex"
    response["Referrer-Policy"] = "no-referrer"  # the token is in the URL
    return response

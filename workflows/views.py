from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from workflows import rules
from workflows.models import Case


class LinkEnded(Exception):
    """The family's link belongs to a closed or erased case: show the friendly ended page."""

    def __init__(self, response: HttpResponse) -> None:
        super().__init__("family link ended")
        self.response = response


def link_ended_response(request: HttpRequest) -> HttpResponse:
    response = render(request, "family/link_ended.html", status=410)
    response["X-Robots-Tag"] = "noindex"
    response["Referrer-Policy"] = "no-referrer"
    return response


def case_for_family_link(request: HttpRequest, token: str) -> Case:
    """The case behind a family link. Raise Http404 for a link that never was (or was
    replaced), LinkEnded when the case is closed or erased."""
    case = Case.objects.filter(access_token=token).first()
    if case is None:
        raise Http404("No such family link")
    if not case.link_works:
        raise LinkEnded(link_ended_response(request))
    return case


def family_page(request: HttpRequest, token: str) -> HttpResponse:
    """The family's own timeline, reached through the private link in every message."""
    try:
        case = case_for_family_link(request, token)
    except LinkEnded as ended:
        return ended.response
    today = timezone.localdate()
    timeline = [
        {"deadline": d, "state": d.state(today).value}
        for d in case.deadlines.order_by("due", "kind")
    ]
    response = render(
        request,
        "family/page.html",
        {
            "case": case,
            "timeline": timeline,
            # The warning is for the family's own dates: what others owe gets its own line.
            "passed": [
                row
                for row in timeline
                if row["state"] == "passed" and row["deadline"].owner == rules.Owner.PARENT
            ],
        },
    )
    response["X-Robots-Tag"] = "noindex"
    response["Referrer-Policy"] = "no-referrer"  # the token is in the URL
    return response

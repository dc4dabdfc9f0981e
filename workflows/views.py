from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from workflows import rules
from workflows.models import Case


def family_page(request: HttpRequest, token: str) -> HttpResponse:
    """The family's own timeline, reached through the private link in every message."""
    case = get_object_or_404(Case, access_token=token)
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

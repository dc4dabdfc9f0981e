"""The family's own pages, reached from every message: /f/<token>/ and the pages beside it.

Thin views (STYLE.md section 11): parse, call one service, render. The page's data comes from
`casework.family`; a date the family tells us goes through `workflows.services`.
"""

from __future__ import annotations

import functools

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from casework import calendar_feed, family
from casework.family_forms import DateReportForm
from governance.audit import Action, audit_record
from notifications import service_hours
from notifications.views import opt_out
from workflows import rules, services, words
from workflows.models import Case, Contact


def _private(response: HttpResponse, *, referrer: str = "same-origin") -> HttpResponse:
    """noindex, and a referrer only to this site: the token is in the URL. Pages with a form
    cannot send no-referrer: Chrome then posts "Origin: null" and Django's CSRF check refuses."""
    response["X-Robots-Tag"] = "noindex"
    response["Referrer-Policy"] = referrer
    return response


class LinkEnded(Exception):
    """The link belongs to a closed or erased case: the friendly ended page, not the case."""


def _case(token: str) -> Case:
    """The case behind a family link. Http404 for a link that never was (or was replaced),
    LinkEnded when the case is closed or erased."""
    case = Case.objects.select_related("adviser", "council").filter(access_token=token).first()
    if case is None:
        raise Http404("No such family link")
    if not case.link_works:
        raise LinkEnded
    return case


def link_ended_response(request: HttpRequest) -> HttpResponse:
    return _private(render(request, "family/link_ended.html", status=410), referrer="no-referrer")


def family_link(view):
    """Every page behind a family link shows the ended page once the case is closed."""

    @functools.wraps(view)
    def checked(request: HttpRequest, token: str, *args, **kwargs) -> HttpResponse:
        try:
            return view(request, token, *args, **kwargs)
        except LinkEnded:
            return link_ended_response(request)

    return checked


def _common(request: HttpRequest, case: Case) -> dict:
    return {
        "case": case,
        # "Call ... today" only while the service can still answer today.
        "contacts": family.contacts(case, now=timezone.now()),
        "links": {
            "page": reverse("family-page", args=[case.access_token]),
            "dates": reverse("family-dates", args=[case.access_token]),
            "calendar": reverse("family-calendar", args=[case.access_token]),
            "subscribe": calendar_feed.subscribe_url(case),
            "print": reverse("family-print", args=[case.access_token]),
            "messages": reverse("family-messages", args=[case.access_token]),
        },
    }


@require_GET
@family_link
def family_page(request: HttpRequest, token: str) -> HttpResponse:
    """Where the family stands, who to contact, their messages and their calendar."""
    case = _case(token)
    now = timezone.now()
    today = timezone.localdate(now)
    saved = request.GET.get("saved", "")
    context = {
        **_common(request, case),
        "standing": family.standing(case, today=today, call_when=service_hours.when_to_call(now)),
        "choices": family.contact_choices(case),
        "planned": family.planned_messages(case),
        "saved": saved,
    }
    return _private(render(request, "family/page.html", context))


@require_GET
@family_link
def family_print(request: HttpRequest, token: str) -> HttpResponse:
    """Every date with its working open, the reference and the contacts: for paper."""
    case = _case(token)
    context = {
        **_common(request, case),
        "standing": family.standing(
            case,
            today=timezone.localdate(),
            call_when=service_hours.when_to_call(timezone.now()),
        ),
        "today": timezone.localdate(),
    }
    return _private(render(request, "family/print.html", context))


@require_http_methods(["GET", "POST"])
@family_link
def family_dates(request: HttpRequest, token: str) -> HttpResponse:
    """Tell us a date: checked by the rules, recorded as the family's, the adviser asked to
    confirm it; bad input changes nothing."""
    case = _case(token)
    today = timezone.localdate()
    report = DateReportForm(request.POST if request.method == "POST" else None, today=today)
    if request.method == "POST" and report.is_valid():
        event, day = report.cleaned_data["event"], report.cleaned_data["date"]
        try:
            if event in words.FAMILY_GIVEN:
                result = services.family_given_date_report(case=case, kind=event, value=day)
            else:
                result = services.family_date_report(case=case, event=event, value=day, today=today)
        except ValidationError as exc:
            report.add_error("date-day", words.facts_error_words(exc.messages[0]))
        else:
            audit_record(
                action=Action.FAMILY_DATE,
                case=case,
                request=request,
                detail={
                    "event": event,
                    "date": day.isoformat(),
                    "waits_for_adviser": not result.used,
                },
            )
            context = {
                **_common(request, case),
                "result": result,
                "changes": words.family_date_changes(
                    event=event,
                    changes=result.changes,
                    labels=family.standing(case, today=today).labels,
                ),
                "told": {**words.FAMILY_EVENTS, **words.FAMILY_GIVEN}[event][0],
                "told_day": rules.long_date(day),
                "replaces": rules.long_date(result.replaces) if result.replaces else "",
            }
            return _private(
                render(request, "family/dates_done.html", context), referrer="same-origin"
            )
    context = {
        **_common(request, case),
        "report": report,
        "events": [
            (code, label, hint)
            for code, (label, hint) in {**words.FAMILY_EVENTS, **words.FAMILY_GIVEN}.items()
        ],
        "error_list": report.error_list,
    }
    status = 400 if report.errors else 200
    # same-origin, not no-referrer: with no-referrer Chrome sends "Origin: null" with the POST and
    # Django's CSRF check refuses it.
    return _private(
        render(request, "family/dates.html", context, status=status), referrer="same-origin"
    )


@require_POST
@family_link
def family_messages(request: HttpRequest, token: str) -> HttpResponse:
    """One person's choice of texts, emails or both (never their number or address)."""
    case = _case(token)
    contact = get_object_or_404(Contact, case=case, pk=request.POST.get("contact") or 0)
    channels = request.POST.getlist("channels")
    family.contact_channels_set(
        contact=contact, wants_sms="sms" in channels, wants_email="email" in channels
    )
    return redirect(reverse("family-page", args=[token]) + f"?saved={contact.pk}#messages")


@require_http_methods(["GET", "POST"])
@family_link
def family_stop(request: HttpRequest, token: str, contact_id: int) -> HttpResponse:
    """The opt-out page of one person on this case, reached from the family's page: the same
    page as the /stop/<token>/ link in their messages, without printing that link here."""
    case = _case(token)
    contact = get_object_or_404(Contact, case=case, pk=contact_id)
    return opt_out(request, contact.opt_out_token)


@require_GET
@family_link
def family_calendar(request: HttpRequest, token: str) -> HttpResponse:
    case = _case(token)
    body = calendar_feed.calendar_ics(case, today=timezone.localdate())
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="send-dates.ics"'
    return _private(response, referrer="no-referrer")

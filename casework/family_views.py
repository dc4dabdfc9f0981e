"""The family's own pages, reached from every message: /f/<token>/ and the pages beside it.

Thin views (STYLE.md section 11): parse, call one service, render. The page's data comes from
`casework.family`; a date the family tells us goes through `workflows.services`.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from datetime import date

from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from casework import family
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
            "subscribe": family.subscribe_url(case),
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


FAMILY_DATE_RANGE = relativedelta(years=1)  # a calendar year either way, 29 February too


@dataclass
class DateReport:
    """The "tell us a date" form: `event` and the GOV.UK date input's three fields."""

    data: dict
    event: str = ""
    day: date | None = None
    errors: dict[str, str] = field(default_factory=dict)  # field id -> message
    # The date's boxes outlined in red: the ones at fault, or all three for the whole date.
    highlight: set[str] = field(default_factory=lambda: set(DateReport.FIELDS))

    FIELDS = ("date-day", "date-month", "date-year")

    def value(self, name: str) -> str:
        return (self.data.get(name) or "").strip()

    def clean(self, *, today: date) -> bool:
        self.event = self.value("event")
        if self.event not in words.FAMILY_EVENTS and self.event not in words.FAMILY_GIVEN:
            self.errors["event"] = _("Select the date you are telling us about")
        parts = {name: self.value(name) for name in self.FIELDS}
        missing = [name for name, text in parts.items() if not text]
        if len(missing) == 3:
            self.errors["date-day"] = _("Enter the date")
        elif missing:
            what = {
                "date-day": _("a day"),
                "date-month": _("a month"),
                "date-year": _("a year"),
            }
            self.errors[missing[0]] = _("The date must include %(parts)s") % {
                "parts": _(" and ").join(str(what[m]) for m in missing)
            }
            self.highlight = set(missing)
        elif not all(text.isdigit() for text in parts.values()):
            wrong = [name for name, text in parts.items() if not text.isdigit()]
            self.errors[wrong[0]] = _(
                "Use numbers only, like 27 3 2027 for 27 March 2027 (3 is March)"
            )
            self.highlight = set(wrong)
        elif len(parts["date-year"]) != 4:
            self.errors["date-year"] = _("The year must have 4 numbers, like 2027")
            self.highlight = {"date-year"}
        else:
            try:
                numbers = [int(parts[name]) for name in self.FIELDS]
                self.day = date(numbers[2], numbers[1], numbers[0])
            except ValueError:
                self.errors["date-day"] = _("The date must be a real date, like 27 3 2027")
            else:
                self._check_range(today)
        return not self.errors

    def _check_range(self, today: date) -> None:
        """Past events cannot be ahead; and no date this form takes lies more than a year from
        today: one that does is a slip of the year (2016 for 2026), which would tell the family
        a date had long passed. An adviser can record an older date."""
        if self.day > today and self.event not in words.FAMILY_GIVEN:
            self.errors["date-day"] = _("The date must be today or in the past")
        elif not today - FAMILY_DATE_RANGE <= self.day <= today + FAMILY_DATE_RANGE:
            self.errors["date-year"] = (
                _("That is more than a year from today: check the year")
                if self.day > today
                else _(
                    "That is more than a year ago: check the year. If it is right, tell your "
                    "adviser instead"
                )
            )
            self.highlight = {"date-year"}

    @property
    def day_text(self) -> str:
        return self.value("date-day")

    @property
    def month_text(self) -> str:
        return self.value("date-month")

    @property
    def year_text(self) -> str:
        return self.value("date-year")

    @property
    def date_error(self) -> str:
        return next((self.errors[n] for n in self.FIELDS if n in self.errors), "")

    @property
    def date_error_field(self) -> str:
        return next((n for n in self.FIELDS if n in self.errors), "")


@require_http_methods(["GET", "POST"])
@family_link
def family_dates(request: HttpRequest, token: str) -> HttpResponse:
    """Tell us a date: checked by the rules, recorded as the family's, the adviser asked to
    confirm it; bad input changes nothing."""
    case = _case(token)
    today = timezone.localdate()
    report = DateReport(data=request.POST if request.method == "POST" else {})
    if request.method == "POST" and report.clean(today=today):
        try:
            if report.event in words.FAMILY_GIVEN:
                result = services.family_given_date_report(
                    case=case, kind=report.event, value=report.day
                )
            else:
                result = services.family_date_report(
                    case=case, event=report.event, value=report.day, today=today
                )
        except ValidationError as exc:
            report.errors["date-day"] = words.facts_error_words(exc.messages[0])
        else:
            audit_record(
                action=Action.FAMILY_DATE,
                case=case,
                request=request,
                detail={
                    "event": report.event,
                    "date": report.day.isoformat(),
                    "waits_for_adviser": not result.used,
                },
            )
            labels = {
                row.deadline.kind: row.label
                for row in family.standing(case, today=today).rows
                if row.deadline
            }
            changes = []
            for change in result.changes:
                label = labels.get(change.kind, change.kind)
                if report.event in words.FAMILY_GIVEN:
                    label = str(words.FAMILY_GIVEN[report.event][0])
                    changes.append(
                        _("%(label)s: %(day)s")
                        % {"label": label, "day": rules.long_date(change.after)}
                    )
                elif change.done:
                    changes.append(_("%(label)s: done") % {"label": label})
                elif change.before is None:
                    changes.append(
                        _("New date: %(label)s, by %(day)s")
                        % {"label": label, "day": rules.long_date(change.after)}
                    )
                else:
                    changes.append(
                        words.date_moved_words(change.kind, label, change.before, change.after)
                    )
            context = {
                **_common(request, case),
                "result": result,
                "changes": changes,
                "told": {**words.FAMILY_EVENTS, **words.FAMILY_GIVEN}[report.event][0],
                "told_day": rules.long_date(report.day),
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
        "error_list": [
            (name, report.errors[name])
            for name in ("event", *DateReport.FIELDS)
            if name in report.errors
        ],
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
    body = family.calendar_ics(case, today=timezone.localdate())
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="send-dates.ics"'
    return _private(response, referrer="no-referrer")

"""The family's calendar feed: every open date as an event, hearings at their London time.

Built from the family page's rows (casework.family.standing), so the feed and the page never
disagree; served by family_views.family_calendar.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from casework.family import standing
from notifications import schedule
from notifications.rendering import public_url
from workflows import rules
from workflows.models import Case

if TYPE_CHECKING:
    from icalendar import Timezone


# How often a subscribed calendar should fetch the feed again (RFC 7986 REFRESH-INTERVAL, and
# X-PUBLISHED-TTL for the apps that read only that): a hearing the Tribunal moves reaches the
# family's phone the same day. Apps may wait longer (some refresh a subscription once a day).
CALENDAR_REFRESH = timedelta(hours=4)
# SEQUENCE counts seconds from here (not from 1970): it rises with every change a second apart
# and stays within iCalendar's 32-bit INTEGER until 2088.
_SEQUENCE_EPOCH = datetime(2020, 1, 1, tzinfo=UTC)


def london_vtimezone() -> Timezone:
    """Europe/London as its two yearly rules, the form every calendar app reads the same.

    We write hearings at their time in Europe/London, not in UTC, because the letter gives a time
    on London's clocks: apps that know the zone by name (Google, Apple) place it from their own
    zone database, and the rest (Outlook, Thunderbird's ical.js, vobject) from this definition.
    Not icalendar's add_missing_timezones(): it lists every change since 1971 as RDATEs, which
    ical.js and vobject read as an hour ahead of GMT all year (issue 24). The rules have held
    since 1996 (today the Summer Time Act 1972 and the Summer Time Order 2002): clocks go forward
    at 01:00 UTC on the last Sunday of March and back at 01:00 UTC on the last Sunday of October;
    tests/notifications/test_calendar_readers.py checks them against the zone database."""
    from icalendar import Timezone, TimezoneDaylight, TimezoneStandard

    zone = Timezone()
    zone.add("tzid", "Europe/London")
    # DTSTART is the first onset in local time before the change: 01:00 GMT, 02:00 BST.
    for part, month, onset, before, after, name in (
        (TimezoneDaylight(), 3, datetime(1996, 3, 31, 1), 0, 1, "BST"),  # noqa: DTZ001
        (TimezoneStandard(), 10, datetime(1996, 10, 27, 2), 1, 0, "GMT"),  # noqa: DTZ001
    ):
        part.add("dtstart", onset)
        part.add("tzoffsetfrom", timedelta(hours=before))
        part.add("tzoffsetto", timedelta(hours=after))
        part.add("rrule", {"freq": "yearly", "bymonth": month, "byday": "-1SU"})
        part.add("tzname", name)
        zone.add_component(part)
    return zone


def calendar_ics(case: Case, *, today: date, now: datetime | None = None) -> bytes:
    """Every open date as an all-day event on its act-by day, with an alarm the day before.
    UIDs are stable per deadline, so a subscribed calendar moves an event instead of adding one;
    a done or passed date leaves the feed."""
    from icalendar import Alarm, Calendar, Event, vDuration

    now = now or timezone.now()
    host = urlsplit(settings.SENDFLOW_PUBLIC_URL).hostname or "localhost"
    page = public_url(reverse("family-page", args=[case.access_token]))
    calendar = Calendar()
    calendar.add("prodid", f"-//{settings.SENDFLOW_ADVICE_SERVICE_NAME}//SEND dates//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", _("Your SEND dates"))
    calendar.add("refresh-interval", CALENDAR_REFRESH, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", vDuration(CALENDAR_REFRESH).to_ical().decode())
    events = []
    for row in standing(case, today=today).rows:
        if row.state != "open":
            continue
        day = row.act_by_day
        event = Event()
        event.add("uid", f"{row.uid}@{host}")
        event.add("dtstamp", now)
        event.add("last-modified", row.stamp)
        # Grows with every recompute (or change of a given date), so a subscribed calendar takes
        # the newest version.
        event.add("sequence", int((row.stamp - _SEQUENCE_EPOCH).total_seconds()))
        timed = bool(row.given and row.given.time)
        if timed:
            # A hearing or meeting at a time: an event at that time, so the family's calendar
            # shows them busy and "at 10am" where they look (its length is not in the letter).
            start = datetime.combine(row.given.value, row.given.time, tzinfo=schedule.LONDON)
            event.add("dtstart", start)
            event.add("dtend", start + timedelta(hours=1))
        else:
            event.add("dtstart", day)
            event.add("dtend", day + timedelta(days=1))
            event.add("transp", "TRANSPARENT")
        event.add("summary", row.label if row.yours else f"{row.who}: {row.label}")
        lines = [
            f"{row.label}: {row.date_words}.",
            row.sentence
            if row.yours
            else _("%(who)s must do this by %(day)s.") % {"who": row.who, "day": row.date_words},
            row.todo,
            row.source if row.given else _("Our calculation: check it against your letters."),
            _("Your page: %(url)s") % {"url": page},
            _("Help: %(name)s %(phone)s")
            % {
                "name": settings.SENDFLOW_ADVICE_SERVICE_NAME,
                "phone": settings.SENDFLOW_ADVICE_SERVICE_PHONE,
            },
        ]
        event.add("description", "\n".join(lines))
        event.add("url", page)
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", f"{row.label}: {rules.long_date(day)}")
        # 09:00 the day before (an all-day event starts at midnight). Both are London times, so
        # Python subtracts them on the clock ("-P1DT1H30M" for a 10:30 hearing), as RFC 5545
        # (3.3.6) counts a duration's days: a meeting on the Sunday the clocks change still
        # alarms at 9am on the Saturday in apps that follow it.
        day_before = datetime.combine(day - timedelta(days=1), time(9), tzinfo=schedule.LONDON)
        alarm.add("trigger", day_before - start if timed else timedelta(hours=-15))
        event.add_component(alarm)
        events.append(event)
    # A timed hearing names Europe/London: calendars need its VTIMEZONE to place it, before
    # the events that use it.
    if any("TZID" in event["dtstart"].params for event in events):
        calendar.add_component(london_vtimezone())
    for event in events:
        calendar.add_component(event)
    return calendar.to_ical()


def subscribe_url(case: Case) -> str:
    """The webcal:// address that a calendar app subscribes to (it keeps the dates up to date)."""
    url = public_url(reverse("family-calendar", args=[case.access_token]))
    return "webcal://" + url.split("://", 1)[1]

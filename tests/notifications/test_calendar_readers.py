"""The family's calendar feed as parsers we did not write read it (issue 24): Python's vobject, and
Mozilla's ical.js (the library Thunderbird's calendar is built on) under node. Each must place a
hearing, and its 9am-the-day-before alarm, at the instant the letter means, in GMT, in BST and on
the day after each clock change. The instants are written out in UTC, not worked out here."""

import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
import vobject
from django.urls import reverse

from tests.factories import CaseFactory, ContactFactory
from workflows import services

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
ICALJS_SCRIPT = Path(__file__).with_name("read_ics_with_icaljs.mjs")
LETTER = "Tribunal letter of 1 March 2027"

HEARINGS = [
    # (the letter's day and time, the instant in UTC, its alarm's instant in UTC)
    pytest.param(
        date(2027, 3, 16),
        time(10, 30),
        datetime(2027, 3, 16, 10, 30, tzinfo=UTC),
        datetime(2027, 3, 15, 9, tzinfo=UTC),
        id="GMT",
    ),
    # The clocks go forward on Sunday 28 March 2027: the alarm is at 9am BST that Sunday.
    pytest.param(
        date(2027, 3, 29),
        time(10),
        datetime(2027, 3, 29, 9, tzinfo=UTC),
        datetime(2027, 3, 28, 8, tzinfo=UTC),
        id="day-after-clocks-go-forward",
    ),
    pytest.param(
        date(2027, 6, 10),
        time(10, 30),
        datetime(2027, 6, 10, 9, 30, tzinfo=UTC),
        datetime(2027, 6, 9, 8, tzinfo=UTC),
        id="BST",
    ),
    # The clocks go back on Sunday 31 October 2027: the alarm is at 9am GMT that Sunday.
    pytest.param(
        date(2027, 11, 1),
        time(14),
        datetime(2027, 11, 1, 14, tzinfo=UTC),
        datetime(2027, 10, 31, 9, tzinfo=UTC),
        id="day-after-clocks-go-back",
    ),
]


@dataclass
class ReadEvent:
    uid: str
    sequence: int
    start: datetime | date  # an instant in UTC, or the day of an all-day event
    trigger: timedelta | None  # a relative alarm trigger, as the reader took it
    # The alarm's instant in UTC, counted as elapsed time from the start and on the start's own
    # clock (apps do either): both must land at the same instant. None for an all-day event.
    alarm_elapsed: datetime | None
    alarm_on_the_clock: datetime | None


@dataclass
class ReadFeed:
    events: dict[str, ReadEvent]
    refresh_interval: list[tuple[str, str]]  # (value, value type)
    published_ttl: list[str]


def read_with_vobject(body: bytes) -> ReadFeed:
    calendar = vobject.readOne(body.decode())
    events = {}
    for vevent in calendar.vevent_list:
        start = vevent.dtstart.value
        trigger = vevent.valarm.trigger.value
        timed = isinstance(start, datetime)
        events[vevent.uid.value] = ReadEvent(
            uid=vevent.uid.value,
            sequence=int(vevent.sequence.value),
            start=start.astimezone(UTC) if timed else start,
            trigger=trigger,
            alarm_elapsed=start.astimezone(UTC) + trigger if timed else None,
            alarm_on_the_clock=(start + trigger).astimezone(UTC) if timed else None,
        )
    return ReadFeed(
        events=events,
        refresh_interval=[
            (line.value, line.params.get("VALUE", [""])[0].lower())
            for line in calendar.contents.get("refresh-interval", [])
        ],
        published_ttl=[line.value for line in calendar.contents.get("x-published-ttl", [])],
    )


def _utc(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text).astimezone(UTC) if text else None


def _duration(text: str) -> timedelta:
    """ "-P1DT1H30M" as a timedelta (what ical.js prints for a duration)."""
    sign = -1 if text.startswith("-") else 1
    days, _, clock = text.lstrip("+-").removeprefix("P").partition("T")
    total = timedelta(days=int(days.removesuffix("D") or 0))
    number = ""
    for char in clock:
        if char.isdigit():
            number += char
        else:
            total += timedelta(
                **{{"H": "hours", "M": "minutes", "S": "seconds"}[char]: int(number)}
            )
            number = ""
    return sign * total


def read_with_icaljs(body: bytes) -> ReadFeed:
    node = shutil.which("node")
    if node is None or not (ROOT / "node_modules" / "ical.js" / "package.json").exists():
        reason = "ical.js needs node and `npm ci` (as .ci/run does)"
        if os.environ.get("SENDFLOW_REQUIRE_SERVICES") == "1":
            pytest.fail(f"{reason} (SENDFLOW_REQUIRE_SERVICES=1: every reader must run)")
        pytest.skip(reason)
    done = subprocess.run(
        [node, str(ICALJS_SCRIPT)], input=body, capture_output=True, check=True, timeout=60
    )
    read = json.loads(done.stdout)
    events = {}
    for event in read["events"]:
        (alarm,) = event["alarms"]
        events[event["uid"]] = ReadEvent(
            uid=event["uid"],
            sequence=event["sequence"],
            start=date.fromisoformat(event["start"]) if event["all_day"] else _utc(event["start"]),
            trigger=_duration(alarm["trigger"]),
            alarm_elapsed=_utc(alarm["exact"]),
            alarm_on_the_clock=_utc(alarm["wall"]),
        )
    return ReadFeed(
        events=events,
        refresh_interval=[(p["value"], p["value_type"]) for p in read["refresh_interval"]],
        published_ttl=[p["value"] for p in read["published_ttl"]],
    )


@pytest.fixture(params=["vobject", "ical.js"])
def read(request):
    return {"vobject": read_with_vobject, "ical.js": read_with_icaljs}[request.param]


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel("2027-03-01 12:00 +00:00", tick=False):
        yield


@pytest.fixture
def case(settings):
    settings.SENDFLOW_PUBLIC_URL = "https://dates.example.org"
    case = CaseFactory(reference="SF-READERS")
    ContactFactory(case=case, name="Amira", email="amira@example.com")
    services.key_date_set(case=case, event="decision_sent", value=date(2027, 2, 1))
    return case


def feed(client, case) -> bytes:
    response = client.get(reverse("family-calendar", args=[case.access_token]))
    assert response.status_code == 200
    return response.content


@pytest.mark.parametrize(("day", "at", "instant", "alarm"), HEARINGS)
def test_a_hearing_and_its_alarm_land_at_the_same_instant_in_every_reader(
    client, case, read, day, at, instant, alarm
):
    hearing = services.given_date_set(case=case, kind="hearing", value=day, time=at, source=LETTER)
    event = read(feed(client, case)).events[f"given-{hearing.pk}@dates.example.org"]
    assert event.start == instant
    assert event.alarm_elapsed == alarm
    assert event.alarm_on_the_clock == alarm


def test_all_day_dates_stay_all_day_with_their_alarm_at_9am_the_day_before(client, case, read):
    services.given_date_set(
        case=case, kind="hearing", value=date(2027, 3, 16), time=time(10, 30), source=LETTER
    )
    appeal = case.deadlines.get(kind="appeal")
    event = read(feed(client, case)).events[f"deadline-{appeal.pk}@dates.example.org"]
    assert event.start == appeal.effective_act_by == date(2027, 4, 1)
    assert event.trigger == -timedelta(hours=15)  # from midnight: 9am the day before


def test_the_feed_asks_subscribed_calendars_to_refresh_every_four_hours(client, case, read):
    read_feed = read(feed(client, case))
    assert read_feed.refresh_interval == [("PT4H", "duration")]
    assert read_feed.published_ttl == ["PT4H"]


def test_a_moved_hearing_keeps_its_uid_and_its_sequence_rises(client, case, read):
    hearing = services.given_date_set(
        case=case, kind="hearing", value=date(2027, 6, 10), time=time(10, 30), source=LETTER
    )
    uid = f"given-{hearing.pk}@dates.example.org"
    before = read(feed(client, case)).events
    # Moved by a second letter a few seconds later (within the same minute).
    with time_machine.travel("2027-03-01 12:00:05 +00:00", tick=False):
        services.given_date_set(
            case=case,
            given_date=hearing,
            kind="hearing",
            value=date(2027, 11, 1),
            time=time(14),
            source="Tribunal letter of 1 March 2027 (second)",
        )
        after = read(feed(client, case)).events
    assert set(after) == set(before)
    assert after[uid].start == datetime(2027, 11, 1, 14, tzinfo=UTC)
    assert after[uid].sequence > before[uid].sequence
    others = set(before) - {uid}
    assert {u: after[u].sequence for u in others} == {u: before[u].sequence for u in others}


def test_the_feeds_london_time_zone_agrees_with_the_zone_database_for_every_year(client, case):
    services.given_date_set(
        case=case, kind="hearing", value=date(2027, 6, 10), time=time(10, 30), source=LETTER
    )
    body = feed(client, case)
    assert b"RDATE" not in body  # the form ical.js, vobject and Outlook misread
    calendar = vobject.readOne(body.decode())
    (vtimezone,) = calendar.vtimezone_list
    written = vtimezone.gettzinfo()
    london = ZoneInfo("Europe/London")
    instants = [
        datetime(year, month, day, hour, minute, tzinfo=UTC)
        for year in range(1996, 2038)
        for month in (3, 10)
        for day in range(24, 32)  # the last Sunday of the month falls on the 25th to the 31st
        for hour, minute in ((0, 59), (1, 0), (12, 0))
    ] + [
        datetime(year, month, 15, 12, tzinfo=UTC) for year in (2027, 2037) for month in range(1, 13)
    ]
    differ = [
        t for t in instants if t.astimezone(written).utcoffset() != t.astimezone(london).utcoffset()
    ]
    assert differ == []
    assert {t.astimezone(written).tzname() for t in instants} == {"GMT", "BST"}

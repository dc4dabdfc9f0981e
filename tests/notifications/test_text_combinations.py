"""Every text the composer can make fits 2 GSM-7 segments: one to five dates, of every deadline
kind and every kind of date a letter gives, in every state, with long names and links."""

import itertools
import random
from datetime import date, time, timedelta
from types import SimpleNamespace

import pytest

from notifications import gsm, rendering
from notifications.composing import SMS_SEGMENTS, Item, compose_sms
from workflows import rules
from workflows.models import GivenDate

TODAY = date(2027, 2, 24)  # a Wednesday
DUE = date(2027, 3, 7)  # a Sunday: its day to act by is the Friday before
STATES = ("upcoming", "last_day", "act_today", "passed", "owed", "owed_passed", "changed")
WHO = "Exampleshire County Council SEN team: 01234 567890, send.team@exampleshire.gov.uk."


def deadline_items() -> list[Item]:
    items = []
    for kind in rules.RULES:
        words = rendering.deadline_words(kind, DUE, act_by=DUE - timedelta(days=2), today=TODAY)
        for what in (*STATES, "changed_passed"):
            items.append(
                Item(
                    key=kind,
                    what=what,
                    label=words.label,
                    day=DUE,
                    date=rules.long_date(DUE),
                    when="in 9 days",
                    todo=words.late if what == "passed" else words.todo,
                    sentence=words.sentence,
                    who=WHO,
                    owner="the council",
                    mediation_first="listed" if kind == "appeal" else "",
                )
            )
    return items


def given_items() -> list[Item]:
    items = []
    for kind in GivenDate.Kind:
        given = GivenDate(
            kind=kind,
            label="Case management hearing by phone with the judge",
            value=DUE,
            time=time(14, 30) if kind in GivenDate.MEETINGS else None,
            source="Tribunal letter of 12 March 2027",
        )
        given.owner = GivenDate.DEFAULT_OWNERS.get(kind, rules.Owner.PARENT)
        words = rendering.given_words(given)
        for what in ("meeting", "upcoming", "last_day", "passed", "owed", "owed_passed"):
            items.append(
                Item(
                    key=f"given-{kind}",
                    what=what,
                    label=words.label,
                    day=DUE,
                    # As composing says it: a meeting with its time, else the date alone.
                    date=given.date_in_words() if given.is_meeting else rules.long_date(DUE),
                    when="in 11 days",
                    todo=words.todo,
                    sentence=words.sentence,
                    who=WHO,
                    owner="the Tribunal",
                    computed=False,
                )
            )
    return items


@pytest.fixture(params=[True, False], ids=["replies", "alphanumeric-sender"])
def context(request, settings):
    settings.SMS_BACKEND = "twilio"
    settings.TWILIO_MESSAGING_SERVICE_SID = ""
    settings.TWILIO_FROM_NUMBER = "+447900000001" if request.param else "SENDIASS"
    url = "https://reminders.exampleshire-sendiass.org.uk"
    return SimpleNamespace(
        values={
            "service": "Exampleshire SEND Information, Advice and Support Service",
            "family_url": f"{url}/f/{'x' * 22}/",
            "opt_out_url": f"{url}/stop/{'y' * 16}/",
            "call_when": "on Wednesday 30 December 2026",
        }
    )


def combinations() -> list[list[Item]]:
    every = deadline_items() + given_items()
    longest = sorted(every, key=lambda i: -len(i.todo + i.label + i.who + i.sentence))
    chosen = [[item] for item in every]  # each alone
    for n in range(2, 6):
        chosen.extend(longest[k : k + n] for k in range(0, 40, n))  # the longest together
        rng = random.Random(n)
        chosen.extend(rng.sample(every, n) for _ in range(60))
    return chosen


@pytest.mark.slow
def test_every_combination_of_one_to_five_dates_fits_two_segments_in_gsm7(context):
    problems = []
    for items in combinations():
        body = compose_sms(items, context.values)
        if gsm.segments(body) > SMS_SEGMENTS or not gsm.is_gsm7(body):
            problems.append((len(body), [(i.key, i.what) for i in items], body))
    assert problems == []


def test_the_text_names_the_most_urgent_dates_and_counts_the_rest(context):
    every = deadline_items()
    items = [i for i in every if i.what == "upcoming" and not i.mediation_first][:5]
    body = compose_sms(items, context.values)
    assert items[0].label in body
    shown = sum(1 for i in items if i.label in body)
    assert shown < 5
    assert f"And {5 - shown} more on your page." in body


def test_the_stop_words_follow_the_sender(context, settings):
    body = compose_sms(deadline_items()[:1], context.values)
    if settings.TWILIO_FROM_NUMBER.startswith("+"):
        assert body.endswith("Reply STOP to stop texts")
        assert "/stop/" not in body
    else:
        assert body.endswith(f"Stop texts: {context.values['opt_out_url']}")


def test_every_item_kind_is_named_in_words_not_codes():
    for item, _ in itertools.product(deadline_items() + given_items(), [None]):
        body = compose_sms(
            [item],
            {"service": "S", "family_url": "u", "opt_out_url": "o", "call_when": "today"},
        )
        assert "_" not in body.replace("family_url", ""), body

"""Issue 19, part 3: every list and page that shows a deadline says its state today in words
first (Open: due ..., Done on ..., Passed ... working days ago), and the adviser's own marking
second, labelled so the two cannot be confused."""

import html as html_module
import re
from datetime import UTC, date, datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.factories import CaseFactory
from workflows import rules, words
from workflows.models import Deadline

pytestmark = pytest.mark.django_db

# Monday 7 December 2026, noon in London (GMT in winter).
NOW = datetime(2026, 12, 7, 12, tzinfo=UTC)
TODAY = date(2026, 12, 7)

OPEN = "Open: due Monday 1 March 2027 (in 57 working days)"
DONE = "Done on Tuesday 1 December 2026 (the family sent the appeal)"
PASSED = "Passed Monday 23 November 2026, 10 working days ago"
MISSED = "Passed Monday 2 November 2026, 25 working days ago"


def deadline(case, kind, due, **fields):
    return Deadline.objects.create(
        case=case,
        kind=kind,
        due=due,
        owner=rules.Owner.PARENT,
        rule="SEND Regulations 2014 reg 43",
        confidence=rules.Confidence.PRIMARY,
        steps=["A step of the working."],
        computed_at=timezone.now(),
        aim_for=due,
        act_by=due,
        **fields,
    )


def three_deadlines(case):
    """An appeal the family sent on 1 December, a passed contact date nobody marked, and an
    open complaint reply the adviser moved, with a reason; and one marked missed."""
    deadline(
        case, "appeal", date(2027, 1, 4), done_by="appeal_submitted", done_on=date(2026, 12, 1)
    )
    deadline(case, "mediation_adviser_contact", date(2026, 11, 23))
    deadline(
        case,
        "complaint_response",
        date(2027, 2, 26),
        override_date=date(2027, 3, 1),
        override_reason="the council's letter came late",
        overridden_at=NOW,
    )
    deadline(case, "certificate_due", date(2026, 11, 2), status=Deadline.Status.MISSED)


def cells(html, row_text):
    """The cells of the result row holding `row_text`, in order, as plain text."""
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", html, re.S):
        if row_text in row:
            found = re.findall(r'<t[dh] class="field-(\w+)[^"]*"[^>]*>(.*?)</t[dh]>', row, re.S)
            return {n: html_module.unescape(re.sub(r"<[^>]+>", "", t)).strip() for n, t in found}, [
                name for name, _ in found
            ]
    raise AssertionError(f"no row with {row_text!r}")


def test_the_words_for_each_state():
    say = words.deadline_state_words
    assert say(state="open", due=date(2027, 3, 1), today=TODAY) == OPEN
    assert say(state="open", due=TODAY, today=TODAY) == "Open: due today, Monday 7 December 2026"
    assert (
        say(state="open", due=date(2026, 12, 8), today=TODAY)
        == "Open: due Tuesday 8 December 2026 (in 1 working day)"
    )
    assert (
        say(
            state="done",
            due=date(2027, 1, 4),
            today=TODAY,
            done_by="appeal_submitted",
            done_on=date(2026, 12, 1),
        )
        == DONE
    )
    assert say(state="done", due=TODAY, today=TODAY, status="met") == (
        "Done (the adviser marked it met)"
    )
    assert say(state="passed", due=date(2026, 11, 23), today=TODAY) == PASSED
    # Saturday passed, today Sunday: no working day has gone by since.
    assert (
        say(state="passed", due=date(2026, 12, 5), today=date(2026, 12, 6))
        == "Passed Saturday 5 December 2026, no working day since"
    )
    assert say(state="passed", due=date(2026, 12, 10), today=TODAY, status="missed") == (
        "Passed (the adviser marked it missed); due Thursday 10 December 2026"
    )
    # The family's words never reach the adviser's sentence.
    assert words.done_event_words("complaint_escalated") == (
        "the family's complaint went to the next stage"
    )
    for event in rules.EVENTS:
        assert not re.search(r"\b(you|your)\b", words.done_event_words(event), re.I), event


def test_the_markings_in_words():
    assert words.marking_words(status="open") == "Not marked"
    assert words.marking_words(status="met") == "Marked met"
    assert (
        words.marking_words(
            status="waived", override_date=date(2027, 3, 1), override_reason="letter came late"
        )
        == "Marked waived; date moved to Monday 1 March 2027: letter came late"
    )


@time_machine.travel(NOW, tick=False)
def test_the_deadline_list_says_the_state_first_and_the_marking_apart(admin_client_logged_in):
    case = CaseFactory()
    three_deadlines(case)
    html = admin_client_logged_in.get(reverse("admin:workflows_deadline_changelist")).content
    html = html.decode()
    assert "state today" in html.lower()
    assert "adviser&#x27;s marking" in html.lower()
    for label, state, marking in (
        ("Appeal to the SEND Tribunal", DONE, "Not marked"),
        ("Contact the mediation adviser", PASSED, "Not marked"),
        (
            "Reply to the complaint",
            OPEN,
            "Not marked; date moved to Monday 1 March 2027: the council's letter came late",
        ),
        ("Mediation certificate", MISSED, "Marked missed"),
    ):
        row, order = cells(html, label)
        assert row["state_today"] == state
        assert row["marking"] == marking
        assert order.index("state_today") < order.index("marking")
    # The adviser's marking, not the state, is what the filter offers, in the same words.
    assert "Not marked" in html
    assert "Marked waived" in html
    # A passed deadline reads "Passed" in red (the must-show).
    assert re.search(r'class="deadline-passed"[^>]*>Passed Monday 23 November 2026', html)


@time_machine.travel(NOW, tick=False)
def test_the_marking_filter_filters_on_the_marking(admin_client_logged_in):
    case = CaseFactory()
    three_deadlines(case)
    url = reverse("admin:workflows_deadline_changelist") + "?status=missed"
    html = admin_client_logged_in.get(url).content.decode()
    assert MISSED in html
    assert PASSED not in html


@time_machine.travel(NOW, tick=False)
def test_the_case_page_inline_says_the_state_first_and_the_marking_apart(admin_client_logged_in):
    case = CaseFactory()
    three_deadlines(case)
    url = reverse("admin:workflows_case_change", args=[case.id])
    html = admin_client_logged_in.get(url).content.decode()
    group = html[html.index('id="deadlines-group"') :]
    group = group[: group.index("</fieldset>")] if "</fieldset>" in group else group
    for text in (OPEN, DONE, PASSED, MISSED):
        assert text.replace("'", "&#x27;") in group, text
    # The column headings name the two apart; the marking's choices are not the state's words.
    headings = re.findall(r"<th[^>]*>\s*([^<]+?)\s*(?:<|$)", group)
    assert "State today" in headings or "state today" in [h.lower() for h in headings]
    assert any(
        h.lower() == "adviser's marking" or h.lower() == "adviser&#x27;s marking" for h in headings
    )
    assert headings.index(next(h for h in headings if h.lower() == "state today")) < next(
        i for i, h in enumerate(headings) if "marking" in h.lower()
    )
    assert re.search(r'<option value="open" selected>Not marked</option>', group)
    assert re.search(r'<option value="missed" selected>Marked missed</option>', group)
    assert ">Open</option>" not in group


@time_machine.travel(NOW, tick=False)
def test_the_state_costs_no_query_a_row(admin_client_logged_in):
    url = reverse("admin:workflows_deadline_changelist")
    three_deadlines(CaseFactory())
    admin_client_logged_in.get(url)  # warm the session and caches
    with CaptureQueriesContext(connection) as few:
        admin_client_logged_in.get(url)
    for _ in range(5):
        three_deadlines(CaseFactory())
    with CaptureQueriesContext(connection) as many:
        html = admin_client_logged_in.get(url).content.decode()
    assert html.count("Passed Monday 23 November 2026") == 6
    assert len(many) == len(few)

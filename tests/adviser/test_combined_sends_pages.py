"""What an adviser sees of combined sends: the outbox and the case page say which rows went as
one message, and the case page shows the family's next messages as they will go."""

import html
import re
from datetime import date, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from casework import preview
from notifications.backends import locmem
from notifications.models import OutboundMessage, Suppression
from sendflow.privacy import mask_links
from tests.helpers import london
from tests.notifications.test_combined_sends import (  # noqa: F401 - fixtures
    DECISION,
    FOUR_WEEKS,
    family,
    run_dispatch,
)
from workflows import services as workflow_services

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("locmem_sends")]

Status = OutboundMessage.Status


def section(page: str, element_id: str) -> str:
    start = page.index(f'id="{element_id}"')
    # Up to the next of the page's sections (a folded one is a <details class="module">).
    return page[start : re.compile(r'<(div|details) class="module').search(page, start + 1).start()]


def text_of(fragment: str) -> str:
    """Text as read: a link or emphasis runs on in its sentence, a cell or line break is a
    space."""
    fragment = re.sub(r"</?(a|strong|small|span)\b[^>]*>", "", fragment)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def rows_of(part: str) -> list[str]:
    """Each message of the preview, as an adviser reads it."""
    return [text_of(row) for row in re.findall(r'<tr class="next-send".*?</tr>', part, flags=re.S)]


def case_page(client, adviser, case, *, at) -> str:
    """The case page at a moment (logged in then: a session from today has expired by 2027)."""
    with time_machine.travel(at, tick=False):
        client.force_login(adviser)
        response = client.get(reverse("admin:workflows_case_change", args=[case.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_the_case_page_shows_one_message_a_day_and_channel_as_the_family_will_get_it(
    admin_client_logged_in,
    adviser,
    family,  # noqa: F811
):
    page = case_page(admin_client_logged_in, adviser, family, at=london(DECISION, 12))
    part = section(page, "case-next-sends")
    assert "What the family will get next" in part
    shown = rows_of(part)
    # The next 3 send days, a text and an email each: the two dates of each day in one.
    days = ("Thursday 4 February 2027", "Thursday 18 February 2027", "Thursday 25 February 2027")
    assert [row.split(" at ")[0] for row in shown] == [day for day in days for _ in (1, 2)]
    for row in shown:
        assert "Amira Khan" in row
        assert "2 dates in one message" in row
    text, email = shown[:2]
    assert text.startswith("Thursday 4 February 2027 at 10:00 Amira Khan SMS")
    assert "Contact the mediation adviser by Thursday 4 March 2027 (in 4 weeks)." in text
    assert "Then the appeal to the SEND Tribunal, the same day" in text
    assert "Subject: 2 things to do by Thursday 4 March 2027" in email
    assert "segment" not in email  # an email has no segments

    # What went that morning is what the page showed, word for word, with its size.
    run_dispatch(london(FOUR_WEEKS, 10, 1))
    (sent,) = locmem.outbox
    assert " ".join(mask_links(sent.body).split()) in text
    length = len(sent.body)
    assert text.endswith(f"2 segments, {length} characters")
    assert "/f/" + family.access_token not in page  # the family's link is shortened


def test_a_countdown_reminder_due_the_next_day_shows_in_the_days_message(
    admin_client_logged_in,
    family,  # noqa: F811
):
    """As dispatch sends it: a reminder more than a week from its date comes a day early, so
    the preview shows one message, not one on each day."""
    with time_machine.travel(london(FOUR_WEEKS, 9), tick=False):
        workflow_services.given_date_set(
            case=family,
            kind="final_evidence",
            value=date(2027, 4, 2),
            source="Tribunal letter of 3 February 2027",
        )
    day = date(2027, 2, 25)
    OutboundMessage.objects.filter(
        case=family, kind="reminder", offset="4w", deadline_kind="given:final_evidence"
    ).update(send_at=london(day + timedelta(days=1)))
    for earlier in (FOUR_WEEKS, date(2027, 2, 18)):
        run_dispatch(london(earlier, 10, 1))
    locmem.outbox.clear()

    sends = preview.next_sends(family, now=london(day, 9))
    texts = [s for s in sends if s.channel == "sms"]
    assert [(s.day, s.rows, s.dates) for s in texts][:2] == [(day, 3, 3), (date(2027, 3, 2), 2, 2)]
    run_dispatch(london(day, 10, 1))
    (sent,) = locmem.outbox
    assert texts[0].body == sent.body


def test_a_text_due_in_quiet_hours_shows_the_morning_it_will_go(family):  # noqa: F811
    evening = london(FOUR_WEEKS, 21)  # the day's reminders have not gone yet
    sends = preview.next_sends(family, now=evening, days=1)
    assert [(s.channel, s.day, s.at, s.due_now, s.rows) for s in sends] == [
        ("email", FOUR_WEEKS, evening, True, 2),  # emails have no quiet hours
    ]
    (text,) = preview.next_sends(family, now=evening, days=2)[1:]
    assert (text.channel, text.at, text.rows) == ("sms", london(FOUR_WEEKS + timedelta(1), 9), 2)


def test_the_preview_reads_and_never_writes(family):  # noqa: F811
    with CaptureQueriesContext(connection) as queries:
        sends = preview.next_sends(family, now=london(DECISION, 12))
    assert len(sends) == 6
    writes = [q["sql"] for q in queries if not q["sql"].lstrip().upper().startswith("SELECT")]
    assert writes == []
    assert OutboundMessage.objects.filter(case=family, status=Status.PENDING).count() == 20


def test_the_preview_says_when_an_address_has_opted_out(
    admin_client_logged_in,
    adviser,
    family,  # noqa: F811
):
    Suppression.objects.create(channel="sms", address="+447400123456", reason="stop_reply")
    page = case_page(admin_client_logged_in, adviser, family, at=london(DECISION, 12))
    shown = rows_of(section(page, "case-next-sends"))
    texts = [row for row in shown if " SMS " in row]
    assert texts
    assert all("Will not be sent: this address has opted out" in row for row in texts)
    assert not any("opted out" in row for row in shown if " Email " in row)


def test_the_outbox_says_which_rows_went_as_one_message(admin_client_logged_in, family):  # noqa: F811
    run_dispatch(london(FOUR_WEEKS, 10, 1))
    sms = OutboundMessage.objects.filter(case=family, channel="sms", kind="reminder")
    lead = sms.get(combined_into=None, status=Status.SENT)
    rider = sms.get(combined_into=lead)
    url = reverse("admin:notifications_outboundmessage_changelist")
    page = admin_client_logged_in.get(f"{url}?case__id__exact={family.pk}&show=all")
    page = page.content.decode()
    lead_url = reverse("admin:notifications_outboundmessage_change", args=[lead.pk])

    rider_row = _outbox_row(page, rider.pk)
    assert f"Sent in one message with 1 other (#{lead.pk})" in text_of(rider_row)
    assert f'<a href="{lead_url}">#{lead.pk}</a>' in rider_row
    assert "One message with 1 other in it" in text_of(_outbox_row(page, lead.pk))
    # The welcome summary went alone: nothing said.
    summary = OutboundMessage.objects.get(case=family, channel="sms", kind="summary")
    assert "one message" not in text_of(_outbox_row(page, summary.pk)).lower()

    # The row's own page says it too.
    rider_page = admin_client_logged_in.get(
        reverse("admin:notifications_outboundmessage_change", args=[rider.pk])
    ).content.decode()
    assert f"Sent in one message with 1 other (#{lead.pk})" in text_of(rider_page)


def test_the_case_page_says_which_messages_went_as_one(
    admin_client_logged_in,
    adviser,
    family,  # noqa: F811
):
    run_dispatch(london(FOUR_WEEKS, 10, 1))
    email = OutboundMessage.objects.filter(case=family, channel="email", kind="reminder")
    lead = email.get(combined_into=None, status=Status.SENT)
    rider = email.get(combined_into=lead)
    page = case_page(admin_client_logged_in, adviser, family, at=london(FOUR_WEEKS, 12))
    history = page[page.index('id="case-messages"') :]
    rider_url = reverse("admin:notifications_outboundmessage_change", args=[rider.pk])
    row = history[history.index(f'<a href="{rider_url}">') :]
    row = row[: row.index("</tr>")]
    lead_url = reverse("admin:notifications_outboundmessage_change", args=[lead.pk])
    assert f"Sent in one message with 1 other (#{lead.pk})" in text_of(row)
    assert f'<a href="{lead_url}">#{lead.pk}</a>' in row
    assert text_of(history).count("One message with 1 other in it") == 2  # the text and the email


def test_the_outbox_reads_how_many_went_together_in_its_own_query(
    admin_client_logged_in,
    family,  # noqa: F811
    django_assert_max_num_queries,
):
    url = reverse("admin:notifications_outboundmessage_changelist") + "?show=sent"
    run_dispatch(london(FOUR_WEEKS, 10, 1))
    with CaptureQueriesContext(connection) as few:
        admin_client_logged_in.get(url)
    for day in (date(2027, 2, 18), date(2027, 2, 25), date(2027, 3, 2)):
        run_dispatch(london(day, 10, 1))
    assert OutboundMessage.objects.filter(combined_into__isnull=False).count() == 8
    with django_assert_max_num_queries(len(few)):
        page = admin_client_logged_in.get(url).content.decode()
    assert text_of(page).count("One message with 1 other in it") == 8


def _outbox_row(page: str, message_id: int) -> str:
    """The outbox list's row of one message (found by its action checkbox)."""
    start = page.index(f'name="_selected_action" value="{message_id}"')
    start = page.rindex("<tr", 0, start)
    return page[start : page.index("</tr>", start)]

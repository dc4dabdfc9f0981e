"""Issue 19, part 5: the case page's first screen, read from the HTML. Who the family is and
whether a message can reach them (stopped, paused, failing), the next step and its day, what is
wrong (each count beside the list that holds it), the routes; one "recorded by" column in the
key dates; the rest folded."""

import re
from datetime import UTC, date, datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from notifications.models import OutboundMessage, Suppression
from tests.factories import AdviserTaskFactory, CaseFactory, ContactFactory
from workflows import services
from workflows.models import FamilyReportedDate, KeyDate, Route

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 12, 7, 12, tzinfo=UTC)  # near the session's own day: it stays valid


def _section(page: str, element_id: str) -> str:
    start = page.index(f'id="{element_id}"')
    return page[start : page.index("</section>", start)]


def _page(client, case) -> str:
    return client.get(reverse("admin:workflows_case_change", args=[case.pk])).content.decode()


@pytest.fixture
def case(db):
    with time_machine.travel(NOW, tick=False):
        case = CaseFactory(reference="SF-FIRST")
        ContactFactory(case=case, name="Ben Jones", mobile="+447400123102")
        Route.objects.create(case=case, kind="appeal")
        services.key_date_set(case=case, event="decision_sent", value=date(2026, 11, 2))
    return case


@time_machine.travel(NOW, tick=False)
def test_the_first_screen_says_who_how_to_reach_them_and_the_next_step(
    admin_client_logged_in, case
):
    page = _page(admin_client_logged_in, case)
    first = page[page.index('id="case-first-screen"') : page.index('id="fieldset-0-0-heading"')]
    family = _section(first, "case-family")
    assert "Ben Jones" in family
    assert "07400 123102" in family
    assert "Texts on" in family
    assert "Emails on" in family
    step = _section(first, "case-next-step")
    assert "Act by" in step
    assert "working days left" in step
    assert "Appeal to the SEND Tribunal" in _section(first, "case-routes-summary")
    assert 'id="case-nothing-wrong"' in _section(first, "case-problems")
    # The rest follows, folded.
    for folded in ("case-tasks", "case-next-sends", "case-messages", "case-routes"):
        assert re.search(rf'<details class="module case-more" id="{folded}">', page), folded
    assert '<details class="deadline-working">' in page


@time_machine.travel(NOW, tick=False)
def test_a_case_whose_deadlines_are_all_done_says_so_not_that_it_has_none(
    admin_client_logged_in, case
):
    for deadline in case.deadlines.all():
        services.deadline_update(
            deadline=deadline,
            status="waived",
            status_reason="The family chose another route",
            override_date=None,
            override_reason="",
            by=None,
        )
    step = _section(_page(admin_client_logged_in, case), "case-next-step")
    assert "every deadline on the case is done or marked" in step
    assert "no date on the case sets a deadline" not in step


@time_machine.travel(NOW, tick=False)
def test_the_first_screen_says_when_a_message_cannot_reach_them(admin_client_logged_in, case):
    Suppression.objects.create(
        channel="sms", address="+447400123102", reason=Suppression.Reason.STOP_REPLY
    )
    contact = case.contacts.get()
    OutboundMessage.objects.create(
        case=case,
        contact=contact,
        kind="reminder",
        channel="email",
        to=contact.email,
        status="failed",
        send_at=timezone.now(),
    )
    case.reminders_paused = True
    case.save()
    family = _section(_page(admin_client_logged_in, case), "case-family")
    assert "Reminders paused" in family
    assert "No texts: Replied STOP" in family
    assert "The last email failed: check the address" in family
    assert "No message can reach Ben Jones" in family


@time_machine.travel(NOW, tick=False)
def test_each_family_date_count_sits_beside_the_list_that_holds_it(admin_client_logged_in, case):
    KeyDate.objects.create(
        case=case,
        event="mediation_adviser_contacted",
        value=date(2026, 12, 2),
        source="family",
        confirmed=False,
    )
    page = _page(admin_client_logged_in, case)
    waiting = _section(page, "case-problems")
    # One unconfirmed key date: counted with the key dates, no link to an empty list.
    assert "1 date the family told us" in waiting
    assert 'href="#key_dates-group"' in waiting
    assert "familyreporteddate" not in waiting

    FamilyReportedDate.objects.create(case=case, event="decision_sent", value=date(2026, 11, 3))
    waiting = _section(_page(admin_client_logged_in, case), "case-problems")
    link = re.search(
        r'href="([^"]*familyreporteddate[^"]*)">dates the family told us \((\d+)\)', waiting
    )
    assert link
    listed = admin_client_logged_in.get(link[1].replace("&amp;", "&"))
    assert listed.context["cl"].result_count == int(link[2]) == 1


@time_machine.travel(NOW, tick=False)
def test_the_key_dates_have_one_recorded_by_column(admin_client_logged_in, case):
    page = _page(admin_client_logged_in, case)
    group = page[
        page.index('id="key_dates-group"') : page.index(
            "</thead>", page.index('id="key_dates-group"')
        )
    ]
    headings = [h.strip().lower() for h in re.findall(r"<th[^>]*>\s*([^<]*)", group)]
    assert headings.count("recorded by") == 1
    assert "recorded at" not in headings


def test_open_tasks_of_one_kind_are_named_once_with_their_number(client):
    from tests.factories import SupervisorFactory
    from workflows.models import AdviserTask

    case = CaseFactory()
    for _ in range(2):
        AdviserTaskFactory(case=case, kind=AdviserTask.Kind.DEADLINE_PASSED, text="passed")
    client.force_login(SupervisorFactory())

    page = client.get(reverse("admin:workflows_case_change", args=[case.pk])).content.decode()

    banner = re.search(r'id="case-open-tasks-banner">(.*?)</li>', page, re.S)[1]
    label = AdviserTask.Kind.DEADLINE_PASSED.label
    assert "2 open tasks:" in banner
    assert f"{label} (2)" in banner
    assert banner.count(label) == 1

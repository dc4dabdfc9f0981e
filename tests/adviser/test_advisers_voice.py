"""The adviser's voice on every page an adviser reads (issue 19, part 2): labels, tasks,
workings, cancellation reasons and audit pages name the family in the third person. Only the
family's own words (a message as it goes, a text they sent us) may say "you"."""

import importlib
import io
import re
from datetime import date, timedelta
from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.contrib import admin
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from notifications import rendering
from notifications import services as notification_services
from notifications.models import OutboundMessage
from tests.factories import CaseFactory, ContactFactory, SupervisorFactory
from workflows import rules, services, words
from workflows.models import AdviserTask, Case, GivenDate

pytestmark = pytest.mark.django_db

YOU = re.compile(r"\byou(r|rs|rself|rselves)?\b", re.IGNORECASE)

# The family's own words an adviser may read as they are: a message's subject and text as it
# goes (the case's next sends, a message's body as sent, the policies' preview).
_FAMILY_TEXT = ("next-send-body", "preview-text")


def _family_text(tag: str, attrs: dict) -> bool:
    classes = (attrs.get("class") or "").split()
    # A message's body as sent, on its outbox page, is set in monospace.
    monospace = "font-family:monospace" in (attrs.get("style") or "").replace(" ", "")
    return monospace or any(c in classes for c in _FAMILY_TEXT)


class _AdviserText(HTMLParser):
    """The text of a page without scripts, styles and the family's own words."""

    def __init__(self):
        super().__init__()
        self.parts: list[str] = []
        self._skipping: str | None = None
        self._depth = 0

    def handle_starttag(self, tag, attrs):
        if self._skipping:
            self._depth += tag == self._skipping
            return
        if tag in ("script", "style") or _family_text(tag, dict(attrs)):
            self._skipping, self._depth = tag, 1

    def handle_endtag(self, tag):
        if self._skipping and tag == self._skipping:
            self._depth -= 1
            if not self._depth:
                self._skipping = None

    def handle_data(self, data):
        # A message's subject is the family's words too ("Subject: Your key dates from ...").
        if not self._skipping and not data.strip().startswith("Subject:"):
            self.parts.append(data)


def _adviser_text(html: str) -> str:
    parser = _AdviserText()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


def _you(text: str) -> list[str]:
    return [text[max(0, m.start() - 60) : m.end() + 60] for m in YOU.finditer(text)]


@pytest.fixture
def caseload(db):
    """The demo caseload, with every kind of task an adviser is given in the family's affairs
    and a page's worth of each kind of date."""
    call_command("demo_data", stdout=io.StringIO())
    today = timezone.localdate()
    two = Case.objects.get(reference="DEMO-02")
    # A date the family told us that differs from the adviser's confirmed one, and one used.
    services.family_date_report(
        case=two, event="decision_letter_dated", value=today - timedelta(days=12), today=today
    )
    services.key_date_set(case=two, event="complaint_sent", value=today - timedelta(days=30))
    services.family_date_report(
        case=two, event="complaint_sent", value=today - timedelta(days=31), today=today
    )
    # Dates a letter gave, one the family told us, one with a confirmed date they dispute.
    hearing = services.given_date_set(
        case=two,
        kind=GivenDate.Kind.HEARING,
        value=today + timedelta(days=40),
        source="Tribunal letter of 1 March 2027",
    )
    services.family_given_date_report(
        case=two, kind=GivenDate.Kind.HEARING, value=today + timedelta(days=41)
    )
    services.family_given_date_report(
        case=two, kind=GivenDate.Kind.MEDIATION_MEETING, value=today + timedelta(days=20)
    )
    response = services.given_date_set(
        case=two, kind=GivenDate.Kind.LA_RESPONSE, value=today - timedelta(days=3)
    )
    # Checks that went out: a date the council owed, and one a letter gave.
    for kind in ("ehc_assessment_decision", "complaint_response", "review_decision"):
        notification_services.check_task_create(case=two, kind=kind, due=today - timedelta(days=1))
    check = OutboundMessage.objects.create(
        case=two,
        contact=two.contacts.first(),
        kind=OutboundMessage.Kind.CHECK,
        channel="email",
        deadline_kind=words.GIVEN_PREFIX + response.kind,
        given_date=response,
        send_at=timezone.now(),
        status=OutboundMessage.Status.SENT,
    )
    notification_services._after_sent(check, now=timezone.now())
    # A date recorded for a day to come (a flag), and an override that a moved date reopens.
    five = Case.objects.get(reference="DEMO-05")
    services.key_date_set(
        case=five, event="appeal_submitted", value=today + timedelta(days=3), confirmed=True
    )
    appeal = five.deadlines.get(kind="appeal")
    services.deadline_update(
        deadline=appeal,
        status="met",
        override_date=appeal.due - timedelta(days=1),
        override_reason="The letter came late",
        by=None,
    )
    services.key_date_set(case=five, event="decision_sent", value=today - timedelta(days=29))
    return {"two": two, "five": five, "hearing": hearing}


@pytest.mark.slow
def test_no_admin_page_speaks_to_the_family(client, caseload):
    assert OutboundMessage.objects.filter(
        status=OutboundMessage.Status.CANCELLED, status_reason__startswith="step done"
    ).exists()
    open_tasks = AdviserTask.objects.filter(done_at__isnull=True)
    assert open_tasks.filter(kind=AdviserTask.Kind.FAMILY_DATE).count() >= 3
    assert open_tasks.filter(kind=AdviserTask.Kind.CHECK_DEADLINE).count() >= 4
    assert open_tasks.filter(kind=AdviserTask.Kind.DATES_TO_CHECK).exists()
    client.force_login(SupervisorFactory())
    pages = [reverse("admin:index"), reverse("admin:workflows_calculator")]
    pages.append(
        reverse("admin:workflows_calculator")
        + "?"
        + "&".join(f"{event}=2026-10-01" for event in rules.EVENTS)
    )
    pages += [reverse("admin:today"), reverse("admin:notifications_reminderpolicy_preview")]
    for model in admin.site._registry:
        label, name = model._meta.app_label, model._meta.model_name
        if label not in ("workflows", "notifications", "governance", "auditlog"):
            continue
        pages.append(reverse(f"admin:{label}_{name}_changelist"))
        for obj in model.objects.order_by("-pk")[:3]:
            pages.append(reverse(f"admin:{label}_{name}_change", args=[obj.pk]))
    for ref in [f"DEMO-{n:02d}" for n in range(1, 11)]:
        pk = Case.objects.get(reference=ref).pk
        pages += [
            reverse("admin:workflows_case_change", args=[pk]),
            reverse("admin:workflows_case_chronology", args=[pk]),
        ]
    outbox = reverse("admin:notifications_outboundmessage_changelist")
    pages += [outbox + "?status__exact=cancelled", outbox + "?status__exact=failed"]
    pages.append(reverse("admin:workflows_advisertask_changelist") + "?state=open")
    found = {}
    for url in dict.fromkeys(pages):
        response = client.get(url, follow=True)
        assert response.status_code == 200, url
        said = _you(_adviser_text(response.content.decode()))
        if said:
            found[url] = said
    # The import preview says the dates it read.
    dated = ("decision_sent", "mediation_adviser_contacted", "complaint_sent", "appeal_submitted")
    csv = f"reference,parent_name,{','.join(dated)}\nNEW-1,Amira Khan" + ",2026-10-01" * 4
    preview = client.post(
        reverse("admin:workflows_case_import"),
        {"step": "preview", "file": SimpleUploadedFile("cases.csv", csv.encode(), "text/csv")},
    )
    assert "The family contacted the mediation adviser" in _adviser_text(preview.content.decode())
    if said := _you(_adviser_text(preview.content.decode())):
        found["import preview"] = said
    assert found == {}, "\n".join(f"{url}: {said}" for url, said in found.items())


# --- the tasks raised in the family's voice before, rewritten once -------------------------------

TEMPLATE_KINDS = sorted(
    p.stem for p in (settings.BASE_DIR / "templates/notifications/deadlines").glob("*.txt")
)
GIVEN_KINDS = sorted(
    p.stem for p in (settings.BASE_DIR / "templates/notifications/given").glob("*.txt")
)


def _step():
    return importlib.import_module("notifications.migrations.0018_open_tasks_in_advisers_voice")


def _old_check_text(kind, due):
    """A check task as the older code raised it: the family's sentence from the message
    template."""
    sentence = rendering.deadline_words(kind, due).sentence
    return (
        f"{sentence} Check with the family whether it has arrived, and record its date on the case."
    )


def test_check_tasks_raised_in_the_familys_voice_are_not_raised_again(db):
    from tests.moved_models import apps

    case = CaseFactory(reference="OLD-1")
    due = date(2026, 11, 27)
    kinds = [k for k in TEMPLATE_KINDS if k != "default"] + ["ehc_no_plan_decision"]
    old = {}
    for i, kind in enumerate(kinds):
        old[kind] = AdviserTask.objects.create(
            case=case,
            kind=AdviserTask.Kind.CHECK_DEADLINE,
            text=_old_check_text(kind, due),
            done_at=timezone.now() if i % 2 else None,  # done ones match the look-up too
        )
    _step().forwards(apps, None)
    for kind in kinds:
        task, created = notification_services.check_task_create(case=case, kind=kind, due=due)
        assert not created, kind
        assert task.pk == old[kind].pk
        assert not YOU.search(task.text), task.text
    assert AdviserTask.objects.count() == len(kinds)
    _step().backwards(apps, None)
    for kind in kinds:
        assert AdviserTask.objects.get(pk=old[kind].pk).text == _old_check_text(kind, due)


def test_given_date_checks_raised_in_the_familys_voice_are_not_raised_again(db):
    from tests.moved_models import apps

    case = CaseFactory(reference="OLD-2")
    ContactFactory(case=case)
    messages = []
    for kind in GIVEN_KINDS:
        given = services.given_date_set(
            case=case, kind=kind, value=date(2026, 11, 27), label="Case call" * (kind == "other")
        )
        sentence = rendering.given_words(given).sentence
        AdviserTask.objects.create(
            case=case,
            kind=AdviserTask.Kind.CHECK_DEADLINE,
            text=f"{sentence} Check with the family whether it happened, and mark the date done "
            "on the case.",
        )
        messages.append(
            OutboundMessage(
                case=case,
                contact=case.contacts.first(),
                kind=OutboundMessage.Kind.CHECK,
                channel="email",
                given_date=given,
                send_at=timezone.now(),
            )
        )
    _step().forwards(apps, None)
    before = AdviserTask.objects.count()
    for message in messages:
        notification_services._after_sent(message, now=timezone.now())
    assert AdviserTask.objects.count() == before
    for text in AdviserTask.objects.values_list("text", flat=True):
        assert not YOU.search(text), text


def test_family_date_tasks_and_flags_are_rewritten_as_the_code_now_raises_them(db):
    from tests.moved_models import apps

    case = CaseFactory(reference="OLD-3")
    value, recorded = date(2026, 11, 2), date(2026, 11, 3)
    family = rules.EVENTS["mediation_adviser_contacted"]
    old = {
        "waiting": f"The family says: {family} on {rules.long_date(value)}. You recorded "
        f"{rules.long_date(recorded)}. Their date is not used until you accept it "
        "(Family-reported dates).",
        "given": f"The family says: Tribunal hearing on {rules.long_date(value)}. You recorded "
        f"{rules.long_date(recorded)}. Their date is not used: check the letter and change the "
        "date on the case if theirs is right.",
        "used": f"The family told us: {family} on {rules.long_date(value)}. It is used now: check "
        "it against the letter and tick confirmed on the case's key dates.",
    }
    tasks = {
        key: AdviserTask.objects.create(case=case, kind=AdviserTask.Kind.FAMILY_DATE, text=text)
        for key, text in old.items()
    }
    label = words.event_label("mediation_adviser_contacted")
    flag = rules.flags(
        rules.Facts(events={"appeal_submitted": date(2027, 1, 4)}), [], today=date(2026, 12, 1)
    )[0]
    flagged = AdviserTask.objects.create(case=case, kind=AdviserTask.Kind.DATES_TO_CHECK, text=flag)
    reopened = AdviserTask.objects.create(
        case=case,
        kind=AdviserTask.Kind.CHECK_DEADLINE,
        text="Appeal to the SEND Tribunal: the computed date moved from Monday 1 March 2027 to "
        "Tuesday 2 March 2027. Your override (Friday 26 February 2027) still applies: check it.",
    )
    inbound = AdviserTask.objects.create(
        case=case, kind=AdviserTask.Kind.INBOUND_SMS, text="Can you call me? Your letter came"
    )

    _step().forwards(apps, None)

    def text(task):
        return AdviserTask.objects.get(pk=task.pk).text

    assert text(tasks["waiting"]) == words.family_date_waiting_task(
        label=label, value=value, recorded=recorded
    )
    assert text(tasks["given"]) == words.family_given_date_waiting_task(
        label="Tribunal hearing", value=value, recorded=recorded
    )
    assert text(tasks["used"]).startswith(f"The family told us: {label} on ")
    assert text(flagged) == words.adviser_words(flag)
    assert text(flagged).startswith(f"'{words.event_label('appeal_submitted')}' is recorded")
    assert "The override (Friday 26 February 2027)" in text(reopened)
    assert text(inbound) == "Can you call me? Your letter came"  # the family's own words
    for task in (*tasks.values(), flagged, reopened):
        assert not YOU.search(text(task)), text(task)

    _step().backwards(apps, None)
    assert {key: text(task) for key, task in tasks.items()} == old
    assert text(flagged) == flag


def test_a_cancelled_messages_reason_is_rewritten_in_the_advisers_voice(db):
    from tests.moved_models import apps

    case = CaseFactory(reference="OLD-4")
    old = f"step done: {rules.EVENTS['mediation_adviser_contacted']} on Tuesday 1 December 2026"
    message = OutboundMessage.objects.create(
        case=case,
        kind=OutboundMessage.Kind.REMINDER,
        channel="email",
        deadline_kind="mediation_adviser_contact",
        send_at=timezone.now(),
        status=OutboundMessage.Status.CANCELLED,
        status_reason=old,
    )
    _step().forwards(apps, None)
    message.refresh_from_db()
    assert message.status_reason == (
        "step done: The family contacted the mediation adviser on Tuesday 1 December 2026"
    )
    _step().backwards(apps, None)
    message.refresh_from_db()
    assert message.status_reason == old


# --- one vocabulary, two voices ------------------------------------------------------------------


def test_every_event_has_the_advisers_words_and_they_never_say_you():
    assert set(words.ADVISER_EVENT_WORDS) == set(rules.EVENTS)
    for event in rules.EVENTS:
        assert not YOU.search(words.event_label(event)), event
        assert words.family_event_label(event) == rules.EVENTS[event]
    for table in (words.ADVISER_DUE_SENTENCES, words.ADVISER_GIVEN_SENTENCES):
        for sentence in table.values():
            assert not YOU.search(sentence), sentence
    assert set(words.ADVISER_GIVEN_SENTENCES) | {"other"} == set(GIVEN_KINDS)
    assert set(words.ADVISER_DUE_SENTENCES) | {"default"} >= set(TEMPLATE_KINDS)


def test_every_working_the_rules_write_reads_in_the_advisers_voice_from_the_tables_alone():
    """Each sentence of the rules that speaks to the family has its adviser's words in
    words.ADVISER_WORKING (the last-resort rewrite is for sentences not yet there)."""
    day = date(2026, 10, 1)
    facts_list = [
        rules.Facts(events=dict.fromkeys(rules.EVENTS, day)),
        rules.Facts(events={"decision_sent": day}),
        rules.Facts(events={"decision_sent": day, "mediation_adviser_contacted": day}),
        rules.Facts(events={"certificate_issued": day}),
        rules.Facts(events={"decision_sent": day}, placement_only=True),
        rules.Facts(events={"complaint_sent": day}),
        rules.Facts(events={"complaint_sent": day, "complaint_response_requested": day}),
        *(
            rules.Facts(
                events={"complaint_sent": day, "complaint_response_requested": day},
                complaint_to=to,
            )
            for to in (rules.Owner.SCHOOL, rules.Owner.LOCAL_AUTHORITY)
        ),
        rules.Facts(
            events={"decision_sent": day, "mediation_declined": day, "certificate_issued": day},
            placement_only=True,
        ),
        rules.Facts(events={"decision_sent": day, "appeal_submitted": date(2026, 12, 20)}),
    ]
    lines = []
    for facts in facts_list:
        for deadline in rules.compute_deadlines(facts):
            lines += [*deadline.steps, *deadline.warnings, deadline.rule]
        lines += rules.flags(facts, rules.compute_deadlines(facts), today=date(2026, 9, 1))
    lines += [message for _, _, message in rules._ORDER_CHECKS]
    assert any(YOU.search(line) for line in lines)  # the rules do speak to the family
    for line in lines:
        adviser = words.adviser_words(line, last_resort=False)
        assert not YOU.search(adviser), (line, adviser)

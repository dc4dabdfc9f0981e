"""Tasks and cancellation reasons now speak in the adviser's voice ("The reply to the family's
complaint is due by ...", "step done: The family contacted the mediation adviser on ...")
instead of the family's ("The reply to your complaint ...", "step done: You contacted ...").

A task's text is also its identity: a check task is raised with get_or_create on its text
(nightly, for every date someone owed the family that passed), and a flag on odd dates only
when the case has no task of that text. Those look-ups match done tasks as well as open ones,
so every task in an old form is rewritten, done or open: a closed check rewritten only when
open would come back the next night in the new words. The family's own texts (a reply they
sent) are not touched. Run it before the new code plans (the compose file's worker and beat
wait for web's migrate); going back, it restores the old form.
"""

import re
from datetime import datetime

from django.db import migrations
from django.db.models import Value
from django.db.models.functions import Concat, Left, Length, Substr

# The family's sentences as the older code put them in tasks (line 2 of the message templates
# templates/notifications/deadlines/<kind>.txt and given/<kind>.txt as they stood), "{due}"
# being the date in words. Kinds whose sentence had no "you" are the same in both voices.
OLD_DUE_SENTENCES = {
    "amendment_comments": "Your comments on the proposed changes to the EHC plan are due by {due}.",
    "appeal": "Your appeal must reach the SEND Tribunal by {due}.",
    "certificate_due": "Your mediation certificate should have arrived by {due}.",
    "complaint_response": "The council's reply to your complaint is due by {due}.",
    "complaint_stage2_response": "The council's final reply to your complaint is due by {due}.",
    "draft_plan_comments": "Your comments on the draft EHC plan, and the school you want named, "
    "are due by {due}.",
    "ehc_assessment_decision": "The council should have told you by {due} whether it will assess.",
    "mediation_adviser_contact": "You must contact the mediation adviser by {due}.",
    "review_decision": "The council should have told you its decision after the review meeting "
    "by {due}.",
}
OLD_GIVEN_SENTENCES = {
    "attendance_form": "Your attendance form must reach the Tribunal by {due}.",
    "complaint_meeting": "The meeting about your complaint is on {due}.",
    "final_evidence": "Your final evidence must reach the Tribunal by {due}.",
    "hearing": "Your Tribunal hearing is on {due}.",
    "la_response": "The Tribunal told the council to send its response to your appeal by {due}.",
    "mediation_meeting": "Your mediation meeting is on {due}.",
}
CHECK_END = " Check with the family whether it has arrived, and record its date on the case."
GIVEN_CHECK_END = " Check with the family whether it happened, and mark the date done on the case."
KEY_DATE_WAITING = re.compile(
    r"^The family says: (?P<label>.+) on (?P<value>\w+ \d+ \w+ \d{4})\. You recorded "
    r"(?P<recorded>\w+ \d+ \w+ \d{4})\. Their date is not used until you accept it "
    r"\(Family-reported dates\)\.$"
)
GIVEN_WAITING = re.compile(
    r"^The family says: (?P<label>.+) on (?P<value>\w+ \d+ \w+ \d{4})\. You recorded "
    r"(?P<recorded>\w+ \d+ \w+ \d{4})\. Their date is not used: check the letter and change the "
    r"date on the case if theirs is right\.$"
)
KEY_DATE_USED = re.compile(
    r"^The family told us: (?P<label>.+) on (?P<rest>\w+ \d+ \w+ \d{4}\. It is used now: check "
    r"it against the letter and tick confirmed on the case's key dates\.)$"
)
OLD_OVERRIDE, NEW_OVERRIDE = "Your override (", "The override ("
STEP_DONE = "step done: {label} on "


def _day(text: str):
    return datetime.strptime(text, "%A %d %B %Y").date()  # noqa: DTZ007 - a date, no time


def _sentence(sentences: dict[str, str], text: str, end: str):
    """(kind, date in words) of an old check task's text, or None."""
    if not text.endswith(end):
        return None
    first = text.removesuffix(end)
    for kind, sentence in sentences.items():
        before, after = sentence.split("{due}")
        fits = len(first) > len(before) + len(after)
        if fits and first.startswith(before) and first.endswith(after):
            return kind, first[len(before) : len(first) - len(after)]
    return None


def new_text(text: str, kind: str) -> str | None:
    """The task's text in the adviser's voice, or None when it is not in an old form."""
    from workflows import words

    labels = {family: event for event, family in words.FAMILY_EVENT_WORDS.items()}
    if kind == "check_deadline":
        if found := _sentence(OLD_DUE_SENTENCES, text, CHECK_END):
            return words.check_task_words(*found)
        if found := _sentence(OLD_GIVEN_SENTENCES, text, GIVEN_CHECK_END):
            given_kind, due_words = found
            return words.given_check_task(given_kind, due_words, label="")
        if OLD_OVERRIDE in text:
            return text.replace(OLD_OVERRIDE, NEW_OVERRIDE)
    if kind == "family_date":
        if (match := KEY_DATE_WAITING.match(text)) and match["label"] in labels:
            return words.family_date_waiting_task(
                label=words.event_label(labels[match["label"]]),
                value=_day(match["value"]),
                recorded=_day(match["recorded"]),
            )
        if match := GIVEN_WAITING.match(text):
            return words.family_given_date_waiting_task(
                label=match["label"], value=_day(match["value"]), recorded=_day(match["recorded"])
            )
        if (match := KEY_DATE_USED.match(text)) and match["label"] in labels:
            label = words.event_label(labels[match["label"]])
            return f"The family told us: {label} on {match['rest']}"
    if kind == "dates_to_check":
        adviser = words.adviser_words(text)
        return adviser if adviser != text else None
    return None


NEW_KEY_DATE_WAITING = re.compile(
    r"^The family says: (?P<label>.+) on (?P<value>\w+ \d+ \w+ \d{4})\. The case has "
    r"(?P<recorded>\w+ \d+ \w+ \d{4}), confirmed by an adviser\. Their date is not used until "
    r"an adviser accepts it \(Family-reported dates\)\.$"
)
NEW_GIVEN_WAITING = re.compile(
    r"^The family says: (?P<label>.+) on (?P<value>\w+ \d+ \w+ \d{4})\. The case has "
    r"(?P<recorded>\w+ \d+ \w+ \d{4}), confirmed by an adviser\. Their date is not used: check "
    r"the letter and change the date on the case if theirs is right\.$"
)


def old_text(text: str, kind: str) -> str | None:
    """The task's text back in the older form, or None when it is not in the new one."""
    from workflows import rules, words

    family = {words.event_label(e): label for e, label in words.FAMILY_EVENT_WORDS.items()}
    if kind == "check_deadline":
        for old, end, new in (
            (OLD_DUE_SENTENCES, CHECK_END, words.ADVISER_DUE_SENTENCES),
            (OLD_GIVEN_SENTENCES, GIVEN_CHECK_END, words.ADVISER_GIVEN_SENTENCES),
        ):
            if found := _sentence({k: new[k] for k in old}, text, end):
                return old[found[0]].format(due=found[1]) + end
        if ". " + NEW_OVERRIDE in text:
            return text.replace(". " + NEW_OVERRIDE, ". " + OLD_OVERRIDE)
    if kind == "family_date":
        if (match := NEW_KEY_DATE_WAITING.match(text)) and match["label"] in family:
            return (
                f"The family says: {family[match['label']]} on {match['value']}. You recorded "
                f"{match['recorded']}. Their date is not used until you accept it "
                "(Family-reported dates)."
            )
        if match := NEW_GIVEN_WAITING.match(text):
            return (
                f"The family says: {match['label']} on {match['value']}. You recorded "
                f"{match['recorded']}. Their date is not used: check the letter and change the "
                "date on the case if theirs is right."
            )
        if (match := KEY_DATE_USED.match(text)) and match["label"] in family:
            return f"The family told us: {family[match['label']]} on {match['rest']}"
    if kind == "dates_to_check":
        for event, family_label in rules.EVENTS.items():
            adviser = f"'{words.event_label(event)}' is recorded for "
            if text.startswith(adviser) and family_label != words.event_label(event):
                return f"'{family_label}' is recorded for " + text.removeprefix(adviser)
    return None


def _rewrite_tasks(apps, rewritten) -> None:
    AdviserTask = apps.get_model("notifications", "AdviserTask")
    tasks = AdviserTask.objects.filter(kind__in=["check_deadline", "family_date", "dates_to_check"])
    for task in tasks.only("id", "kind", "text").iterator():
        text = rewritten(task.text, task.kind)
        if text is not None and text != task.text:
            AdviserTask.objects.filter(pk=task.pk).update(text=text)


def _rewrite_reasons(apps, *, forwards: bool) -> None:
    """ "step done: You contacted ... on <date>" on cancelled messages: one UPDATE an event."""
    from workflows import words

    OutboundMessage = apps.get_model("notifications", "OutboundMessage")
    for event, family in words.FAMILY_EVENT_WORDS.items():
        adviser = words.event_label(event)
        if family == adviser:
            continue
        old, new = STEP_DONE.format(label=family), STEP_DONE.format(label=adviser)
        if not forwards:
            old, new = new, old
        OutboundMessage.objects.filter(status_reason__startswith=old).update(
            status_reason=Left(
                Concat(
                    Value(new),
                    Substr("status_reason", len(old) + 1, Length("status_reason")),
                ),
                200,
            )
        )


def forwards(apps, schema_editor):
    _rewrite_tasks(apps, new_text)
    _rewrite_reasons(apps, forwards=True)


def backwards(apps, schema_editor):
    """Back to the family's words, so the older code, run again, finds its own tasks."""
    _rewrite_tasks(apps, old_text)
    _rewrite_reasons(apps, forwards=False)


class Migration(migrations.Migration):
    dependencies = [("notifications", "0017_combined_sends")]

    operations = [migrations.RunPython(forwards, backwards)]

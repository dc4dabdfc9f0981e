"""What the admin's columns and inlines show that more than one of them shows: a deadline's state
and working, an instant in London time, a case's link, a combined send."""

from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from casework import history
from notifications import schedule
from workflows import rules, words


def deadline_state_html(deadline, today):
    """The deadline's state on `today` in the adviser's words (workflows/words/), from the
    row's own fields: no query. A passed one in red, so it is seen first."""
    text = words.deadline_state_words(
        state=deadline.state(today),
        due=deadline.effective_due,
        today=today,
        status=deadline.status,
        done_by=deadline.done_by,
        done_on=deadline.done_on,
    )
    if deadline.state(today) == rules.State.PASSED:
        return format_html(
            '<strong class="deadline-passed" style="color:#ba2121">{}</strong>', text
        )
    return format_html('<span class="deadline-state">{}</span>', text)


def working_html(deadline) -> str:
    """A deadline's working and source, folded: it is read when a date is questioned, not every
    time the page opens. The rules write it to the family: an adviser reads it in the adviser's
    voice (words.adviser_words)."""
    steps = format_html_join("", "<li>{}</li>", ((words.adviser_words(s),) for s in deadline.steps))
    warnings = format_html_join(
        "", "<li><strong>{}</strong></li>", ((words.adviser_words(w),) for w in deadline.warnings)
    )
    return format_html(
        '<details class="deadline-working"><summary>How it is worked out</summary>'
        "<ol>{}</ol><ul>{}</ul><small>{} [{}]</small></details>",
        steps,
        warnings,
        words.adviser_words(deadline.rule),
        words.confidence_label(deadline.confidence),
    )


def london(value) -> str:
    """An instant as advisers read it: London wall-clock time."""
    if not value:
        return "-"
    return f"{timezone.localtime(value, schedule.LONDON):%a %d %b %Y %H:%M}"


def sent_together_html(message) -> str:
    """A combined send in words, the row combined into another linking to that one (the lead:
    it holds the provider's id and the text as sent)."""
    text = history.sent_together(message)
    if not text or not message.combined_into_id:
        return text
    url = reverse("admin:notifications_outboundmessage_change", args=[message.combined_into_id])
    return format_html('{} (<a href="{}">#{}</a>)', text, url, message.combined_into_id)


def case_link(case) -> str:
    if case is None:
        return "-"
    url = reverse("admin:workflows_case_change", args=[case.pk])
    return format_html('<a href="{}">{}</a>', url, case.reference)

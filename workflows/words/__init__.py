"""Codes said for people: who acts, the dates a family can tell us, the legal source as a sentence,
the rules' refusals and a moved date in plain words. Pure Python and gettext, no models; the
family's page, its form and its calendar take their words from here (STYLE.md section 11).

Two voices, one vocabulary: each event and deadline kind has the family's words ("You contacted
the mediation adviser") and the adviser's ("The family contacted the mediation adviser"); the
section "two voices" of labels.py says which is which. Admin pages, tasks, audit and the outbox take
the adviser's; the family's page and messages the family's."""

# One package, one job a module (re-exported here, so `from workflows import words` and
# `workflows.words.<name>` keep working, migrations included):
#   labels: names of events, deadline kinds, owners, given dates, states, in both voices
#   sentences: sources, refusals, moved dates, times and what a date is, in sentences
#   states: a deadline's state today and the adviser's marking
#   counting: counts in words
#   voices: the rules' lines to the family, said to the adviser
#   adviser_tasks: tasks about a family's dates

from workflows.words.adviser_tasks import (
    check_task,
    check_task_words,
    family_date_waiting_task,
    family_given_date_waiting_task,
    given_check_task,
)
from workflows.words.counting import (
    counted,
    working_days_words,
)
from workflows.words.labels import (
    ADVISER_EVENT_WORDS,
    CONFIDENCE_LABELS,
    DEADLINE_LABELS,
    FAMILY_EVENT_WORDS,
    FAMILY_EVENTS,
    FAMILY_GIVEN,
    GIVEN_KIND_LABELS,
    GIVEN_PREFIX,
    OWNER_LABELS,
    OWNER_WORDS,
    STATE_LABELS,
    confidence_choices,
    confidence_label,
    deadline_kind_choices,
    deadline_label,
    event_choices,
    event_label,
    family_event_label,
    given_kind_label,
    owner_choices,
    owner_label,
    owner_words,
    state_label,
)
from workflows.words.sentences import (
    ADVISER_DUE_SENTENCES,
    ADVISER_GIVEN_SENTENCES,
    DATE_NAMES,
    date_moved_words,
    due_sentence,
    facts_error_words,
    family_date_changes,
    given_sentence,
    given_working,
    short_date,
    source_sentence,
    time_words,
)
from workflows.words.states import (
    DONE_EVENT_WORDS,
    MARKING_COLUMN,
    MARKING_LABELS,
    STATE_COLUMN,
    deadline_state_words,
    done_event_words,
    marking_choices,
    marking_words,
)
from workflows.words.voices import (
    ADVISER_WORKING,
    adviser_words,
)

__all__ = [
    "ADVISER_DUE_SENTENCES",
    "ADVISER_EVENT_WORDS",
    "ADVISER_GIVEN_SENTENCES",
    "ADVISER_WORKING",
    "CONFIDENCE_LABELS",
    "DATE_NAMES",
    "DEADLINE_LABELS",
    "DONE_EVENT_WORDS",
    "FAMILY_EVENTS",
    "FAMILY_EVENT_WORDS",
    "FAMILY_GIVEN",
    "GIVEN_KIND_LABELS",
    "GIVEN_PREFIX",
    "MARKING_COLUMN",
    "MARKING_LABELS",
    "OWNER_LABELS",
    "OWNER_WORDS",
    "STATE_COLUMN",
    "STATE_LABELS",
    "adviser_words",
    "check_task",
    "check_task_words",
    "confidence_choices",
    "confidence_label",
    "counted",
    "date_moved_words",
    "deadline_kind_choices",
    "deadline_label",
    "deadline_state_words",
    "done_event_words",
    "due_sentence",
    "event_choices",
    "event_label",
    "facts_error_words",
    "family_date_changes",
    "family_date_waiting_task",
    "family_event_label",
    "family_given_date_waiting_task",
    "given_check_task",
    "given_kind_label",
    "given_sentence",
    "given_working",
    "marking_choices",
    "marking_words",
    "owner_choices",
    "owner_label",
    "owner_words",
    "short_date",
    "source_sentence",
    "state_label",
    "time_words",
    "working_days_words",
]

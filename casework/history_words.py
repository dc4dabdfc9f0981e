"""The audit pages in words: an event's detail and a change's fields as a supervisor reads them.

The stored detail keeps its codes (case_export and the JSON exports read them); only what a
person reads on a page goes through here.
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import FieldDoesNotExist

from workflows import rules, words

DETAIL_KEYS = {
    "deadline": "Date",
    "event": "Date recorded",
    "date": "Day",
    "from": "From",
    "to": "To",
    "waits_for_adviser": "Waits for the adviser",
    "summaries_to_send": "Summaries to send",
    "messages": "Messages",
    "message": "Message",
    "channels": "Channels",
    "contact": "Contact",
    "contacts": "Contacts",
    "cancelled": "Cancelled",
    "again": "Again",
    "via": "Through",
    "file": "File",
}

# Values that are codes of the vocabulary, by the key that holds them.
_CODE_WORDS = {"deadline": words.deadline_label, "event": words.event_label}


def _value_words(key: str, value) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if value is None or value == "":
        return "none"
    if isinstance(value, list):
        return ", ".join(_value_words(key, item) for item in value)
    if isinstance(value, dict):
        return "; ".join(f"{k.replace('_', ' ')} {v}" for k, v in value.items())
    if key in _CODE_WORDS:
        return _CODE_WORDS[key](str(value))
    if isinstance(value, str):
        try:
            return rules.long_date(date.fromisoformat(value))
        except ValueError:
            pass
    return str(value)


def detail_in_words(detail: dict | None) -> str:
    """{"deadline": "complaint_response", "from": "2026-11-27", ...} as "Date: Council's reply
    to the complaint; From: Friday 27 November 2026; ..."."""
    return "; ".join(
        f"{DETAIL_KEYS.get(key) or key.replace('_', ' ').capitalize()}: {_value_words(key, value)}"
        for key, value in (detail or {}).items()
    )


def field_names_in_words(model, names) -> list[str]:
    """Field names of `model` as its labels ("wants_sms" -> "texts"); a name the model no longer
    has keeps its words with spaces."""
    labels = []
    for name in names:
        try:
            # A reverse relation (auditlog records a case's "key dates") has no verbose name.
            label = getattr(model._meta.get_field(name), "verbose_name", None)
        except FieldDoesNotExist:  # a field since removed
            label = None
        labels.append(str(label) if label else name.replace("_", " "))
    return labels


# How auditlog writes "no value" and booleans, as a person says them.
_PLAIN = {"None": "(none)", "True": "yes", "False": "no"}

# Stored codes in fields that carry no choices of their own (ReminderPolicy.deadline_kind).
_CODE_FIELDS = {"deadline_kind": words.deadline_label}


def changes_in_words(entry) -> list[tuple[str, str, str]]:
    """A django-auditlog entry's changes as (field label, before, after): choices as their
    labels and dates as auditlog formats them (its changes_display_dict), then the codes of
    fields without choices in words."""
    model = entry.content_type.model_class() if entry.content_type_id else None
    display = entry.changes_display_dict if model else entry.changes_dict
    rows = []
    for name, values in display.items():
        label = field_names_in_words(model, [name])[0] if model else name.replace("_", " ")
        before, after = (list(values) + ["", ""])[:2] if isinstance(values, list) else ("", "")
        to_words = _CODE_FIELDS.get(name)
        if to_words:
            before, after = (to_words(v) if v and v != "None" else v for v in (before, after))
        before, after = (_PLAIN.get(str(v), str(v)) for v in (before, after))
        rows.append((label[:1].upper() + label[1:], before, after))
    return rows

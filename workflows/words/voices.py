"""A line the rules wrote to the family, said to the adviser: the family's words and the
adviser's, side by side."""

from __future__ import annotations

import re

from workflows.words.labels import ADVISER_EVENT_WORDS, FAMILY_EVENT_WORDS, sentence_start

# The rules write each deadline's working (its steps, warnings and source) to the family. An
# adviser reads the same working with these words in place of the family's, in this order
# (a longer sentence before the shorter one it holds); every one is a sentence of the rules.
ADVISER_WORKING: tuple[tuple[str, str], ...] = (
    (
        "tell your adviser the date on the decision letter",
        "ask the family for the date on the decision letter",
    ),
    (
        "If this date is missed, you can still send the appeal and ask the Tribunal to accept "
        "it late: it can, if there is a good reason. Contact your adviser straight away",
        "If this date is missed, the family can still send the appeal and ask the Tribunal to "
        "accept it late: it can, if there is a good reason. Act straight away",
    ),
    (
        "You have been in touch with the mediation adviser: you need the mediation certificate "
        "before you appeal",
        "The family has been in touch with the mediation adviser: they need the mediation "
        "certificate before they appeal",
    ),
    (
        "Before you appeal you must contact the mediation adviser (even if you do not want "
        "mediation) and get a mediation certificate",
        "Before they appeal, the family must contact the mediation adviser (even if they do not "
        "want mediation) and get a mediation certificate",
    ),
    (
        "Without a certificate you must ask the Tribunal's permission",
        "Without a certificate the family must ask the Tribunal's permission",
    ),
    (
        "Contact the mediation adviser even if you do not want mediation",
        "The family must contact the mediation adviser even if they do not want mediation",
    ),
    (
        "This is not settled law: ask your adviser",
        "This is not settled law: check it before advising the family",
    ),
    ("Your appeal date becomes", "The family's appeal date becomes"),
    (
        "Counted from the day you told the council",
        "Counted from the day the family told the council",
    ),
    (
        "A shorter notice is allowed if you agree to it",
        "A shorter notice is allowed if the family agrees to it",
    ),
    (
        "Where the agreement covers things you could appeal",
        "Where the agreement covers things the family could appeal",
    ),
    (
        "Send your comments, and the school you want named, by this date",
        "The family sends its comments, and the school it wants named, by this date",
    ),
    (
        "Notice of the meeting and the advice for it must reach you at least this early",
        "Notice of the meeting and the advice for it must reach the family at least this early",
    ),
    (
        "Send your comments on the proposed amendments by this date",
        "The family sends its comments on the proposed amendments by this date",
    ),
    ("The council owes you this reply", "The council owes the family this reply"),
    ("The school owes you this reply", "The school owes the family this reply"),
    (
        "so sendflow uses only the date you asked for",
        "so sendflow uses only the date the family asked for",
    ),
    (
        "If it went to a school or college, tell your adviser",
        "If it went to a school or college, record that on the case (complaint sent to)",
    ),
    (
        "In your complaint you asked for a reply by",
        "In their complaint the family asked for a reply by",
    ),
    ("The reply-by date in your complaint", "The reply-by date in the family's complaint"),
    (
        "You can give a date you would like a reply by in your complaint: tell your adviser and "
        "we will use it",
        "The family can give a date they would like a reply by in their complaint: record it "
        "on the case and it will be used",
    ),
    (
        "If no reply comes by then, you can ask for the complaint to go to the next stage, and "
        "ask your adviser for help",
        "If no reply comes by then, the family can ask for the complaint to go to the next "
        "stage, with the adviser's help",
    ),
    (
        "or if none comes, you can complain to the Local Government",
        "or if none comes, the family can complain to the Local Government",
    ),
    (
        "The reply-by date you gave is before the complaint was sent",
        "The reply-by date the family gave is before the complaint was sent",
    ),
)

# The events whose two labels differ, the longest first (one may hold another).
_EVENT_VOICES = sorted(
    (
        (family, ADVISER_EVENT_WORDS[event])
        for event, family in FAMILY_EVENT_WORDS.items()
        if event in ADVISER_EVENT_WORDS and family != ADVISER_EVENT_WORDS[event]
    ),
    key=lambda pair: -len(pair[0]),
)
# Words a new sentence of the rules might bring that no table above has yet: said in the third
# person rather than left speaking to the family (a test holds every rule to the tables).
_LAST_RESORT = (
    (re.compile(r"\bYour child\b"), "The child"),
    (re.compile(r"\byour child\b"), "the child"),
    (re.compile(r"\bYour\b"), "The family's"),
    (re.compile(r"\byour\b"), "the family's"),
    (re.compile(r"\bYou\b"), "The family"),
    (re.compile(r"\byou\b"), "the family"),
)


def adviser_words(text: str, *, last_resort: bool = True) -> str:
    """A line the rules wrote to the family (a step, a warning, a source, a flag), in the
    adviser's voice: "You contacted the mediation adviser on ..." -> "The family contacted the
    mediation adviser on ..."."""
    for family, adviser in ADVISER_WORKING:
        text = text.replace(family, adviser)
    for family, adviser in _EVENT_VOICES:
        text = text.replace(family, adviser).replace(
            sentence_start(family), sentence_start(adviser)
        )
    if last_resort:
        for pattern, replacement in _LAST_RESORT:
            text = pattern.sub(replacement, text)
    return text

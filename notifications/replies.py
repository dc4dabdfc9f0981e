"""What a family's text reply asks for: stop texts, start them again, help, or anything else.

Pure: standard library only, no Django. The webhook acts on the answer and tells the adviser of
every stop, so where a reply is unclear this module prefers STOP.

The text is normalised first: NFKC (full-width "ＳＴＯＰ" is "stop"), casefolded, invisible
characters and apostrophes dropped ("don't" is "dont"), every other mark, quote and emoji a space
(except 🛑, which reads "stop"), letters spelt out one by one joined when they make a keyword
("s t o p", "S.T.O.P"), and a stretched "stoppp" or "STOOOP" read as "stop". It is then split into
clauses at . , ; : ! ? and line breaks.

A reply is a STOP when any of these holds:

1. **A clause is a keyword and nothing else**, once courtesy and filler words are dropped
   ("please", "thanks", "ok", "now", "i want to", "me", "texts"...). The keywords are Twilio's
   opt-out words (STOP, STOPALL, UNSUBSCRIBE, CANCEL, END, QUIT, OPTOUT, REVOKE), "unsub", "stop
   all", "opt out" and "no more". So "Stop please", "“STOP”", "Stop 🙏", "cancel", "END.", "End?"
   and "Got the letter, thanks. Cancel." stop; "End of March?" and "Cancel the meeting" do not.
2. **A clause has a phrase about our messages**, at any length and even in a question: "stop
   texting", "stop all", "stop these texts", "cancel the reminders", "unsubscribe", "opt (me)
   out", "no more texts", "revoke/withdraw consent", "don't text me", "never message me again",
   "do not send me texts", "leave me alone", "remove me", "remove my number", "take me off", and
   "wrong number" (texts reaching a stranger must stop too).
3. **The message begins with "stop"** (after "please", "hi", "ok"...) and asks no question:
   "Stop, my son has left school" stops; "Stop the council naming a school?" does not. ("Stop?
   Why?" does, by rule 1: unsure, so stop.)

Negation: in rule 2, a stop word with "not", "dont", "never", "cant", "wont" or "no" among the
four words before it in its clause does not count, so "don't stop the reminders", "please don't
stop sending these" and "I don't want them to stop" are not stops, and (rule 1 needing the clause
to be only the keyword) neither are "do not stop" or "not stop". A negation in another clause does
not reach: "I don't want texts, stop" and "No. Stop." are stops.

The judgement call: a message that merely uses the word, not as its first word nor about our
messages, is not a stop: "How do I stop the council naming a school?" and "Will the reminders stop
after the hearing?" are questions for a person. They reach the adviser as a task, as any other
text does, and the adviser can stop texts by hand; an automatic "you will get no more texts" to
them would be wrong more often than right.

START: the whole message, apart from filler words, is START or UNSTOP ("Start", "START please",
"start texting me again"). Twilio also takes YES as opting back in, so "Yes" (with filler only)
restarts a number that is stopped; to a number that is not, "Yes" answers the adviser and stays
OTHER. HELP: the message is only HELP or INFO ("Help!"), so that "help me with my letter" reaches
the adviser. Everything else is OTHER.
"""

from __future__ import annotations

import enum
import re
import unicodedata


class Reply(enum.StrEnum):
    STOP = "stop"
    START = "start"
    HELP = "help"
    OTHER = "other"


# Twilio's default opt-out keywords for long codes, and "unsub".
STOP_KEYWORDS = frozenset(
    {"stop", "stopall", "unsubscribe", "cancel", "end", "quit", "optout", "revoke", "unsub"}
)
_STOP_KEYWORD_PAIRS = frozenset({("stop", "all"), ("opt", "out"), ("no", "more")})
START_KEYWORDS = frozenset({"start", "unstop"})
HELP_KEYWORDS = frozenset({"help", "info"})


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Words that add courtesy or emphasis but no other request ("Stop please", "ok stop now thanks").
_FILLER = _words(
    """
    please pls plz plse pleas kindly thanks thank you u thx ty ta cheers ok okay k hi hello hey
    dear sorry now immediately asap straight away right just again anymore any more all it them
    me us my i want to would like can could need x xx xxx yes these this those
    text texts txt txts texting message messages msg msgs messaging sms reminder reminders sending
    """
)
_MESSAGES = _words(
    """
    text texts txt txts texting message messages msg msgs messaging sms reminder reminders
    sending contacting
    """
)
_DETERMINERS = frozenset({"the", "these", "those", "this", "your", "my", "any", "all", "me"})
_NEGATIONS = frozenset(
    {"not", "dont", "never", "cant", "wont", "no", "didnt", "doesnt", "shouldnt", "isnt"}
)
_OPENERS = frozenset({"please", "pls", "plz", "ok", "okay", "hi", "hello", "hey", "just", "now"})

_INVISIBLE = re.compile(r"[\u00ad\u200b-\u200f\u2060\ufeff]")  # soft hyphen, zero widths
_APOSTROPHES = re.compile(r"['\u2018\u2019\u02bc`\u00b4]")
_SPELT_OUT = re.compile(r"\b[a-z](?:[\s.\-_*]+[a-z]\b){2,}")
_CLAUSE_END = re.compile(r"[.,;:!?\n\r]+")
_WORD = re.compile(r"[^\W_]+")
_STRETCHED_STOP = re.compile(r"s+t+o+p+")


def classify(text: str, *, stopped: bool = False) -> Reply:
    """Say what a text reply asks for; `stopped`: texts to its number are stopped already."""
    text = _normalise(text)
    clauses = [
        [_unstretch(word) for word in _WORD.findall(part)] for part in _CLAUSE_END.split(text)
    ]
    clauses = [clause for clause in clauses if clause]
    words = [word for clause in clauses for word in clause]
    rest = [word for word in words if word not in _FILLER]
    if _is_stop(clauses, question="?" in text):
        return Reply.STOP
    if rest and all(word in START_KEYWORDS for word in rest):
        return Reply.START
    if stopped and not rest and "yes" in words:
        return Reply.START
    if words and all(word in HELP_KEYWORDS for word in words):
        return Reply.HELP
    return Reply.OTHER


def _normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).casefold()
    text = _INVISIBLE.sub("", text)
    text = text.replace("\U0001f6d1", " stop ")  # 🛑, the octagonal stop sign
    text = _APOSTROPHES.sub("", text)
    return _SPELT_OUT.sub(_join_if_keyword, text)


def _join_if_keyword(match: re.Match[str]) -> str:
    joined = re.sub(r"[^a-z]", "", match.group())
    return f" {joined} " if joined in STOP_KEYWORDS | START_KEYWORDS else match.group()


def _unstretch(word: str) -> str:
    return "stop" if _STRETCHED_STOP.fullmatch(word) else word


def _is_stop(clauses: list[list[str]], *, question: bool) -> bool:
    for clause in clauses:
        rest = [word for word in clause if word not in _FILLER]
        if rest and _only_stop_keywords(rest):
            return True
    for clause in clauses:
        for i in range(len(clause)):
            if _stop_phrase_at(clause, i) and not _negated(clause, i):
                return True
    first = next((w for clause in clauses for w in clause if w not in _OPENERS), "")
    return first == "stop" and not question


def _only_stop_keywords(words: list[str]) -> bool:
    i = 0
    while i < len(words):
        if tuple(words[i : i + 2]) in _STOP_KEYWORD_PAIRS:
            i += 2
        elif words[i] in STOP_KEYWORDS:
            i += 1
        else:
            return False
    return True


def _stop_phrase_at(clause: list[str], i: int) -> bool:
    """Whether a phrase asking to stop our messages starts at word `i` of a clause."""
    word, after = clause[i], [*clause[i + 1 : i + 4], "", "", ""]
    if word in {"stop", "cancel", "end"}:
        # "stop texting", "stop all", "cancel these texts"; not "stop the council sending..."
        return (
            after[0] in _MESSAGES
            or after[0] == "all"
            or (after[0] in _DETERMINERS and after[1] in _MESSAGES)
        )
    if word in {"stopall", "unsubscribe", "unsub", "optout"}:
        return True
    if word in {"revoke", "withdraw"}:
        return "consent" in after[:2]
    if word == "opt":
        return after[0] == "out" or after[:2] == ["me", "out"]
    if word == "no" and after[0] == "more":
        return any(w in _MESSAGES for w in after[1:3])
    if word in {"dont", "never"} or (word == "do" and after[0] == "not"):
        verb, obj = after[1:3] if word == "do" else after[:2]
        if verb in {"text", "txt", "message", "msg", "contact"}:
            return obj in {"me", "us", "again", "anymore", "this", ""}
        return verb == "send" and obj in {"me", "us", "any", "more", "texts", "messages"}
    if word == "leave":
        return after[:2] == ["me", "alone"]
    if word == "remove":
        return after[0] == "me" or after[1] == "number"
    if word == "take":
        return after[:2] in (["me", "off"], ["my", "number"])
    return word == "wrong" and after[0] == "number"


def _negated(clause: list[str], i: int) -> bool:
    """Whether word `i` is negated: "dont stop", "do not stop", "dont want them to stop"."""
    if clause[i] in {"dont", "never", "do", "no"}:
        return False  # the phrase carries its own negation: "dont text me", "no more texts"
    return any(word in _NEGATIONS for word in clause[max(i - 4, 0) : i])

"""The HTML part of an email, made from its plain text: whatever the text says, the same words.

Generic on purpose: message wording lives in templates/notifications/email/ and changes; this
only knows blank lines (paragraphs), line breaks, indented lines, "Label: value" lines and links.
Every piece of text reaches the page through the escaping template engine.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.conf import settings
from django.template.loader import render_to_string

_URL = re.compile(r"https?://[^\s<>\"]+")
# Punctuation that ends a sentence after a link is not part of it ("...: https://x/f/abc/.").
_URL_TRAILER = ".,;:!?)'"
# "Appeal: Monday 1 March 2027", "Help: Example SENDIASS, 020 ...": a short label, then a value.
# Prose with a colon goes on in lower case ("Send it early: posting it..."), or to a second
# sentence: neither is a label.
_LABEL = re.compile(r"(?P<label>[^:.?!]{1,40}:)\s+(?P<value>[A-Z0-9].*|https?://.*)")
_SECOND_SENTENCE = re.compile(r"[.?!]\s+\S")
_MONTH = "January|February|March|April|May|June|July|August|September|October|November|December"
# A date as GOV.UK writes it ("Monday 1 March 2027") or a UK phone number ("01632 960123") reads
# badly split over two lines: their spaces become no-break spaces.
_KEEP_TOGETHER = re.compile(
    rf"\b(?:(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day )?\d{{1,2}} (?:{_MONTH}) \d{{4}}\b"
    r"|(?<![\w+])(?:\+44 ?|0)\d{2,4}(?: \d{3,6}){1,2}\b"
)


@dataclass(frozen=True)
class Piece:
    text: str
    href: str = ""  # a link, shown as its full URL
    strong: bool = False


@dataclass(frozen=True)
class Line:
    pieces: list[Piece]
    indented: bool = False


def email_html(*, subject: str, body: str) -> str:
    """Render the plain-text `body` as the simple, accessible HTML part of the same email."""
    return render_to_string(
        "notifications/email/body.html",
        {
            "subject": subject,
            "service": settings.SENDFLOW_ADVICE_SERVICE_NAME,
            "paragraphs": paragraphs(body),
        },
    )


def paragraphs(body: str) -> list[list[Line]]:
    """Blank-line-separated blocks, each a list of its lines split into text and links."""
    text = body.replace("\r\n", "\n").replace("\r", "\n").expandtabs(4)
    blocks = re.split(r"\n[ \t]*\n", text.strip("\n"))
    result = []
    for block in blocks:
        lines = [_line(raw) for raw in block.split("\n") if raw.strip()]
        if lines:
            result.append(lines)
    return result


def _line(raw: str) -> Line:
    content = raw.rstrip()
    stripped = content.lstrip()
    indented = len(stripped) < len(content)
    label = _LABEL.fullmatch(stripped)
    if label and "//" not in label["label"] and not _SECOND_SENTENCE.search(label["value"]):
        pieces = [Piece(label["label"], strong=True), Piece(" "), *_linked(label["value"])]
    else:
        pieces = _linked(stripped)
    return Line(pieces=pieces, indented=indented)


def _linked(text: str) -> list[Piece]:
    pieces, start = [], 0
    for match in _URL.finditer(text):
        url = match.group().rstrip(_URL_TRAILER)
        end = match.start() + len(url)
        if match.start() > start:
            pieces.append(Piece(_together(text[start : match.start()])))
        pieces.append(Piece(url, href=url))
        start = end
    if start < len(text):
        pieces.append(Piece(_together(text[start:])))
    return pieces


def _together(text: str) -> str:
    return _KEEP_TOGETHER.sub(lambda m: m.group().replace(" ", "\N{NO-BREAK SPACE}"), text)

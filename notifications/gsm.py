"""Keep texts in the GSM 03.38 alphabet and count their segments.

One character outside it (a curly quote pasted from a letter) turns the whole text into UCS-2,
which halves its length per segment and doubles its cost, so typography is normalised first.
"""

import re

# GSM 03.38 basic set, and the extension set whose characters take two septets each.
_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
_EXTENDED = set("^{}\\[~]|€\f")
# Said by a text backend that refuses a text outside the alphabet (GOV.UK Notify): the email sent
# in its place tells the family why (notifications.rendering.text_failed_because).
NOT_GSM = "sends texts in GSM characters only"

_REPLACEMENTS = {
    "\u2018": "'",  # curly single quotes
    "\u2019": "'",
    "\u201a": "'",
    "\u201c": '"',  # curly double quotes
    "\u201d": '"',
    "\u201e": '"',
    "\u2013": "-",  # en dash
    "\u2014": "-",  # em dash
    "\u2212": "-",  # minus
    "\u2026": "...",
    "\u00a0": " ",  # no-break space
    "\u202f": " ",
    "\u2009": " ",
    "\u00b7": ".",
    "\t": " ",
}

SINGLE_GSM, MULTI_GSM = 160, 153
SINGLE_UCS2, MULTI_UCS2 = 70, 67


def normalise(text: str) -> str:
    """Replace typographic characters with GSM-7 ones and tidy the spacing."""
    for char, replacement in _REPLACEMENTS.items():
        text = text.replace(char, replacement)
    text = re.sub(r"[ ]{2,}", " ", text)
    text = re.sub(r" *\n *", "\n", text)
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.strip()


def is_gsm7(text: str) -> bool:
    return all(c in _BASIC or c in _EXTENDED for c in text)


def segments(text: str) -> int:
    """How many SMS segments the text takes."""
    if is_gsm7(text):
        length = sum(2 if c in _EXTENDED else 1 for c in text)
        return 1 if length <= SINGLE_GSM else -(-length // MULTI_GSM)
    # UCS-2 counts UTF-16 code units: an emoji takes two.
    length = len(text.encode("utf-16-le")) // 2
    return 1 if length <= SINGLE_UCS2 else -(-length // MULTI_UCS2)

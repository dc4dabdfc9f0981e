"""Finding a family by what an adviser types in a search box: a case reference, or part of a
parent's name, email or mobile (as people write it: "07400 123456").

Each column is matched on its own, so PostgreSQL reads its trigram index (migrations
workflows 0013 and notifications 0013) for each and joins the few ids found; an OR across a
case and its contacts read all 100,000 of both (140 ms, then the outbox on top)."""

from __future__ import annotations

import re

from django.db.models import Q
from django.utils.text import smart_split, unescape_string_literal

from sendflow import bulk
from workflows.models import Case, Contact

# A phone number as people type one: digits with spaces, brackets, dots, slashes or dashes,
# perhaps a leading +.
_LOOKS_LIKE_A_PHONE = re.compile(r"\+?[\d\s()./-]+")
_FEWEST_DIGITS = 6  # fewer than this is a fragment of anything: searched as words, not a number


# The most families a search hands on as a list of ids; past it (a term like "example" that
# finds nearly everyone) the search stays a subquery.
MANY_CASES = 20_000


def cases_matching(term: str, field: str) -> Q:
    """A filter for the rows whose `field` (a case id) is that of a case `term` finds: every
    word of it (as Django's admin search: "Amira SF-7", or "Amira Khan" in quotes as one) in
    the case's reference or in a parent's name or email; or, when the term is a phone number,
    a parent's mobile.

    The cases are found once, by the index reads, and handed to every query of the page (its
    rows, its count, its date bar) as one array of ids: as a subquery, each of those queries
    found them again, and PostgreSQL, misjudging how many there were, read the whole outbox to
    sort it (0.7 s for a term that finds 1,000 families among 100,000)."""
    term = term.strip()
    digits = mobile_digits(term)
    words = [term] if digits else [w for w in map(_unquoted, smart_split(term)) if w] or [term]
    found: set[int] | None = None
    for word in words:
        by_reference, by_contact = _matching(word, digits)
        # UNION of the index reads (an OR of two IN-lists scanned every case to test each).
        ids = list(by_reference.order_by().union(by_contact.order_by())[: MANY_CASES + 1])
        if len(ids) > MANY_CASES:
            return Q(**{f"{field}__in": _cases_with_every_word(words, digits)})
        found = set(ids) if found is None else found & set(ids)
    return bulk.ids_filter(field, sorted(found or ()))


def _unquoted(word: str) -> str:
    # As the admin's own search reads a quoted phrase: '"Amira Khan"' is one word.
    return unescape_string_literal(word) if word[:1] in "\"'" and word[-1:] == word[:1] else word


def mobile_digits(term: str) -> str:
    """The digits to look for in the stored +44 mobiles when `term` is a phone number, or "".

    "07400 123456", "+44 (0)7400 123456" and "0044 7400 123456" are the same mobile, stored
    as +447400123456; a part of one ("123456", "07400 12") is looked for as typed."""
    if not _LOOKS_LIKE_A_PHONE.fullmatch(term):
        return ""
    digits = re.sub(r"\D", "", term)
    if len(digits) < _FEWEST_DIGITS:
        return ""
    digits = re.sub(r"^00", "", digits)  # 0044 7400 ...
    digits = re.sub(r"^440", "44", digits)  # +44 (0)7400 ...
    if len(digits) == 11 and digits.startswith("0"):  # a whole national number: 07400 123456
        digits = "44" + digits[1:]
    elif digits.startswith("0"):
        digits = digits[1:]  # the start of a national number: "07400 12" is in +447400 12...
    return digits


def _matching(word: str, digits: str):
    """The ids of the cases whose reference holds `word`, and of those whose parent's name or
    email does (or mobile, given its digits): two querysets of ids."""
    contacts = Q(name__icontains=word) | Q(email__icontains=word)
    if digits:
        contacts |= Q(mobile__contains=digits)
    return (
        Case.objects.filter(reference__icontains=word).values_list("pk", flat=True),
        Contact.objects.filter(contacts).values_list("case_id", flat=True),
    )


def _cases_with_every_word(words: list[str], digits: str):
    """The same as a subquery, for a term that finds most of the caseload."""
    cases = Case.objects.all()
    for word in words:
        by_reference, by_contact = _matching(word, digits)
        cases = cases.filter(Q(pk__in=by_reference) | Q(pk__in=by_contact))
    return cases.values("pk")

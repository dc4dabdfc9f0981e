"""Finding a family by what an adviser types in a search box: a case reference, or part of a
parent's name, email or mobile (as people write it: "07400 123456").

Each column is matched on its own, so PostgreSQL reads its trigram index (migrations
workflows 0013 and notifications 0013) for each and joins the few ids found; an OR across a
case and its contacts read all 100,000 of both (140 ms, then the outbox on top)."""

from __future__ import annotations

import re

from django.db.models import Q, QuerySet

from notifications.models import Contact
from workflows.models import Case

# Digits, spaces, brackets, dashes and a leading +: a phone number as people type one.
_LOOKS_LIKE_A_PHONE = re.compile(r"\+?[\d\s()-]{6,}")


# A term that finds this many cases or fewer is looked up case by case (their messages through
# the case index); a broader one ("SC-") is left as a subquery, and the outbox's newest-first
# index finds a page of its messages at once.
FEW_CASES = 500


def case_ids_matching(term: str) -> list[int] | QuerySet:
    """The ids of the cases that `term` finds, for `case_id__in`: a list when they are few.

    Given a subquery, PostgreSQL walks the outbox newest first and tests each message against
    it, expecting to meet a page of matches soon; when the term finds one family, or none, it
    reads the whole outbox (a second at 100,000 cases). The ids of a few cases send it
    through the case index instead."""
    term = term.strip()
    contacts = Q(name__icontains=term) | Q(email__icontains=term)
    if _LOOKS_LIKE_A_PHONE.fullmatch(term):
        digits = re.sub(r"\D", "", term)
        contacts |= Q(mobile__contains=re.sub(r"^0", "44", digits))  # stored as +44...
    by_reference = Case.objects.filter(reference__icontains=term).values("pk")
    by_contact = Contact.objects.filter(contacts).values("case_id")
    found = Case.objects.filter(Q(pk__in=by_reference) | Q(pk__in=by_contact)).values("pk")
    ids = list(found.order_by().values_list("pk", flat=True)[: FEW_CASES + 1])
    return ids if len(ids) <= FEW_CASES else found

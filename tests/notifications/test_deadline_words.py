"""Every step a family can be messaged about is named in words, with its capitals."""

from datetime import date

import pytest

from notifications.rendering import deadline_words
from workflows.words import DEADLINE_LABELS


@pytest.mark.parametrize("kind", sorted(DEADLINE_LABELS))
def test_every_step_reads_as_words_in_a_message(kind):
    words = deadline_words(kind, date(2027, 3, 1), act_by=date(2027, 3, 1))
    for line in (words.label, words.sentence, words.todo):
        assert "_" not in line, line
    assert "Monday 1 March 2027" in words.sentence


def test_a_step_without_its_own_wording_keeps_its_name_s_capitals():
    """The general wording once lower-cased the code: "the date for ehc no plan decision"."""
    words = deadline_words("ehc_no_plan_decision", date(2027, 3, 1), act_by=date(2027, 3, 1))
    assert words.label == "Council's decision not to make an EHC plan"
    assert words.sentence == (
        "Council's decision not to make an EHC plan, due Monday 1 March 2027."
    )

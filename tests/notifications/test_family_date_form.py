"""The family's "tell us a date" form: its messages word for word, keyed by the ids the error
summary links to, in the page's order, and the boxes it outlines; the sentences that say what a
told date changed."""

from datetime import date

import pytest

from casework.family_forms import DateReportForm
from workflows import words
from workflows.services import DateChange

TODAY = date(2027, 1, 25)
ALL = {"date-day", "date-month", "date-year"}


def form(event="certificate_issued", day="", month="", year=""):
    data = {"event": event, "date-day": day, "date-month": month, "date-year": year}
    return DateReportForm(data, today=TODAY)


@pytest.mark.parametrize(
    ("typed", "errors", "highlight"),
    [
        (("", "1", "1", "2027"), [("event", "Select the date you are telling us about")], ALL),
        (("certificate_issued", "", "", ""), [("date-day", "Enter the date")], ALL),
        (
            ("certificate_issued", "10", "", ""),
            [("date-month", "The date must include a month and a year")],
            {"date-month", "date-year"},
        ),
        (
            ("certificate_issued", "", "1", "2027"),
            [("date-day", "The date must include a day")],
            {"date-day"},
        ),
        (
            ("certificate_issued", "1", "Nov", "x"),
            [
                (
                    "date-month",
                    "Use numbers only, like 27 3 2027 for 27 March 2027 (3 is March)",
                )
            ],
            {"date-month", "date-year"},
        ),
        (
            ("certificate_issued", "1", "2", "27"),
            [("date-year", "The year must have 4 numbers, like 2027")],
            {"date-year"},
        ),
        (
            ("certificate_issued", "31", "2", "2027"),
            [("date-day", "The date must be a real date, like 27 3 2027")],
            ALL,
        ),
        (
            ("certificate_issued", "1", "2", "2027"),
            [("date-day", "The date must be today or in the past")],
            ALL,
        ),
        (
            ("certificate_issued", "3", "1", "2016"),
            [
                (
                    "date-year",
                    "That is more than a year ago: check the year. If it is right, tell your "
                    "adviser instead",
                )
            ],
            {"date-year"},
        ),
        (
            ("hearing", "15", "1", "2031"),
            [("date-year", "That is more than a year from today: check the year")],
            {"date-year"},
        ),
        (
            ("", "", "", ""),
            [("event", "Select the date you are telling us about"), ("date-day", "Enter the date")],
            ALL,
        ),
    ],
)
def test_each_mistake_has_its_message_on_its_field(typed, errors, highlight):
    report = form(*typed)
    assert not report.is_valid()
    assert report.error_list == errors
    assert report.highlight == highlight


def test_a_good_date_is_cleaned_and_what_was_typed_is_kept():
    report = form("certificate_issued", " 10 ", "1", "2027")
    assert report.is_valid()
    assert report.cleaned_data["date"] == date(2027, 1, 10)
    assert report.cleaned_data["event"] == "certificate_issued"
    assert (report.day_text, report.month_text, report.year_text) == ("10", "1", "2027")
    assert report.error_list == []
    assert report.date_error == ""


def test_an_empty_form_has_no_errors():
    report = DateReportForm(None, today=TODAY)
    assert (report.errors, report.error_list, report.event_text) == ({}, [], "")


def test_what_a_told_date_changed_is_said_in_the_familys_words():
    labels = {"appeal": "Appeal to the SEND Tribunal", "certificate_due": "Mediation certificate"}
    changes = [
        DateChange(kind="certificate_due", before=None, after=date(2027, 1, 25)),
        DateChange(kind="mediation_adviser_contact", before=None, after=None, done=True),
        DateChange(kind="appeal", before=date(2027, 3, 1), after=date(2027, 3, 10)),
    ]
    assert words.family_date_changes(
        event="certificate_issued", changes=changes, labels=labels
    ) == [
        "New date: Mediation certificate, by Monday 25 January 2027",
        "mediation_adviser_contact: done",
        "Your appeal date moved from Monday 1 March to Wednesday 10 March 2027",
    ]
    given = [DateChange(kind="hearing", before=None, after=date(2027, 6, 8))]
    assert words.family_date_changes(event="hearing", changes=given, labels={}) == [
        "The Tribunal gave me a hearing date: Tuesday 8 June 2027"
    ]

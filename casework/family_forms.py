"""The family's "tell us a date" form: which date, and the GOV.UK date input's three boxes.

Its checks run in the order the page states them, one message a field, keyed by the id the
error summary links to (`event`, `date-day`, `date-month`, `date-year`)."""

from __future__ import annotations

from datetime import date

from dateutil.relativedelta import relativedelta
from django import forms
from django.utils.translation import gettext as _

from workflows import words

FAMILY_DATE_RANGE = relativedelta(years=1)  # a calendar year either way, 29 February too


class _Typed(forms.CharField):
    """What was typed, stripped, with no checks of its own: the form's `clean` says what is
    wrong, in the family's words."""

    def __init__(self) -> None:
        super().__init__(required=False)
        self.validators = []


class DateReportForm(forms.Form):
    """`event` and the date input's `date-day`, `date-month` and `date-year` (names a Python
    attribute cannot have, so the fields are added in __init__)."""

    FIELDS = ("date-day", "date-month", "date-year")

    def __init__(self, *args, today: date, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.today = today
        for name in ("event", *self.FIELDS):
            self.fields[name] = _Typed()
        # The date's boxes outlined in red: the ones at fault, or all three for the whole date.
        self.highlight: set[str] = set(self.FIELDS)

    def clean(self) -> dict:
        data = self.cleaned_data
        event = data["event"]
        if event not in words.FAMILY_EVENTS and event not in words.FAMILY_GIVEN:
            self.add_error("event", _("Select the date you are telling us about"))
        parts = {name: data[name] for name in self.FIELDS}
        missing = [name for name, text in parts.items() if not text]
        if len(missing) == 3:
            self.add_error("date-day", _("Enter the date"))
        elif missing:
            what = {
                "date-day": _("a day"),
                "date-month": _("a month"),
                "date-year": _("a year"),
            }
            self.add_error(
                missing[0],
                _("The date must include %(parts)s")
                % {"parts": _(" and ").join(str(what[m]) for m in missing)},
            )
            self.highlight = set(missing)
        elif not all(text.isdigit() for text in parts.values()):
            wrong = [name for name, text in parts.items() if not text.isdigit()]
            self.add_error(
                wrong[0], _("Use numbers only, like 27 3 2027 for 27 March 2027 (3 is March)")
            )
            self.highlight = set(wrong)
        elif len(parts["date-year"]) != 4:
            self.add_error("date-year", _("The year must have 4 numbers, like 2027"))
            self.highlight = {"date-year"}
        else:
            try:
                numbers = [int(parts[name]) for name in self.FIELDS]
                day = date(numbers[2], numbers[1], numbers[0])
            except ValueError:
                self.add_error("date-day", _("The date must be a real date, like 27 3 2027"))
            else:
                self._check_range(event, day)
                data["date"] = day
        return data

    def _check_range(self, event: str, day: date) -> None:
        """Past events cannot be ahead; and no date this form takes lies more than a year from
        today: one that does is a slip of the year (2016 for 2026), which would tell the family
        a date had long passed. An adviser can record an older date."""
        today = self.today
        if day > today and event not in words.FAMILY_GIVEN:
            self.add_error("date-day", _("The date must be today or in the past"))
        elif not today - FAMILY_DATE_RANGE <= day <= today + FAMILY_DATE_RANGE:
            self.add_error(
                "date-year",
                _("That is more than a year from today: check the year")
                if day > today
                else _(
                    "That is more than a year ago: check the year. If it is right, tell your "
                    "adviser instead"
                ),
            )
            self.highlight = {"date-year"}

    def typed(self, name: str) -> str:
        """What the family typed in a field, kept on the page when it is shown again."""
        return (self.data.get(name) or "").strip()

    @property
    def event_text(self) -> str:
        return self.typed("event")

    @property
    def day_text(self) -> str:
        return self.typed("date-day")

    @property
    def month_text(self) -> str:
        return self.typed("date-month")

    @property
    def year_text(self) -> str:
        return self.typed("date-year")

    def error(self, name: str) -> str:
        """The field's message, or ""."""
        return self.errors[name][0] if name in self.errors else ""

    @property
    def event_error(self) -> str:
        return self.error("event")

    @property
    def date_error(self) -> str:
        return next((self.error(n) for n in self.FIELDS if n in self.errors), "")

    @property
    def error_list(self) -> list[tuple[str, str]]:
        """The error summary: each field's message in the page's order, by the id it links to."""
        return [(name, self.error(name)) for name in ("event", *self.FIELDS) if name in self.errors]

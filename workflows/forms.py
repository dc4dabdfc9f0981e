from datetime import date

from django import forms
from django.core.exceptions import ValidationError

from workflows import routes, rules, services, words
from workflows.models import Deadline


class CalculatorForm(forms.Form):
    """The `deadlines` command as a form: the same parsing, so the same words for the same error."""

    placement_only = forms.BooleanField(
        required=False,
        label="Placement only",
        help_text="The appeal is only about the school named in Section I.",
    )
    today = forms.CharField(
        required=False,
        label="Judge states on",
        help_text="The day to judge each deadline open, done or passed (blank: today).",
        widget=forms.TextInput(attrs={"placeholder": "YYYY-MM-DD", "size": 12}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for event in rules.EVENTS:
            self.fields[event] = forms.CharField(
                required=False,
                label=words.event_label(event),
                widget=forms.TextInput(attrs={"placeholder": "YYYY-MM-DD", "size": 12}),
            )

    def event_fields(self):
        return [self[event] for event in rules.EVENTS]

    def groups(self):
        """The fields by route (workflows/routes.py): the common ones, and the rest on request
        (opened when one of them holds a date or an error)."""
        return [
            {
                "title": group.title,
                "common": [self[e] for e in group.common],
                "more": [self[e] for e in group.more],
                "open": any(self[e].value() or self[e].errors for e in group.more),
            }
            for group in routes.CALCULATOR_GROUPS
        ]

    def clean(self):
        cleaned = super().clean()
        events: dict[str, date] = {}
        for event in rules.EVENTS:
            text = (cleaned.get(event) or "").strip()
            if not text:
                continue
            try:
                events[event] = rules.parse_date(text)
            except rules.FactsError as exc:
                self.add_error(event, str(exc))
        today_text = (cleaned.get("today") or "").strip()
        cleaned["today"] = None
        if today_text:
            try:
                cleaned["today"] = rules.parse_date(today_text)
            except rules.FactsError as exc:
                self.add_error("today", str(exc))
        if self.errors:
            return cleaned
        if not events:
            raise ValidationError("Type at least one date.")
        try:
            cleaned["deadlines"] = rules.compute_deadlines(
                rules.Facts(events=events, placement_only=cleaned.get("placement_only", False))
            )
        except rules.FactsError as exc:
            raise ValidationError(str(exc)) from exc
        return cleaned


class LabelledInlineFormSet(forms.BaseInlineFormSet):
    """A row's "delete" box named for screen readers: a table row shows no label of its own."""

    def add_fields(self, form, index):
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].widget.attrs.setdefault("aria-label", "Delete this row")


class KeyDateFormSet(LabelledInlineFormSet):
    """Check the case's dates together, so "certificate before decision" is caught on save."""

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        events = {}
        for form in self.forms:
            data = getattr(form, "cleaned_data", None)
            if not data or data.get("DELETE") or not data.get("event") or not data.get("value"):
                continue
            if data["event"] in events:
                raise ValidationError(
                    f"The date \u201c{words.event_label(data['event'])}\u201d is given twice: "
                    "keep one."
                )
            events[data["event"]] = data["value"]
        try:
            services.facts_check(events=events)
        except ValidationError as exc:  # the rules' words are the family's: said to the adviser
            raise ValidationError([words.adviser_words(m) for m in exc.messages]) from exc


class DeadlineForm(forms.ModelForm):
    class Meta:
        model = Deadline
        fields = ["status", "status_reason", "override_date", "override_reason"]
        # The adviser's own marking, never to be read as the state today beside it.
        labels = {"status": words.MARKING_COLUMN}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = words.marking_choices()

    def clean(self):
        cleaned = super().clean()
        status = cleaned.get("status")
        if status == Deadline.Status.OPEN:
            cleaned["status_reason"] = ""  # a reason goes with its marking
        elif problem := services.status_reason_missing(
            status=status or "", status_reason=cleaned.get("status_reason") or ""
        ):
            self.add_error("status_reason", problem)
        reason = (cleaned.get("override_reason") or "").strip()
        if cleaned.get("override_date") and not reason:
            self.add_error("override_reason", "Say why you are overriding the computed date.")
        if reason and not cleaned.get("override_date"):
            self.add_error("override_date", "Give the override date, or clear the reason.")
        override, due = cleaned.get("override_date"), self.instance.due
        if (
            override
            and due
            and (problem := services.override_out_of_range(due=due, override=override))
        ):
            self.add_error("override_date", problem)
        return cleaned

"""/admin/reports/: the period's figures for a supervisor (the service, an adviser, a council) or
an adviser (their own cases), each with its definition, a CSV per table and a monthly chart."""

from __future__ import annotations

from datetime import date, timedelta
from urllib.parse import urlencode

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone

from reports import tables as tables_
from reports.figures import DEFINITIONS, Scope, instant, published, report
from reports.periods import DEFAULT_PRESET, PRESETS, Period, preset_period
from workflows import selectors
from workflows.models import Case, LocalAuthority
from workflows.words import GIVEN_PREFIX

CUSTOM = "custom"


class ReportForm(forms.Form):
    period = forms.ChoiceField(
        label="Period",
        choices=[*PRESETS.items(), (CUSTOM, "Dates I choose")],
        required=False,
    )
    start = forms.DateField(
        label="From", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label="To", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    adviser = forms.ChoiceField(label="Adviser", required=False)
    council = forms.ChoiceField(label="Council", required=False)
    publishable = forms.BooleanField(
        label='Publishable: show counts from 1 to 4 as "fewer than 5"', required=False
    )

    def __init__(self, *args, supervisor: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.supervisor = supervisor
        if supervisor:
            users = (
                get_user_model()
                .objects.filter(pk__in=Case.objects.values("adviser"))
                .order_by("username")
            )
            self.fields["adviser"].choices = [("", "Every adviser")] + [
                (u.username, u.get_full_name() or u.username) for u in users
            ]
            names = set(LocalAuthority.objects.values_list("name", flat=True))
            names |= set(
                Case.objects.exclude(local_authority="")
                .values_list("local_authority", flat=True)
                .distinct()
            )
            self.fields["council"].choices = [("", "Every council")] + [
                (n, n) for n in sorted(names, key=str.lower)
            ]
        else:
            del self.fields["adviser"]
            del self.fields["council"]

    def clean(self):
        data = super().clean()
        if data.get("period") == CUSTOM:
            if not data.get("start") or not data.get("end"):
                raise forms.ValidationError("Give both dates, or choose a period.")
            if data["end"] < data["start"]:
                self.add_error("end", "The period ends before it starts: check the dates.")
        return data

    def chosen(self, *, today, user) -> tuple[Period, Scope]:
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        name = data.get("period") or DEFAULT_PRESET
        if name == CUSTOM:
            period = Period(data["start"], data["end"])
        else:
            period = preset_period(name, today=today)
        if self.supervisor:
            scope = Scope(adviser=data.get("adviser", ""), council=data.get("council", ""))
        else:
            scope = Scope(adviser=user.get_username())  # an adviser: their own cases only
        return period, scope


def reports_view(request, *, admin_site):
    user = request.user
    if not user.is_staff:
        raise PermissionDenied
    supervisor = selectors.sees_all_cases(user)
    form = ReportForm(request.GET or None, supervisor=supervisor)
    today = timezone.localdate()
    period, scope = form.chosen(today=today, user=user)
    figures = report(period=period, scope=scope, today=today)
    publishable = bool(form.is_bound and form.is_valid() and form.cleaned_data["publishable"])
    if publishable:
        figures = published(figures)
    tables = tables_.tables(figures)
    wanted = request.GET.get("download")
    if wanted:
        for table in tables:
            if table.key == wanted:
                response = HttpResponse(table.csv(), content_type="text/csv; charset=utf-8")
                name = f"sendflow-{table.key.replace('.', '-')}-{period.start}-{period.end}.csv"
                response["Content-Disposition"] = f'attachment; filename="{name}"'
                return response
    links = Links(period=period, scope=scope, user=user)
    query = request.GET.copy()
    query.pop("download", None)
    shown = []
    for table in tables:
        download = query.copy()
        download["download"] = table.key
        shown.append(
            {
                "table": table,
                "definitions": tables_.definitions_for(table),
                "rows": [{"row": row, "cells": links.cells(table, row)} for row in table.rows],
                "download": f"?{download.urlencode()}",
            }
        )
    context = {
        **admin_site.each_context(request),
        "title": "Reports",
        "form": form,
        "supervisor": supervisor,
        "period": period,
        "scope_words": _scope_words(scope, supervisor),
        "scope_definition": "" if scope.whole_service else DEFINITIONS["scope"],
        "tables": shown,
        "chart": chart(figures["monthly"]),
        "publishable": publishable,
    }
    return TemplateResponse(request, "admin/reports.html", context)


def _scope_words(scope: Scope, supervisor: bool) -> str:
    if not supervisor:
        return "your cases"
    parts = []
    if scope.adviser:
        parts.append(f"{scope.adviser}'s cases")
    if scope.council:
        parts.append(f"cases with {scope.council}")
    return " and ".join(parts) or "the whole service"


class Links:
    """Each figure's link to the admin list of the cases (or deadlines, messages, tasks) behind
    it, where the list has a filter that selects exactly those; none where it has not."""

    def __init__(self, *, period: Period, scope: Scope, user) -> None:
        self.period = period
        self.start = instant(period.start).isoformat()
        self.end = instant(period.end + timedelta(days=1)).isoformat()
        self.scoped = not scope.whole_service
        self.case_filter: dict[str, str] = {"cases": "all"}
        if scope.adviser:
            adviser = get_user_model().objects.filter(username=scope.adviser).first()
            self.case_filter["adviser"] = str(adviser.pk) if adviser else "0"
        if scope.council:
            council = LocalAuthority.objects.filter(name__iexact=scope.council).first()
            if council:
                self.case_filter["council"] = str(council.pk)
            else:
                self.case_filter["local_authority__iexact"] = scope.council

    def _url(self, name: str, params: dict) -> str:
        return f"{reverse(name)}?{urlencode(params)}"

    def cases(self, **params) -> str:
        return self._url("admin:workflows_case_changelist", {**self.case_filter, **params})

    def cells(self, table, row) -> list[tuple[object, str]]:
        """(value, link or "") for each cell of the row."""
        return [
            (value, self.link(table.key, row.code, column) if value not in (0, None) else "")
            for (column, _), value in zip(table.columns, row.values, strict=True)
        ]

    def link(self, table: str, code: str, column: str) -> str:
        opened = {"created_at__gte": self.start, "created_at__lt": self.end}
        if table == "cases" and code == "opened":
            return self.cases(**opened)
        if table == "cases" and code == "closed":
            return self.cases(closings__closed_at__gte=self.start, closings__closed_at__lt=self.end)
        if table == "cases.by_route":
            return self.cases(routes__kind__exact=code, **opened)
        if self.scoped:
            return ""  # the lists below filter by the case's adviser only on the case list
        due = {"due__gte": self.period.start.isoformat(), "due__lte": self.period.end.isoformat()}
        if table == "family_deadlines" and column == "due":
            return self._url(
                "admin:workflows_deadline_changelist", {"kind": code, "owner": "parent", **due}
            )
        if table == "owed_dates" and column == "due" and not code.startswith(GIVEN_PREFIX):
            # Dates from letters have no list of their own (they are on each case's page).
            return self._url("admin:workflows_deadline_changelist", {"kind": code, **due})
        sent = {"send_at__gte": self.start, "send_at__lt": self.end}
        if table == "messages" and column in ("delivered", "failed", "unknown"):
            return self._url(
                "admin:notifications_outboundmessage_changelist",
                {"channel": code, "status": column, **sent},
            )
        if table == "work" and code == "tasks_raised":
            return self._url(
                "admin:workflows_advisertask_changelist",
                {"state": "all", "created_at__gte": self.start, "created_at__lt": self.end},
            )
        return ""


def chart(months: list[dict]) -> dict:
    """Bars as widths (% of the largest value): two series told apart by pattern (solid and
    striped) and each with its number beside it, not by colour."""
    values = [v for m in months for v in (m["opened"], m["deadlines_passed"]) if isinstance(v, int)]
    top = max([*values, 1])

    def pct(value) -> int:
        number = value if isinstance(value, int) else 4  # "fewer than 5": drawn as up to 4
        return round(100 * number / top * 0.85)  # room for the number beside the longest

    return {
        "months": [
            {
                "label": f"{date.fromisoformat(m['month'] + '-01'):%b %Y}",
                "opened": m["opened"],
                "passed": m["deadlines_passed"],
                "opened_pct": pct(m["opened"]),
                "passed_pct": pct(m["deadlines_passed"]),
            }
            for m in months
        ]
    }

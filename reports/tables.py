"""The report's figures as tables people read: the page, the text output and the CSV files.

Labels come from the one vocabulary (workflows.words, the models' choices): no code reaches a
person. The JSON of `manage.py report` is the figures themselves (reports.figures.report)."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from reports.figures import DEFINITIONS
from reports.periods import FEWER_THAN_5
from workflows import words
from workflows.models import RouteKind


@dataclass
class Row:
    label: str
    values: list
    code: str = ""  # the kind, route or month the row is about, for links and the chart


@dataclass
class Table:
    key: str
    title: str
    definition: str
    columns: list[tuple[str, str]]  # (key, heading)
    rows: list[Row] = field(default_factory=list)
    first_heading: str = ""
    warning: str = ""

    @property
    def column_definitions(self) -> list[tuple[str, str]]:
        """(heading, definition) of each column that has one."""
        out = []
        for key, heading in self.columns:
            text = DEFINITIONS.get(f"{self.key}.{key}")
            if text:
                out.append((heading, text))
        return out

    def csv(self) -> str:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow([self.first_heading, *(heading for _, heading in self.columns)])
        for row in self.rows:
            writer.writerow([row.label, *(_cell(v) for v in row.values)])
        return out.getvalue()


def _cell(value) -> str:
    if value is None:
        return ""
    return str(value)


def _figures_table(key, title, figures: dict, items: list[tuple[str, str]]) -> Table:
    """One row per figure: its label, its value and its definition under it."""
    table = Table(
        key=key,
        title=title,
        definition="",
        columns=[("value", "Number")],
        first_heading="Figure",
    )
    for name, label in items:
        table.rows.append(Row(label, [figures[name]], code=name))
    return table


ROUTE_LABELS = dict(RouteKind.choices)
CHANNEL_LABELS = {"sms": "Texts (SMS)", "email": "Emails"}


def tables(figures: dict) -> list[Table]:
    cases = figures["cases"]
    out = [
        _figures_table(
            "cases",
            "Families' cases",
            cases,
            [
                ("opened", "Cases opened"),
                ("closed", "Cases closed"),
                ("open_at_end", "Open at the end of the period"),
            ],
        )
    ]
    out.append(
        Table(
            "cases.by_route",
            "Cases opened, by route",
            DEFINITIONS["cases.by_route"],
            [("opened", "Cases opened")],
            [Row(ROUTE_LABELS.get(k, k), [v], code=k) for k, v in cases["by_route"].items()],
            first_heading="Route",
        )
    )
    out.append(
        Table(
            "cases.by_council",
            "Cases opened, by council",
            DEFINITIONS["cases.by_council"],
            [("opened", "Cases opened")],
            [Row(k, [v], code=k) for k, v in cases["by_council"].items()],
            first_heading="Council",
        )
    )
    who = cases["who"]
    out.append(
        Table(
            "cases.who",
            "Who the case is for",
            DEFINITIONS["cases.who"],
            [("opened", "Cases opened")],
            [
                Row("Young people (16 to 25)", [who["young_people"]], code="young_people"),
                Row("Parents and carers", [who["parents_and_carers"]], code="parents_and_carers"),
                Row("Not recorded", [who["not_recorded"]], code="not_recorded"),
            ],
            first_heading="Contact",
        )
    )
    family_columns = [
        ("due", "Due"),
        ("done_on_time", "Done on time"),
        ("done_late", "Done late"),
        ("passed_undone", "Passed, nothing done"),
        ("open", "Still open"),
    ]
    out.append(
        Table(
            "family_deadlines",
            "The families' own deadlines",
            DEFINITIONS["family_deadlines"],
            family_columns,
            [
                Row(words.deadline_label(kind), [row[c] for c, _ in family_columns], code=kind)
                for kind, row in figures["family_deadlines"].items()
            ],
            first_heading="Deadline",
        )
    )
    owed_columns = [
        ("due", "Due"),
        ("on_time", "Came on time"),
        ("late", "Came late"),
        ("passed_unrecorded", "Passed, nothing recorded"),
        ("open", "Not due yet"),
    ]
    for key, title, heading, label in [
        ("owed_dates", "Dates others owed the families", "Date owed", words.deadline_label),
        ("owed_dates_by_council", "Dates owed, by council", "Council", str),
    ]:
        table = Table(key, title, DEFINITIONS[key], owed_columns, first_heading=heading)
        for code, row in figures[key].items():
            table.rows.append(Row(label(code), [row[c] for c, _ in owed_columns], code=code))
        out.append(table)
    message_columns = [
        ("sent", "Sent"),
        ("delivered", "Delivered"),
        ("failed", "Failed"),
        ("unknown", "Outcome unknown"),
        ("segments", "SMS segments"),
        ("cost_pounds", "Estimated cost (£)"),
    ]
    messages = Table(
        "messages",
        "Messages to families",
        "",
        message_columns,
        first_heading="Channel",
    )
    for channel in ("sms", "email"):
        row = figures["messages"][channel]
        messages.rows.append(
            Row(CHANNEL_LABELS[channel], [row.get(c) for c, _ in message_columns], code=channel)
        )
    out.append(messages)
    allowance = figures["messages"].get("notify_allowance")
    if allowance:
        out.append(notify_allowance_table(allowance))
    out.append(
        Table(
            "opt_outs",
            "Opt-outs and replies",
            DEFINITIONS["opt_outs"],
            [("count", "Number")],
            [
                Row("Stopped texts", [figures["opt_outs"]["sms"]], code="sms"),
                Row("Stopped emails", [figures["opt_outs"]["email"]], code="email"),
                Row("Texts from families (replies)", [figures["replies"]], code="replies"),
            ],
            first_heading="Figure",
        )
    )
    out.append(
        _figures_table(
            "work",
            "The advisers' work",
            figures["work"],
            [
                ("tasks_raised", "Tasks raised"),
                ("tasks_closed", "Tasks closed"),
                ("urgent_closed", "Urgent tasks closed"),
                ("urgent_hours_median", "Urgent tasks: hours open (median)"),
                ("urgent_hours_p90", "Urgent tasks: hours open (90th percentile)"),
                ("family_dates_told", "Dates the family told us"),
                ("family_dates_decided", "Of those, decided by an adviser"),
                ("family_dates_hours_median", "Hours they waited for a decision (median)"),
            ],
        )
    )
    out.append(
        Table(
            "monthly",
            "By month, the last 12 months",
            "Cases opened, and the families' own deadlines passed with nothing done, by month.",
            [("opened", "Cases opened"), ("deadlines_passed", "Deadlines passed")],
            [
                Row(month_words(m["month"]), [m["opened"], m["deadlines_passed"]], code=m["month"])
                for m in figures["monthly"]
            ],
            first_heading="Month",
        )
    )
    return out


def notify_allowance_table(allowance: dict) -> Table:
    since, to = (_day_words(allowance[k]) for k in ("from", "to"))
    table = Table(
        "messages.notify_allowance",
        "GOV.UK Notify's free text allowance",
        DEFINITIONS["messages.notify_allowance"],
        [("value", "Number")],
        [
            Row(
                f"Text fragments sent through Notify, {since} to {to}",
                [allowance["fragments_used"]],
                code="fragments_used",
            ),
            Row("Free fragments a year", [allowance["free_fragments"]], code="free_fragments"),
            Row(
                "Share of the free allowance used (%)",
                [allowance["percent_used"]],
                code="percent_used",
            ),
        ],
        first_heading="Figure",
    )
    if allowance["warning"]:
        table.warning = (
            "More than the year's free texts are used: Notify charges for the texts beyond them."
            if allowance["percent_used"] > 100
            else "80% or more of the year's free texts are used."
        )
    return table


def _day_words(iso: str) -> str:
    from datetime import date

    day = date.fromisoformat(iso)
    return f"{day.day} {day:%B %Y}"


def month_words(code: str) -> str:
    """'2026-11' -> 'November 2026'."""
    from datetime import date

    year, month = (int(part) for part in code.split("-"))
    return f"{date(year, month, 1):%B %Y}"


def definitions_for(table: Table) -> list[tuple[str, str]]:
    """(label, definition) for each row that has one (a table of figures), then each column."""
    rows = [
        (row.label, DEFINITIONS.get(f"{table.key}.{row.code}") or DEFINITIONS.get(row.code, ""))
        for row in table.rows
    ]
    return [(label, text) for label, text in rows if text] + table.column_definitions


def as_text(figures: dict, *, scope_words: str, scoped: bool = False) -> str:
    period = figures["period"]
    lines = [f"Report for {scope_words}, {period['from']} to {period['to']}"]
    if scoped:
        lines.append(DEFINITIONS["scope"])
    lines.append("")
    for table in tables(figures):
        lines.append(table.title)
        lines.append("=" * len(table.title))
        if table.definition:
            lines.append(table.definition)
        if table.warning:
            lines.append(f"Warning: {table.warning}")
        if not table.rows:
            lines.append("(none)")
        width = max([len(table.first_heading), *(len(r.label) for r in table.rows)])
        headings = [h for _, h in table.columns]
        if table.rows:
            lines.append(
                "  ".join([table.first_heading.ljust(width), *(h.rjust(6) for h in headings)])
            )
            for row in table.rows:
                cells = [
                    _cell(v).rjust(max(6, len(h)))
                    for v, h in zip(row.values, headings, strict=True)
                ]
                lines.append("  ".join([row.label.ljust(width), *cells]))
        for label, text in definitions_for(table):
            if text:
                lines.append(f"  {label}: {text}")
        lines.append("")
    if any(v == FEWER_THAN_5 for t in tables(figures) for r in t.rows for v in r.values):
        lines.append(f'Publishable: a count from 1 to 4 reads "{FEWER_THAN_5}".')
    return "\n".join(lines).rstrip() + "\n"


def as_csv(figures: dict) -> str:
    """Every table in one long CSV: table, row, column, value (codes, for scripts)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["table", "row", "column", "value"])
    writer.writerow(["period", "", "from", figures["period"]["from"]])
    writer.writerow(["period", "", "to", figures["period"]["to"]])
    for table in tables(figures):
        for row in table.rows:
            for (column, _), value in zip(table.columns, row.values, strict=True):
                writer.writerow([table.key, row.code, column, _cell(value)])
        if table.warning:
            writer.writerow([table.key, "warning", "value", table.warning])
    return out.getvalue()

import json
from datetime import date

import pytest
from django.core.management import call_command

from tests.factories import AdviserFactory


def report(capsys, *args):
    call_command("report", *args)
    return capsys.readouterr().out


@pytest.fixture
def caseload(make_case, make_deadline, make_message):
    ann = AdviserFactory(username="ann")
    for day in (2, 3, 4):
        case = make_case(opened=date(2026, 11, day), routes=["appeal"], adviser=ann)
        make_deadline(case, due=date(2026, 11, 20))
        make_message(case, send=date(2026, 11, day), status="delivered", segments=2)
    other = make_case(opened=date(2026, 11, 5), routes=["mediation"], local_authority="Southshire")
    make_message(other, channel="email", send=date(2026, 11, 5), status="failed")


def test_json_has_design_keys_as_integers(caseload, capsys):
    figures = json.loads(
        report(capsys, "--from", "2026-11-01", "--to", "2026-11-30", "--format", "json")
    )
    assert figures["period"] == {"from": "2026-11-01", "to": "2026-11-30"}
    assert figures["cases"]["opened"] == 4
    assert figures["cases"]["by_route"] == {"appeal": 3, "mediation": 1}
    assert figures["family_deadlines"]["appeal"]["due"] == 3
    assert figures["messages"]["sms"] == {
        "sent": 3,
        "delivered": 3,
        "failed": 0,
        "unknown": 0,
        "segments": 6,
        "cost_pounds": 0.24,
    }
    assert figures["messages"]["email"] == {"sent": 0, "delivered": 0, "failed": 1, "unknown": 0}
    assert figures["opt_outs"] == {"sms": 0, "email": 0}
    assert figures["replies"] == 0


def test_adviser_report_holds_only_their_cases(caseload, capsys):
    out = report(
        capsys, "--from", "2026-11-01", "--to", "2026-11-30", "--adviser", "ann", "--format", "json"
    )
    figures = json.loads(out)
    assert figures["cases"]["opened"] == 3
    assert figures["cases"]["by_route"] == {"appeal": 3}
    assert figures["messages"]["email"]["failed"] == 0


def test_publishable_shows_no_count_from_one_to_four(caseload, capsys):
    out = report(
        capsys, "--from", "2026-11-01", "--to", "2026-11-30", "--publishable", "--format", "json"
    )
    figures = json.loads(out)
    assert figures["cases"]["opened"] == "fewer than 5"
    assert figures["messages"]["sms"]["segments"] == 6
    assert figures["messages"]["sms"]["sent"] == "fewer than 5"

    def counts(value):
        if isinstance(value, dict):
            for item in value.values():
                yield from counts(item)
        elif isinstance(value, list):
            for item in value:
                yield from counts(item)
        elif isinstance(value, int):
            yield value

    assert not [n for n in counts(figures) if 1 <= n <= 4]


def test_text_and_csv(caseload, capsys):
    text = report(capsys, "--from", "2026-11-01", "--to", "2026-11-30")
    assert "Cases opened" in text
    assert "Cases created in the period" in text  # the definition beside the figure
    csv_text = report(capsys, "--from", "2026-11-01", "--to", "2026-11-30", "--format", "csv")
    assert csv_text.splitlines()[0] == "table,row,column,value"
    assert "cases,opened,value,4" in csv_text.splitlines()
    assert "family_deadlines,appeal,due,3" in csv_text.splitlines()


def test_council_scope(caseload, capsys):
    out = report(
        capsys,
        "--from",
        "2026-11-01",
        "--to",
        "2026-11-30",
        "--council",
        "southshire",
        "--format",
        "json",
    )
    assert json.loads(out)["cases"]["opened"] == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--from", "2026-13-01", "--to", "2026-11-30"], "--from '2026-13-01' is not a date"),
        (["--from", "2026-11-30", "--to", "2026-11-01"], "before it starts"),
        (["--from", "1026-11-01", "--to", "2026-11-30"], "outside 2000 to 2100"),
        (["--from", "2026-11-01", "--to", "2026-11-30", "--adviser", "nobody"], "no login"),
        (["--from", "2026-11-01", "--to", "2026-11-30", "--council", "Atlantis"], "no council"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(db, capsys, args, message):
    with pytest.raises(SystemExit) as exit_:
        call_command("report", *args)
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert message in err
    assert len(err.strip().splitlines()) == 1


def test_missing_dates_from_the_command_line_is_one_line(db):
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "manage.py", "report", "--to", "2026-11-30"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        "manage.py report: error: the following arguments are required: --from"
    ]


def test_one_advisers_or_councils_report_says_it_follows_the_cases_now(caseload, capsys):
    scope_line = "figures follow each case's adviser and council as they are now"
    whole = report(capsys, "--from", "2026-11-01", "--to", "2026-11-30")
    assert scope_line not in whole
    for scope in (["--adviser", "ann"], ["--council", "Southshire"]):
        text = report(capsys, "--from", "2026-11-01", "--to", "2026-11-30", *scope)
        assert scope_line in text.splitlines()[1]

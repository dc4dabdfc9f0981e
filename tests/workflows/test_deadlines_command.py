"""The calculator as people outside the code run it: `python manage.py deadlines ...`."""

import io
import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.core.management import call_command

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Result:
    returncode: int
    stdout: str
    stderr: str


def run(*args) -> Result:
    """The command in this process: what it prints and the code it exits with. The command line
    itself (argument parsing, exit codes, no traceback) is proven once, in a real subprocess,
    by the last tests below."""
    stdout, stderr = io.StringIO(), io.StringIO()
    try:
        call_command("deadlines", *args, stdout=stdout, stderr=stderr)
    except SystemExit as exc:
        code = exc.code
    else:
        code = 0
    return Result(code, stdout.getvalue(), stderr.getvalue())


def run_cli(*args) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", "deadlines", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )


def test_json_output_has_the_contracted_fields():
    result = run("--event", "decision_sent=2026-12-31", "--format", "json")
    assert result.returncode == 0, result.stderr
    deadlines = json.loads(result.stdout)["deadlines"]
    appeal = next(d for d in deadlines if d["kind"] == "appeal")
    assert appeal["due"] == "2027-03-01"
    assert appeal["owner"] == "parent"
    assert "r.20(1)(c)" in appeal["rule"]
    assert (
        "Sunday is not a working day, so the Tribunal accepts the appeal on Monday 1 March 2027"
    ) in appeal["steps"]
    assert {"kind", "due", "owner", "rule", "steps", "state", "done_by", "aim_for"} <= appeal.keys()


def test_text_output_shows_dates_and_working():
    result = run("--event", "decision_sent=2026-12-31", "--event", "certificate_issued=2027-01-20")
    assert result.returncode == 0, result.stderr
    assert "appeal: Monday 1 March 2027 (2027-03-01)" in result.stdout
    assert "mediation_adviser_contact: Sunday 28 February 2027" in result.stdout
    assert "check them against your letters" in result.stdout


def test_json_aim_for_follows_the_decision_letters_date_as_the_text_does():
    """The letter is dated a week before it was sent: the text says aim for Monday 26 April
    2027 and so must the JSON, not the sending date's Tuesday 4 May (issue 20 part 7)."""
    events = ["--event", "decision_sent=2027-03-04", "--event", "decision_letter_dated=2027-02-26"]
    text = run(*events, "--today", "2027-03-10")
    assert text.returncode == 0, text.stderr
    assert text.stdout.count("aim for: Monday 26 April 2027 (2027-04-26)") == 2
    result = run(*events, "--today", "2027-03-10", "--format", "json")
    assert result.returncode == 0, result.stderr
    dates = {d["kind"]: (d["due"], d["aim_for"]) for d in json.loads(result.stdout)["deadlines"]}
    assert dates == {
        "appeal": ("2027-05-04", "2027-04-26"),
        "mediation_adviser_contact": ("2027-05-04", "2027-04-26"),
    }


LATE_APPEAL = ["--event", "decision_sent=2026-01-15", "--event", "appeal_submitted=2026-03-20"]
LATE_WARNING = (
    "The appeal was sent on Friday 20 March 2026, after its last day (Monday 16 March 2026): "
    "the Tribunal must be asked to accept it late, with the reasons."
)


def test_a_late_appeal_is_done_with_the_case_pages_warning_in_json():
    """The calculator runs the findings the case page raises (rules.flags): a late appeal is
    done, and says it was late (issue 20 part 7)."""
    result = run(*LATE_APPEAL, "--today", "2026-03-25", "--format", "json")
    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout)
    assert payload["warnings"] == [LATE_WARNING]
    appeal = next(d for d in payload["deadlines"] if d["kind"] == "appeal")
    assert appeal["state"] == "done"
    assert LATE_WARNING in appeal["warnings"]


def test_a_late_appeal_carries_its_warning_in_text_and_general_findings_come_first():
    result = run(
        *LATE_APPEAL,
        "--event",
        "decision_letter_dated=2026-01-20",
        "--today",
        "2026-03-25",
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert out.startswith("Check these dates:\n  ! The decision letter is dated Tuesday 20")
    appeal_block = out[out.index("appeal: Monday 16 March 2026") :]
    assert f"  ! {LATE_WARNING}" in appeal_block


def test_an_on_time_appeal_has_no_warnings():
    result = run(
        "--event", "decision_sent=2026-01-15", "--event", "appeal_submitted=2026-03-02",
        "--today", "2026-03-25", "--format", "json",
    )  # fmt: skip
    assert json.loads(result.stdout)["warnings"] == []


def test_a_complaint_to_a_school_is_the_schools_by_the_parents_date():
    events = ["--event", "complaint_sent=2026-11-02"]
    asked = [*events, "--event", "complaint_response_requested=2026-12-04"]
    result = run(*asked, "--complaint-to", "school", "--format", "json")
    assert result.returncode == 0, result.stderr
    (reply,) = json.loads(result.stdout)["deadlines"]
    assert (reply["kind"], reply["due"], reply["owner"]) == (
        "complaint_response",
        "2026-12-04",
        "school",
    )
    assert "Complaint Handling Code" not in reply["rule"]
    council = json.loads(run(*events, "--complaint-to", "council", "--format", "json").stdout)
    assert [(d["due"], d["owner"]) for d in council["deadlines"]] == [
        ("2026-11-23", "local_authority")
    ]


def test_placement_only_flag_drops_the_certificate():
    result = run(
        "--event",
        "decision_sent=2026-02-10",
        "--event",
        "certificate_issued=2026-03-25",
        "--placement-only",
        "--format",
        "json",
    )
    kinds = {d["kind"]: d["due"] for d in json.loads(result.stdout)["deadlines"]}
    assert kinds == {"appeal": "2026-04-10"}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--event", "decision_sent=2026-13-01"], "error: '2026-13-01' is not a real date"),
        (["--event", "decisionsent=2026-01-01"], "error: Unknown event 'decisionsent'"),
        (
            ["--event", "decision_sent=2026-06-01", "--event", "certificate_issued=2026-05-01"],
            "error: The certificate date is before the decision date",
        ),
        (["--event", "decision_sent"], "error: 'decision_sent' should look like"),
        ([], "error: Give at least one --event"),
        (
            ["--event", "decision_sent=2026-01-01", "--event", "decision_sent=2026-01-02"],
            "error: An event is given twice",
        ),
    ],
)
def test_bad_input_is_one_line_exit_2_no_traceback(args, message):
    result = run(*args)
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.startswith(message)
    assert result.stderr.count("\n") == 1
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("today", ["1999-12-31", "2101-01-01", "0226-03-01"])
def test_a_today_outside_this_century_is_refused_as_a_likely_typo(today, capsys):
    from django.core.management import call_command

    with pytest.raises(SystemExit) as stopped:
        call_command("deadlines", "--event", "decision_sent=2026-01-01", "--today", today)

    assert stopped.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: --today: '{today}' is outside 2000 to 2100: check the year")


@pytest.mark.slow
def test_the_command_line_prints_json_and_exits_0_or_one_line_and_exit_2():
    """`python manage.py deadlines` as people outside the code run it, in a process of its own."""
    good = run_cli("--event", "decision_sent=2026-12-31", "--format", "json")
    assert good.returncode == 0, good.stderr
    appeal = next(d for d in json.loads(good.stdout)["deadlines"] if d["kind"] == "appeal")
    assert appeal["due"] == "2027-03-01"
    assert good.stdout == run("--event", "decision_sent=2026-12-31", "--format", "json").stdout

    bad = run_cli("--event", "decision_sent=2026-13-01")
    assert bad.returncode == 2
    assert bad.stdout == ""
    assert bad.stderr.startswith("error: '2026-13-01' is not a real date")
    assert bad.stderr.count("\n") == 1
    assert "Traceback" not in bad.stderr

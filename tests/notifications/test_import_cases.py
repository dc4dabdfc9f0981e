"""import_cases: all or nothing, every error naming its row and column."""

from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command

from governance.models import AuditEvent
from notifications.models import OutboundMessage
from workflows.models import Case, Contact, KeyDate

pytestmark = pytest.mark.django_db

HEADER = (
    "reference,parent_name,email,mobile,channels,placement_only,decision_sent,certificate_issued\n"
)


def run_import(tmp_path, text, *args):
    path = tmp_path / "cases.csv"
    path.write_text(text, encoding="utf-8")
    out, err = StringIO(), StringIO()
    try:
        call_command("import_cases", str(path), *args, stdout=out, stderr=err)
        code = 0
    except SystemExit as exit_:
        code = exit_.code
    return code, out.getvalue(), err.getvalue()


def test_a_valid_file_creates_cases_contacts_dates_deadlines_and_messages(tmp_path):
    code, out, _ = run_import(
        tmp_path,
        HEADER
        + 'A1,Amira Khan,amira@example.com,07400 123456,"sms,email",no,2026-12-31,\n'
        + "B2,Ben Jones,ben@example.com,,email,yes,15/01/2027,\n",
    )
    assert code == 0
    assert "Imported 2 cases" in out
    assert "2 new, 0 updated" in out
    amira = Contact.objects.get(case__reference="A1")
    assert (amira.mobile.as_e164, amira.wants_sms, amira.wants_email) == (
        "+447400123456",
        True,
        True,
    )
    assert amira.consent_source == "import"
    assert Case.objects.get(reference="B2").placement_only
    assert Case.objects.get(reference="A1").deadlines.get(kind="appeal").due == date(2027, 3, 1)
    assert set(
        OutboundMessage.objects.filter(case__reference="B2").values_list("channel", flat=True)
    ) == {"email"}


def test_every_bad_row_is_named_and_nothing_is_written(tmp_path):
    code, _, err = run_import(
        tmp_path,
        HEADER
        + "A1,Amira Khan,amira@example.com,07400 123456,sms,no,2026-12-31,\n"
        + "B2,,ben@example,01632 960001,sms,maybe,2026-13-01,\n"
        + "C3,Cara Lee,,,email,no,2026-06-01,2026-05-01\n"
        + "A1,Dup Licate,,,,no,,\n",
    )
    assert code == 2
    assert "Row 3, column parent_name: is empty" in err
    assert "Row 3, column email: 'ben@example' is not an email address" in err
    assert "Row 3, column mobile:" in err
    assert "Row 3, column placement_only: 'maybe' should be yes or no" in err
    assert "Row 3, column decision_sent: '2026-13-01' is not a real date" in err
    assert "Row 4, column channels: asks for email but the email column is empty" in err
    assert "Row 5, column reference: 'A1' is also on row 2" in err
    assert "Nothing was imported" in err
    assert not Case.objects.exists()


def test_certificate_before_decision_names_the_row_and_column(tmp_path):
    code, _, err = run_import(tmp_path, HEADER + "C3,Cara Lee,,,,no,2026-06-01,2026-05-01\n")
    assert code == 2
    assert (
        "Row 2, column certificate_issued: The certificate date is before the decision date" in err
    )


def test_unknown_columns_are_refused(tmp_path):
    code, _, err = run_import(tmp_path, "reference,parent_name,decison_sent\nA1,Amira,2026-01-01\n")
    assert code == 2
    assert "Row 1 (header), column decison_sent: not a known column" in err


def test_reimporting_a_reference_updates_that_case(tmp_path):
    run_import(tmp_path, HEADER + "A1,Amira Khan,amira@example.com,,email,no,2026-10-01,\n")
    code, out, _ = run_import(
        tmp_path, HEADER + "A1,Amira Khan-Smith,amira@example.com,,email,no,2026-10-01,2026-11-30\n"
    )
    assert code == 0
    assert "0 new, 1 updated" in out
    case = Case.objects.get(reference="A1")
    assert case.contacts.get().name == "Amira Khan-Smith"
    assert case.deadlines.get(kind="appeal").due == date(2027, 1, 4)


def test_dry_run_checks_and_writes_nothing(tmp_path):
    code, out, _ = run_import(tmp_path, HEADER + "A1,Amira,,,,no,2026-10-01,\n", "--dry-run")
    assert code == 0
    assert "every row is valid (1 row): 1 new case, 0 updates. On confirm, " in out
    assert out.rstrip().endswith("Dry run: nothing written, nobody messaged.")
    assert not Case.objects.exists()


def test_a_dry_run_finds_a_clash_with_dates_already_on_the_case(tmp_path):
    run_import(tmp_path, HEADER + "A1,Amira,,,,no,2026-10-01,2026-11-30\n")

    code, _, err = run_import(
        tmp_path, "reference,parent_name,decision_sent\nA1,Amira,2026-12-15\n", "--dry-run"
    )

    assert code == 2
    assert "Row 2, dates (with those already on case A1): The certificate date is before" in err


def test_a_clash_with_dates_already_on_the_case_writes_nothing(tmp_path):
    run_import(tmp_path, HEADER + "A1,Amira,,,,no,2026-10-01,2026-11-30\n")
    code, _, err = run_import(
        tmp_path, "reference,parent_name,decision_sent\nA1,Amira,2026-12-15\nB2,Ben,2026-12-15\n"
    )
    assert code == 2
    assert "Row 2, dates (with those already on case A1): The certificate date is before" in err
    assert not Case.objects.filter(reference="B2").exists()
    assert Case.objects.get(reference="A1").key_dates.get(event="decision_sent").value == date(
        2026, 10, 1
    )


def test_a_reimport_without_some_columns_leaves_those_details_alone(tmp_path):
    run_import(
        tmp_path,
        HEADER + 'A1,Amira Khan,amira@example.com,07400 123456,"sms,email",yes,2026-10-01,\n',
    )
    code, _, _ = run_import(
        tmp_path, "reference,parent_name,certificate_issued\nA1,Amira Khan,2026-11-30\n"
    )
    assert code == 0
    case = Case.objects.get(reference="A1")
    contact = case.contacts.get()
    assert (contact.email, contact.wants_sms, contact.wants_email) == (
        "amira@example.com",
        True,
        True,
    )
    assert case.placement_only
    assert OutboundMessage.objects.filter(case=case, status="pending").exists()


def test_contact_details_without_a_channels_column_are_refused(tmp_path):
    code, _, err = run_import(tmp_path, "reference,parent_name,email\nA1,Amira,a@example.com\n")
    assert code == 2
    assert "add a channels column" in err


def test_impossible_years_and_long_names_are_named_not_crashed_on(tmp_path):
    code, _, err = run_import(tmp_path, HEADER + f"A1,{'x' * 101},,,,no,31/12/0000,\n")
    assert code == 2
    assert "Row 2, column parent_name: is longer than 100 characters" in err
    assert "Row 2, column decision_sent: '31/12/0000' is not a real date: there is no year 0" in err


def test_each_length_limit_is_the_models_own_and_nothing_is_written(tmp_path):
    reference, email = "R" * 41, "a" * 250 + "@example.com"  # 40 and 254 in the models
    code, _, err = run_import(
        tmp_path, f"reference,parent_name,email,channels\n{reference},Amira,{email},email\n"
    )
    assert code == 2
    assert "Row 2, column reference: is longer than 40 characters" in err
    assert "Row 2, column email: is longer than 254 characters" in err
    assert not Case.objects.exists()


# --- files that must not break the import (issue 10) -------------------------------------------

SHORT_HEADER = "reference,parent_name,email,channels,decision_sent\n"


def run_bytes(tmp_path, data: bytes, *args):
    path = tmp_path / "cases.csv"
    path.write_bytes(data)
    out, err = StringIO(), StringIO()
    try:
        call_command("import_cases", str(path), *args, stdout=out, stderr=err)
        code = 0
    except SystemExit as exit_:
        code = exit_.code
    return code, out.getvalue(), err.getvalue()


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (
            'A1,"Amira\x0bKhan",a@example.com,email,2026-12-31',
            "Row 2, column parent_name: holds a vertical tab (U+000B); remove it",
        ),
        (
            'A1,"Amira\nKhan",a@example.com,email,2026-12-31',
            "Row 2, column parent_name: holds a line break (U+000A); remove it",
        ),
        (
            "A1,Amira\u2028Khan,a@example.com,email,2026-12-31",
            "Row 2, column parent_name: holds a line separator (U+2028); remove it",
        ),
        (
            "A1,Amira\x00Khan,a@example.com,email,2026-12-31",
            "Row 2, column parent_name: holds a NUL; remove it",
        ),
        (
            "A1," + "x" * 200_000 + ",a@example.com,email,2026-12-31",
            "Row 2, column parent_name: is 200,000 characters long",
        ),
        (
            "A1,Amira Khan,a@example.com,email,2026-12-31,surplus",
            "Row 2, after column decision_sent: has 6 fields but the header has 5",
        ),
        (
            "A1,Amira Khan",
            "Row 2, column email: missing; the row has 2 fields but the header has 5",
        ),
        (
            "A1,Amira\rB9,Ben Jones,b@example.com,email,2026-12-31",
            "Row 2, column parent_name: holds a carriage return (U+000D) that splits the row",
        ),
        (
            "A1,Amira Khan,a@example.com,email,2026-12-31\u0085",
            "Row 2, column decision_sent: holds a control character (U+0085); remove it",
        ),
        (
            "A1,+44 Amira,a@example.com,email,2026-12-31",
            "Row 2, column parent_name: starts with '+', which a spreadsheet runs as a formula",
        ),
        (
            "A1,-Amira,a@example.com,email,2026-12-31",
            "Row 2, column parent_name: starts with '-', which a spreadsheet runs as a formula",
        ),
        (
            'A1,=HYPERLINK("http://x"),a@example.com,email,2026-12-31',
            "Row 2, column parent_name: starts with '=', which a spreadsheet runs as a formula",
        ),
        (
            "A1,@SUM(1),a@example.com,email,2026-12-31",
            "Row 2, column parent_name: starts with '@'",
        ),
        (
            "-A1,Amira Khan,a@example.com,email,2026-12-31",
            "Row 2, column reference: starts with '-'",
        ),
    ],
)
def test_malformed_rows_are_refused_by_row_and_column_and_nothing_is_written(
    tmp_path, row, message
):
    good = "B2,Ben Jones,b@example.com,email,2026-12-31\r\n"
    before = "A0,Ann Lee,ann@example.com,email,2026-12-30\r\n"  # a good row before the bad one
    header = SHORT_HEADER.replace("\n", "\r\n")  # as a spreadsheet saves it
    code, _, err = run_bytes(tmp_path, (header + before + row + "\r\n" + good).encode())
    assert code == 2
    assert message.replace("Row 2", "Row 3") in err
    assert err.count("Row ") == 1  # one line, for the one bad row
    assert not Case.objects.exists()


def test_a_file_from_an_old_mac_with_carriage_returns_alone_still_imports(tmp_path):
    rows = SHORT_HEADER + "A1,Amira Khan,a@example.com,email,2026-12-31\n"
    code, _, err = run_bytes(tmp_path, rows.replace("\n", "\r").encode())
    assert code == 0, err
    assert Contact.objects.get(case__reference="A1").name == "Amira Khan"


def test_a_quoted_comma_stays_in_its_field_and_an_empty_trailing_cell_is_fine(tmp_path):
    code, _, err = run_bytes(
        tmp_path,
        (SHORT_HEADER + 'A1,"Khan, Amira",a@example.com,email,2026-12-31,\n').encode(),
    )
    assert code == 0, err
    assert Contact.objects.get(case__reference="A1").name == "Khan, Amira"


def test_a_file_that_is_not_utf8_says_how_to_save_it(tmp_path):
    code, _, err = run_bytes(
        tmp_path, (SHORT_HEADER + "A1,Zoë,a@example.com,email,\n").encode("latin-1")
    )
    assert code == 2
    assert "Row 2, column parent_name: has a character that is not UTF-8" in err
    assert "'CSV UTF-8 (Comma delimited)'" in err
    assert "byte" not in err  # a byte offset means nothing to the person fixing the file
    assert not Case.objects.exists()


def test_a_bad_byte_far_down_a_file_names_its_row_and_column(tmp_path):
    rows = "".join(f"C{i},Parent {i},p{i}@example.com,email,2026-12-31\n" for i in range(1, 499))
    data = (SHORT_HEADER + rows).encode() + b"C499,Ren\xe9e Ward,r@example.com,email,\n"

    code, _, err = run_bytes(tmp_path, data)

    assert code == 2
    assert "Row 500, column parent_name: has a character that is not UTF-8" in err
    assert not Case.objects.exists()


def test_a_utf16_file_says_it_is_utf16_and_how_to_save_it(tmp_path):
    code, _, err = run_bytes(
        tmp_path, (SHORT_HEADER + "A1,Zoe,a@example.com,email,\n").encode("utf-16")
    )

    assert code == 2
    assert "it is saved as UTF-16 ('Unicode Text'), not UTF-8 CSV" in err


SEMICOLONS = (
    "reference;parent_name;email;channels;decision_sent\nA1;Zoë Khan;a@example.com;email;\n"
)


@pytest.mark.parametrize(
    "text",
    [SEMICOLONS, "sep=;\n" + SEMICOLONS, "sep=,\n" + SEMICOLONS.replace(";", ",")],
    ids=["semicolons", "sep-line-semicolons", "sep-line-commas"],
)
def test_a_file_saved_with_semicolons_or_a_sep_line_is_read(tmp_path, text):
    code, _, err = run_bytes(tmp_path, text.encode())

    assert code == 0, err
    assert Contact.objects.get(case__reference="A1").name == "Zoë Khan"


def test_broken_quoting_names_the_row_and_the_column(tmp_path):
    text = SHORT_HEADER + 'A1,Amira,a@example.com,email,\nA2,"Khan" Amira,k@example.com,email,\n'

    code, _, err = run_bytes(tmp_path, text.encode())

    assert code == 2
    assert "Row 3, column parent_name: the file cannot be read here" in err
    assert not Case.objects.exists()


def test_a_quote_never_closed_names_the_column_it_opened_in(tmp_path):
    text = SHORT_HEADER + 'A1,Amira,"a@example.com,email,\nA2,Dev,d@example.com,email,\n'

    code, _, err = run_bytes(tmp_path, text.encode())

    assert code == 2
    assert "Row 2, column email: the file cannot be read here" in err


def test_a_clash_in_a_later_batch_leaves_nothing_from_earlier_batches(tmp_path, monkeypatch):
    from casework import importing
    from tests.factories import CaseFactory
    from workflows import services

    monkeypatch.setattr(importing, "BATCH", 2)
    existing = CaseFactory(reference="C5")
    services.key_date_set(case=existing, event="certificate_issued", value=date(2026, 1, 10))
    rows = "".join(
        f"C{i},Parent {i},p{i}@example.com,email,2026-12-31\n" for i in range(1, 6)
    )  # C5's stored certificate is before its imported decision: a clash in the third batch
    code, out, err = run_bytes(tmp_path, (SHORT_HEADER + rows).encode())
    assert code == 2
    assert "Row 6, dates (with those already on case C5)" in err
    assert "4 cases written" in out  # two batches were written, then rolled back
    assert list(Case.objects.values_list("reference", flat=True)) == ["C5"]
    assert not Contact.objects.exists()
    assert not AuditEvent.objects.filter(action="import").exists()


def test_each_imported_case_gets_one_import_event_in_the_audit_trail(tmp_path, monkeypatch):
    from casework import importing

    monkeypatch.setattr(importing, "BATCH", 2)
    rows = "".join(f"C{i},Parent {i},p{i}@example.com,email,2026-12-31\n" for i in range(1, 6))
    code, _, err = run_bytes(tmp_path, (SHORT_HEADER + rows).encode())
    assert code == 0, err
    events = AuditEvent.objects.filter(action="import")
    assert sorted(events.values_list("case__reference", "case_reference")) == [
        (f"C{i}", f"C{i}") for i in range(1, 6)
    ]
    assert {e.detail["file"] for e in events} == {"cases.csv"}
    assert all(e.actor_name.startswith("command line") for e in events)


def test_progress_is_shown_with_a_rate(tmp_path):
    rows = "".join(f"P{i},Parent {i},p{i}@example.com,email,2026-12-31\n" for i in range(3))
    code, out, _ = run_bytes(tmp_path, (SHORT_HEADER + rows).encode())
    assert code == 0
    assert "3 rows checked (" in out
    assert "3 cases written (" in out
    assert "a second)" in out


def test_imported_cases_and_parents_get_their_own_private_tokens_and_stamps(tmp_path):
    rows = "".join(f"T{i},Parent {i},p{i}@example.com,email,2026-12-31\n" for i in range(3))
    code, _, err = run_bytes(tmp_path, (SHORT_HEADER + rows).encode())
    assert code == 0, err
    cases = list(Case.objects.all())
    assert len({c.access_token for c in cases}) == 3
    assert all(len(c.access_token) == 22 for c in cases)
    assert all(c.created_at and c.updated_at and c.status == "open" for c in cases)
    contacts = list(Contact.objects.all())
    assert len({c.opt_out_token for c in contacts}) == 3
    assert all(c.language == "en" and c.role == "parent" for c in contacts)
    assert all(k.recorded_at and k.source == "import" for k in KeyDate.objects.all())


def test_no_summary_imports_without_messaging_the_families_on_import(tmp_path):
    from casework.importing import NO_SUMMARY_REASON

    code, out, _ = run_import(
        tmp_path,
        HEADER
        + 'A1,Amira Khan,amira@example.com,07400 123456,"sms,email",no,2026-12-31,\n'
        + "B2,Ben Jones,ben@example.com,,email,yes,15/01/2027,\n",
        "--no-summary",
    )
    assert code == 0
    assert "Imported 2 cases" in out  # the usual lines stay
    assert "2 new, 0 updated" in out
    assert "No first summary: 3 summaries cancelled" in out
    summaries = OutboundMessage.objects.filter(kind=OutboundMessage.Kind.SUMMARY)
    assert set(summaries.values_list("status", "status_reason")) == {
        ("cancelled", NO_SUMMARY_REASON)
    }
    # Later reminders still go.
    assert OutboundMessage.objects.filter(status="pending", kind="reminder").exists()
    assert AuditEvent.objects.filter(action="import", detail__no_summary=True).count() == 2


def test_without_no_summary_the_first_summaries_are_planned(tmp_path):
    code, out, _ = run_import(
        tmp_path,
        HEADER + 'A1,Amira Khan,amira@example.com,07400 123456,"sms,email",no,2026-12-31,\n',
    )
    assert code == 0
    assert "No first summary" not in out
    assert set(OutboundMessage.objects.filter(kind="summary").values_list("channel", "status")) == {
        ("sms", "pending"),
        ("email", "pending"),
    }


def test_a_reimport_that_changes_a_contact_and_the_case_leaves_change_history(tmp_path):
    from auditlog.models import LogEntry

    header = "reference,parent_name,email,mobile,channels,placement_only\n"
    first = header + 'H1,Amira Khan,amira@example.com,07400 123456,"sms,email",no\n'
    second = header + 'H1,Amira Begum,amira.b@example.com,07400 654321,"sms,email",yes\n'
    assert run_bytes(tmp_path, first.encode())[0] == 0
    LogEntry.objects.all().delete()

    code, _, err = run_bytes(tmp_path, second.encode())

    assert code == 0, err
    contact = Contact.objects.get(case__reference="H1")
    entry = LogEntry.objects.get_for_object(contact).get()
    assert entry.action == LogEntry.Action.UPDATE
    assert entry.changes_dict["name"] == ["Amira Khan", "Amira Begum"]
    assert entry.changes_dict["email"] == ["amira@example.com", "amira.b@example.com"]
    assert entry.changes_dict["mobile"] == ["+447400123456", "+447400654321"]
    case_entry = LogEntry.objects.get_for_object(contact.case).get()
    assert case_entry.changes_dict["placement_only"] == [False, True]


def test_a_reimport_that_changes_nothing_leaves_no_change_history(tmp_path):
    from auditlog.models import LogEntry

    text = SHORT_HEADER + "H2,Dev Patel,dev@example.com,email,2026-12-31\n"
    assert run_bytes(tmp_path, text.encode())[0] == 0
    LogEntry.objects.all().delete()

    assert run_bytes(tmp_path, text.encode())[0] == 0

    assert not LogEntry.objects.exists()

"""The adviser's admin: case list, case page with key dates and deadlines, and the calculator."""

from datetime import date

import pytest
import time_machine
from django.urls import reverse

from tests.factories import CaseFactory, ContactFactory
from workflows import services
from workflows.models import Case, KeyDate

pytestmark = pytest.mark.django_db


def inline_management(prefix, total=0, initial=0):
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def case_post_data(case=None, key_dates=(), **fields):
    data = {
        "reference": case.reference if case else "SF-NEW",
        "local_authority": "Exampleshire",
        "status": "open",
        "notes": "",
        **fields,
        **inline_management("contacts"),
        **inline_management("routes"),
        **inline_management("deadlines"),
        **inline_management("given_dates"),
        **inline_management("key_dates", total=len(key_dates)),
    }
    for i, (event, value) in enumerate(key_dates):
        data[f"key_dates-{i}-event"] = event
        data[f"key_dates-{i}-value"] = value
    return data


@pytest.mark.parametrize(
    "url_name",
    [
        "admin:workflows_case_changelist",
        "admin:workflows_case_add",
        "admin:workflows_deadline_changelist",
        "admin:workflows_calculator",
    ],
)
def test_admin_pages_open(admin_client_logged_in, url_name):
    assert admin_client_logged_in.get(reverse(url_name)).status_code == 200


def test_case_and_deadline_pages_open(admin_client_logged_in):
    case = CaseFactory()
    ContactFactory(case=case)
    services.key_date_set(case=case, event="decision_sent", value=date(2026, 12, 31))
    response = admin_client_logged_in.get(reverse("admin:workflows_case_change", args=[case.id]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Monday 1 March 2027" in page
    assert "Sunday is not a working day, so the Tribunal accepts the appeal" in page
    deadline = case.deadlines.get(kind="appeal")
    url = reverse("admin:workflows_deadline_change", args=[deadline.id])
    assert admin_client_logged_in.get(url).status_code == 200


def test_adding_a_case_with_key_dates_stores_its_deadlines(admin_client_logged_in):
    response = admin_client_logged_in.post(
        reverse("admin:workflows_case_add"),
        case_post_data(
            key_dates=[("decision_sent", "2026-10-01"), ("certificate_issued", "2026-11-30")]
        ),
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    case = Case.objects.get(reference="SF-NEW")
    assert case.deadlines.get(kind="appeal").due == date(2027, 1, 4)


def test_certificate_before_decision_is_shown_in_plain_words_and_nothing_saved(
    admin_client_logged_in,
):
    response = admin_client_logged_in.post(
        reverse("admin:workflows_case_add"),
        case_post_data(
            key_dates=[("decision_sent", "2026-06-01"), ("certificate_issued", "2026-05-01")]
        ),
    )
    assert response.status_code == 200
    assert "The certificate date is before the decision date" in response.content.decode()
    assert not Case.objects.exists()
    assert not KeyDate.objects.exists()


def test_adviser_override_is_recorded_beside_the_computed_date(admin_client_logged_in, adviser):
    case = CaseFactory()
    services.key_date_set(case=case, event="decision_sent", value=date(2026, 1, 15))
    deadlines = list(case.deadlines.order_by("id"))
    key_date = case.key_dates.get()
    data = case_post_data(case)
    data.update(inline_management("key_dates", total=1, initial=1))
    data.update(
        {
            "key_dates-0-id": key_date.id,
            "key_dates-0-case": case.id,
            "key_dates-0-event": "decision_sent",
            "key_dates-0-value": "2026-01-15",
        }
    )
    data.update(inline_management("deadlines", total=len(deadlines), initial=len(deadlines)))
    for i, d in enumerate(deadlines):
        data.update(
            {
                f"deadlines-{i}-id": d.id,
                f"deadlines-{i}-case": case.id,
                f"deadlines-{i}-status": d.status,
                f"deadlines-{i}-override_date": "",
                f"deadlines-{i}-override_reason": "",
            }
        )
    i = next(i for i, d in enumerate(deadlines) if d.kind == "appeal")
    data[f"deadlines-{i}-override_date"] = "2026-03-20"
    response = admin_client_logged_in.post(
        reverse("admin:workflows_case_change", args=[case.id]), data
    )
    assert response.status_code == 200  # refused: no reason given
    assert "Say why you are overriding the computed date." in response.content.decode()

    data[f"deadlines-{i}-override_reason"] = "Tribunal direction of 1 March"
    data[f"deadlines-{i}-override_date"] = "9999-12-31"
    response = admin_client_logged_in.post(
        reverse("admin:workflows_case_change", args=[case.id]), data
    )
    assert response.status_code == 200  # refused: a typing slip, not a date
    assert "is more than a year from the computed date" in response.content.decode()

    data[f"deadlines-{i}-override_date"] = "2026-03-20"
    response = admin_client_logged_in.post(
        reverse("admin:workflows_case_change", args=[case.id]), data
    )
    assert response.status_code == 302
    appeal = case.deadlines.get(kind="appeal")
    assert (appeal.due, appeal.override_date) == (date(2026, 3, 16), date(2026, 3, 20))
    assert appeal.overridden_by == adviser


@time_machine.travel(date(2026, 3, 10), tick=False)
def test_case_list_shows_next_deadline_and_filters_by_when_it_falls(admin_client_logged_in):
    soon = CaseFactory(reference="SF-SOON")
    services.key_date_set(case=soon, event="ehc_request_received", value=date(2026, 2, 3))
    late = CaseFactory(reference="SF-LATE")
    services.key_date_set(case=late, event="decision_sent", value=date(2025, 12, 1))
    later = CaseFactory(reference="SF-LATER")
    services.key_date_set(case=later, event="decision_sent", value=date(2026, 6, 1))

    url = reverse("admin:workflows_case_changelist")
    page = admin_client_logged_in.get(url).content.decode()
    # SF-SOON: the council's decision on the assessment, Tue 17 Mar 2026 (6 weeks), 5 working
    # days after Tue 10 Mar.
    assert "Council&#x27;s decision on an EHC needs assessment (the council)" in page
    assert "Tue 17 Mar 2026" in page
    assert "5 working days left" in page

    def refs(query):
        body = admin_client_logged_in.get(url + query).content.decode()
        return {r for r in ("SF-SOON", "SF-LATE", "SF-LATER") if r in body}

    assert refs("?urgency=passed") == {"SF-LATE"}
    assert refs("?urgency=due_5wd") == {"SF-SOON"}
    assert refs("?urgency=four_weeks") == {"SF-SOON"}


def test_case_list_searches_by_family_name(admin_client_logged_in):
    ContactFactory(case=CaseFactory(reference="SF-A"), name="Amira Khan")
    ContactFactory(case=CaseFactory(reference="SF-B"), name="Ben Jones")
    body = admin_client_logged_in.get(
        reverse("admin:workflows_case_changelist") + "?q=amira"
    ).content.decode()
    assert "SF-A" in body
    assert "SF-B" not in body


def test_calculator_page_shows_deadlines_with_working(admin_client_logged_in):
    response = admin_client_logged_in.get(
        reverse("admin:workflows_calculator"),
        {"decision_sent": "2026-10-01", "certificate_issued": "30/11/2026"},
    )
    page = response.content.decode()
    assert "Monday 4 January 2027" in page
    assert "falls between 25 December and 1 January" in page
    assert "HESC Rules 2008" in page


@pytest.mark.parametrize(
    ("query", "message"),
    [
        (
            {"decision_sent": "2026-13-01"},
            "&#x27;2026-13-01&#x27; is not a real date: there is no month 13",
        ),
        (
            {"decision_sent": "2026-06-01", "certificate_issued": "2026-05-01"},
            "The certificate date is before the decision date",
        ),
    ],
)
def test_calculator_page_gives_the_same_words_as_the_command(
    admin_client_logged_in, query, message
):
    page = admin_client_logged_in.get(reverse("admin:workflows_calculator"), query).content.decode()
    assert message in page
    assert 'id="deadlines"' not in page


def test_a_taken_reference_is_refused_without_saying_a_case_has_it():
    from django.core.exceptions import ValidationError

    CaseFactory(reference="SF-B1")

    with pytest.raises(ValidationError) as refused:
        Case(reference="SF-B1").validate_unique()

    assert refused.value.message_dict["reference"] == [
        "That reference cannot be used: choose another."
    ]


def test_the_deadlines_list_names_each_source_as_the_case_page_does(admin_client_logged_in):
    case = CaseFactory()
    services.key_date_set(case=case, event="decision_sent", value=date(2026, 12, 31))
    case_page = admin_client_logged_in.get(
        reverse("admin:workflows_case_change", args=[case.id])
    ).content.decode()
    deadlines = admin_client_logged_in.get(
        reverse("admin:workflows_deadline_changelist")
    ).content.decode()
    calculator = admin_client_logged_in.get(
        reverse("admin:workflows_calculator") + "?decision_sent=2026-12-31"
    ).content.decode()
    for page in (case_page, deadlines, calculator):  # deadlines: the column and the filter
        assert "Primary (the law itself)" in page
    assert "[PRIMARY]" not in case_page
    assert ">Primary<" not in deadlines

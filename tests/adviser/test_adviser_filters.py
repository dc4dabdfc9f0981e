"""The outbox's and tasks' "adviser" filter lists the people who hold cases, not every login
(issue 20 part 2): an adviser sees "Mine" and "Unassigned" only."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from tests.factories import AdviserFactory, CaseFactory, SupervisorFactory

pytestmark = pytest.mark.django_db

LISTS = [
    "admin:notifications_outboundmessage_changelist",
    "admin:workflows_advisertask_changelist",
]


def _choices(client, url_name):
    response = client.get(reverse(url_name))
    assert response.status_code == 200
    [spec] = [f for f in response.context["cl"].filter_specs if f.title == "adviser"]
    return [title for _, title in spec.lookup_choices]


@pytest.mark.parametrize("url_name", LISTS)
def test_an_adviser_chooses_between_their_cases_and_the_unassigned(client, url_name):
    ann = AdviserFactory(username="ann")
    AdviserFactory(username="bob")
    client.force_login(ann)

    assert _choices(client, url_name) == ["Mine", "Unassigned"]


@pytest.mark.parametrize("url_name", LISTS)
def test_a_supervisor_chooses_among_advisers_not_every_login(client, url_name):
    AdviserFactory(username="ann", first_name="Ann", last_name="Khan")
    former = get_user_model().objects.create_user("old-helper", is_staff=True)
    CaseFactory(adviser=former)  # holds a case, though in no group
    get_user_model().objects.create_user("it-support", is_staff=True)  # no role, no cases
    client.force_login(SupervisorFactory(username="sue"))

    choices = _choices(client, url_name)

    assert choices[0] == "Unassigned"
    assert "Ann Khan" in choices
    assert "old-helper" in choices
    assert "it-support" not in choices

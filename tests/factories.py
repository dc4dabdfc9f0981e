from datetime import date, time

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from notifications.models import OutboundMessage
from notifications.schedule import local_instant
from workflows.models import AdviserTask, Case, Contact, GivenDate, KeyDate


def _add_role(default: str):
    def add(user, create, extracted, **kwargs):
        if create:
            user.groups.add(Group.objects.get(name=extracted or default))

    return factory.PostGeneration(add)


class AdviserFactory(factory.django.DjangoModelFactory):
    """A staff login in the Adviser group (made by governance's migration), as
    `adviser_create` makes it: their own and the unassigned cases. `role="Supervisor"` or
    SupervisorFactory for a supervisor."""

    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"adviser{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@iass.example")
    is_staff = True
    is_superuser = False
    role = _add_role("Adviser")


class SupervisorFactory(AdviserFactory):
    """Every adviser's cases, assigning, policies, suppressions, the audit trail, erasure."""

    username = factory.Sequence(lambda n: f"supervisor{n}")
    role = _add_role("Supervisor")


class SuperuserFactory(SupervisorFactory):
    """Also users, groups and the beat tables."""

    username = factory.Sequence(lambda n: f"operator{n}")
    is_superuser = True


class CaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Case

    reference = factory.Sequence(lambda n: f"SF-{n:05d}")
    local_authority = "Exampleshire"


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    case = factory.SubFactory(CaseFactory)
    name = factory.Sequence(lambda n: f"Parent {n}")
    email = factory.LazyAttribute(lambda o: f"{o.name.replace(' ', '.').lower()}@example.com")
    mobile = "+447400123456"
    wants_email = True
    wants_sms = True


class KeyDateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = KeyDate

    case = factory.SubFactory(CaseFactory)
    event = "decision_sent"
    value = date(2026, 1, 15)


class GivenDateFactory(factory.django.DjangoModelFactory):
    """A date a letter gave, as a bare row: no time, no letter named, nothing planned for it
    (workflows.services.given_date_set records one as an adviser does, messages and all)."""

    class Meta:
        model = GivenDate

    case = factory.SubFactory(CaseFactory)
    kind = GivenDate.Kind.HEARING
    value = date(2027, 6, 7)


class MessageFactory(factory.django.DjangoModelFactory):
    """One outbox row: a pending appeal reminder by text to the case's first contact (made if the
    case has none), at 11:00 London on Tuesday 10 March 2026, outside quiet hours."""

    class Meta:
        model = OutboundMessage

    case = factory.SubFactory(CaseFactory)
    contact = factory.LazyAttribute(
        lambda o: o.case.contacts.first() or ContactFactory(case=o.case)
    )
    kind = OutboundMessage.Kind.REMINDER
    channel = "sms"
    deadline_kind = "appeal"
    send_at = local_instant(date(2026, 3, 10), time(11, 0))
    status = OutboundMessage.Status.PENDING


class AdviserTaskFactory(factory.django.DjangoModelFactory):
    """An open task on a case for its adviser."""

    class Meta:
        model = AdviserTask

    case = factory.SubFactory(CaseFactory)
    kind = AdviserTask.Kind.CHECK_DEADLINE
    text = "Check the council's reply date against the letter"

from datetime import date

import factory
from django.contrib.auth import get_user_model

from notifications.models import Contact
from workflows.models import Case, KeyDate


class AdviserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"adviser{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@iass.example")
    is_staff = True
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

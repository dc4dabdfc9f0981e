"""The leaflet's council (shared/domain/leaflet-what-if-i-do-not-agree.txt) as the example local
authority, from workflows/fixtures/local_authorities.json; and cases whose free-text council names
a recorded one are linked to it."""

import json
from pathlib import Path

from django.db import migrations

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "local_authorities.json"
SUFFIXES = (" county council", " city council", " borough council", " council")


def _short(name: str) -> str:
    name = name.strip().lower()
    for suffix in SUFFIXES:
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name


def forwards(apps, schema_editor):
    LocalAuthority = apps.get_model("workflows", "LocalAuthority")
    Case = apps.get_model("workflows", "Case")
    for row in json.loads(FIXTURE.read_text()):
        LocalAuthority.objects.get_or_create(name=row["fields"]["name"], defaults=row["fields"])
    by_name = {_short(la.name): la for la in LocalAuthority.objects.all()}
    for case in Case.objects.filter(council__isnull=True).exclude(local_authority=""):
        council = by_name.get(_short(case.local_authority))
        if council is not None:
            case.council = council
            case.save(update_fields=["council"])


def backwards(apps, schema_editor):
    Case = apps.get_model("workflows", "Case")
    for case in Case.objects.filter(council__isnull=False, local_authority=""):
        case.local_authority = case.council.name
        case.save(update_fields=["local_authority"])


class Migration(migrations.Migration):
    dependencies = [("workflows", "0006_local_authority_key_date_source")]

    operations = [migrations.RunPython(forwards, backwards)]

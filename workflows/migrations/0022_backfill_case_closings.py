"""One closing for each case closed now (its closed_at). A case closed and reopened before this
kept no trace of that closing (Case.closed_at was cleared): nothing to backfill for it."""

from django.db import migrations

BATCH = 2000


def backfill(apps, schema_editor):
    Case = apps.get_model("workflows", "Case")
    CaseClosing = apps.get_model("workflows", "CaseClosing")
    closed = (
        Case.objects.filter(closed_at__isnull=False).values_list("id", "closed_at").order_by("id")
    )
    rows = []
    for case_id, closed_at in closed.iterator(chunk_size=BATCH):
        rows.append(CaseClosing(case_id=case_id, closed_at=closed_at))
        if len(rows) == BATCH:
            CaseClosing.objects.bulk_create(rows)
            rows = []
    CaseClosing.objects.bulk_create(rows)


class Migration(migrations.Migration):
    dependencies = [("workflows", "0021_case_closing")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop, elidable=True)]

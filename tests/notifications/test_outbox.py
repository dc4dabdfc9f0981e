"""The outbox's fast insert (COPY on PostgreSQL) fills every column of a message row."""

from notifications import outbox
from notifications.models import OutboundMessage


def test_copy_columns_cover_every_concrete_field_but_the_id():
    fields = {f.attname for f in OutboundMessage._meta.concrete_fields} - {"id"}
    assert sorted(outbox.columns()) == sorted(fields)
    assert "given_date_id" in outbox.columns()

"""New rows by the thousand, without a model instance each: COPY on PostgreSQL.

For writers that already hold plain values (an import of a whole caseload): every column not
given gets the field's default, called per row where the default is callable (tokens), and
`auto_now`/`auto_now_add` get `now`. Elsewhere (SQLite in tests) it is bulk_create.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from django.db import connection, models
from django.utils import timezone


def ids_reserve(model: type[models.Model], count: int) -> list[int]:
    """`count` ids from the table's own sequence, for rows about to go in by COPY."""
    if count == 0:
        return []
    table = model._meta.db_table
    column = model._meta.pk.column
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [connection.ops.quote_name(table), column, count],
        )
        return [row[0] for row in cursor.fetchall()]


def rows_insert(
    model: type[models.Model],
    names: Sequence[str],
    rows: Iterable[Sequence],
    *,
    now: datetime | None = None,
) -> None:
    """Insert new rows of `model` whose columns `names` (attnames) take the values in `rows`.

    Values must already be what the database stores (E.164 text for a phone number, say): no
    field's to_python or validators run. On PostgreSQL an id in `names` must come from
    ids_reserve(); elsewhere it may be left out and the database picks one.
    """
    now = now or timezone.now()
    if connection.vendor != "postgresql":
        model.objects.bulk_create(
            (model(**dict(zip(names, row, strict=True))) for row in rows), batch_size=1000
        )
        return
    from psycopg.types.json import Jsonb

    given = set(names)
    rest = [f for f in model._meta.concrete_fields if f.attname not in given and not f.primary_key]
    fixed: list[object] = []
    per_row: list[tuple[int, models.Field]] = []  # (position, field with a callable default)
    for position, f in enumerate(rest):
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            fixed.append(now)
        elif f.has_default() and callable(f.default):
            fixed.append(None)
            per_row.append((position, f))
        else:
            fixed.append(f.get_db_prep_save(f.get_default(), connection))
    json_at = [i for i, name in enumerate(names) if _is_json(model, name)]
    columns = {f.attname: f.column for f in model._meta.concrete_fields}
    quoted = ", ".join(
        connection.ops.quote_name(columns[name]) for name in [*names, *(f.attname for f in rest)]
    )
    table = connection.ops.quote_name(model._meta.db_table)
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {table} ({quoted}) FROM STDIN") as copy,
    ):
        for row in rows:
            if json_at:
                row = list(row)
                for i in json_at:
                    row[i] = Jsonb(row[i])
            tail = fixed
            if per_row:
                tail = list(fixed)
                for position, f in per_row:
                    tail[position] = f.get_db_prep_save(f.default(), connection)
            copy.write_row((*row, *tail))


def _is_json(model: type[models.Model], name: str) -> bool:
    return isinstance(model._meta.get_field(name), models.JSONField)

"""Bulk SQL for any model, where the ORM is slow at thousands of rows: an import of a whole
caseload, the nightly recompute and the planner (a batch of a thousand cases writes tens of
thousands of rows).

- ids_reserve: ids from a table's own sequence, for new rows that others must point at.
- rows_insert: new rows from plain values, without a model instance each. Binary COPY on
  PostgreSQL (a Jsonb wrapper per value and psycopg guessing each value's type cost more than
  the insert), bulk_create elsewhere (SQLite in tests).
- rows_update: changed rows by one UPDATE ... FROM a list of values per thousand rows, instead
  of one UPDATE per row.
- ids_filter: a filter for rows whose column is one of a batch's ids.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import Any

from django.db import connection, models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import F, Lookup, Q
from django.db.models.sql.compiler import SQLCompiler
from django.utils import timezone
from psycopg.types.json import Jsonb

_ROWS_PER_UPDATE = 1000
# A field's get_db_prep_save: a Python value to what the database stores.
_Prepare = Callable[[Any, BaseDatabaseWrapper], Any]
# Each table's column types as COPY's binary format needs them, read once from the catalog.
_COLUMN_TYPES: dict[tuple[str, str], dict[str, int]] = {}


def _column_types(table: str) -> dict[str, int]:
    key = (connection.alias, table)
    if key not in _COLUMN_TYPES:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT attname, atttypid FROM pg_attribute WHERE attrelid = %s::regclass "
                "AND attnum > 0 AND NOT attisdropped",
                [connection.ops.quote_name(table)],
            )
            _COLUMN_TYPES[key] = dict(cursor.fetchall())
    return _COLUMN_TYPES[key]


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
    rows: Iterable[Sequence[Any]],
    *,
    constant: Sequence[Any] = (),
    constant_names: Sequence[str] = (),
    defaults: bool = False,
    now: datetime | None = None,
) -> None:
    """Insert new rows of `model`: each of `rows` holds the values for the fields `names` (by
    attname), followed by `constant` (values for `constant_names`, the same on every row).

    Values must already be what the database stores (E.164 text for a phone number, say): no
    field's to_python or validators run. JSON columns take the Python value (a list or dict),
    instants must be aware. On PostgreSQL an id in `names` must come from ids_reserve();
    elsewhere it may be left out and the database picks one.

    Every other column needs a value, as COPY knows nothing of Django's defaults. With
    `defaults`, each gets its field's default, called per row where the default is callable
    (tokens), and `auto_now`/`auto_now_add` get `now`; without, a column left out is an error,
    so a new column cannot go in silently empty. Elsewhere it is bulk_create, where Django
    fills them in either case."""
    if not rows:
        return
    if connection.vendor != "postgresql":
        same = dict(zip(constant_names, constant, strict=True))
        model._default_manager.bulk_create(
            (model(**dict(zip(names, row, strict=True)), **same) for row in rows), batch_size=1000
        )
        return
    fields = {f.attname: f for f in model._meta.concrete_fields}
    given = {model._meta.pk.attname, *names, *constant_names}
    rest = [f for f in model._meta.concrete_fields if f.attname not in given]
    if rest and not defaults:
        raise ValueError(
            f"COPY into {model._meta.db_table} has no value for {sorted(f.attname for f in rest)}"
        )
    now = now or timezone.now()
    tail: list[Any] = [_once(fields[n], v) for n, v in zip(constant_names, constant, strict=True)]
    # (position in tail, field: callable default)
    per_row: list[tuple[int, models.Field[Any, Any]]] = []
    for f in rest:
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            tail.append(now)
        elif f.has_default() and callable(f.default):
            per_row.append((len(tail), f))
            tail.append(None)
        else:
            tail.append(f.get_db_prep_save(f.get_default(), connection))
    targets = [_column(fields[n]) for n in (*names, *constant_names)] + [_column(f) for f in rest]
    types = _column_types(model._meta.db_table)
    quote = connection.ops.quote_name
    quoted = ", ".join(quote(c) for c in targets)
    table = quote(model._meta.db_table)
    same_tail = tuple(tail)
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {table} ({quoted}) FROM STDIN (FORMAT BINARY)") as copy,
    ):
        copy.set_types([types[c] for c in targets])
        write = copy.write_row
        if not per_row:
            for row in rows:
                write((*row, *same_tail))
            return
        for row in rows:
            for position, f in per_row:
                tail[position] = f.get_db_prep_save(f.default(), connection)
            write((*row, *tail))


def _column(field: models.Field[Any, Any]) -> str:
    """A concrete field's column (django-stubs allow None, for a field without one)."""
    assert field.column is not None  # every concrete field has one
    return field.column


def _once(field: models.Field[Any, Any], value: Any) -> Any:
    """A constant for every row: a JSON one encoded once here, not again for every row."""
    if not isinstance(field, models.JSONField) or isinstance(value, Jsonb):
        return value
    text = json.dumps(value, cls=field.encoder)
    return Jsonb(value, dumps=lambda _: text)


def rows_update(
    model: type[models.Model],
    *,
    fields: Sequence[str],
    rows: Sequence[Sequence[Any]],
    also: dict[str, Any] | None = None,
    only_if: dict[str, Any] | None = None,
) -> int:
    """Set `fields` (by attname) from each row (id, *values) in one UPDATE per thousand rows;
    `also` sets the same value on every row, `only_if` skips rows whose columns now differ.
    Return how many rows changed. PostgreSQL and SQLite (3.33+: UPDATE ... FROM)."""
    if not rows:
        return 0
    meta = model._meta
    by_name = {f.attname: f for f in meta.concrete_fields}
    quote = connection.ops.quote_name
    table = quote(meta.db_table)
    pk = quote(_column(meta.pk))
    postgres = connection.vendor == "postgresql"

    def cast(name: str) -> str:
        """The column's type for PostgreSQL's arrays. Text stays text: a cast to varchar(n)
        would cut a long value where the ORM refuses it."""
        db_type = by_name[name].cast_db_type(connection)
        assert db_type is not None  # None only for a field with no column, never concrete
        return "text" if db_type.startswith("varchar") else db_type

    sets = [f"{quote(_column(by_name[n]))} = v.{quote('v_' + n)}" for n in fields]
    set_params: list[Any] = []
    for name, value in (also or {}).items():
        sets.append(f"{quote(_column(by_name[name]))} = %s")
        set_params.append(by_name[name].get_db_prep_save(value, connection))
    where = [f"{table}.{pk} = v.{quote('v_id')}"]
    where_params: list[Any] = []
    for name, value in (only_if or {}).items():
        where.append(f"{table}.{quote(_column(by_name[name]))} = %s")
        where_params.append(by_name[name].get_db_prep_save(value, connection))
    prepare: list[_Prepare] = [by_name[n].get_db_prep_save for n in fields]
    changed = 0
    with connection.cursor() as cursor:
        for i in range(0, len(rows), _ROWS_PER_UPDATE):
            chunk = rows[i : i + _ROWS_PER_UPDATE]
            source, params = (_unnest if postgres else _values)(chunk, fields, prepare, cast)
            cursor.execute(
                f"UPDATE {table} SET {', '.join(sets)} FROM {source} WHERE {' AND '.join(where)}",
                [*set_params, *params, *where_params],
            )
            changed += cursor.rowcount
    return changed


class AnyOf(Lookup):
    """`column = ANY(%s)` with the ids as one array: a batch's thousand ids in `__in` cost
    Django a thousand values to prepare and psycopg a thousand placeholders to fill, per query.
    PostgreSQL only: use `ids_filter`."""

    lookup_name = "any_of"
    prepare_rhs = False

    def get_prep_lookup(self) -> list[Any]:
        return list(self.rhs)

    # django-stubs type a query's params as str and int only; this one is a list, which psycopg
    # sends as an array.
    def as_sql(  # type: ignore[override]
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper
    ) -> tuple[str, list[Any]]:
        lhs, params = self.process_lhs(compiler, connection)
        # Typed as the column: psycopg sends a list of small ints as int4[], and a bigint
        # column against int4[] takes PostgreSQL's cross-type `=`, which it cannot hash, so a
        # filter over ten thousand ids compared each row with every one of them (0.6 s in the
        # outbox's search at 100,000 cases; 16 ms typed).
        cast = self.lhs.output_field.db_type(connection)
        if cast not in _INTEGER_TYPES:
            return f"{lhs} = ANY(%s)", [*params, self.rhs]
        return f"{lhs} = ANY(%s::{cast}[])", [*params, self.rhs]


_INTEGER_TYPES = {"smallint", "integer", "bigint"}


def ids_filter(field: str, ids: Sequence[int]) -> Q:
    """A filter for rows whose `field` is one of `ids`, for QuerySet.filter().

    On PostgreSQL also `field BETWEEN min AND max` (always true of those rows): without column
    statistics (a table just filled, before autovacuum analyses it) the planner takes ANY of a
    thousand ids to match most of the table and scans all of it; the range tells it otherwise,
    and batches of neighbouring ids (the nightly run, an import) match it closely."""
    if connection.vendor != "postgresql":
        return Q(**{f"{field}__in": ids})
    ids = list(ids)
    if not ids:
        return Q(pk__in=[])
    return Q(AnyOf(F(field), ids), **{f"{field}__gte": min(ids), f"{field}__lte": max(ids)})


def _unnest(
    chunk: Sequence[Sequence[Any]],
    fields: Sequence[str],
    prepare: Sequence[_Prepare],
    cast: Callable[[str], str],
) -> tuple[str, list[Any]]:
    """PostgreSQL: the rows as one typed array per column, `unnest`ed side by side. Each column
    is one parameter, so psycopg neither splits a query of thousands of placeholders nor guesses
    each value's type."""
    quote = connection.ops.quote_name
    columns: list[list[Any]] = [[row[0] for row in chunk]]
    for position, prep in enumerate(prepare, start=1):
        columns.append([prep(row[position], connection) for row in chunk])
    arrays = ", ".join(f"%s::{kind}[]" for kind in ("bigint", *(cast(name) for name in fields)))
    names = ", ".join(quote("v_" + n) for n in ("id", *fields))
    return f"unnest({arrays}) AS v({names})", columns


def _values(
    chunk: Sequence[Sequence[Any]],
    fields: Sequence[str],
    prepare: Sequence[_Prepare],
    cast: Callable[[str], str],
) -> tuple[str, list[Any]]:
    """SQLite: a VALUES list, whose columns are named column1, column2..."""
    quote = connection.ops.quote_name
    names = ", ".join(
        f"column{i} AS {quote('v_' + n)}" for i, n in enumerate(("id", *fields), start=1)
    )
    one = "(" + ", ".join(["%s"] * (1 + len(fields))) + ")"
    params: list[Any] = []
    for row_id, *values in chunk:
        params.append(row_id)
        params.extend(p(v, connection) for p, v in zip(prepare, values, strict=True))
    return f"(SELECT {names} FROM (VALUES {', '.join([one] * len(chunk))}) AS vs) AS v", params

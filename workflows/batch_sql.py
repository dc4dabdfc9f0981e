"""Batch writes that the ORM makes slow, for the recompute and the planner: a batch of a thousand
cases writes tens of thousands of rows. New rows go in by COPY on PostgreSQL, formatted here in
one pass (psycopg's row-by-row writer and a Jsonb wrapper per value cost more than the insert);
changed rows by one UPDATE ... FROM a list of values per batch instead of one UPDATE per row."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime
from typing import Any

from django.db import connection, models

# COPY's text format: a backslash, tab, newline or carriage return inside a value is escaped.
_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
_ROWS_PER_WRITE = 5000
_ROWS_PER_UPDATE = 1000


def _text(value: str) -> str:
    return value.translate(_ESCAPES)


def _instant(value: datetime) -> str:
    if value.tzinfo is None:
        raise ValueError(f"naive datetime {value!r}: instants are stored aware (UTC)")
    return value.isoformat()


def _formatter(kind: type) -> Callable[[Any], str]:
    if kind is type(None):
        return lambda _: "\\N"
    if issubclass(kind, bool):
        return lambda value: "t" if value else "f"
    if issubclass(kind, str):
        return _text
    if issubclass(kind, datetime):
        return _instant
    if issubclass(kind, (int, date)):
        return str
    raise TypeError(f"no COPY text for {kind.__name__}")


# One formatter per type, found once: a batch formats hundreds of thousands of values.
_FORMATTERS: dict[type, Callable[[Any], str]] = {}


def copy_value(value: Any) -> str:
    """One value as COPY's text format reads it. JSON columns take the JSON text (a str)."""
    kind = type(value)
    try:
        return _FORMATTERS[kind](value)
    except KeyError:
        _FORMATTERS[kind] = _formatter(kind)
        return _FORMATTERS[kind](value)


def rows_copy(
    model: type[models.Model],
    names: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    constant: Sequence[Any] = (),
    constant_names: Sequence[str] = (),
) -> None:
    """COPY `rows` (values for the fields `names`, by attname) into `model`'s table, each row
    followed by `constant` (values for `constant_names`, the same on every row). PostgreSQL."""
    columns = {f.attname: f.column for f in model._meta.concrete_fields}
    quote = connection.ops.quote_name
    quoted = ", ".join(quote(columns[n]) for n in (*names, *constant_names))
    table = quote(model._meta.db_table)
    tail = "".join("\t" + copy_value(v) for v in constant) + "\n"
    formatters = _FORMATTERS
    add = _formatter
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {table} ({quoted}) FROM STDIN") as copy,
    ):
        lines = []
        for row in rows:
            try:
                line = "\t".join([formatters[type(v)](v) for v in row])
            except KeyError:  # a type not seen yet
                formatters.update((type(v), add(type(v))) for v in row if type(v) not in formatters)
                line = "\t".join([formatters[type(v)](v) for v in row])
            lines.append(line + tail)
            if len(lines) >= _ROWS_PER_WRITE:
                copy.write("".join(lines))
                lines = []
        if lines:
            copy.write("".join(lines))


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
    pk = quote(meta.pk.column)
    postgres = connection.vendor == "postgresql"

    def cast(name: str) -> str:
        # VALUES has no column types: PostgreSQL reads a NULL date as text unless told.
        column = f"v.{quote('v_' + name)}"
        return f"CAST({column} AS {by_name[name].cast_db_type(connection)})" if postgres else column

    sets = [f"{quote(by_name[n].column)} = {cast(n)}" for n in fields]
    set_params: list[Any] = []
    for name, value in (also or {}).items():
        sets.append(f"{quote(by_name[name].column)} = %s")
        set_params.append(by_name[name].get_db_prep_save(value, connection))
    where = [f"{table}.{pk} = v.{quote('v_id')}"]
    where_params: list[Any] = []
    for name, value in (only_if or {}).items():
        where.append(f"{table}.{quote(by_name[name].column)} = %s")
        where_params.append(by_name[name].get_db_prep_save(value, connection))
    # VALUES names its columns column1, column2... on both PostgreSQL and SQLite.
    names = ", ".join(
        f"column{i} AS {quote('v_' + n)}" for i, n in enumerate(("id", *fields), start=1)
    )
    one = "(" + ", ".join(["%s"] * (1 + len(fields))) + ")"
    prepare = [by_name[n].get_db_prep_save for n in fields]
    changed = 0
    with connection.cursor() as cursor:
        for i in range(0, len(rows), _ROWS_PER_UPDATE):
            chunk = rows[i : i + _ROWS_PER_UPDATE]
            params: list[Any] = []
            for row_id, *values in chunk:
                params.append(row_id)
                params.extend(p(v, connection) for p, v in zip(prepare, values, strict=True))
            cursor.execute(
                f"UPDATE {table} SET {', '.join(sets)} "
                f"FROM (SELECT {names} FROM (VALUES {', '.join([one] * len(chunk))}) AS vs) AS v "
                f"WHERE {' AND '.join(where)}",
                [*set_params, *params, *where_params],
            )
            changed += cursor.rowcount
    return changed

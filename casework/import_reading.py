"""A caseload file read: CSV in UTF-8 (as Excel saves it, BOM and "sep=;" line and all), one
streaming pass, each record checked as it is read (casework/import_checks.py). Say what to fix
when it cannot be read at all: the row and column of a broken quote or a byte not UTF-8.
"""

from __future__ import annotations

import codecs
import csv
import itertools
import re
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import NamedTuple

from casework.import_checks import Lookups, Parsed, _check_header, _parse_record

MAX_ERRORS = 200  # a wholly wrong file: enough to see the pattern


Progress = Callable[[str, str, int, float], None]  # (noun, what was done, count, rate a second)


def _no_progress(noun: str, done: str, count: int, rate: float) -> None:
    return None


class _Unreadable(NamedTuple):
    """Why the reader stopped on a row, and in which column (by position) if it can tell."""

    reason: str
    column: int | None


def _records(
    lines: Iterable[str], delimiter: str = ","
) -> Iterator[tuple[int, list[str] | None, _Unreadable | None, str]]:
    """(row number, fields, why it cannot be read, how the row's last line ended) per record;
    quoted newlines stay inside their field."""
    taken: list[str] = []  # the current record's lines, to name the column a problem is in

    def tracked() -> Iterator[str]:
        for line in lines:
            taken.append(line)
            yield line

    limit = csv.field_size_limit()
    csv.field_size_limit(max(limit, 1_000_000))  # read an overlong field, then name it
    try:
        reader = csv.reader(tracked(), strict=True, delimiter=delimiter)
        number = 0
        while True:
            number += 1
            taken.clear()
            try:
                record = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                text = "".join(taken)
                yield number, None, _Unreadable(str(exc), _quoting_fault(text, delimiter)), ""
                return  # the reader cannot find the next row reliably after this
            last = taken[-1] if taken else ""
            yield number, record, None, last[len(last.rstrip("\r\n")) :]
    finally:
        csv.field_size_limit(limit)


def _quoting_fault(text: str, delimiter: str) -> int | None:
    """The position of the field whose quotes break the row: one opened and never closed, or
    closed with something other than the delimiter after it."""
    column, i, end = 0, 0, len(text)
    while i < end:
        if text[i] == '"':
            i += 1
            while True:
                close = text.find('"', i)
                if close == -1:
                    return column  # never closed
                if text.startswith('""', close):
                    i = close + 2  # a quote written twice is one quote
                    continue
                i = close + 1
                break
            if i < end and text[i] not in (delimiter, "\r", "\n"):
                return column
        while i < end and text[i] not in (delimiter, "\r", "\n"):
            i += 1
        if i < end and text[i] == delimiter:
            column, i = column + 1, i + 1
            continue
        return None
    return None


def _unreadable_text(number: int, problem: _Unreadable, columns: list[str]) -> str:
    where = "Row 1 (header)" if number == 1 else f"Row {number}"
    if problem.column is not None:
        name = columns[problem.column] if problem.column < len(columns) else ""
        where += f", column {name or problem.column + 1}"
    return (
        f"{where}: the file cannot be read here ({problem.reason}). Check the quotes in that "
        'field: a field with a quote in it is written "like ""this""", in quotes, with each '
        "quote doubled"
    )


# Excel writes "sep=;" as a first line to say which separator follows; many locales save with ";".
_SEP_LINE = re.compile(r"^sep=(.)\r?\n?$")


def _delimiter(first: str) -> tuple[str, bool]:
    """The separator the file uses, and whether its first line only said so (sep=;)."""
    if match := _SEP_LINE.match(first):
        return match[1], True
    if "," not in first:
        for other in (";", "\t"):
            if other in first:
                return other, False
    return ",", False


def parse_file(path: Path, *, progress: Progress = _no_progress, name: str = "") -> Parsed:
    """Read and check a CSV file in one pass. Say what to fix if it cannot be read at all.
    `name` is the file as the person knows it (an upload's own name, not where it was put)."""
    shown = name or str(path)
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:  # Excel adds a BOM
            first = handle.readline()
            delimiter, said = _delimiter(first)
            lines = handle if said else itertools.chain([first], handle)
            return parse_lines(lines, progress=progress, delimiter=delimiter)
    except OSError as exc:
        return Parsed(errors=[f"Cannot read {shown}: {exc.strerror or exc}"])
    except UnicodeDecodeError:
        return Parsed(errors=[f"Cannot read {shown}: {_where_not_utf8(path)}"])


def _where_not_utf8(path: Path) -> str:
    """Which row and column hold the first character that is not UTF-8, and how to save it."""
    how = "In Excel choose Save As, then 'CSV UTF-8 (Comma delimited)'"
    raw = path.read_bytes()
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return f"it is saved as UTF-16 ('Unicode Text'), not UTF-8 CSV. {how}"
    text = raw.decode("utf-8-sig", errors="surrogateescape")  # bad bytes kept as U+DC80-DCFF
    lines = text.splitlines(keepends=True)
    delimiter, said = _delimiter(lines[0] if lines else "")
    columns: list[str] = []
    for number, record, _, _ in _records(lines[1:] if said else lines, delimiter):
        if record is None:
            break
        if number == 1:
            columns = [c.strip() for c in record]
        for position, value in enumerate(record):
            if _BAD_BYTE.search(value):
                where = "Row 1 (header)" if number == 1 else f"Row {number}"
                name = columns[position] if position < len(columns) else position + 1
                return (
                    f"{where}, column {name}: has a character that is not UTF-8 (the file looks "
                    f"saved as Latin-1 or Windows-1252, as older Excel does). {how}"
                )
    return f"it is not UTF-8 text. {how}"


_BAD_BYTE = re.compile("[\udc80-\udcff]")


def parse_lines(
    lines: Iterable[str], *, progress: Progress = _no_progress, delimiter: str = ","
) -> Parsed:
    parsed = Parsed()
    records = _records(lines, delimiter)
    first = next(records, None)
    if first is None or first[1] is None or not any(first[1]):
        if first and first[2]:
            parsed.errors.append(_unreadable_text(1, first[2], []))
        else:
            parsed.errors.append("The file has no header row")
        return parsed
    columns = [c.strip() for c in first[1]]
    header_ending = first[3]
    header_error = _check_header(columns)
    if header_error:
        parsed.errors.append(header_error)
        return parsed
    column_set = frozenset(columns)
    lookups = Lookups.load(column_set)
    seen: dict[str, int] = {}
    started = time.monotonic()
    for number, record, problem, ending in records:
        if problem:
            parsed.errors.append(_unreadable_text(number, problem, columns))
            break
        assert record is not None
        if ending == "\r" and header_ending != "\r" and record:
            # The reader ends a row at a carriage return standing alone, as old Macs ended
            # lines; where the header ends its line otherwise, it is a break inside a field.
            parsed.errors.append(
                f"Row {number}, column {columns[min(len(record), len(columns)) - 1]}: holds a "
                "carriage return (U+000D) that splits the row in two; remove it"
            )
            break  # the rest of the split row would read as a row of its own
        if not any(v.strip() for v in record):
            continue  # a blank line
        row, row_errors = _parse_record(number, columns, record, column_set, lookups)
        if row and row.reference in seen:
            row_errors.append(
                f"Row {number}, column reference: '{row.reference}' is also on row "
                f"{seen[row.reference]}"
            )
        if row:
            seen.setdefault(row.reference, number)
        parsed.errors.extend(row_errors)
        if row and not row_errors:
            parsed.rows.append(row)
        if len(parsed.errors) >= MAX_ERRORS:
            parsed.errors.append(f"Stopped after {MAX_ERRORS} problems: fix these first")
            break
        if number % 5000 == 0:
            progress("row", "checked", number - 1, (number - 1) / (time.monotonic() - started))
    if not parsed.rows and not parsed.errors:
        parsed.errors.append("The file has no cases in it")
    return parsed

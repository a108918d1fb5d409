"""Reading the calendar and LPR CSV files, all rows checked before anything is written.

Both formats are UTF-8 (a BOM, as Excel writes it, is accepted), may start with ``#`` comment lines (a
source note, e.g. the State Council notice number), then a header line, then one row per line. Blank
lines are skipped. Every error names the file line (1-based, comments and header included).

* calendar: ``date,is_working_day,name`` — ``is_working_day`` is ``true``/``false`` (also ``1``/``0``,
  ``yes``/``no``, ``y``/``n``; any case); ``name`` (holiday or make-up working day, may be empty).
* LPR: ``fixing_date,lpr_1y_pct,lpr_5y_pct`` — rates in percent per year, up to 4 decimal places.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from ipfin.domain.calendar import parse_iso_date
from ipfin.domain.errors import InvalidInput, IpfinError, _
from ipfin.domain.rates import LprFixing, parse_rate_pct

CALENDAR_COLUMNS = ["date", "is_working_day", "name"]
LPR_COLUMNS = ["fixing_date", "lpr_1y_pct", "lpr_5y_pct"]
_TRUE = {"true", "1", "yes", "y"}
_FALSE = {"false", "0", "no", "n"}


class BadCsvRow(InvalidInput):
    code = "bad_csv_row"
    message_template = _("{file}, line {line}: {reason}")


class BadCsvFile(InvalidInput):
    code = "bad_csv_file"
    message_template = _("{file}: {reason}")


@dataclass(frozen=True, slots=True)
class CalendarRow:
    date: date
    is_working_day: bool
    name: str


def _rows(path: Path, expected: list[str], optional: set[str]) -> Iterator[tuple[int, dict[str, str]]]:
    """``(line number, {column: value})`` for each data row, after checking the header."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise BadCsvFile(file=str(path), reason="no such file") from None
    except UnicodeDecodeError:
        raise BadCsvFile(file=str(path), reason="not UTF-8 text") from None
    except OSError as exc:
        raise BadCsvFile(file=str(path), reason=exc.strerror or "cannot be read") from None
    header: list[str] | None = None
    for number, fields in _numbered_records(text):
        if header is None:
            if fields and fields[0].lstrip().startswith("#"):
                continue  # source note before the header
            header = [f.strip().lower() for f in fields]
            required = [c for c in expected if c not in optional]
            if any(c not in header for c in required) or any(c not in expected for c in header):
                raise BadCsvRow(file=str(path), line=number,
                                reason=f"the header must be {','.join(expected)} (got {','.join(header)})")
            continue
        if len(fields) != len(header):
            raise BadCsvRow(file=str(path), line=number,
                            reason=f"expected {len(header)} columns ({','.join(header)}), got {len(fields)}")
        yield number, {column: value.strip() for column, value in zip(header, fields, strict=True)}
    if header is None:
        raise BadCsvFile(file=str(path), reason="the file has no header line")


def _numbered_records(text: str) -> Iterator[tuple[int, list[str]]]:
    lines = text.splitlines()
    reader = csv.reader(lines)
    for fields in reader:
        if not fields or all(not f.strip() for f in fields):
            continue
        yield reader.line_num, fields


def _parse_bool(value: str) -> bool:
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ValueError(f"is_working_day must be true or false, not {value!r}")


def read_calendar_csv(path: Path) -> list[CalendarRow]:
    """All rows of a calendar file; :class:`BadCsvRow` on the first bad row, duplicates included."""
    rows: list[CalendarRow] = []
    seen: dict[date, int] = {}
    for number, record in _rows(path, CALENDAR_COLUMNS, optional={"name"}):
        try:
            day = parse_iso_date(record["date"])
            working = _parse_bool(record["is_working_day"])
        except IpfinError as exc:
            raise BadCsvRow(file=str(path), line=number, reason=exc.message) from None
        except ValueError as exc:
            raise BadCsvRow(file=str(path), line=number, reason=str(exc)) from None
        name = record.get("name", "")
        if len(name) > 100:
            raise BadCsvRow(file=str(path), line=number, reason="the name is longer than 100 characters")
        if day in seen:
            raise BadCsvRow(file=str(path), line=number,
                            reason=f"{day.isoformat()} is listed twice (first on line {seen[day]})")
        seen[day] = number
        rows.append(CalendarRow(day, working, name))
    if not rows:
        raise BadCsvFile(file=str(path), reason="the file has no rows")
    return rows


def read_lpr_csv(path: Path) -> list[LprFixing]:
    """All fixings of an LPR file; :class:`BadCsvRow` on the first bad row, duplicates included."""
    fixings: list[LprFixing] = []
    seen: dict[date, int] = {}
    for number, record in _rows(path, LPR_COLUMNS, optional=set()):
        try:
            day = parse_iso_date(record["fixing_date"], field="fixing_date")
            one_year = parse_rate_pct(record["lpr_1y_pct"], field="lpr_1y_pct")
            five_year = parse_rate_pct(record["lpr_5y_pct"], field="lpr_5y_pct")
        except IpfinError as exc:
            raise BadCsvRow(file=str(path), line=number, reason=exc.message) from None
        if day in seen:
            raise BadCsvRow(file=str(path), line=number,
                            reason=f"{day.isoformat()} is listed twice (first on line {seen[day]})")
        seen[day] = number
        fixings.append(LprFixing(day, one_year, five_year))
    if not fixings:
        raise BadCsvFile(file=str(path), reason="the file has no rows")
    return fixings

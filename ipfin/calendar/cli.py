"""``ipfin calendar …`` and ``ipfin lpr …``.

Commands, their text output and their ``--json`` output (dates ISO ``YYYY-MM-DD``; rates strings in
percent per year with 2–4 decimals, e.g. ``"3.45"``):

``ipfin calendar is-working-day DATE``
    prints ``true`` or ``false``; JSON ``{"date", "is_working_day", "name"}`` (``name``: the holiday or
    make-up working day, ``""`` for an ordinary day).
``ipfin calendar add-working-days DATE N``
    prints the N-th working day after DATE (counting starts on the first working day after DATE;
    ``N = 0`` gives DATE itself); JSON ``{"date", "n", "result"}``.
``ipfin calendar load FILE.csv``
    publishes whole years from a ``date,is_working_day,name`` file (see :mod:`ipfin.calendar.loaders`).
    All-or-nothing: every row is checked and every year in the file must be complete (all its days),
    or nothing is written and the bad line / the missing days are named. A year already on record is
    replaced; loading the same file again changes nothing. JSON ``{"file", "years", "days",
    "changed_days", "new_years", "replaced_years", "unchanged_years"}``.
``ipfin lpr on DATE [--tenor-months N]``
    the fixing in force on DATE (the latest on or before it), e.g.
    ``2025-06-01: 1Y 3.00%  5Y 3.50%  (fixing of 2025-05-20)``; with ``--tenor-months`` also the LPR a
    loan of that term references (1-year up to 60 months, 5-year above). JSON ``{"date",
    "fixing_date", "lpr_1y_pct", "lpr_5y_pct"}`` plus ``{"tenor_months", "tenor", "applicable_pct"}``
    with ``--tenor-months``.
``ipfin lpr add DATE LPR1Y LPR5Y``
    records a new fixing (rates positive, below 20, at most 4 decimals). Adding the same fixing again is
    a no-op; a different fixing for a date on record is refused (correct it in the admin). JSON
    ``{"fixing_date", "lpr_1y_pct", "lpr_5y_pct", "created"}``.

A year without calendar data, a date before the first fixing, a malformed date or number: one
``error:`` line on stderr, exit 2, nothing written.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from ipfin.cli import EXIT_OK, add_json_flag, emit
from ipfin.domain.calendar import parse_iso_date
from ipfin.domain.errors import InvalidInput
from ipfin.domain.rates import applicable_tenor, format_pct


def register(sub: Any) -> None:
    calendar = sub.add_parser("calendar", help="working-day calendar (工作日/调休)")
    calendar_sub = calendar.add_subparsers(dest="calendar_command", metavar="ACTION", required=True)

    is_working = calendar_sub.add_parser("is-working-day", help="print true if DATE is a working day")
    is_working.add_argument("date", metavar="DATE", help="YYYY-MM-DD")
    add_json_flag(is_working)
    is_working.set_defaults(func=cmd_is_working_day)

    add_days = calendar_sub.add_parser(
        "add-working-days", help="the N-th working day after DATE (day 1 = first working day after DATE)"
    )
    add_days.add_argument("date", metavar="DATE", help="YYYY-MM-DD")
    add_days.add_argument("n", metavar="N", help="number of working days (>= 0)")
    add_json_flag(add_days)
    add_days.set_defaults(func=cmd_add_working_days)

    load = calendar_sub.add_parser("load", help="publish whole years from a date,is_working_day,name CSV file")
    load.add_argument("file", metavar="FILE.csv")
    add_json_flag(load)
    load.set_defaults(func=cmd_calendar_load)

    lpr = sub.add_parser("lpr", help="Loan Prime Rate fixings (贷款市场报价利率)")
    lpr_sub = lpr.add_subparsers(dest="lpr_command", metavar="ACTION", required=True)

    on = lpr_sub.add_parser("on", help="the 1-year and 5-year LPR in force on DATE")
    on.add_argument("date", metavar="DATE", help="YYYY-MM-DD")
    on.add_argument("--tenor-months", metavar="N", help="loan term in months: also print the applicable LPR")
    add_json_flag(on)
    on.set_defaults(func=cmd_lpr_on)

    add = lpr_sub.add_parser("add", help="record a new LPR fixing")
    add.add_argument("date", metavar="DATE", help="fixing date YYYY-MM-DD")
    add.add_argument("lpr_1y", metavar="LPR1Y", help="1-year LPR, percent per year (e.g. 3.00)")
    add.add_argument("lpr_5y", metavar="LPR5Y", help="5-year LPR, percent per year (e.g. 3.50)")
    add_json_flag(add)
    add.set_defaults(func=cmd_lpr_add)


def _whole_number(text: str, what: str, minimum: int) -> int:
    value = text.strip()
    if not value.lstrip("-").isdigit() or not value.isascii():
        raise InvalidInput(reason=f"{what} must be a whole number, not {text!r}")
    number = int(value)
    if number < minimum:
        raise InvalidInput(reason=f"{what} must be at least {minimum}, not {number}")
    return number


def cmd_is_working_day(args: argparse.Namespace) -> int:
    from ipfin.calendar.models import CalendarDay
    from ipfin.calendar.services import working_calendar

    day = parse_iso_date(args.date)
    working = working_calendar().is_working_day(day)
    name = CalendarDay.objects.filter(date=day).values_list("name", flat=True).first() or ""
    emit({"date": day.isoformat(), "is_working_day": working, "name": name},
         "true" if working else "false", as_json=args.json)
    return EXIT_OK


def cmd_add_working_days(args: argparse.Namespace) -> int:
    from ipfin.calendar.services import working_calendar

    start = parse_iso_date(args.date)
    n = _whole_number(args.n, "N (working days)", 0)
    result = working_calendar().add_working_days(start, n)
    emit({"date": start.isoformat(), "n": n, "result": result.isoformat()}, result.isoformat(), as_json=args.json)
    return EXIT_OK


def cmd_calendar_load(args: argparse.Namespace) -> int:
    from ipfin.calendar.actions import publish_calendar_days
    from ipfin.calendar.loaders import read_calendar_csv
    from ipfin.calendar.models import CalendarSource

    rows = read_calendar_csv(Path(args.file))
    report = publish_calendar_days(None, rows, source=CalendarSource.CSV_FILE)
    years = ", ".join(str(y) for y in report.years)
    human = f"calendar {years}: {report.days} days loaded, {report.changed_days} changed"
    if report.unchanged_years and not report.new_years and not report.replaced_years:
        human = f"calendar {years}: already loaded, nothing changed"
    emit({"file": args.file, **report.as_dict()}, human, as_json=args.json)
    return EXIT_OK


def cmd_lpr_on(args: argparse.Namespace) -> int:
    from ipfin.calendar.services import lpr_on

    day = parse_iso_date(args.date)
    term = _whole_number(args.tenor_months, "--tenor-months", 1) if args.tenor_months is not None else None
    fixing = lpr_on(day)
    payload: dict[str, Any] = {
        "date": day.isoformat(),
        "fixing_date": fixing.fixing_date.isoformat(),
        "lpr_1y_pct": format_pct(fixing.lpr_1y_pct),
        "lpr_5y_pct": format_pct(fixing.lpr_5y_pct),
    }
    human = (f"{day.isoformat()}: 1Y {payload['lpr_1y_pct']}%  5Y {payload['lpr_5y_pct']}%  "
             f"(fixing of {payload['fixing_date']})")
    if term is not None:
        tenor = applicable_tenor(term)
        payload |= {"tenor_months": term, "tenor": tenor.value, "applicable_pct": format_pct(fixing.rate(tenor))}
        human += f"\n{term} months: {tenor.value.upper()} LPR applies, {payload['applicable_pct']}%"
    emit(payload, human, as_json=args.json)
    return EXIT_OK


def cmd_lpr_add(args: argparse.Namespace) -> int:
    from ipfin.calendar.actions import add_lpr_fixing

    day = parse_iso_date(args.date)
    fixing, created = add_lpr_fixing(None, day, args.lpr_1y, args.lpr_5y)
    payload = {"fixing_date": day.isoformat(), "lpr_1y_pct": format_pct(fixing.lpr_1y_pct),
               "lpr_5y_pct": format_pct(fixing.lpr_5y_pct), "created": created}
    verb = "recorded" if created else "already on record"
    emit(payload, f"LPR fixing of {day.isoformat()} {verb}: 1Y {payload['lpr_1y_pct']}%  5Y {payload['lpr_5y_pct']}%",
         as_json=args.json)
    return EXIT_OK

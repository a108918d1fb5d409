"""`ipfin` sub-commands of the servicing app.

``ipfin schedule --principal 1000000 --annual-rate 3.85 --months 12 --method equal-installment
--start 2026-01-15 [--frequency monthly|quarterly] [--day-count act360|30_360|act365] [--first-due D] [--json]``
prints a repayment schedule (nothing stored, no database): a Chinese table, or with ``--json`` exactly
``{"rows": [{"period", "due_date", "principal_fen", "interest_fen", "total_fen", "balance_fen"}],
"totals": {"principal_fen", "interest_fen", "total_fen"}}``. The principal is given in yuan.
"""

from __future__ import annotations

import argparse
from typing import Any

from ipfin.cli import EXIT_OK, add_json_flag, date_arg, emit, no_django
from ipfin.domain.money import fen_to_yuan

METHOD_LABELS = {
    "equal-installment": "等额本息",
    "equal-principal": "等额本金",
    "interest-only": "按期付息、到期还本",
    "bullet": "利随本清",
}
FREQUENCY_LABELS = {"monthly": "按月", "quarterly": "按季"}
DAY_COUNT_LABELS = {"act360": "实际天数/360", "30_360": "30/360", "act365": "实际天数/365"}


def register(sub: Any) -> None:
    schedule = sub.add_parser("schedule", help="print a repayment schedule (nothing stored)")
    schedule.add_argument("--principal", required=True, help="principal in yuan (元), e.g. 1000000 or 1000000.50")
    schedule.add_argument("--annual-rate", required=True, help="annual rate in percent, e.g. 3.85")
    schedule.add_argument("--months", required=True, type=int, help="term in months")
    schedule.add_argument("--method", required=True, choices=list(METHOD_LABELS), help="repayment method")
    schedule.add_argument("--start", required=True, type=date_arg, help="disbursement date YYYY-MM-DD")
    schedule.add_argument("--frequency", default="monthly", choices=list(FREQUENCY_LABELS))
    schedule.add_argument("--day-count", default="act360", choices=list(DAY_COUNT_LABELS))
    schedule.add_argument("--first-due", type=date_arg, default=None,
                          help="first due date, for a broken first period (default: one period after --start)")
    add_json_flag(schedule)
    schedule.set_defaults(func=cmd_schedule)


def _yuan(amount_fen: int) -> str:
    return f"{fen_to_yuan(amount_fen):,.2f}"


@no_django
def cmd_schedule(args: argparse.Namespace) -> int:
    from ipfin.domain.money import yuan_to_fen
    from ipfin.domain.schedule import build_schedule

    schedule = build_schedule(principal_fen=yuan_to_fen(args.principal), annual_rate=args.annual_rate,
                              months=args.months, method=args.method, start=args.start,
                              frequency=args.frequency, day_count=args.day_count, first_due=args.first_due)
    header = (f"{METHOD_LABELS[schedule.method]}，{FREQUENCY_LABELS[schedule.frequency]}还款，年利率 "
              f"{args.annual_rate}%，计息 {DAY_COUNT_LABELS[schedule.day_count]}，本金 "
              f"{_yuan(schedule.principal_fen)} 元，放款日 {schedule.start.isoformat()}")
    columns = ("期数", "还款日", "本金(元)", "利息(元)", "合计(元)", "剩余本金(元)")
    table = [[str(r.period), r.due_date.isoformat(), _yuan(r.principal_fen), _yuan(r.interest_fen),
              _yuan(r.total_fen), _yuan(r.balance_fen)] for r in schedule.rows]
    totals = schedule.totals
    table.append(["合计", "", _yuan(totals.principal_fen), _yuan(totals.interest_fen), _yuan(totals.total_fen), ""])
    widths = [max(_width(c), *(_width(row[i]) for row in table)) for i, c in enumerate(columns)]
    lines = [header] + ["  ".join(_pad(v, w, left=i < 2) for i, (v, w) in enumerate(zip(row, widths, strict=True)))
                        .rstrip() for row in [list(columns), *table]]
    emit(schedule.as_dict(), "\n".join(lines), as_json=args.json)
    return EXIT_OK


def _width(text: str) -> int:
    """Display width: CJK characters take two columns in a terminal."""
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)


def _pad(text: str, width: int, *, left: bool) -> str:
    fill = " " * (width - _width(text))
    return text + fill if left else fill + text

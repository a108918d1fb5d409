"""`ipfin` sub-commands of the servicing app.

``ipfin schedule --principal 1000000 --annual-rate 3.85 --months 12 --method equal-installment
--start 2026-01-15 [--frequency monthly|quarterly] [--day-count act360|30_360|act365] [--first-due D] [--json]``
prints a repayment schedule (nothing stored, no database): a Chinese table, or with ``--json`` exactly
``{"rows": [{"period", "due_date", "principal_fen", "interest_fen", "total_fen", "balance_fen"}],
"totals": {"principal_fen", "interest_fen", "total_fen"}}``. The principal is given in yuan.

``ipfin cob --business-date D [--json]`` / ``ipfin cob --from D1 --to D2 [--json]`` runs close of business
(:mod:`ipfin.servicing.cob`): one line per step (count, seconds) and a total line with loans/s, or JSON
``{"business_date", "attempt", "status", "resumed_at", "steps": [{"step", "count", "seconds", "detail"}],
"totals": {"count", "seconds"}, "loans", "loans_per_second"}`` (``--from/--to``: ``{"runs": [...], "totals"}``).
Exit 2 with one ``error:`` line for bad or out-of-order dates.
"""

from __future__ import annotations

import argparse
from typing import Any

from django.utils import translation

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
    register_cob(sub)
    register_loan(sub)


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


# ---------------------------------------------------------------------------------------------------------
# ipfin cob (close of business)


def register_cob(sub: Any) -> None:
    cob = sub.add_parser("cob", help="run close of business (日终批处理) for a business date or a range")
    cob.add_argument("--business-date", type=date_arg, default=None, help="business date YYYY-MM-DD")
    cob.add_argument("--from", dest="date_from", type=date_arg, default=None, help="first business date")
    cob.add_argument("--to", dest="date_to", type=date_arg, default=None, help="last business date")
    add_json_flag(cob)
    cob.set_defaults(func=cmd_cob)


def cmd_cob(args: argparse.Namespace) -> int:
    import sys

    from ipfin.cli import EXIT_BAD_INPUT
    from ipfin.servicing.cob import run_cob, run_cob_range

    single = args.business_date is not None
    ranged = args.date_from is not None or args.date_to is not None
    if single == ranged or (ranged and (args.date_from is None or args.date_to is None)):
        print("error: give either --business-date D or both --from D1 and --to D2", file=sys.stderr)
        return EXIT_BAD_INPUT
    results = [run_cob(args.business_date)] if single else run_cob_range(args.date_from, args.date_to)
    runs = [r.as_dict() for r in results]
    lines: list[str] = []
    for run in runs:
        lines.append(f"日终批处理 {run['business_date']}（第 {run['attempt']} 次）"
                     + (f"，从 {run['resumed_at']} 步继续" if run["resumed_at"] else ""))
        for step in run["steps"]:
            note = "（已完成，跳过）" if step.get("resumed") else ""
            lines.append(f"  {step['step']:<14}{step.get('count', 0):>10}  {step.get('seconds', 0):>8.3f}s{note}")
        lines.append(f"  合计 {run['totals']['count']} 行，{run['totals']['seconds']:.3f}s，贷款 {run['loans']} 笔，"
                     f"{run['loans_per_second'] or 0} 笔/秒")
    if single:
        emit(runs[0], "\n".join(lines), as_json=args.json)
    else:
        seconds = round(sum(r["totals"]["seconds"] for r in runs), 3)
        emit({"runs": runs, "totals": {"days": len(runs), "seconds": seconds}}, "\n".join(lines),
             as_json=args.json)
    return EXIT_OK


# ---------------------------------------------------------------------------------------------------------
# ipfin loan show (helper A, issue 6)


def register_loan(sub: Any) -> None:
    loan = sub.add_parser("loan", help="loans (贷款): show one loan's servicing state")
    loan_sub = loan.add_subparsers(dest="loan_command", required=True)
    show = loan_sub.add_parser("show", help="a loan's servicing state, schedule in force and repayments")
    show.add_argument("number", help="loan number, e.g. DK2025000001")
    add_json_flag(show)
    show.set_defaults(func=cmd_loan_show)


def cmd_loan_show(args: argparse.Namespace) -> int:
    """Operator view (the command runs with the server's rights, like ``ipfin cob``): exit 2 for an unknown number."""
    from ipfin.domain.errors import NotFound
    from ipfin.servicing.models import Loan
    from ipfin.servicing.selectors import current_schedule, dpd_bucket_of

    loan = Loan.objects.select_related("bank", "enterprise__organisation").filter(number=args.number.strip()).first()
    if loan is None:
        raise NotFound()
    state = {name: getattr(loan, name) for name in (
        "number", "status", "principal_fen", "outstanding_principal_fen", "annual_rate", "term_months",
        "repayment_method", "disbursed_on", "maturity_on", "schedule_version", "oldest_unpaid_due_on",
        "days_past_due", "overdue_principal_fen", "overdue_interest_fen", "penalty_fen", "penalty_accrued_through",
        "risk_class", "manual_risk_class", "last_cob_on", "paid_off_on")}
    schedule = [{"version": i.schedule_version, "period": i.period, "due_on": i.due_on, "principal_fen": i.principal_fen,
                 "interest_fen": i.interest_fen, "principal_paid_fen": i.principal_paid_fen,
                 "interest_paid_fen": i.interest_paid_fen, "status": i.status} for i in current_schedule(loan)]
    repayments = [{"number": r.number, "kind": r.kind, "received_on": r.received_on, "amount_fen": r.amount_fen,
                   "status": r.status} for r in loan.repayments.order_by("received_on", "id")]
    payload = {**state, "bank": loan.bank.name, "borrower": loan.enterprise.organisation.name,
               "dpd_bucket": dpd_bucket_of(loan.days_past_due), "schedule": schedule, "repayments": repayments}
    payload = {k: (v.isoformat() if hasattr(v, "isoformat") else str(v) if k == "annual_rate" else v)
               for k, v in payload.items()}
    for rows in (payload["schedule"], payload["repayments"]):
        for row in rows:
            for key, value in row.items():
                if hasattr(value, "isoformat"):
                    row[key] = value.isoformat()
    with translation.override("zh-hans"):
        status_label, class_label = str(loan.get_status_display()), str(loan.get_risk_class_display())
    lines = [f"贷款 {loan.number}（{status_label}）借款人 {loan.enterprise.organisation.name}，贷款行 {loan.bank.name}",
             f"  本金 {_yuan(loan.principal_fen)} 元，未偿本金 {_yuan(loan.outstanding_principal_fen)} 元，"
             f"年利率 {loan.annual_rate}%，{loan.disbursed_on} 至 {loan.maturity_on}",
             f"  逾期 {loan.days_past_due} 天，逾期本金 {_yuan(loan.overdue_principal_fen)} 元，逾期利息 "
             f"{_yuan(loan.overdue_interest_fen)} 元，罚息 {_yuan(loan.penalty_fen)} 元，五级分类 {class_label}",
             "  期数  还款日      本金(元)        利息(元)      状态"]
    lines += [f"  {row['period']:>4}  {row['due_on']}  {_yuan(row['principal_fen']):>14}  "
              f"{_yuan(row['interest_fen']):>12}  {row['status']}" for row in payload["schedule"]]
    lines += [f"  还款 {r['number']} {r['received_on']} {r['kind']} {_yuan(r['amount_fen'])} 元 {r['status']}"
              for r in payload["repayments"]]
    emit(payload, "\n".join(lines), as_json=args.json)
    return EXIT_OK

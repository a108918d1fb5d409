"""``ipfin application show NUMBER [--as-of DATE] [--json]`` and ``ipfin application checks NUMBER [--json]``.

``show`` prints an application's state, amount, term, bundle, decision clock (PZA-2.2.1b) and contract; ``checks``
prints the latest run of its policy checks with their clauses. Operator commands: they read every application
(the command line runs with the server's rights, like ``ipfin audit verify``).
"""

from __future__ import annotations

import argparse
from typing import Any

from ipfin.cli import EXIT_OK, CommandError, add_json_flag, date_arg, emit
from ipfin.core.dates import business_date


def register(sub: Any) -> None:
    application = sub.add_parser("application", help="loan applications: state, clock and policy checks")
    application_sub = application.add_subparsers(dest="application_command", metavar="ACTION", required=True)
    show = application_sub.add_parser("show", help="one application with its decision clock and contract")
    show.add_argument("number", help="application number, e.g. SQ2025000001")
    show.add_argument("--as-of", type=date_arg, default=None, help="business date of the clock (default: today)")
    add_json_flag(show)
    show.set_defaults(func=cmd_show)
    checks = application_sub.add_parser("checks", help="the latest policy checks of an application")
    checks.add_argument("number", help="application number, e.g. SQ2025000001")
    add_json_flag(checks)
    checks.set_defaults(func=cmd_checks)


def _find(number: str) -> Any:
    from ipfin.origination.models import Application

    application = (Application.objects.select_related("enterprise__organisation", "bank", "product", "fund")
                   .filter(number=number.strip().upper()).first())
    if application is None:
        raise CommandError(f"no application {number!r}")
    return application


def cmd_show(args: argparse.Namespace) -> int:

    from ipfin.domain.money import format_amount_cn
    from ipfin.origination.models import Contract
    from ipfin.origination.selectors import decision_clock

    application = _find(args.number)
    today = args.as_of or business_date()
    clock = decision_clock(application, today)
    contract = Contract.objects.filter(application=application).first()
    payload = {
        "number": application.number, "status": application.status, "status_since": application.status_since,
        "enterprise": application.enterprise.organisation.name, "bank": application.bank.name,
        "product": application.product.name, "amount_fen": application.amount_fen,
        "term_months": application.term_months, "purpose": application.purpose,
        "fund": application.fund.name if application.fund else None,
        "assets": list(application.assets.order_by("id").values_list("asset__number", flat=True)),
        "clock": {"state": str(clock.state), "due_on": clock.due_on, "working_days_left": clock.working_days_left}
        if clock else None,
        "contract": {"number": contract.number, "status": contract.status, "annual_rate": contract.annual_rate,
                     "risk_shares": contract.risk_shares, "maturity_on": contract.maturity_on} if contract else None,
    }
    clock_text = f"{clock.state} (due {clock.due_on or '—'})" if clock else "no clock"
    human = (f"{application.number} [{application.status}] {payload['enterprise']} → {payload['bank']}: "
             f"{format_amount_cn(application.amount_fen)}, {application.term_months} months; "
             f"assets {', '.join(payload['assets'])}; decision clock {clock_text}"
             + (f"; contract {contract.number} [{contract.status}]" if contract else ""))
    emit(payload, human, as_json=args.json)
    return EXIT_OK


def cmd_checks(args: argparse.Namespace) -> int:
    from ipfin.origination.selectors import latest_checks

    application = _find(args.number)
    rows = latest_checks(application)
    payload = {"number": application.number, "checks": [
        {"code": c.code, "clause": c.clause, "stage": c.stage, "run": c.run, "outcome": c.outcome,
         "blocking": bool((c.details or {}).get("blocking")), "message": c.message} for c in rows]}
    if not rows:
        human = f"{application.number}: no checks have run yet"
    else:
        marks = {"passed": "✔", "failed": "✘", "not_applicable": "–"}
        human = "\n".join([f"{application.number} — run {rows[0].run} ({rows[0].stage}, {rows[0].checked_on})"]
                          + [f"  {marks.get(c.outcome, '?')} {c.code:<24} {c.clause:<12} {c.message}" for c in rows])
    emit(payload, human, as_json=args.json)
    return EXIT_OK

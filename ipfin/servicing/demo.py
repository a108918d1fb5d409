"""Demo servicing: the older demo loan has paid every installment due so far on its due date; the newer one has
missed its first installment (so the loan book shows a past-due loan, its warning and its class). Then close of
business runs for ``as_of`` so classes, coverage and the legal-status watch are current.

All through the actions and ``run_cob``. Idempotent: nothing is done once the demo has a close-of-business run.
"""

from __future__ import annotations

from datetime import date

from ipfin.accounts.models import User
from ipfin.servicing import actions
from ipfin.servicing.cob import run_cob
from ipfin.servicing.models import CobRun, Installment, Loan


def seed_servicing(as_of: date) -> dict[str, int]:
    created = {"repayments": 0, "cob_runs": 0}
    officer = User.objects.filter(username="bank2.officer").first()
    if officer is None or CobRun.objects.exists():
        return created
    loans = list(Loan.objects.order_by("disbursed_on", "id"))
    if loans:
        paying = loans[0]
        for row in Installment.objects.filter(loan=paying, due_on__lte=as_of).order_by("due_on", "period"):
            actions.post_repayment(officer, paying.pk, amount_fen=row.principal_fen + row.interest_fen,
                                   received_on=row.due_on)
            created["repayments"] += 1
    run_cob(as_of)
    created["cob_runs"] += 1
    return created

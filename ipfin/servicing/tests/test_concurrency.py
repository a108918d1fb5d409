"""Two repayments of the same installment posted at the same moment (PostgreSQL, real connections): the loan row
lock serialises them; the first pays the installment, the second finds nothing due and is refused, and the
installment is never paid twice."""

from __future__ import annotations

import threading
from datetime import date
from typing import Any

import pytest
from django.db import connection

from ipfin.domain.errors import IpfinError
from ipfin.servicing import actions
from ipfin.servicing.models import Installment, Repayment
from ipfin.servicing.tests.factories import make_disbursed_loan

FIRST_DUE = date(2025, 10, 30)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent connections need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_postings_of_one_installment_at_the_same_moment_pay_it_once() -> None:
    d = make_disbursed_loan()
    first = Installment.objects.filter(loan=d.loan).order_by("period").first()
    assert first is not None and first.due_on == FIRST_DUE
    amount = first.principal_fen + first.interest_fen
    barrier = threading.Barrier(2)
    outcomes: list[Any] = []
    lock = threading.Lock()

    def post(key: str) -> None:
        from django.db import connections

        try:
            barrier.wait()
            repayment = actions.post_repayment(d.users["officer"], d.loan.pk, amount_fen=amount,
                                               received_on=FIRST_DUE, idempotency_key=key)
            with lock:
                outcomes.append(repayment.number)
        except IpfinError as exc:
            with lock:
                outcomes.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=post, args=(key,)) for key in ("teller-a", "teller-b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    refused = [o for o in outcomes if isinstance(o, IpfinError)]
    assert len(outcomes) == 2 and len(refused) == 1, outcomes
    first.refresh_from_db()
    assert first.principal_paid_fen == first.principal_fen and first.interest_paid_fen == first.interest_fen
    assert Repayment.objects.filter(loan=d.loan).count() == 1

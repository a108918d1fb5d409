"""Two payouts at the same moment on PostgreSQL (two real connections): the fund row lock serialises them, so
the fund's cash never goes below zero and each claim is paid once."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection

from ipfin.domain.errors import IllegalTransition
from ipfin.domain.fund.errors import InsufficientBalance
from ipfin.fund import actions, selectors
from ipfin.fund.models import Claim, JournalEntry
from ipfin.fund.tests.test_claims import FILED, make_bt

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="two real connections need PostgreSQL"),
    pytest.mark.django_db(transaction=True),
]


def _at_the_same_moment(calls: list[Any]) -> list[Any]:
    barrier = threading.Barrier(len(calls))
    outcomes: list[Any] = [None] * len(calls)

    def run(i: int) -> None:
        from django.db import connections

        try:
            barrier.wait()
            outcomes[i] = calls[i]()
        except (InsufficientBalance, IllegalTransition) as exc:
            outcomes[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def test_two_payouts_at_the_same_moment_never_overdraw_the_fund() -> None:
    bt = make_bt()
    bt.fund_cash(150_000_000)  # enough for one 900,000 CNY claim, not two
    claims = [bt.approved(bt.loan()), bt.approved(bt.loan())]
    outcomes = _at_the_same_moment([lambda c=c: actions.pay_claim(bt.manager, c.pk, on=FILED) for c in claims])
    paid = [o for o in outcomes if isinstance(o, Claim)]
    refused = [o for o in outcomes if isinstance(o, InsufficientBalance)]
    assert len(paid) == 1 and len(refused) == 1, outcomes
    assert selectors.fund_balance_fen(bt.fund) == 150_000_000 - 90_000_000
    assert JournalEntry.objects.filter(fund=bt.fund, kind="payout").count() == 1
    assert sorted(Claim.objects.filter(fund=bt.fund).values_list("state", flat=True)) == ["approved", "paid"]


def test_the_same_claim_paid_twice_at_the_same_moment_is_paid_once() -> None:
    bt = make_bt()
    bt.fund_cash()
    claim = bt.approved(bt.loan())
    outcomes = _at_the_same_moment([lambda: actions.pay_claim(bt.manager, claim.pk, on=FILED)] * 2)
    assert sum(isinstance(o, Claim) for o in outcomes) == 1
    assert sum(isinstance(o, IllegalTransition) for o in outcomes) == 1
    assert JournalEntry.objects.filter(fund=bt.fund, kind="payout").count() == 1

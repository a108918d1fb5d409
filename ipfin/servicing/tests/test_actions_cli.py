"""``ipfin loan show NUMBER [--json]``: the servicing state of one loan; exit 2 with one line for an unknown one."""

from __future__ import annotations

import json
from datetime import date

import pytest

from ipfin.cli import run
from ipfin.servicing import actions
from ipfin.servicing.tests.factories import make_disbursed_loan

pytestmark = pytest.mark.django_db


def test_loan_show(capsys: pytest.CaptureFixture[str]) -> None:
    d = make_disbursed_loan(with_pledge=False)
    first = d.schedule()[0]
    actions.post_repayment(d.users["officer"], d.loan.pk, amount_fen=first.interest_fen,
                           received_on=date(2025, 10, 30))
    assert run(["loan", "show", d.loan.number, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["number"] == d.loan.number and data["status"] == "active" and data["dpd_bucket"] == "current"
    assert len(data["schedule"]) == 12 and data["schedule"][0]["interest_paid_fen"] == first.interest_fen
    assert data["repayments"][0]["amount_fen"] == first.interest_fen
    assert run(["loan", "show", d.loan.number]) == 0
    assert d.loan.number in capsys.readouterr().out
    assert run(["loan", "show", "DK1999000001"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1

"""BT-12a: the IP-pledge portion of a combined loan (组合贷款中明确属于知识产权质押部分), recorded at approval on the
contract, copied to the loan at disbursement, and the only part a claim compensates (loss × portion ÷ principal,
HALF_UP); the portion must lie in (0, principal]. The fund runs the Baotou rules (30 %, cap 1,500,000 CNY)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from ipfin.fund import actions, selectors
from ipfin.fund.tests.test_claims import D0, FILED, Bt, make_bt
from ipfin.origination import actions as origination
from ipfin.origination.actions import IpPledgePortionInvalid
from ipfin.origination.models import Application
from ipfin.origination.tests.factories import RATE, valued_patent
from ipfin.servicing.models import Loan

PRINCIPAL = 300_000_000  # 300 万元, the setup's amount


@pytest.fixture
def bt(db: Any) -> Bt:
    return make_bt()


def _under_review(bt: Bt) -> Application:
    s = bt.setup
    assets = [valued_patent(s.enterprise, as_of=D0, year=2019 + i).pk for i in range(2)]
    application = s.draft(fund_id=bt.fund.pk, asset_ids=assets)
    assert application.amount_fen == PRINCIPAL
    return s.to(application, "under_review")


def _combined_loan(bt: Bt, portion_fen: int | None) -> Loan:
    """Approved with ``portion_fen`` IP-pledged, signed, registered and disbursed on D0; 60 days past due with
    the whole principal outstanding, as close of business would leave it."""
    s, application = bt.setup, _under_review(bt)
    pk = application.pk
    origination.approve_application(s.users["approver"], pk, annual_rate=RATE, today=D0,
                                    ip_pledge_portion_fen=portion_fen)
    origination.sign_contract(s.users["officer"], pk, signed_on=D0, start_on=D0)
    origination.on_pledge_registered(pk, registered_on=D0, actor=s.users["clerk"])
    loan = origination.disburse(s.users["officer"], pk, disbursed_on=D0)
    assert loan.fund_id == bt.fund.pk
    Loan.objects.filter(pk=loan.pk).update(days_past_due=60)
    return Loan.objects.select_related("contract").get(pk=loan.pk)


def test_a_claim_on_a_combined_loan_compensates_the_ip_portion_only(bt: Bt) -> None:
    loan = _combined_loan(bt, 100_000_000)  # 100 万元 of 300 万元 secured by the IP pledge
    assert loan.contract.ip_pledge_portion_fen == loan.ip_pledge_portion_fen == 100_000_000
    claim = actions.file_claim(bt.officer, loan.pk, on=FILED)
    # loss 300 万元 × 100/300 = 100 万元 on the IP portion; 30 % of it (BT-12).
    assert (claim.ip_pledge_portion_fen, claim.principal_loss_fen, claim.amount_fen) == (
        100_000_000, 100_000_000, 30_000_000)
    # The stress simulation's input carries the same share (portion ÷ principal).
    row = next(r for r in selectors.covered_portfolio(bt.fund) if r["loan_id"] == loan.pk)
    assert row["ip_share"] == Decimal(100_000_000) / Decimal(PRINCIPAL)


def test_portion_equal_to_the_principal_is_the_whole_loss(bt: Bt) -> None:
    loan = _combined_loan(bt, PRINCIPAL)
    claim = actions.file_claim(bt.officer, loan.pk, on=FILED)
    assert (claim.ip_pledge_portion_fen, claim.principal_loss_fen, claim.amount_fen) == (
        PRINCIPAL, PRINCIPAL, 90_000_000)


def test_no_portion_means_the_whole_principal(bt: Bt) -> None:
    loan = _combined_loan(bt, None)
    assert loan.ip_pledge_portion_fen is None
    claim = actions.file_claim(bt.officer, loan.pk, on=FILED)
    assert (claim.ip_pledge_portion_fen, claim.amount_fen) == (PRINCIPAL, 90_000_000)
    row = next(r for r in selectors.covered_portfolio(bt.fund) if r["loan_id"] == loan.pk)
    assert row["ip_share"] == Decimal(1)


@pytest.mark.parametrize("portion", [0, -1, PRINCIPAL + 1, True, "100", 1.5])
def test_an_invalid_portion_is_refused_and_nothing_changes(bt: Bt, portion: Any) -> None:
    application = _under_review(bt)
    with pytest.raises(IpPledgePortionInvalid) as info:
        origination.approve_application(bt.setup.users["approver"], application.pk, annual_rate=RATE, today=D0,
                                        ip_pledge_portion_fen=portion)
    assert info.value.code == "ip_pledge_portion_invalid"
    application.refresh_from_db()
    assert application.status == "under_review" and not hasattr(application, "contract")


def test_the_approve_api_takes_an_optional_portion(bt: Bt, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: D0)
    c = Client()
    c.force_login(bt.setup.users["approver"])
    url = f"/api/v1/origination/applications/{_under_review(bt).pk}/approve"
    refused = c.post(url, {"annual_rate": str(RATE), "ip_pledge_portion_fen": PRINCIPAL + 1},
                     content_type="application/json")
    assert refused.status_code == 400 and refused.json()["code"] == "ip_pledge_portion_invalid"
    approved = c.post(url, {"annual_rate": str(RATE), "ip_pledge_portion_fen": 50_000_000},
                      content_type="application/json")
    assert approved.status_code == 200
    assert Application.objects.get(pk=approved.json()["id"]).contract.ip_pledge_portion_fen == 50_000_000

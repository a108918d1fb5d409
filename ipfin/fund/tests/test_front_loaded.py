"""SC-12 风险补偿前置 against the database: a fund whose rules front-load compensation pays a first share on
default and, after the pledged IP is disposed of, settles on the loss that remains — the rest paid, or the excess
refunded by the bank — all in the journal.

No shipped profile sets the SC-12 numbers (the Sichuan plan leaves them to the cities), so these tests load the
fixture profile ``tests/profiles/sc12-example.toml`` (40 % compensation, first share 50 %) beside the shipped ones.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from ipfin.accounts.choices import Role
from ipfin.accounts.models import Organisation
from ipfin.domain.errors import IllegalTransition, InvalidInput, PermissionDenied
from ipfin.domain.fund import claims as dc
from ipfin.domain.fund.errors import InsufficientBalance
from ipfin.fund import actions, ledger
from ipfin.fund.choices import ClaimState
from ipfin.fund.models import Claim, Fund, JournalEntry
from ipfin.origination.tests.factories import make_setup, user
from ipfin.policy import loader
from ipfin.servicing.models import Loan
from ipfin.servicing.tests.factories import make_disbursed_loan

D0 = date(2026, 1, 5)
DEFAULTED = date(2026, 6, 1)
DISPOSED = date(2026, 9, 1)
ALL_CHECKED = [item.value for item in dc.ChecklistItem]
FIXTURE = Path(__file__).parent / "profiles" / "sc12-example.toml"


@pytest.fixture
def sc12_profiles(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for path in loader.PROFILES_DIR.glob("*.toml"):
        shutil.copy(path, tmp_path / path.name)
    shutil.copy(FIXTURE, tmp_path / FIXTURE.name)
    monkeypatch.setattr(loader, "PROFILES_DIR", tmp_path)
    loader.clear_cache()
    yield
    loader.clear_cache()


class Sc12:
    def __init__(self, contribution_fen: int = 10_000_000_000) -> None:
        self.setup = make_setup(D0)
        Fund.objects.filter(pk=self.setup.fund.pk).update(profile_name="sc12-example")
        self.fund = Fund.objects.get(pk=self.setup.fund.pk)
        ipo = self.setup.users["clerk"].organisation
        assert ipo is not None
        self.leader = user(ipo, Role.LEADER)
        self.officer, self.manager = self.setup.users["officer"], self.setup.users["fund"]
        contributor = Organisation.objects.create(name=f"财政局{self.fund.pk}", kind="ip_office",
                                                  region_code="510400")
        actions.record_contribution(self.manager, self.fund.pk, contributor_id=contributor.pk,
                                    amount_fen=contribution_fen, on=D0)

    def defaulted_loan(self, outstanding_fen: int = 300_000_000) -> Loan:
        loan = make_disbursed_loan(self.setup, today=D0, with_pledge=False, fund_id=self.fund.pk).loan
        Loan.objects.filter(pk=loan.pk).update(days_past_due=60, outstanding_principal_fen=outstanding_fen)
        return Loan.objects.get(pk=loan.pk)

    def first_share_paid(self, loan: Loan) -> Claim:
        claim = actions.file_claim(self.officer, loan.pk, on=DEFAULTED)
        actions.verify_claim(self.manager, claim.pk, approve=True, checklist=ALL_CHECKED, on=DEFAULTED)
        actions.approve_claim(self.leader, claim.pk, on=DEFAULTED)
        return actions.pay_claim(self.manager, claim.pk, on=DEFAULTED)

    def paid_to_bank(self) -> int:
        return actions.claims_db.paid_by_bank(self.fund).get(self.setup.bank.pk, 0)


@pytest.fixture
def sc(db: Any, sc12_profiles: None) -> Sc12:
    return Sc12()


def test_first_share_on_default_is_the_profile_share_of_the_compensation(sc: Sc12) -> None:
    claim = sc.first_share_paid(sc.defaulted_loan())
    # loss 300 万元 × 40 % = 120 万元 compensation; first share 50 % = 60 万元 (SC-12).
    assert claim.front_loaded and claim.advance_ratio == Decimal("0.5000")
    assert (claim.principal_loss_fen, claim.amount_fen, claim.state) == (300_000_000, 60_000_000, ClaimState.PAID)
    assert sc.paid_to_bank() == 60_000_000
    assert JournalEntry.objects.filter(fund=sc.fund, reference=claim.number, clause="SC-12").count() == 2


def test_settlement_pays_the_rest_when_disposal_brought_little(sc: Sc12) -> None:
    claim = sc.first_share_paid(sc.defaulted_loan())
    actions.record_disposal(sc.officer, claim.pk, disposal_proceeds_fen=50_000_000, on=DISPOSED)
    settled = actions.settle_claim(sc.leader, claim.pk, on=DISPOSED, note="拍卖成交")
    # remaining loss 250 万元 × 40 % = 100 万元; 60 万元 paid first → 40 万元 more.
    assert (settled.final_amount_fen, settled.true_up_fen, settled.state) == (100_000_000, 40_000_000,
                                                                              ClaimState.SETTLED)
    assert sc.paid_to_bank() == 100_000_000
    balances = ledger.balances(sc.fund)
    assert balances.get(ledger.to_account(f"compensation_payable:{sc.setup.bank.pk}"), 0) == 0


def test_settlement_takes_back_the_excess_when_disposal_covered_most(sc: Sc12) -> None:
    claim = sc.first_share_paid(sc.defaulted_loan())
    actions.record_disposal(sc.officer, claim.pk, disposal_proceeds_fen=200_000_000, on=DISPOSED)
    settled = actions.settle_claim(sc.leader, claim.pk, on=DISPOSED)
    # remaining loss 100 万元 × 40 % = 40 万元; 60 万元 paid first → the bank refunds 20 万元.
    assert (settled.final_amount_fen, settled.true_up_fen) == (40_000_000, -20_000_000)
    assert sc.paid_to_bank() == 40_000_000
    refund = JournalEntry.objects.get(fund=sc.fund, reference=claim.number, kind="compensation_refund")
    assert refund.clause == "SC-12"


def test_disposal_covering_everything_refunds_the_whole_first_share(sc: Sc12) -> None:
    claim = sc.first_share_paid(sc.defaulted_loan())
    actions.record_disposal(sc.officer, claim.pk, disposal_proceeds_fen=400_000_000, on=DISPOSED)
    settled = actions.settle_claim(sc.leader, claim.pk, on=DISPOSED)
    assert (settled.final_amount_fen, settled.true_up_fen) == (0, -60_000_000)
    assert sc.paid_to_bank() == 0


def test_who_may_report_and_settle_and_in_which_order(sc: Sc12) -> None:
    claim = sc.first_share_paid(sc.defaulted_loan())
    with pytest.raises(actions.DisposalNotRecorded):
        actions.settle_claim(sc.leader, claim.pk, on=DISPOSED)
    with pytest.raises(PermissionDenied):
        actions.record_disposal(sc.manager, claim.pk, disposal_proceeds_fen=1, on=DISPOSED)
    with pytest.raises(InvalidInput):
        actions.record_disposal(sc.officer, claim.pk, disposal_proceeds_fen=-1, on=DISPOSED)
    with pytest.raises(InvalidInput):
        actions.record_disposal(sc.officer, claim.pk, disposal_proceeds_fen=1, on=date(2026, 5, 1))
    # the bank may correct its figure until settlement; recoveries wait for the settlement
    actions.record_disposal(sc.officer, claim.pk, disposal_proceeds_fen=10, on=DISPOSED)
    actions.record_disposal(sc.officer, claim.pk, disposal_proceeds_fen=50_000_000, on=DISPOSED)
    with pytest.raises(actions.DisposalSettlesFirst):
        actions.record_recovery(sc.officer, claim.pk, recovered_fen=1_000, on=DISPOSED)
    for who in (sc.manager, sc.officer):
        with pytest.raises(PermissionDenied):
            actions.settle_claim(who, claim.pk, on=DISPOSED)
    actions.settle_claim(sc.leader, claim.pk, on=DISPOSED)
    with pytest.raises(IllegalTransition):
        actions.settle_claim(sc.leader, claim.pk, on=DISPOSED)
    with pytest.raises(IllegalTransition):
        actions.record_disposal(sc.officer, claim.pk, disposal_proceeds_fen=1, on=DISPOSED)


def test_a_claim_under_rules_without_sc12_is_not_settled(db: Any) -> None:
    from ipfin.fund.tests.test_claims import make_bt

    bt = make_bt()
    bt.fund_cash()
    claim = bt.paid(bt.loan(days_past_due=60))
    assert not claim.front_loaded and claim.amount_fen == 90_000_000
    with pytest.raises(actions.NotFrontLoaded):
        actions.record_disposal(bt.officer, claim.pk, disposal_proceeds_fen=1, on=claim.paid_on)
    with pytest.raises(IllegalTransition):
        dc.transition(ClaimState.PAID, ClaimState.SETTLED)


def test_the_rest_is_not_paid_beyond_what_the_fund_holds(db: Any, sc12_profiles: None) -> None:
    sc = Sc12(contribution_fen=60_000_000 + 1_000)  # the first share and 10 元
    claim = sc.first_share_paid(sc.defaulted_loan())
    actions.record_disposal(sc.officer, claim.pk, disposal_proceeds_fen=0, on=DISPOSED)
    entries = JournalEntry.objects.filter(fund=sc.fund).count()
    with pytest.raises(InsufficientBalance):
        actions.settle_claim(sc.leader, claim.pk, on=DISPOSED)
    claim.refresh_from_db()
    assert claim.state == ClaimState.PAID and claim.true_up_fen is None
    assert JournalEntry.objects.filter(fund=sc.fund).count() == entries  # nothing half-written


# --- pages and API ------------------------------------------------------------------------------------------


def _client(u: Any) -> Any:
    from django.test import Client

    c = Client()
    c.force_login(u)
    return c


def test_pages_report_disposal_and_settle(sc: Sc12, monkeypatch: pytest.MonkeyPatch) -> None:
    from django.utils import timezone

    claim = sc.first_share_paid(sc.defaulted_loan())
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: DISPOSED)
    bank, leader, manager = _client(sc.officer), _client(sc.leader), _client(sc.manager)
    page = bank.get(f"/fund/claims/{claim.pk}/").content.decode()
    assert 'data-testid="claim-front-loaded"' in page and 'data-testid="disposal-form"' in page
    assert 'data-testid="recovery-form"' not in page  # the disposal is settled first (SC-12)
    assert 'data-testid="claim-checklist"' in page
    assert 'data-testid="disposal-form"' not in manager.get(f"/fund/claims/{claim.pk}/").content.decode()
    assert bank.post(f"/fund/claims/{claim.pk}/disposal/", {"proceeds_yuan": "-1"}).status_code == 400
    assert manager.post(f"/fund/claims/{claim.pk}/disposal/", {"proceeds_yuan": "1"}).status_code == 403
    assert bank.post(f"/fund/claims/{claim.pk}/disposal/", {"proceeds_yuan": "500000.00"}).status_code == 302
    assert 'data-testid="settle-form"' in leader.get(f"/fund/claims/{claim.pk}/").content.decode()
    assert bank.post(f"/fund/claims/{claim.pk}/settle/", {}).status_code == 403
    assert leader.post(f"/fund/claims/{claim.pk}/settle/", {"note": "拍卖成交"}).status_code == 302
    settled = leader.get(f"/fund/claims/{claim.pk}/").content.decode()
    assert 'data-state="settled"' in settled and "¥1,000,000.00" in settled and "¥400,000.00" in settled
    assert 'data-testid="recovery-form"' in bank.get(f"/fund/claims/{claim.pk}/").content.decode()


def test_api_reports_disposal_and_settles(sc: Sc12) -> None:
    import json

    claim = sc.first_share_paid(sc.defaulted_loan())
    bank, leader = _client(sc.officer), _client(sc.leader)
    url = f"/api/v1/fund/claims/{claim.pk}"
    refused = leader.post(f"{url}/disposal", json.dumps({"disposal_proceeds_fen": 1, "on": DISPOSED.isoformat()}),
                          content_type="application/json")
    assert refused.status_code == 403
    done = bank.post(f"{url}/disposal", json.dumps({"disposal_proceeds_fen": 200_000_000,
                                                    "on": DISPOSED.isoformat()}), content_type="application/json")
    assert done.status_code == 200 and done.json()["disposal_proceeds_fen"] == 200_000_000
    body = leader.post(f"{url}/settle", json.dumps({"on": DISPOSED.isoformat()}),
                       content_type="application/json").json()
    assert (body["state"], body["final_amount_fen"], body["true_up_fen"]) == ("settled", 40_000_000, -20_000_000)
    again = leader.post(f"{url}/settle", json.dumps({"on": DISPOSED.isoformat()}), content_type="application/json")
    assert again.status_code == 409

"""Claims through the database: filing at the BT-15 boundary (59/60 days), BT-14 deterioration, the BT-12 amount
and cap, one standing claim per loan, verification (BT-18 dishonest list), approval, payout, recoveries (BT-16).

The loans are real: disbursed through origination into a fund running the Baotou rules (baotou-2021, in force
2021–2022), so every number comes from the profile. ``days_past_due`` and the outstanding principal are set as
close of business and repayments would leave them (test set-up of servicing state)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from ipfin.accounts.choices import Role
from ipfin.accounts.models import Organisation, User
from ipfin.calendar.services import working_calendar
from ipfin.domain.errors import IllegalTransition, IpfinError, PermissionDenied
from ipfin.domain.fund import claims as dc
from ipfin.domain.fund.errors import ClaimNotAllowed, InsufficientBalance
from ipfin.fund import actions, selectors
from ipfin.fund.choices import ClaimState
from ipfin.fund.models import Claim, Fund, JournalEntry, RecoveryShare
from ipfin.origination.tests.factories import Setup, make_setup, user, valued_patent
from ipfin.registry.models import DishonestListEntry
from ipfin.servicing.models import Loan
from ipfin.servicing.tests.factories import make_disbursed_loan

D0 = date(2022, 6, 1)  # disbursement: the Baotou rules are in force (2021-01-01 .. 2022-12-31)
FILED = date(2022, 9, 1)
CASH = 100_000_000_000  # 1 亿元 contributed: enough for every payout unless a test says otherwise
ALL_CHECKED = [item.value for item in dc.ChecklistItem]  # the fund manager's whole verification checklist


@dataclass
class Bt:
    setup: Setup
    fund: Fund
    leader: User
    contributor: Organisation

    @property
    def officer(self) -> User:
        return self.setup.users["officer"]

    @property
    def manager(self) -> User:
        return self.setup.users["fund"]

    def loan(self, *, days_past_due: int = 60, outstanding_fen: int | None = None, amount_fen: int | None = None
             ) -> Loan:
        """A covered loan of the setup's bank (300 万元 unless ``amount_fen``), as close of business left it."""
        draft: dict[str, Any] = {}
        if amount_fen is not None:
            draft = {"amount_fen": amount_fen,
                     "asset_ids": [valued_patent(self.setup.enterprise, as_of=D0, value_fen=amount_fen,
                                                 year=2015 + i).pk for i in range(2)]}
        loan = make_disbursed_loan(self.setup, today=D0, with_pledge=False, fund_id=self.fund.pk, **draft).loan
        assert loan.fund_id == self.fund.pk
        Loan.objects.filter(pk=loan.pk).update(
            days_past_due=days_past_due,
            outstanding_principal_fen=loan.principal_fen if outstanding_fen is None else outstanding_fen)
        loan.refresh_from_db()
        return loan

    def fund_cash(self, amount_fen: int = CASH, on: date = D0) -> None:
        actions.record_contribution(self.manager, self.fund.pk, contributor_id=self.contributor.pk,
                                    amount_fen=amount_fen, on=on)

    def approved(self, loan: Loan, on: date = FILED) -> Claim:
        claim = actions.file_claim(self.officer, loan.pk, on=on)
        actions.verify_claim(self.manager, claim.pk, approve=True, checklist=ALL_CHECKED, on=on)
        return actions.approve_claim(self.leader, claim.pk, on=on)

    def paid(self, loan: Loan, on: date = FILED) -> Claim:
        return actions.pay_claim(self.manager, self.approved(loan, on).pk, on=on)


def make_bt() -> Bt:
    """The origination setup (攀枝花 region) with its fund switched to the Baotou rules and opened in 2021."""
    s = make_setup(D0)
    Fund.objects.filter(pk=s.fund.pk).update(profile_name="baotou-2021", opened_on=date(2021, 1, 1))
    s.fund.refresh_from_db()
    ipo = s.users["clerk"].organisation
    assert ipo is not None
    contributor = Organisation.objects.create(name=f"财政局{s.fund.pk}", kind="ip_office", region_code="510400")
    return Bt(setup=s, fund=s.fund, leader=user(ipo, Role.LEADER), contributor=contributor)


@pytest.fixture
def bt(db: Any) -> Bt:
    return make_bt()


# --- filing -------------------------------------------------------------------------------------------------


def test_day_59_is_too_early_and_day_60_files(bt: Bt) -> None:
    early = bt.loan(days_past_due=59)
    with pytest.raises(ClaimNotAllowed) as info:
        actions.file_claim(bt.officer, early.pk, on=FILED)
    assert info.value.details["clause"] == "BT-15"
    assert not Claim.objects.filter(loan=early).exists()

    due = bt.loan(days_past_due=60)
    claim = actions.file_claim(bt.officer, due.pk, on=FILED)
    assert claim.state == ClaimState.FILED and claim.basis == "overdue" and claim.clause == "BT-15"
    # BT-12a/BT-15: 30 % of the principal loss of 300 万元 (a pure IP-pledge loan: the whole loss).
    assert (claim.principal_loss_fen, claim.ratio, claim.amount_fen) == (300_000_000, Decimal("0.3"), 90_000_000)
    assert claim.cap_fen == 150_000_000 and claim.days_past_due == 60


def test_deterioration_evidence_files_before_60_days(bt: Bt) -> None:
    loan = bt.loan(days_past_due=10)
    claim = actions.file_claim(bt.officer, loan.pk, on=FILED, deterioration_evidence="主营业务停产，法定代表人失联")
    assert claim.basis == "deterioration" and claim.deterioration and claim.clause == "BT-14"


def test_the_cap_bounds_a_large_claim_and_the_cap_itself_is_paid(bt: Bt) -> None:
    # 30 % × 5,000,000 CNY = 1,500,000 CNY: exactly the cap, payable in full (BT-12b "不高于").
    at_cap = actions.file_claim(bt.officer, bt.loan(amount_fen=600_000_000, outstanding_fen=500_000_000).pk,
                                on=FILED)
    assert at_cap.amount_fen == 150_000_000
    # 30 % × 5,000,000.04 CNY = 1,500,000.01 CNY (HALF_UP): one fen above the cap → the cap.
    above = actions.file_claim(bt.officer, bt.loan(amount_fen=600_000_000, outstanding_fen=500_000_004).pk,
                               on=FILED)
    assert above.principal_loss_fen == 500_000_004 and above.amount_fen == 150_000_000
    # 30 % × 6,000,000 CNY = 1,800,000 CNY → 1,500,000 CNY.
    large = actions.file_claim(bt.officer, bt.loan(amount_fen=600_000_000).pk, on=FILED)
    assert large.amount_fen == 150_000_000 and large.principal_loss_fen == 600_000_000


def test_one_standing_claim_per_loan_unless_withdrawn(bt: Bt) -> None:
    loan = bt.loan()
    first = actions.file_claim(bt.officer, loan.pk, on=FILED)
    with pytest.raises(ClaimNotAllowed):
        actions.file_claim(bt.officer, loan.pk, on=FILED)
    actions.withdraw_claim(bt.officer, first.pk, reason="资料不全，补充后重报")
    second = actions.file_claim(bt.officer, loan.pk, on=FILED)
    actions.verify_claim(bt.manager, second.pk, approve=False, note="贷款合同缺失", on=FILED)
    with pytest.raises(ClaimNotAllowed):  # a rejected claim stays the loan's claim
        actions.file_claim(bt.officer, loan.pk, on=FILED)
    assert list(Claim.objects.filter(loan=loan).order_by("pk").values_list("state", flat=True)) == [
        "withdrawn", "rejected"]


def test_an_uncovered_loan_cannot_be_claimed(bt: Bt) -> None:
    loan = bt.loan()
    Loan.objects.filter(pk=loan.pk).update(fund=None)
    with pytest.raises(ClaimNotAllowed):
        actions.file_claim(bt.officer, loan.pk, on=FILED)


# --- workflow -----------------------------------------------------------------------------------------------


def test_file_verify_approve_pay_posts_the_ledger(bt: Bt) -> None:
    bt.fund_cash(200_000_000)
    loan = bt.loan()
    claim = actions.file_claim(bt.officer, loan.pk, on=FILED)
    with pytest.raises(PermissionDenied):  # the bank does not verify its own claim
        actions.verify_claim(bt.officer, claim.pk, approve=True, checklist=ALL_CHECKED, on=FILED)
    actions.verify_claim(bt.manager, claim.pk, approve=True, checklist=ALL_CHECKED, note="核实无误", on=FILED)
    with pytest.raises(PermissionDenied):  # the fund manager does not approve: the leadership group does
        actions.approve_claim(bt.manager, claim.pk, on=FILED)
    with pytest.raises(IllegalTransition):  # not approved yet
        actions.pay_claim(bt.manager, claim.pk, on=FILED)
    actions.approve_claim(bt.leader, claim.pk, on=FILED)
    assert selectors.fund_balance_fen(bt.fund) == 200_000_000  # approval makes it payable, pays nothing yet
    paid = actions.pay_claim(bt.manager, claim.pk, on=date(2022, 9, 5))
    assert paid.state == ClaimState.PAID and paid.paid_on == date(2022, 9, 5)
    assert selectors.fund_balance_fen(bt.fund) == 200_000_000 - 90_000_000
    kinds = list(JournalEntry.objects.filter(fund=bt.fund).order_by("number").values_list("kind", flat=True))
    assert kinds == ["contribution", "claim_approved", "payout"]
    status = selectors.fund_status(bt.fund, FILED)
    assert status.claims_by_state == {"paid": 1}
    assert [(b.issued_fen, b.paid_fen) for b in status.banks] == [(300_000_000, 90_000_000)]
    with pytest.raises(IllegalTransition):
        actions.pay_claim(bt.manager, claim.pk, on=FILED)


def test_a_payout_the_fund_cannot_cover_is_refused_and_leaves_nothing(bt: Bt) -> None:
    bt.fund_cash(89_999_999)  # one fen short of the 900,000 CNY claim
    claim = bt.approved(bt.loan())
    entries = JournalEntry.objects.count()
    with pytest.raises(InsufficientBalance):
        actions.pay_claim(bt.manager, claim.pk, on=FILED)
    claim.refresh_from_db()
    assert claim.state == ClaimState.APPROVED and JournalEntry.objects.count() == entries
    assert selectors.fund_balance_fen(bt.fund) == 89_999_999


def test_able_but_unwilling_puts_the_borrower_on_the_dishonest_list(bt: Bt) -> None:
    loan = bt.loan()
    claim = actions.file_claim(bt.officer, loan.pk, on=FILED)
    actions.verify_claim(bt.manager, claim.pk, approve=True, checklist=ALL_CHECKED, able_but_unwilling=True,
                         note="有能力不还", on=FILED)
    claim.refresh_from_db()
    assert claim.dishonest_listed
    assert DishonestListEntry.objects.filter(enterprise=loan.enterprise, source=claim.number).exists()


# --- recoveries (BT-16) -------------------------------------------------------------------------------------


def test_recovery_share_is_30_percent_due_on_the_15th_working_day(bt: Bt) -> None:
    bt.fund_cash()
    claim = bt.paid(bt.loan())
    recorded = date(2022, 9, 30)  # before the National Day break
    share = actions.record_recovery(bt.officer, claim.pk, recovered_fen=10_000_001, on=recorded)
    assert share.share_fen == 3_000_000  # 30 % × 10,000,001 = 3,000,000.3 → HALF_UP
    # 1–7 October 2022 off, 8 and 9 October (Sat, Sun) worked (调休): the 15th working day is 26 October.
    assert share.due_on == date(2022, 10, 26) == working_calendar().add_working_days(recorded, 15)
    assert working_calendar().add_working_days(recorded, 14) == date(2022, 10, 25)
    balance = selectors.fund_balance_fen(bt.fund)
    received = actions.receive_recovery_share(bt.manager, share.pk, on=share.due_on)
    assert received.received_on == share.due_on
    assert selectors.fund_balance_fen(bt.fund) == balance + 3_000_000


def test_recovery_shares_stop_at_the_compensation_paid(bt: Bt) -> None:
    bt.fund_cash()
    claim = bt.paid(bt.loan())  # 90,000,000 paid
    first = actions.record_recovery(bt.officer, claim.pk, recovered_fen=290_000_000, on=FILED)
    assert first.share_fen == 87_000_000
    second = actions.record_recovery(bt.officer, claim.pk, recovered_fen=100_000_000, on=FILED)
    assert second.share_fen == 3_000_000  # only what is left of the 90,000,000 paid
    assert RecoveryShare.objects.filter(claim=claim).count() == 2


def test_verification_keeps_the_checklist_and_refuses_an_incomplete_one(bt: Bt) -> None:
    claim = actions.file_claim(bt.officer, bt.loan(days_past_due=60).pk, on=FILED)
    with pytest.raises(actions.ChecklistIncomplete) as info:
        actions.verify_claim(bt.manager, claim.pk, approve=True, checklist=ALL_CHECKED[:-1], on=FILED)
    assert ALL_CHECKED[-1] in str(info.value)
    with pytest.raises(IpfinError):
        actions.verify_claim(bt.manager, claim.pk, approve=True, checklist=[*ALL_CHECKED, "bribe_paid"], on=FILED)
    with pytest.raises(IpfinError):  # a rejection states its reason
        actions.verify_claim(bt.manager, claim.pk, approve=False, on=FILED)
    claim.refresh_from_db()
    assert claim.state == ClaimState.FILED and claim.checklist == []
    actions.verify_claim(bt.manager, claim.pk, approve=True, checklist=list(reversed(ALL_CHECKED)), on=FILED)
    claim.refresh_from_db()
    assert claim.state == ClaimState.VERIFIED and claim.checklist == ALL_CHECKED  # stored in checklist order

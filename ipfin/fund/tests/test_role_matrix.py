"""Who reads funds, cooperations, claims, notices, recovery shares and the journal, and who changes them."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from ipfin.accounts.models import User
from ipfin.core.testing.role_matrix import RoleMatrixCase
from ipfin.core.testing.world import VIEWERS, World
from ipfin.fund import actions, filings
from ipfin.fund.models import (
    BankNotice,
    BorrowerFiling,
    Claim,
    Cooperation,
    Fund,
    JournalEntry,
    RecoveryShare,
)
from ipfin.origination.tests import matrix_helpers as helpers

NOBODY: set[str] = set()
OPENED = date(2025, 1, 1)


def bt_fund(world: World) -> Fund:
    return Fund.objects.filter(code="bt").first() or actions.create_fund(
        None, code="bt", name="包头市风险补偿资金", profile_name="baotou-2021", region_code="150200",
        manager=world.orgs["fund_bt"], opened_on=OPENED)


class TestFundMatrix(RoleMatrixCase):
    """Funds are public facts: every signed-in user reads both."""

    model = Fund
    owners = ["fund_bt", "ipo_pzh"]
    expected_readers = {key: {"fund_bt", "ipo_pzh"} for key in VIEWERS}

    def make(self, world: World, owner_key: str) -> Fund:
        region = world.orgs[owner_key].region_code
        return actions.create_fund(None, code=f"f{Fund.objects.count()}", name=f"资金{owner_key}",
                                   profile_name="panzhihua-agreement", region_code=region,
                                   manager=world.orgs[owner_key], opened_on=OPENED)


class TestCooperationMatrix(RoleMatrixCase):
    """Cooperations of the Baotou fund: the institution (head office sees its branch's), the fund manager,
    the authorities of the fund's or the institution's region, the platform. Changing the standing: the
    fund officer of the manager and the IP-office leader of the fund's region."""

    model = Cooperation
    owners = ["bank_a_branch", "bank_b", "guarantor"]
    ALL = {"bank_a_branch", "bank_b", "guarantor"}
    expected_readers = {key: NOBODY for key in VIEWERS} | {
        "bank_a.loan_officer": {"bank_a_branch"}, "bank_a.approver": {"bank_a_branch"},
        "bank_a.branch_head": {"bank_a_branch"}, "bank_a_branch.loan_officer": {"bank_a_branch"},
        "bank_b.loan_officer": {"bank_b"}, "guarantor.officer": {"guarantor"},
        "fund_bt.officer": ALL, "ipo_bt.clerk": ALL, "ipo_bt.leader": ALL, "regulator_bt.supervisor": ALL,
        "ipo_pzh.clerk": {"bank_b"}, "platform.admin": ALL,
    }
    expected_changers = {key: NOBODY for key in VIEWERS} | {"fund_bt.officer": ALL, "ipo_bt.leader": ALL}

    def make(self, world: World, owner_key: str) -> Cooperation:
        fund = bt_fund(world)
        existing = Cooperation.objects.filter(fund=fund, institution=world.orgs[owner_key]).first()
        if existing is not None:
            BankNotice.objects.filter(cooperation=existing).delete()  # notices protect their cooperation
            existing.delete()
        return actions.admit_institution(None, fund.pk, world.orgs[owner_key].pk, admitted_on=OPENED)

    def change(self, user: User, obj: Any) -> Any:
        return actions.change_cooperation_status(user, obj.pk, status="warned", on=date(2025, 6, 1), reason="测试")


# --- issue 7: claims, notices, recovery shares, the journal -------------------------------------------------

BT_BANK, PZH_BANK = {"bank_a_branch"}, {"bank_b"}
BOTH_BANKS = BT_BANK | PZH_BANK
# A claim, notice or recovery share about a bank: the bank (its head office too), the fund's manager, the
# authorities of the fund's or the bank's region, the platform. The Panzhihua fund is managed by the IP office.
BANK_RECORD_READERS: dict[str, set[str]] = {key: NOBODY for key in VIEWERS} | {
    "bank_a.loan_officer": BT_BANK, "bank_a.approver": BT_BANK, "bank_a.branch_head": BT_BANK,
    "bank_a_branch.loan_officer": BT_BANK, "bank_b.loan_officer": PZH_BANK,
    "fund_bt.officer": BT_BANK, "ipo_bt.clerk": BT_BANK, "ipo_bt.leader": BT_BANK,
    "regulator_bt.supervisor": BT_BANK, "ipo_pzh.clerk": PZH_BANK, "platform.admin": BOTH_BANKS,
}


def pzh_fund(world: World) -> Fund:
    return Fund.objects.filter(code="pzh-matrix").first() or Fund.objects.create(
        code="pzh-matrix", name="攀枝花风险补偿资金", profile_name="panzhihua-agreement", region_code="510400",
        manager=world.orgs["ipo_pzh"], opened_on=OPENED)


def claim_of(world: World, bank_key: str) -> Claim:
    loan = helpers.loan_of(world, "ent_bt" if bank_key == "bank_a_branch" else "ent_pzh")
    fund = loan.fund or pzh_fund(world)
    return Claim.objects.create(fund=fund, loan=loan, bank=loan.bank, number=f"BC-M{Claim.objects.count() + 1}",
                                filed_on=date(2025, 12, 1), principal_loss_fen=100_000_000,
                                ip_pledge_portion_fen=100_000_000, ratio=Decimal("0.3"), amount_fen=30_000_000)


class TestClaimMatrix(RoleMatrixCase):
    """Withdrawing a claim: the lending bank's staff (its head office too)."""

    model = Claim
    owners = ["bank_a_branch", "bank_b"]
    expected_readers = BANK_RECORD_READERS
    expected_changers = {key: NOBODY for key in VIEWERS} | {
        "bank_a.loan_officer": BT_BANK, "bank_a.approver": BT_BANK, "bank_a.branch_head": BT_BANK,
        "bank_a_branch.loan_officer": BT_BANK, "bank_b.loan_officer": PZH_BANK,
    }

    def make(self, world: World, owner_key: str) -> Claim:
        return claim_of(world, owner_key)

    def change(self, user: User, obj: Any) -> Any:
        return actions.withdraw_claim(user, obj.pk, reason="矩阵测试")


class TestBankNoticeMatrix(RoleMatrixCase):
    model = BankNotice
    owners = ["bank_a_branch", "bank_b"]
    expected_readers = BANK_RECORD_READERS

    def make(self, world: World, owner_key: str) -> BankNotice:
        fund = helpers.fund_bt(world) if owner_key == "bank_a_branch" else pzh_fund(world)
        bank = world.orgs[owner_key]
        cooperation = Cooperation.objects.get_or_create(fund=fund, institution=bank, defaults={
            "admitted_on": OPENED, "status_since": OPENED})[0]
        return BankNotice.objects.create(fund=fund, cooperation=cooperation, bank=bank, kind="warning",
                                         issued_on=date(2025, 12, 1), ratio=Decimal("0.03"), clause="BT-13a")


class TestRecoveryShareMatrix(RoleMatrixCase):
    """Receiving a share: the officers of the fund's manager (the Panzhihua fund's manager has none)."""

    model = RecoveryShare
    owners = ["bank_a_branch", "bank_b"]
    expected_readers = BANK_RECORD_READERS
    expected_changers = {key: NOBODY for key in VIEWERS} | {"fund_bt.officer": BT_BANK}

    def make(self, world: World, owner_key: str) -> RecoveryShare:
        claim = claim_of(world, owner_key)
        Claim.objects.filter(pk=claim.pk).update(state="paid", paid_on=date(2025, 12, 1))
        return RecoveryShare.objects.create(claim=claim, recovered_fen=1, share_fen=0, recorded_on=date(2025, 12, 2))

    def change(self, user: User, obj: Any) -> Any:
        return actions.receive_recovery_share(user, obj.pk, on=date(2025, 12, 3))


class TestJournalEntryMatrix(RoleMatrixCase):
    """The journal: the fund's manager, the authorities of the fund's region, the platform."""

    model = JournalEntry
    owners = ["fund_bt", "ipo_pzh"]
    expected_readers = {key: NOBODY for key in VIEWERS} | {
        "fund_bt.officer": {"fund_bt"}, "ipo_bt.clerk": {"fund_bt"}, "ipo_bt.leader": {"fund_bt"},
        "regulator_bt.supervisor": {"fund_bt"}, "ipo_pzh.clerk": {"ipo_pzh"}, "platform.admin": {"fund_bt", "ipo_pzh"},
    }

    def make(self, world: World, owner_key: str) -> JournalEntry:
        fund = helpers.fund_bt(world) if owner_key == "fund_bt" else pzh_fund(world)
        number = JournalEntry.objects.filter(fund=fund).count() + 1
        return JournalEntry.objects.create(fund=fund, number=number, entry_date=OPENED, kind="contribution")


# --- BT-19 borrower filings ---------------------------------------------------------------------------------

BT_LOAN, PZH_LOAN = {"bank_a_branch"}, {"bank_b"}


class TestBorrowerFilingMatrix(RoleMatrixCase):
    """A filing about a loan of the Baotou fund (ent_bt's loan at bank_a_branch, managed by fund_bt) and one of the
    Panzhihua fund (ent_pzh's loan at bank_b, managed by the IP office ipo_pzh). Readers: the fund's manager, the
    lending bank (its head office too), the borrower, the IP-office leaders of the fund's region, the platform —
    not the regulator, the guarantor or insurer, nor the Baotou IP office's clerk. Recording another filing on the
    loan: the manager's fund officers, the bank's staff (head office too), the borrower's users."""

    model = BorrowerFiling
    owners = ["bank_a_branch", "bank_b"]
    expected_readers = {key: NOBODY for key in VIEWERS} | {
        "ent_bt.admin": BT_LOAN, "ent_bt.staff": BT_LOAN, "ent_pzh.admin": PZH_LOAN,
        "bank_a.loan_officer": BT_LOAN, "bank_a.approver": BT_LOAN, "bank_a.branch_head": BT_LOAN,
        "bank_a_branch.loan_officer": BT_LOAN, "bank_b.loan_officer": PZH_LOAN,
        "fund_bt.officer": BT_LOAN, "ipo_bt.leader": BT_LOAN, "ipo_pzh.clerk": PZH_LOAN,
        "platform.admin": BT_LOAN | PZH_LOAN,
    }
    expected_changers = {key: NOBODY for key in VIEWERS} | {
        "ent_bt.admin": BT_LOAN, "ent_bt.staff": BT_LOAN, "ent_pzh.admin": PZH_LOAN,
        "bank_a.loan_officer": BT_LOAN, "bank_a.approver": BT_LOAN, "bank_a.branch_head": BT_LOAN,
        "bank_a_branch.loan_officer": BT_LOAN, "bank_b.loan_officer": PZH_LOAN, "fund_bt.officer": BT_LOAN,
    }

    def make(self, world: World, owner_key: str) -> BorrowerFiling:
        loan = helpers.loan_of(world, "ent_bt" if owner_key == "bank_a_branch" else "ent_pzh")
        if loan.fund is None:
            loan.fund = pzh_fund(world)
            loan.save(update_fields=["fund"])
        return BorrowerFiling.objects.create(fund=loan.fund, loan=loan, kind="quarterly_statement",
                                             period_end=date(2025, 9, 30), received_on=date(2025, 10, 15))

    def change(self, user: User, obj: Any) -> Any:
        return filings.record_borrower_filing(user, obj.loan_id, kind="quarterly_statement",
                                              period_end=date(2025, 12, 31), received_on=date(2026, 1, 15),
                                              today=date(2026, 1, 20))

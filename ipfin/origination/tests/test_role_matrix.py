"""Who reads and who changes applications and contracts (ipfin.core.testing.role_matrix)."""

from __future__ import annotations

from typing import Any

from ipfin.accounts.models import User
from ipfin.core.testing.role_matrix import RoleMatrixCase
from ipfin.core.testing.world import World
from ipfin.origination import actions
from ipfin.origination.models import Application, Contract
from ipfin.origination.tests.matrix_helpers import application_of, contract_of

NOBODY: set[str] = set()
BT, PZH, BOTH = {"ent_bt"}, {"ent_pzh"}, {"ent_bt", "ent_pzh"}

# ent_bt → bank_a_branch (head office bank_a sees it), guarantor named, fund of fund_bt requested;
# ent_pzh → bank_b, insurer named. Regional authorities see their enterprises' region.
READERS: dict[str, set[str]] = {
    "ent_bt.admin": BT, "ent_bt.staff": BT, "ent_pzh.admin": PZH,
    "bank_a.loan_officer": BT, "bank_a.approver": BT, "bank_a.branch_head": BT, "bank_a_branch.loan_officer": BT,
    "bank_b.loan_officer": PZH, "guarantor.officer": BT, "insurer.officer": PZH,
    "appraiser.appraiser": NOBODY, "appraiser.expert": NOBODY,
    "fund_bt.officer": BT, "ipo_bt.clerk": BT, "ipo_bt.leader": BT, "ipo_pzh.clerk": PZH,
    "regulator_bt.supervisor": BT, "platform.admin": BOTH,
}


class TestApplicationMatrix(RoleMatrixCase):
    model = Application
    owners = ["ent_bt", "ent_pzh"]
    expected_readers = READERS
    # Changing a draft the enterprise made: its users only (``actions.can_edit``). A draft the bank made on the
    # enterprise's behalf is changed by the bank side's officers as well (test_views: bank-made draft).
    expected_changers = {key: NOBODY for key in READERS} | {
        "ent_bt.admin": BT, "ent_bt.staff": BT, "ent_pzh.admin": PZH,
    }

    def make(self, world: World, owner_key: str) -> Application:
        return application_of(world, owner_key)

    def change(self, user: User, obj: Any) -> Any:
        return actions.update_application(user, obj.pk, purpose_detail="补充流动资金")


class TestContractMatrix(RoleMatrixCase):
    model = Contract
    owners = ["ent_bt", "ent_pzh"]
    expected_readers = READERS

    def make(self, world: World, owner_key: str) -> Contract:
        return contract_of(world, owner_key)

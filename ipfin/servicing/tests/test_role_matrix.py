"""Who reads loans (ipfin.core.testing.role_matrix): as the applications they come from, the fund manager
through the fund the loan is enrolled in. Risk warnings are read like their loans and handled by the lending
bank's staff (its head office too) and the officers of the fund covering the loan."""

from __future__ import annotations

from datetime import date
from typing import Any

from ipfin.accounts.models import User
from ipfin.core.testing.role_matrix import RoleMatrixCase
from ipfin.core.testing.world import World
from ipfin.origination.tests.matrix_helpers import loan_of
from ipfin.origination.tests.test_role_matrix import READERS
from ipfin.servicing import actions
from ipfin.servicing.models import Loan, RiskWarning

BT, PZH, NOBODY = {"ent_bt"}, {"ent_pzh"}, set()


class TestLoanMatrix(RoleMatrixCase):
    model = Loan
    owners = ["ent_bt", "ent_pzh"]
    expected_readers = READERS
    # The manual downgrade: approvers and branch heads of the lending bank or its head office.
    expected_changers = {key: NOBODY for key in READERS} | {
        "bank_a.approver": BT, "bank_a.branch_head": BT,
    }

    def make(self, world: World, owner_key: str) -> Loan:
        return loan_of(world, owner_key)

    def change(self, user: User, obj: Any) -> Any:
        return actions.downgrade_loan(user, obj.pk, risk_class="doubtful", reason="矩阵测试")


class TestRiskWarningMatrix(RoleMatrixCase):
    model = RiskWarning
    owners = ["ent_bt", "ent_pzh"]
    expected_readers = READERS
    expected_changers = {key: NOBODY for key in READERS} | {
        "bank_a.loan_officer": BT, "bank_a.approver": BT, "bank_a.branch_head": BT,
        "bank_a_branch.loan_officer": BT, "bank_b.loan_officer": PZH, "fund_bt.officer": BT,
    }

    def make(self, world: World, owner_key: str) -> RiskWarning:
        return RiskWarning.objects.create(loan=loan_of(world, owner_key), kind="frozen", severity="critical",
                                          raised_on=date(2025, 10, 1), clause="PZP-3.7.2")

    def change(self, user: User, obj: Any) -> Any:
        return actions.acknowledge_warning(user, obj.pk)

"""Who reads loans (ipfin.core.testing.role_matrix): as the applications they come from, the fund manager
through the fund the loan is enrolled in."""

from __future__ import annotations

from ipfin.core.testing.role_matrix import RoleMatrixCase
from ipfin.core.testing.world import World
from ipfin.origination.tests.matrix_helpers import loan_of
from ipfin.origination.tests.test_role_matrix import READERS
from ipfin.servicing.models import Loan


class TestLoanMatrix(RoleMatrixCase):
    model = Loan
    owners = ["ent_bt", "ent_pzh"]
    expected_readers = READERS

    def make(self, world: World, owner_key: str) -> Loan:
        return loan_of(world, owner_key)

"""Who reads and who changes products and credit plans (ipfin.core.testing.role_matrix)."""

from __future__ import annotations

from typing import Any

from ipfin.accounts.models import User
from ipfin.core.testing.role_matrix import RoleMatrixCase
from ipfin.core.testing.world import VIEWERS, World
from ipfin.market import actions
from ipfin.market.models import CreditPlan, Product
from ipfin.market.tests.helpers import ON, product_fields

NOBODY: set[str] = set()
ALL_BANKS = {"bank_a", "bank_a_branch", "bank_b"}
BT_BANKS = {"bank_a", "bank_a_branch"}

# Drafts and plans: the bank (head office with its branches), authorities of the bank's region, the platform.
BANK_SCOPE: dict[str, set[str]] = {key: NOBODY for key in VIEWERS} | {
    "bank_a.loan_officer": BT_BANKS, "bank_a.approver": BT_BANKS, "bank_a.branch_head": BT_BANKS,
    "bank_a_branch.loan_officer": {"bank_a_branch"}, "bank_b.loan_officer": {"bank_b"},
    "fund_bt.officer": BT_BANKS, "ipo_bt.clerk": BT_BANKS, "ipo_bt.leader": BT_BANKS, "ipo_pzh.clerk": {"bank_b"},
    "regulator_bt.supervisor": BT_BANKS, "platform.admin": ALL_BANKS,
}
# Changes: loan officers and branch heads of the bank (head office: also the branch's); not the approver.
BANK_CHANGERS: dict[str, set[str]] = {key: NOBODY for key in VIEWERS} | {
    "bank_a.loan_officer": BT_BANKS, "bank_a.branch_head": BT_BANKS,
    "bank_a_branch.loan_officer": {"bank_a_branch"}, "bank_b.loan_officer": {"bank_b"},
}


def _fields(world: World, owner_key: str, **extra: Any) -> dict[str, Any]:
    region = world.orgs[owner_key].region_code
    return product_fields(regions=[region], policy_profiles=[], **extra)


class TestDraftProductMatrix(RoleMatrixCase):
    model = Product
    owners = ["bank_a", "bank_a_branch", "bank_b"]
    expected_readers = BANK_SCOPE
    expected_changers = BANK_CHANGERS

    def make(self, world: World, owner_key: str) -> Product:
        code = f"draft-{Product.objects.count()}"
        return actions.create_product(None, bank=world.orgs[owner_key], today=ON, **_fields(world, owner_key,
                                                                                             code=code))

    def change(self, user: User, obj: Any) -> Any:
        return actions.update_product(user, obj.pk, today=ON, name="改名")


class TestActiveProductMatrix(TestDraftProductMatrix):
    """A product on offer is public to every signed-in user; changing it stays with its bank."""

    expected_readers = {key: ALL_BANKS for key in VIEWERS}

    def make(self, world: World, owner_key: str) -> Product:
        product = super().make(world, owner_key)
        return actions.activate_product(None, product.pk, today=ON)

    def change(self, user: User, obj: Any) -> Any:
        return actions.withdraw_product(user, obj.pk)


class TestCreditPlanMatrix(RoleMatrixCase):
    model = CreditPlan
    owners = ["bank_a", "bank_a_branch", "bank_b"]
    expected_readers = BANK_SCOPE
    expected_changers = BANK_CHANGERS

    def make(self, world: World, owner_key: str) -> CreditPlan:
        year = 2026 + CreditPlan.objects.count()
        return actions.create_credit_plan(None, bank=world.orgs[owner_key], year=year, amount_fen=6_000_000_000,
                                          region_code=world.orgs[owner_key].region_code)

    def change(self, user: User, obj: Any) -> Any:
        return actions.update_credit_plan(user, obj.pk, amount_fen=7_000_000_000)

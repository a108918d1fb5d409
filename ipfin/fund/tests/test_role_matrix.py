"""Who reads funds and cooperations, and who changes a cooperation's standing."""

from __future__ import annotations

from datetime import date
from typing import Any

from ipfin.accounts.models import User
from ipfin.core.testing.role_matrix import RoleMatrixCase
from ipfin.core.testing.world import VIEWERS, World
from ipfin.fund import actions
from ipfin.fund.models import Cooperation, Fund

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
            existing.delete()
        return actions.admit_institution(None, fund.pk, world.orgs[owner_key].pk, admitted_on=OPENED)

    def change(self, user: User, obj: Any) -> Any:
        return actions.change_cooperation_status(user, obj.pk, status="warned", on=date(2025, 6, 1), reason="测试")

"""Who reads and who refuses pledge registrations (ipfin.core.testing.role_matrix)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from ipfin.accounts.models import User
from ipfin.core.testing.role_matrix import RoleMatrixCase
from ipfin.core.testing.world import World
from ipfin.pledges import actions
from ipfin.pledges.choices import RefusalGround
from ipfin.pledges.models import PledgeRegistration
from ipfin.pledges.tests.factories import make_signed_contract

BT, PZH = {"ent_bt"}, {"ent_pzh"}
FILER = {"ent_bt": "bank_a_branch.loan_officer", "ent_pzh": "bank_b.loan_officer"}


@pytest.mark.usefixtures("calendar_2025_2026")
class TestPledgeRegistrationMatrix(RoleMatrixCase):
    model = PledgeRegistration
    owners = ["ent_bt", "ent_pzh"]
    expected_readers = {
        "ent_bt.admin": BT, "ent_bt.staff": BT, "ent_pzh.admin": PZH,
        "bank_a.loan_officer": BT, "bank_a.approver": BT, "bank_a.branch_head": BT,  # head office sees its branch's
        "bank_a_branch.loan_officer": BT, "bank_b.loan_officer": PZH,
        "guarantor.officer": set(), "insurer.officer": set(), "appraiser.appraiser": set(), "appraiser.expert": set(),
        "fund_bt.officer": BT, "ipo_bt.clerk": BT, "ipo_bt.leader": BT, "ipo_pzh.clerk": PZH,
        "regulator_bt.supervisor": BT, "platform.admin": BT | PZH,
    }
    # Refusing a filing: only the registry office of the pledgor's region.
    expected_changers = {viewer: set() for viewer in expected_readers} | {
        "ipo_bt.clerk": BT, "ipo_bt.leader": BT, "ipo_pzh.clerk": PZH}

    def make(self, world: World, owner_key: str) -> Any:
        contract = make_signed_contract(world, owner_key)
        return actions.file_registration(world.users[FILER[owner_key]], contract.pk, today=date(2025, 9, 30))

    def change(self, user: User, obj: Any) -> Any:
        return actions.reject_registration(user, obj.pk, ground=RefusalGround.INCOMPLETE_DOCUMENTS)

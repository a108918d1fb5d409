"""Who reads and who changes valuation records (ipfin.core.testing.role_matrix)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from ipfin.accounts.models import User
from ipfin.core.testing.role_matrix import RoleMatrixCase
from ipfin.core.testing.world import World
from ipfin.valuation import actions
from ipfin.valuation.models import Appraiser, Valuation, ValuationRequest
from ipfin.valuation.tests.helpers import AS_OF, admitted_appraiser, enterprise_of, link, valued_patent

NOBODY: set[str] = set()
BT, PZH, BOTH = {"ent_bt"}, {"ent_pzh"}, {"ent_bt", "ent_pzh"}

# Valuations follow the asset in the registry (owners, customer banks, regional authorities, platform);
# ent_bt is a customer of bank_a_branch (so bank_a's head office too).
VALUATION_READERS: dict[str, set[str]] = {
    "ent_bt.admin": BT, "ent_bt.staff": BT, "ent_pzh.admin": PZH,
    "bank_a.loan_officer": BT, "bank_a.approver": BT, "bank_a.branch_head": BT, "bank_a_branch.loan_officer": BT,
    "bank_b.loan_officer": NOBODY, "guarantor.officer": NOBODY, "insurer.officer": NOBODY,
    "appraiser.appraiser": NOBODY, "appraiser.expert": NOBODY,
    "fund_bt.officer": BT, "ipo_bt.clerk": BT, "ipo_bt.leader": BT, "ipo_pzh.clerk": PZH,
    "regulator_bt.supervisor": BT, "platform.admin": BOTH,
}


def _asset(world: World, owner_key: str) -> Any:
    enterprise = enterprise_of(world.orgs[owner_key])
    if owner_key == "ent_bt":
        link(world.orgs["bank_a_branch"], enterprise)
    else:
        link(world.orgs["bank_b"], enterprise)
    return valued_patent(enterprise)


class TestValuationMatrix(RoleMatrixCase):
    model = Valuation
    owners = ["ent_bt", "ent_pzh"]
    # bank_b is ent_pzh's bank here, so it reads ent_pzh's valuations
    expected_readers = VALUATION_READERS | {"bank_b.loan_officer": PZH}
    # recording a negotiated value: the banks of the enterprise
    expected_changers = {key: NOBODY for key in VALUATION_READERS} | {
        "bank_a.loan_officer": BT, "bank_a.approver": BT, "bank_a.branch_head": BT,
        "bank_a_branch.loan_officer": BT, "bank_b.loan_officer": PZH,
    }

    def make(self, world: World, owner_key: str) -> Valuation:
        asset = _asset(world, owner_key)
        return actions.valuate_asset(world.users["platform.admin"], asset.pk, as_of=AS_OF)

    def change(self, user: User, obj: Any) -> Any:
        return actions.record_negotiated_value(user, obj.asset_id, value_fen=123_456_00, as_of=AS_OF)


class TestValuationRequestMatrix(RoleMatrixCase):
    """Requests: the requesting bank (head office sees the branch's), the appraiser asked, the owners and the
    regional authorities — never another bank."""

    model = ValuationRequest
    owners = ["ent_bt", "ent_pzh"]
    expected_readers = {
        "ent_bt.admin": BT, "ent_bt.staff": BT, "ent_pzh.admin": PZH,
        "bank_a.loan_officer": BT, "bank_a.approver": BT, "bank_a.branch_head": BT,
        "bank_a_branch.loan_officer": BT, "bank_b.loan_officer": PZH,
        "guarantor.officer": NOBODY, "insurer.officer": NOBODY,
        "appraiser.appraiser": BOTH, "appraiser.expert": BOTH,
        "fund_bt.officer": BT, "ipo_bt.clerk": BT, "ipo_bt.leader": BT, "ipo_pzh.clerk": PZH,
        "regulator_bt.supervisor": BT, "platform.admin": BOTH,
    }
    # accepting a request: only the appraiser asked (role appraiser, not expert)
    expected_changers = {key: NOBODY for key in VALUATION_READERS} | {"appraiser.appraiser": BOTH}

    def make(self, world: World, owner_key: str) -> ValuationRequest:
        asset = _asset(world, owner_key)
        appraiser = Appraiser.objects.filter(organisation=world.orgs["appraiser"]).first() or admitted_appraiser(
            world.orgs["appraiser"])
        bank_user = world.users["bank_a_branch.loan_officer" if owner_key == "ent_bt" else "bank_b.loan_officer"]
        return actions.request_appraisal(bank_user, asset.pk, appraiser_id=appraiser.pk,
                                         due_date=actions._today() + timedelta(days=10))

    def change(self, user: User, obj: Any) -> Any:
        return actions.accept_request(user, obj.pk)


class TestAppraiserMatrix(RoleMatrixCase):
    """The register: admitted agencies are public to signed-in users; an applicant is seen by itself, the IP
    offices, the regulator and the platform. Owners here: the world's appraiser (admitted) and an applicant."""

    model = Appraiser
    owners = ["appraiser", "guarantor"]  # "guarantor" stands for a second agency, still applying
    expected_readers = {key: {"appraiser"} for key in VALUATION_READERS} | {
        "ipo_bt.clerk": {"appraiser", "guarantor"}, "ipo_bt.leader": {"appraiser", "guarantor"},
        "ipo_pzh.clerk": {"appraiser", "guarantor"}, "regulator_bt.supervisor": {"appraiser", "guarantor"},
        "platform.admin": {"appraiser", "guarantor"},
    }
    expected_changers = {key: NOBODY for key in VALUATION_READERS} | {
        "ipo_bt.clerk": {"appraiser", "guarantor"}, "ipo_bt.leader": {"appraiser", "guarantor"},
        "ipo_pzh.clerk": {"appraiser", "guarantor"}, "platform.admin": {"appraiser", "guarantor"},
    }

    def make(self, world: World, owner_key: str) -> Appraiser:
        from ipfin.accounts.actions import create_organisation

        if owner_key == "appraiser":
            return Appraiser.objects.filter(organisation=world.orgs["appraiser"]).first() or admitted_appraiser(
                world.orgs["appraiser"])
        org = create_organisation(None, name=f"申请中评估机构{Appraiser.objects.count()}", kind="appraiser",
                                  region_code="150200")
        return Appraiser.objects.create(organisation=org, qualifications=["资产评估资格"])

    def change(self, user: User, obj: Any) -> Any:
        return actions.update_appraiser(user, obj.pk, rating="A")

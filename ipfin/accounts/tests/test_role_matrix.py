"""Role matrix of the accounts models: the expected readers are written out, not derived."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from ipfin.accounts.actions import create_user, issue_api_token, revoke_api_token
from ipfin.accounts.audit import record_event
from ipfin.accounts.models import ApiToken, AuditEvent, Organisation, User
from ipfin.core.testing.role_matrix import RoleMatrixCase
from ipfin.core.testing.world import ORGS, World

ALL = set(ORGS)
INSTITUTIONS = ALL - {"ent_bt", "ent_pzh"}
BAOTOU = {"ent_bt", "bank_a", "bank_a_branch", "guarantor", "appraiser", "fund_bt", "ipo_bt", "regulator_bt"}
PANZHIHUA = {"ent_pzh", "bank_b", "insurer", "ipo_pzh"}


def _by_scope(platform: set[str]) -> dict[str, set[str]]:
    """Readers of records owned by an organisation (users, audit events): own scope only."""
    return {
        "ent_bt.admin": {"ent_bt"},
        "ent_bt.staff": {"ent_bt"},
        "ent_pzh.admin": {"ent_pzh"},
        "bank_a.loan_officer": {"bank_a", "bank_a_branch"},
        "bank_a.approver": {"bank_a", "bank_a_branch"},
        "bank_a.branch_head": {"bank_a", "bank_a_branch"},
        "bank_a_branch.loan_officer": {"bank_a_branch"},
        "bank_b.loan_officer": {"bank_b"},
        "guarantor.officer": {"guarantor"},
        "insurer.officer": {"insurer"},
        "appraiser.appraiser": {"appraiser"},
        "appraiser.expert": {"appraiser"},
        "fund_bt.officer": BAOTOU,
        "ipo_bt.clerk": BAOTOU,
        "ipo_bt.leader": BAOTOU,
        "ipo_pzh.clerk": PANZHIHUA,
        "regulator_bt.supervisor": BAOTOU,
        "platform.admin": platform,
    }


class TestOrganisationMatrix(RoleMatrixCase):
    model = Organisation
    owners = sorted(ALL)
    expected_readers = {
        "ent_bt.admin": INSTITUTIONS | {"ent_bt"},
        "ent_bt.staff": INSTITUTIONS | {"ent_bt"},
        "ent_pzh.admin": INSTITUTIONS | {"ent_pzh"},
        "bank_a.loan_officer": INSTITUTIONS,
        "bank_a.approver": INSTITUTIONS,
        "bank_a.branch_head": INSTITUTIONS,
        "bank_a_branch.loan_officer": INSTITUTIONS,
        "bank_b.loan_officer": INSTITUTIONS,
        "guarantor.officer": INSTITUTIONS,
        "insurer.officer": INSTITUTIONS,
        "appraiser.appraiser": INSTITUTIONS,
        "appraiser.expert": INSTITUTIONS,
        "fund_bt.officer": INSTITUTIONS | {"ent_bt"},
        "ipo_bt.clerk": INSTITUTIONS | {"ent_bt"},
        "ipo_bt.leader": INSTITUTIONS | {"ent_bt"},
        "ipo_pzh.clerk": INSTITUTIONS | {"ent_pzh"},
        "regulator_bt.supervisor": INSTITUTIONS | {"ent_bt"},
        "platform.admin": ALL,
    }

    def make(self, world: World, owner_key: str) -> Any:
        return world.orgs[owner_key]


class TestUserMatrix(RoleMatrixCase):
    model = User
    owners = sorted(ALL)
    expected_readers = _by_scope(ALL)

    def make(self, world: World, owner_key: str) -> Any:
        return create_user(None, organisation=world.orgs[owner_key], username=f"matrix-{owner_key}",
                           password="x", roles=[_any_role(world.orgs[owner_key])], check_password_strength=False)


class TestAuditEventMatrix(RoleMatrixCase):
    model = AuditEvent
    owners = sorted(ALL)
    expected_readers = _by_scope(ALL)

    def make(self, world: World, owner_key: str) -> Any:
        with transaction.atomic():
            return record_event(actor=None, action="test.matrix", organisation=world.orgs[owner_key])


class TestApiTokenMatrix(RoleMatrixCase):
    model = ApiToken
    owners = sorted(ALL)
    expected_readers = {viewer: set() for viewer in _by_scope(set())} | {"platform.admin": ALL}
    expected_changers = expected_readers
    _counter = 0

    def make(self, world: World, owner_key: str) -> Any:
        TestApiTokenMatrix._counter += 1
        owner = create_user(None, organisation=world.orgs[owner_key],
                            username=f"token-owner-{owner_key}-{self._counter}", password="x",
                            roles=[_any_role(world.orgs[owner_key])], check_password_strength=False)
        token, _secret = issue_api_token(owner, name="integration")
        return token

    def change(self, user: User, obj: Any) -> Any:
        return revoke_api_token(user, token_id=obj.pk)


def _any_role(org: Organisation) -> str:
    from ipfin.accounts.choices import ROLES_BY_KIND

    return sorted(ROLES_BY_KIND[org.kind])[0]

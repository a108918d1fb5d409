"""A fixed little world of organisations and one user per role, for role-matrix tests.

Regions: 包头 (1502xx) and 攀枝花 (5104xx). Keys are short and stable so that expected matrices can be
written out literally in each app's tests.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ipfin.accounts.actions import create_organisation, create_user
from ipfin.accounts.choices import OrganisationKind as K
from ipfin.accounts.choices import Role
from ipfin.accounts.models import Organisation, User

# key: (kind, region_code, head office key)
ORGS: dict[str, tuple[str, str, str | None]] = {
    "ent_bt": (K.ENTERPRISE, "150203", None),
    "ent_pzh": (K.ENTERPRISE, "510402", None),
    "bank_a": (K.BANK, "150200", None),
    "bank_a_branch": (K.BANK, "150203", "bank_a"),
    "bank_b": (K.BANK, "510400", None),
    "guarantor": (K.GUARANTOR, "150200", None),
    "insurer": (K.INSURER, "510400", None),
    "appraiser": (K.APPRAISER, "150200", None),
    "fund_bt": (K.FUND_MANAGER, "150200", None),
    "ipo_bt": (K.IP_OFFICE, "150200", None),
    "ipo_pzh": (K.IP_OFFICE, "510400", None),
    "regulator_bt": (K.REGULATOR, "150200", None),
    "platform": (K.PLATFORM, "110000", None),
}

# viewer key "org.role": every role of every organisation kind appears at least once.
VIEWERS: dict[str, tuple[str, str]] = {
    "ent_bt.admin": ("ent_bt", Role.ENTERPRISE_ADMIN),
    "ent_bt.staff": ("ent_bt", Role.ENTERPRISE_STAFF),
    "ent_pzh.admin": ("ent_pzh", Role.ENTERPRISE_ADMIN),
    "bank_a.loan_officer": ("bank_a", Role.LOAN_OFFICER),
    "bank_a.approver": ("bank_a", Role.APPROVER),
    "bank_a.branch_head": ("bank_a", Role.BRANCH_HEAD),
    "bank_a_branch.loan_officer": ("bank_a_branch", Role.LOAN_OFFICER),
    "bank_b.loan_officer": ("bank_b", Role.LOAN_OFFICER),
    "guarantor.officer": ("guarantor", Role.GUARANTOR_OFFICER),
    "insurer.officer": ("insurer", Role.INSURER_OFFICER),
    "appraiser.appraiser": ("appraiser", Role.APPRAISER),
    "appraiser.expert": ("appraiser", Role.EXPERT),
    "fund_bt.officer": ("fund_bt", Role.FUND_OFFICER),
    "ipo_bt.clerk": ("ipo_bt", Role.CLERK),
    "ipo_bt.leader": ("ipo_bt", Role.LEADER),
    "ipo_pzh.clerk": ("ipo_pzh", Role.CLERK),
    "regulator_bt.supervisor": ("regulator_bt", Role.SUPERVISOR),
    "platform.admin": ("platform", Role.PLATFORM_ADMIN),
}


@dataclass
class World:
    orgs: dict[str, Organisation] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)

    def org_key(self, org: Organisation) -> str:
        return next(key for key, value in self.orgs.items() if value.pk == org.pk)


def build_world() -> World:
    world = World()
    for key, (kind, region, head) in ORGS.items():
        world.orgs[key] = create_organisation(
            None, name=f"world-{key}", kind=kind, region_code=region,
            head_office=world.orgs[head] if head else None,
        )
    for key, (org_key, role) in VIEWERS.items():
        world.users[key] = create_user(
            None, organisation=world.orgs[org_key], username=key.replace(".", "-"), password="x",
            roles=[role], check_password_strength=False,
        )
    return world

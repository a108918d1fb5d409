"""Who reads and who changes each registry record (ipfin.core.testing.role_matrix)."""

from __future__ import annotations

from datetime import date
from typing import Any, ClassVar

from ipfin.accounts.models import User
from ipfin.core.testing.role_matrix import RoleMatrixCase
from ipfin.core.testing.world import World
from ipfin.registry import actions
from ipfin.registry.models import (
    CreditEvent,
    CustomerRelationship,
    DishonestListEntry,
    Enterprise,
    FinancialStatement,
    IpAsset,
    LegalStatusEvent,
    QualificationTag,
    WhitelistEntry,
)
from ipfin.registry.tests.factories import make_enterprise, make_patent

NOBODY: set[str] = set()
BT, PZH, BOTH = {"ent_bt"}, {"ent_pzh"}, {"ent_bt", "ent_pzh"}

# Readers of anything that belongs to an enterprise: itself; banks through the customer link
# (ent_bt is a customer of bank_a_branch, so bank_a's head office sees it too); the region's IP office,
# regulator and fund manager; the platform.
ENTERPRISE_READERS: dict[str, set[str]] = {
    "ent_bt.admin": BT,
    "ent_bt.staff": BT,
    "ent_pzh.admin": PZH,
    "bank_a.loan_officer": BT,
    "bank_a.approver": BT,
    "bank_a.branch_head": BT,
    "bank_a_branch.loan_officer": BT,
    "bank_b.loan_officer": NOBODY,
    "guarantor.officer": NOBODY,
    "insurer.officer": NOBODY,
    "appraiser.appraiser": NOBODY,
    "appraiser.expert": NOBODY,
    "fund_bt.officer": BT,
    "ipo_bt.clerk": BT,
    "ipo_bt.leader": BT,
    "ipo_pzh.clerk": PZH,
    "regulator_bt.supervisor": BT,
    "platform.admin": BOTH,
}

# The enterprise keeps its own records (admin and staff); the platform may correct anything.
ENTERPRISE_CHANGERS: dict[str, set[str]] = {key: NOBODY for key in ENTERPRISE_READERS} | {
    "ent_bt.admin": BT, "ent_bt.staff": BT, "ent_pzh.admin": PZH, "platform.admin": BOTH,
}

# Records kept by the IP office of the enterprise's region (and the platform).
IP_OFFICE_CHANGERS: dict[str, set[str]] = {key: NOBODY for key in ENTERPRISE_READERS} | {
    "ipo_bt.clerk": BT, "ipo_bt.leader": BT, "ipo_pzh.clerk": PZH, "platform.admin": BOTH,
}

# Legal events: the owning enterprise and the IP office of its region.
LEGAL_EVENT_CHANGERS: dict[str, set[str]] = {key: NOBODY for key in ENTERPRISE_READERS} | {
    "ent_bt.admin": BT, "ent_bt.staff": BT, "ent_pzh.admin": PZH,
    "ipo_bt.clerk": BT, "ipo_bt.leader": BT, "ipo_pzh.clerk": PZH, "platform.admin": BOTH,
}


def enterprise_of(world: World, owner_key: str) -> Enterprise:
    enterprise = make_enterprise(world.orgs[owner_key])
    if owner_key == "ent_bt":
        actions.link_customer(None, bank=world.orgs["bank_a_branch"], enterprise=enterprise, since=date(2024, 1, 1))
    return enterprise


class EnterpriseScopedCase(RoleMatrixCase):
    owners: ClassVar[list[str]] = ["ent_bt", "ent_pzh"]
    expected_readers = ENTERPRISE_READERS


class TestEnterpriseMatrix(EnterpriseScopedCase):
    model = Enterprise
    expected_changers = ENTERPRISE_CHANGERS

    def make(self, world: World, owner_key: str) -> Enterprise:
        return enterprise_of(world, owner_key)

    def change(self, user: User, obj: Any) -> Any:
        return actions.update_enterprise(user, obj.pk, registered_address="包头市昆都仑区钢铁大街 1 号")


class TestQualificationMatrix(EnterpriseScopedCase):
    model = QualificationTag
    expected_changers = ENTERPRISE_CHANGERS

    def make(self, world: World, owner_key: str) -> QualificationTag:
        enterprise = enterprise_of(world, owner_key)
        return QualificationTag.objects.get_or_create(enterprise=enterprise, kind="high_tech",
                                                      valid_from=date(2023, 1, 1))[0]

    def change(self, user: User, obj: Any) -> Any:
        return actions.add_qualification(user, obj.enterprise_id, kind="tech_sme",
                                         valid_from=date(2024, 1, 1 + QualificationTag.objects.count() % 28))


class TestFinancialStatementMatrix(EnterpriseScopedCase):
    model = FinancialStatement
    expected_changers = ENTERPRISE_CHANGERS

    def make(self, world: World, owner_key: str) -> FinancialStatement:
        enterprise = enterprise_of(world, owner_key)
        return actions.record_financial_statement(None, enterprise.pk, period_kind="year",
                                                  period_end=date(2023, 12, 31), revenue_fen=10**9,
                                                  profit_fen=10**8, rd_spend_fen=5 * 10**7, tax_fen=10**7)

    def change(self, user: User, obj: Any) -> Any:
        return actions.record_financial_statement(user, obj.enterprise_id, period_kind="year",
                                                  period_end=date(2023, 12, 31), revenue_fen=2 * 10**9,
                                                  profit_fen=10**8, rd_spend_fen=5 * 10**7, tax_fen=10**7)


class TestCreditEventMatrix(EnterpriseScopedCase):
    model = CreditEvent
    expected_changers = IP_OFFICE_CHANGERS

    def make(self, world: World, owner_key: str) -> CreditEvent:
        enterprise = enterprise_of(world, owner_key)
        return actions.add_credit_event(None, enterprise.pk, kind="overdue", occurred_on=date(2022, 5, 1),
                                        source="pboc")

    def change(self, user: User, obj: Any) -> Any:
        return actions.add_credit_event(user, obj.enterprise_id, kind="tax_violation",
                                        occurred_on=date(2023, 1, 1), source="tax")


class TestDishonestListMatrix(EnterpriseScopedCase):
    model = DishonestListEntry
    expected_changers = IP_OFFICE_CHANGERS

    def make(self, world: World, owner_key: str) -> DishonestListEntry:
        enterprise = enterprise_of(world, owner_key)
        open_entry = DishonestListEntry.objects.filter(enterprise=enterprise, removed_on__isnull=True).first()
        return open_entry or actions.add_dishonest_entry(None, enterprise.pk, listed_on=date(2024, 3, 1),
                                                         reason="有能力偿还而拒不偿还")

    def change(self, user: User, obj: Any) -> Any:
        return actions.remove_dishonest_entry(user, obj.pk, removed_on=date(2024, 6, 1))


class TestWhitelistMatrix(RoleMatrixCase):
    """Banks see the whitelist of their city (SC-14 pushes it), beyond their own customers."""

    model = WhitelistEntry
    owners: ClassVar[list[str]] = ["ent_bt", "ent_pzh"]
    expected_readers = ENTERPRISE_READERS | {"bank_b.loan_officer": PZH}
    expected_changers = IP_OFFICE_CHANGERS

    def make(self, world: World, owner_key: str) -> WhitelistEntry:
        enterprise = enterprise_of(world, owner_key)
        year = 2020 + WhitelistEntry.objects.filter(enterprise=enterprise).count()
        return actions.add_whitelist_entry(None, enterprise.pk, year=year, added_on=date(2024, 2, 1))

    def change(self, user: User, obj: Any) -> Any:
        return actions.remove_whitelist_entry(user, obj.pk, removed_on=date(2024, 12, 31))


class TestCustomerRelationshipMatrix(RoleMatrixCase):
    """Owned by the bank: bank_a and bank_a_branch have ent_bt as customer, bank_b has ent_pzh."""

    model = CustomerRelationship
    owners: ClassVar[list[str]] = ["bank_a", "bank_a_branch", "bank_b"]
    A, BR, B = {"bank_a"}, {"bank_a_branch"}, {"bank_b"}
    expected_readers = {
        "ent_bt.admin": A | BR,
        "ent_bt.staff": A | BR,
        "ent_pzh.admin": B,
        "bank_a.loan_officer": A | BR,
        "bank_a.approver": A | BR,
        "bank_a.branch_head": A | BR,
        "bank_a_branch.loan_officer": BR,
        "bank_b.loan_officer": B,
        "guarantor.officer": NOBODY,
        "insurer.officer": NOBODY,
        "appraiser.appraiser": NOBODY,
        "appraiser.expert": NOBODY,
        "fund_bt.officer": A | BR,
        "ipo_bt.clerk": A | BR,
        "ipo_bt.leader": A | BR,
        "ipo_pzh.clerk": B,
        "regulator_bt.supervisor": A | BR,
        "platform.admin": A | BR | B,
    }
    expected_changers = {key: NOBODY for key in expected_readers} | {
        "bank_a.loan_officer": A | BR,
        "bank_a.approver": A | BR,
        "bank_a.branch_head": A | BR,
        "bank_a_branch.loan_officer": BR,
        "bank_b.loan_officer": B,
        "platform.admin": A | BR | B,
    }

    def make(self, world: World, owner_key: str) -> CustomerRelationship:
        enterprise = make_enterprise(world.orgs["ent_pzh" if owner_key == "bank_b" else "ent_bt"])
        return actions.link_customer(None, bank=world.orgs[owner_key], enterprise=enterprise, since=date(2024, 1, 1))

    def change(self, user: User, obj: Any) -> Any:
        return actions.link_customer(user, bank=obj.bank, enterprise=obj.enterprise, since=date(2024, 2, 1))


class TestIpAssetMatrix(EnterpriseScopedCase):
    model = IpAsset
    expected_changers = ENTERPRISE_CHANGERS

    def make(self, world: World, owner_key: str) -> IpAsset:
        return make_patent(enterprise_of(world, owner_key))

    def change(self, user: User, obj: Any) -> Any:
        return actions.update_ip_asset(user, obj.pk, title="一种钒钛磁铁矿的冶炼方法")


class TestLegalStatusEventMatrix(EnterpriseScopedCase):
    model = LegalStatusEvent
    expected_changers = LEGAL_EVENT_CHANGERS

    def make(self, world: World, owner_key: str) -> LegalStatusEvent:
        asset = make_patent(enterprise_of(world, owner_key))
        return actions.record_legal_event(None, asset.pk, kind="licence_recordal", effective_date=date(2023, 1, 5),
                                          reference=f"L-{asset.pk}")

    def change(self, user: User, obj: Any) -> Any:
        return actions.record_legal_event(user, obj.asset_id, kind="litigation", effective_date=date(2024, 1, 5))

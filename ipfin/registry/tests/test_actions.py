"""Registry actions: validation, permission, audit, derived legal status, masking."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from ipfin.accounts.models import AuditEvent
from ipfin.core.testing.world import World
from ipfin.domain.errors import Conflict, IllegalTransition, InvalidInput, NotFound, PermissionDenied
from ipfin.domain.registry.patent_number import build_patent_number
from ipfin.registry import actions
from ipfin.registry.models import Enterprise, IpAsset, IpAssetOwner
from ipfin.registry.presenters import personal_data_check, present_enterprise
from ipfin.registry.tests.factories import make_enterprise, make_patent, next_uscc
from ipfin.registry.validation import OwnerInput

pytestmark = pytest.mark.django_db


@pytest.fixture
def ent_bt(world: World) -> Enterprise:
    enterprise = make_enterprise(world.orgs["ent_bt"])
    actions.link_customer(None, bank=world.orgs["bank_a_branch"], enterprise=enterprise, since=date(2024, 1, 1))
    return enterprise


def test_create_enterprise_for_existing_organisation_is_audited(world: World) -> None:
    user = world.users["ent_pzh.admin"]
    enterprise = actions.create_enterprise(user, organisation=world.orgs["ent_pzh"], uscc=next_uscc("510402"),
                                           established_on=date(2010, 1, 1), industry_code="c3240")
    assert enterprise.industry_code == "C3240"
    assert world.orgs["ent_pzh"].uscc == enterprise.uscc
    event = AuditEvent.objects.get(action="registry.enterprise.create")
    assert event.actor == user and event.clause == "PZA-2.2.2"


def test_create_enterprise_with_new_organisation_needs_platform(world: World) -> None:
    with pytest.raises(PermissionDenied):
        actions.create_enterprise(world.users["ipo_bt.clerk"], name="新企业", region_code="150203",
                                  uscc=next_uscc(), established_on=date(2010, 1, 1))
    enterprise = actions.create_enterprise(world.users["platform.admin"], name="新企业", region_code="150203",
                                           uscc=next_uscc(), established_on=date(2010, 1, 1))
    assert enterprise.organisation.kind == "enterprise"


def test_enterprise_validation_errors(world: World) -> None:
    with pytest.raises(InvalidInput):
        actions.create_enterprise(None, organisation=world.orgs["ent_bt"], uscc="91150203MA0000000X",
                                  established_on=date(2010, 1, 1))
    with pytest.raises(InvalidInput):
        actions.create_enterprise(None, organisation=world.orgs["ent_bt"], uscc=next_uscc(),
                                  established_on=date(2999, 1, 1))
    with pytest.raises(InvalidInput):
        actions.create_enterprise(None, organisation=world.orgs["ent_bt"], uscc=next_uscc(),
                                  established_on=date(2010, 1, 1), legal_rep_id_number="110105194912310021")
    assert not Enterprise.objects.exists()


def test_duplicate_uscc_conflicts(world: World, ent_bt: Enterprise) -> None:
    with pytest.raises(Conflict):
        actions.create_enterprise(None, organisation=world.orgs["ent_pzh"], uscc=ent_bt.uscc,
                                  established_on=date(2010, 1, 1))


def test_update_enterprise_by_itself_and_uscc_only_by_platform(world: World, ent_bt: Enterprise) -> None:
    actions.update_enterprise(world.users["ent_bt.staff"], ent_bt.pk, contact_phone="13900001111", name="包头新名称")
    ent_bt.refresh_from_db()
    assert ent_bt.contact_phone == "13900001111" and ent_bt.organisation.name == "包头新名称"
    with pytest.raises(PermissionDenied):
        actions.update_enterprise(world.users["ent_bt.admin"], ent_bt.pk, uscc=next_uscc())
    with pytest.raises(NotFound):
        actions.update_enterprise(world.users["ent_pzh.admin"], ent_bt.pk, contact_phone="13900001111")
    event = AuditEvent.objects.filter(action="registry.enterprise.update").get()
    assert event.before["name"] == "world-ent_bt" and event.after["name"] == "包头新名称"


def test_personal_data_masked_for_banks_not_for_ip_office(world: World, ent_bt: Enterprise) -> None:
    bank = present_enterprise(ent_bt, personal_data_check(world.users["bank_a_branch.loan_officer"]))
    assert bank["contact_phone"] == "138****5678"
    assert bank["legal_rep_id_number"] == "110105********002X"
    assert bank["contact_name"] == "张*" and bank["personal_data_masked"]
    for viewer in ("ipo_bt.clerk", "ent_bt.staff", "platform.admin"):
        shown = present_enterprise(ent_bt, personal_data_check(world.users[viewer]))
        assert shown["contact_phone"] == "13812345678", viewer
    regulator = present_enterprise(ent_bt, personal_data_check(world.users["regulator_bt.supervisor"]))
    assert regulator["personal_data_masked"]


def test_financial_statement_upsert_and_period_rules(world: World, ent_bt: Enterprise) -> None:
    user = world.users["ent_bt.admin"]
    first = actions.record_financial_statement(user, ent_bt.pk, period_kind="quarter", period_end=date(2024, 6, 30),
                                               revenue_fen=100, profit_fen=-50, rd_spend_fen=10, tax_fen=1)
    second = actions.record_financial_statement(user, ent_bt.pk, period_kind="quarter", period_end=date(2024, 6, 30),
                                                revenue_fen=200, profit_fen=-50, rd_spend_fen=10, tax_fen=1)
    assert first.pk == second.pk and second.revenue_fen == 200
    with pytest.raises(InvalidInput):
        actions.record_financial_statement(user, ent_bt.pk, period_kind="quarter", period_end=date(2024, 5, 31),
                                           revenue_fen=1, profit_fen=1, rd_spend_fen=1, tax_fen=1)
    with pytest.raises(InvalidInput):
        actions.record_financial_statement(user, ent_bt.pk, period_kind="year", period_end=date(2023, 12, 31),
                                           revenue_fen=-1, profit_fen=1, rd_spend_fen=1, tax_fen=1)
    assert AuditEvent.objects.filter(action="registry.statement.record", clause="BT-19").count() == 2


def test_dishonest_list_and_whitelist_are_clause_audited(world: World, ent_bt: Enterprise) -> None:
    clerk = world.users["ipo_bt.clerk"]
    actions.add_dishonest_entry(clerk, ent_bt.pk, listed_on=date(2024, 3, 1), reason="有能力偿还而拒不偿还")
    with pytest.raises(Conflict):
        actions.add_dishonest_entry(clerk, ent_bt.pk, listed_on=date(2024, 4, 1), reason="again")
    actions.add_whitelist_entry(clerk, ent_bt.pk, year=2024, added_on=date(2024, 2, 1))
    assert AuditEvent.objects.get(action="registry.dishonest.add").clause == "BT-18"
    assert AuditEvent.objects.get(action="registry.whitelist.add").clause == "SC-14"
    with pytest.raises(PermissionDenied):
        actions.add_whitelist_entry(world.users["bank_a.approver"], ent_bt.pk, year=2025, added_on=date(2024, 2, 1))


def test_add_ip_asset_with_co_owners(world: World, ent_bt: Enterprise) -> None:
    user = world.users["ent_bt.admin"]
    asset = actions.add_ip_asset(
        user, kind="patent", number="ZL " + build_patent_number(2020, "2", 42), title="一种钒钛磁铁矿选矿装置",
        owners=[OwnerInput(share=Decimal("70"), enterprise_id=ent_bt.pk),
                OwnerInput(share=Decimal("30"), name="攀钢研究院")],
        filing_date=date(2020, 8, 1), registration_date=date(2021, 2, 1), patent={"ipc_main": "B03C 1/00"},
    )
    assert asset.number == build_patent_number(2020, "2", 42)
    assert asset.patent.patent_type == "utility_model" and asset.patent.ipc_main == "B03C1/00"
    assert asset.expiry_date == date(2030, 7, 31) and asset.status == "in_force"
    assert IpAssetOwner.objects.filter(asset=asset).count() == 2
    with pytest.raises(Conflict):
        actions.add_ip_asset(user, kind="patent", number=asset.number, title="重复",
                             owners=[OwnerInput(share=Decimal(100), enterprise_id=ent_bt.pk)],
                             filing_date=date(2020, 8, 1))
    with pytest.raises(InvalidInput):
        actions.add_ip_asset(user, kind="patent", number=build_patent_number(2020, "1", 43), title="份额不足",
                             owners=[OwnerInput(share=Decimal(60), enterprise_id=ent_bt.pk)],
                             filing_date=date(2020, 8, 1))
    pzh = make_enterprise(world.orgs["ent_pzh"])
    with pytest.raises(PermissionDenied):  # an enterprise cannot register an asset it does not own
        actions.add_ip_asset(user, kind="patent", number=build_patent_number(2020, "1", 44), title="他人的专利",
                             owners=[OwnerInput(share=Decimal(100), enterprise_id=pzh.pk)],
                             filing_date=date(2020, 8, 1))


def test_legal_events_derive_status(world: World, ent_bt: Enterprise) -> None:
    asset = make_patent(ent_bt, granted=False)
    assert asset.status == "pending"
    clerk = world.users["ipo_bt.clerk"]
    actions.record_legal_event(clerk, asset.pk, kind="grant", effective_date=date(2021, 5, 10))
    actions.record_legal_event(clerk, asset.pk, kind="pledge", effective_date=date(2022, 1, 1), reference="Z1")
    asset.refresh_from_db()
    assert (asset.status, asset.pledged, asset.registration_date) == ("in_force", True, date(2021, 5, 10))
    with pytest.raises(IllegalTransition):
        actions.record_legal_event(clerk, asset.pk, kind="pledge", effective_date=date(2022, 2, 1), reference="Z2")
    actions.record_legal_event(clerk, asset.pk, kind="lapse", effective_date=date(2023, 6, 1))
    asset.refresh_from_db()
    assert asset.status == "lapsed" and asset.status_since == date(2023, 6, 1)
    with pytest.raises(InvalidInput):
        actions.record_legal_event(clerk, asset.pk, kind="restoration", effective_date=date(2999, 1, 1))
    with pytest.raises(NotFound):
        actions.record_legal_event(world.users["ipo_pzh.clerk"], asset.pk, kind="restoration",
                                   effective_date=date(2023, 9, 1))
    event = AuditEvent.objects.filter(action="registry.legal_event.record").last()
    assert event is not None and event.before["status"] == "in_force" and event.after["status"] == "lapsed"


def test_trademark_renewal_extends_validity(world: World, ent_bt: Enterprise) -> None:
    mark = actions.add_ip_asset(None, kind="trademark", number="第12345678号", title="鹿城",
                                owners=[OwnerInput(share=Decimal(100), enterprise_id=ent_bt.pk)],
                                registration_date=date(2015, 3, 14), trademark={"nice_classes": "6;40"})
    assert mark.expiry_date == date(2025, 3, 13) and mark.trademark.nice_classes == "6;40"
    actions.record_legal_event(None, mark.pk, kind="renewal", effective_date=date(2025, 1, 10))
    mark.refresh_from_db()
    assert mark.expiry_date == date(2035, 3, 13)


def test_update_asset_owners_only_by_owner(world: World, ent_bt: Enterprise) -> None:
    asset = make_patent(ent_bt)
    user = world.users["ent_bt.admin"]
    actions.update_ip_asset(user, asset.pk, owners=[OwnerInput(share=Decimal("80"), enterprise_id=ent_bt.pk),
                                                    OwnerInput(share=Decimal("20"), name="外部共有人")])
    assert IpAssetOwner.objects.filter(asset=asset).count() == 2
    pzh = make_enterprise(world.orgs["ent_pzh"])
    with pytest.raises(PermissionDenied):  # cannot give the asset away
        actions.update_ip_asset(user, asset.pk, owners=[OwnerInput(share=Decimal(100), enterprise_id=pzh.pk)])
    assert IpAsset.objects.get(pk=asset.pk).owners.filter(enterprise=ent_bt).exists()


def test_link_customer_rules(world: World, ent_bt: Enterprise) -> None:
    with pytest.raises(PermissionDenied):
        actions.link_customer(world.users["bank_a_branch.loan_officer"], bank=world.orgs["bank_a"],
                              enterprise=ent_bt, since=date(2024, 1, 1))
    relationship = actions.link_customer(world.users["bank_a.branch_head"], bank=world.orgs["bank_a_branch"],
                                         enterprise=ent_bt, since=date(2024, 3, 1))
    assert relationship.since == date(2024, 3, 1)
    with pytest.raises(InvalidInput):
        actions.link_customer(None, bank=world.orgs["guarantor"], enterprise=ent_bt, since=date(2024, 1, 1))

"""Enterprise self-service pages (PZA-2.2.2): an enterprise edits its facts and adds statements and
qualification tags through the actions; other users are refused and nothing is written."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client

from ipfin.accounts.models import AuditEvent
from ipfin.core.testing.world import World
from ipfin.registry import actions
from ipfin.registry.forms import period_end_of
from ipfin.registry.models import Enterprise, FinancialStatement, QualificationTag
from ipfin.registry.tests.factories import make_enterprise

pytestmark = pytest.mark.django_db

FACTS = {
    "name": "包头稀土新材料股份有限公司", "established_on": "2016-05-20", "is_independent_legal_person": "on",
    "industry_code": "C3985", "size_class": "medium", "registered_address": "包头市昆都仑区钢铁大街 1 号",
    "legal_representative": "王五", "legal_rep_id_number": "11010519491231002X", "contact_name": "赵六",
    "contact_phone": "13900001111",
}
STATEMENT = {"period_kind": "quarter", "year": "2023", "quarter": "2", "revenue": "1234567.89",
             "profit": "-1000.50", "rd_spend": "200000", "tax": "0.01"}
QUALIFICATION = {"kind": "high_tech", "certificate_number": "GR202315000123", "valid_from": "2023-11-01",
                 "valid_to": "2026-10-31"}


@pytest.fixture
def ent_bt(world: World) -> Enterprise:
    enterprise = make_enterprise(world.orgs["ent_bt"])
    # the bank sees its customer, so its refusal below is the action's (403), not invisibility
    actions.link_customer(None, bank=world.orgs["bank_a"], enterprise=enterprise, since=date(2024, 1, 1))
    return enterprise


def login(world: World, viewer: str) -> Client:
    client = Client()
    client.force_login(world.users[viewer])
    return client


def url(enterprise: Enterprise, page: str) -> str:
    return f"/registry/enterprises/{enterprise.pk}/{page}/"


def audit_count(action: str) -> int:
    return AuditEvent.objects.filter(action=action).count()


def test_buttons_only_for_users_who_may_edit(world: World, ent_bt: Enterprise) -> None:
    detail = f"/registry/enterprises/{ent_bt.pk}/"
    own = login(world, "ent_bt.staff").get(detail).content.decode()
    assert 'data-testid="self-service"' in own and url(ent_bt, "statements/add") in own
    bank = login(world, "bank_a.loan_officer").get(detail)
    assert bank.status_code == 200 and 'data-testid="self-service"' not in bank.content.decode()
    office = login(world, "ipo_bt.clerk").get(detail).content.decode()
    assert 'data-testid="self-service"' not in office


def test_enterprise_edits_its_facts(world: World, ent_bt: Enterprise) -> None:
    client = login(world, "ent_bt.admin")
    page = client.get(url(ent_bt, "edit"))
    assert page.status_code == 200 and "csrfmiddlewaretoken" in page.content.decode()
    assert page.context["form"].initial["contact_phone"] == "13812345678"  # unmasked for the enterprise itself
    before = audit_count("registry.enterprise.update")
    response = client.post(url(ent_bt, "edit"), FACTS)
    assert response.status_code == 302 and response["Location"] == f"/registry/enterprises/{ent_bt.pk}/"
    ent_bt.refresh_from_db()
    ent_bt.organisation.refresh_from_db()
    assert ent_bt.name == FACTS["name"] and ent_bt.size_class == "medium" and ent_bt.industry_code == "C3985"
    assert ent_bt.established_on == date(2016, 5, 20) and ent_bt.contact_phone == "13900001111"
    assert audit_count("registry.enterprise.update") == before + 1


def test_enterprise_adds_a_statement_in_yuan(world: World, ent_bt: Enterprise) -> None:
    client = login(world, "ent_bt.staff")
    assert client.get(url(ent_bt, "statements/add")).status_code == 200
    response = client.post(url(ent_bt, "statements/add"), STATEMENT)
    assert response.status_code == 302
    statement = FinancialStatement.objects.get(enterprise=ent_bt)
    assert (statement.period_kind, statement.period_end) == ("quarter", date(2023, 6, 30))
    assert statement.revenue_fen == 123456789 and statement.profit_fen == -100050
    assert statement.rd_spend_fen == 20000000 and statement.tax_fen == 1
    assert AuditEvent.objects.filter(action="registry.statement.record", object_id=str(statement.pk)).exists()


def test_enterprise_adds_a_qualification(world: World, ent_bt: Enterprise) -> None:
    client = login(world, "ent_bt.admin")
    assert client.get(url(ent_bt, "qualifications/add")).status_code == 200
    response = client.post(url(ent_bt, "qualifications/add"), QUALIFICATION)
    assert response.status_code == 302
    tag = QualificationTag.objects.get(enterprise=ent_bt)
    assert (tag.kind, tag.valid_from, tag.valid_to) == ("high_tech", date(2023, 11, 1), date(2026, 10, 31))
    assert tag.certificate_number == "GR202315000123"
    assert AuditEvent.objects.filter(action="registry.qualification.add", object_id=str(tag.pk)).exists()
    detail = client.get(f"/registry/enterprises/{ent_bt.pk}/").content.decode()
    assert tag.get_kind_display() in detail


@pytest.mark.parametrize(("viewer", "status"), [("ent_pzh.admin", 404), ("bank_a.loan_officer", 403),
                                                ("ipo_bt.clerk", 403)])
def test_others_are_refused_and_nothing_is_written(world: World, ent_bt: Enterprise, viewer: str,
                                                   status: int) -> None:
    client = login(world, viewer)
    audits = AuditEvent.objects.count()
    name = ent_bt.name
    for page, data in (("edit", FACTS), ("statements/add", STATEMENT), ("qualifications/add", QUALIFICATION)):
        assert client.get(url(ent_bt, page)).status_code == status
        assert client.post(url(ent_bt, page), data).status_code == status
    ent_bt.refresh_from_db()
    assert ent_bt.name == name and ent_bt.size_class == "small"
    assert not FinancialStatement.objects.exists() and not QualificationTag.objects.exists()
    assert AuditEvent.objects.count() == audits


def test_anonymous_is_sent_to_login(ent_bt: Enterprise) -> None:
    response = Client().post(url(ent_bt, "statements/add"), STATEMENT)
    assert response.status_code == 302 and "login" in response["Location"]
    assert not FinancialStatement.objects.exists()


def test_csrf_is_enforced(world: World, ent_bt: Enterprise) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.users["ent_bt.admin"])
    assert client.post(url(ent_bt, "qualifications/add"), QUALIFICATION).status_code == 403
    assert not QualificationTag.objects.exists()


def test_negative_revenue_is_refused_by_the_action(world: World, ent_bt: Enterprise) -> None:
    client = login(world, "ent_bt.admin")
    audits = AuditEvent.objects.count()
    response = client.post(url(ent_bt, "statements/add"), {**STATEMENT, "revenue": "-5"})
    assert response.status_code == 400
    body = response.content.decode()
    assert 'class="alert alert-danger"' in body and 'data-error-code="invalid_field"' in body
    assert "revenue_fen" in body
    assert not FinancialStatement.objects.exists() and AuditEvent.objects.count() == audits


def test_bad_amounts_and_periods_are_shown_next_to_the_fields(world: World, ent_bt: Enterprise) -> None:
    client = login(world, "ent_bt.admin")
    response = client.post(url(ent_bt, "statements/add"),
                           {**STATEMENT, "revenue": "12.345", "tax": "abc", "quarter": ""})
    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.errors) == {"revenue", "tax", "quarter"}
    body = response.content.decode()
    assert 'data-testid="field-error-revenue"' in body and "is-invalid" in body
    future = client.post(url(ent_bt, "statements/add"), {**STATEMENT, "period_kind": "year", "year": "9000"})
    assert future.status_code == 400 and 'data-error-code="invalid_date"' in future.content.decode()
    assert not FinancialStatement.objects.exists()


def test_qualification_ending_before_it_starts_is_refused(world: World, ent_bt: Enterprise) -> None:
    client = login(world, "ent_bt.admin")
    audits = AuditEvent.objects.count()
    response = client.post(url(ent_bt, "qualifications/add"), {**QUALIFICATION, "valid_to": "2023-01-01"})
    assert response.status_code == 400
    assert 'data-error-code="invalid_date"' in response.content.decode()
    missing = client.post(url(ent_bt, "qualifications/add"), {**QUALIFICATION, "valid_from": ""})
    assert missing.status_code == 200 and "valid_from" in missing.context["form"].errors
    assert not QualificationTag.objects.exists() and AuditEvent.objects.count() == audits


def test_bad_facts_keep_the_old_values(world: World, ent_bt: Enterprise) -> None:
    client = login(world, "ent_bt.admin")
    audits = AuditEvent.objects.count()
    response = client.post(url(ent_bt, "edit"), {**FACTS, "contact_phone": "12345", "size_class": "huge"})
    assert response.status_code == 200 and "size_class" in response.context["form"].errors
    bad_phone = client.post(url(ent_bt, "edit"), {**FACTS, "contact_phone": "12345"})
    assert bad_phone.status_code == 400 and 'class="alert alert-danger"' in bad_phone.content.decode()
    ent_bt.refresh_from_db()
    assert ent_bt.contact_phone == "13812345678" and ent_bt.name != FACTS["name"]
    assert AuditEvent.objects.count() == audits


def test_period_end_of() -> None:
    assert period_end_of("year", 2023, None) == date(2023, 12, 31)
    assert [period_end_of("quarter", 2024, q) for q in (1, 2, 3, 4)] == [
        date(2024, 3, 31), date(2024, 6, 30), date(2024, 9, 30), date(2024, 12, 31)]

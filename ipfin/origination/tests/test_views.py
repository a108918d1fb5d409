"""The origination pages with Django's test client: every page and every POST, scoping (another enterprise
or bank gets 404), wrong roles (403 with an alert), typed errors as alerts (never a 500) and failed checks
shown with their clauses. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from ipfin.calendar.models import CalendarDay, CalendarYear
from ipfin.calendar.services import invalidate_calendar_cache
from ipfin.origination import actions
from ipfin.origination.choices import ApplicationStatus as S
from ipfin.origination.models import Application
from ipfin.origination.tests.test_views_scenario import ASSET_VALUE_FEN, Scenario, build_scenario

pytestmark = pytest.mark.django_db

AMOUNT_FEN = 300_000_000  # 300 万元 against two patents of 500 万元 each: 30 % loan-to-value
RATE = Decimal("3.50")


@pytest.fixture(autouse=True)
def _media_in_tmp(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def sc(db: Any) -> Scenario:
    return build_scenario()


def client_for(sc: Scenario, key: str) -> Client:
    client = Client()
    client.force_login(sc.users[key])
    return client


def apply_form(sc: Scenario, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "amount_yuan": str(Decimal(AMOUNT_FEN) / 100), "term_months": "12", "purpose": "research_and_development",
        "purpose_detail": "研发钒钛新材料", "repayment_method": "equal-installment",
        "asset_ids": [str(a.pk) for a in sc.bundle(0)], "co_owner_consent": "on", "idempotency_key": "key-1",
    }
    data.update(overrides)
    return data


def draft(sc: Scenario, amount_fen: int = AMOUNT_FEN, *, bundle: int = 0, **extra: Any) -> Application:
    return actions.create_application(
        sc.users["ent"], product_id=sc.product.pk, amount_fen=amount_fen, term_months=12,
        purpose="research_and_development", repayment_method="equal-installment",
        asset_ids=[a.pk for a in sc.bundle(bundle)], co_owner_consent=True, today=sc.today, **extra)


def advance(sc: Scenario, application: Application, to: str) -> Application:
    """Move an application along the happy path through the actions, up to ``to``."""
    steps = [
        (S.SUBMITTED, lambda: actions.submit_application(sc.users["ent"], application.pk, today=sc.today)),
        (S.COMPLETE, lambda: actions.mark_complete(sc.users["officer"], application.pk, today=sc.today)),
        (S.UNDER_REVIEW, lambda: actions.start_review(sc.users["officer"], application.pk, today=sc.today)),
        (S.APPROVED, lambda: actions.approve_application(sc.users["approver"], application.pk, annual_rate=RATE,
                                                         today=sc.today)),
        (S.CONTRACT_SIGNED, lambda: actions.sign_contract(sc.users["officer"], application.pk, signed_on=sc.today,
                                                          start_on=sc.today)),
    ]
    for state, step in steps:
        step()
        if state == to:
            break
    application.refresh_from_db()
    assert application.status == to
    return application


def text(response: Any) -> str:
    return response.content.decode()


# --- enterprise: apply ----------------------------------------------------------------------------------


def test_apply_page_offers_own_assets_with_their_value_and_the_directories(sc: Scenario) -> None:
    page = client_for(sc, "ent").get(f"/origination/apply/{sc.product.pk}/")
    assert page.status_code == 200
    body = text(page)
    for asset in sc.assets:
        assert asset.number in body
    assert "500.00万元" in body  # the negotiated value of each patent (ASSET_VALUE_FEN)
    assert sc.guarantor.name in body and sc.insurer.name in body
    other_assets = sc.other_enterprise.organisation.name
    assert other_assets not in body
    assert 'name="idempotency_key"' in body
    assert "申请贷款" in body and "保存为草稿" in body  # Simplified Chinese by default
    assert ASSET_VALUE_FEN == 500_000_000


def test_apply_creates_one_draft_even_when_posted_twice(sc: Scenario) -> None:
    client = client_for(sc, "ent")
    first = client.post(f"/origination/apply/{sc.product.pk}/", apply_form(sc))
    second = client.post(f"/origination/apply/{sc.product.pk}/", apply_form(sc))
    assert first.status_code == 302 and second.status_code == 302
    applications = Application.objects.filter(enterprise=sc.enterprise)
    assert applications.count() == 1
    application = applications.get()
    assert first["Location"] == second["Location"] == f"/origination/applications/{application.pk}/"
    assert application.status == S.DRAFT and application.amount_fen == AMOUNT_FEN
    assert sorted(application.assets.values_list("asset_id", flat=True)) == sorted(a.pk for a in sc.bundle(0))


def test_apply_refuses_bad_input_with_field_errors(sc: Scenario) -> None:
    client = client_for(sc, "ent")
    response = client.post(f"/origination/apply/{sc.product.pk}/",
                           apply_form(sc, amount_yuan="12.345", term_months="120", asset_ids=[]))
    assert response.status_code == 400
    assert 'is-invalid' in text(response)
    assert not Application.objects.exists()


def test_apply_page_scoping_and_roles(sc: Scenario) -> None:
    assert client_for(sc, "ent").get("/origination/apply/999999/").status_code == 404
    assert client_for(sc, "clerk").get(f"/origination/apply/{sc.product.pk}/").status_code == 403
    # A loan officer first chooses the enterprise it applies for.
    officer = client_for(sc, "officer").get(f"/origination/apply/{sc.product.pk}/")
    assert officer.status_code == 200 and 'data-testid="choose-enterprise"' in text(officer)


# --- the application page -------------------------------------------------------------------------------


def test_detail_is_visible_to_the_applicant_and_its_bank_only(sc: Scenario) -> None:
    application = draft(sc)
    advance(sc, application, S.SUBMITTED)
    url = f"/origination/applications/{application.pk}/"
    for key in ("ent", "officer", "approver", "clerk"):
        response = client_for(sc, key).get(url)
        assert response.status_code == 200, key
        assert application.number in text(response)
    for key in ("ent2", "officer2"):
        assert client_for(sc, key).get(url).status_code == 404, key
        assert client_for(sc, key).post(f"{url}complete/").status_code == 404, key


def test_my_applications_lists_only_own(sc: Scenario) -> None:
    application = draft(sc)
    mine = client_for(sc, "ent").get("/origination/applications/")
    assert mine.status_code == 200 and application.number in text(mine)
    assert sc.product.name in text(mine)  # the products on offer, to apply to
    assert application.number not in text(client_for(sc, "ent2").get("/origination/applications/"))


def test_edit_a_draft(sc: Scenario) -> None:
    application = draft(sc)
    client = client_for(sc, "ent")
    url = f"/origination/applications/{application.pk}/edit/"
    assert client.get(url).status_code == 200
    response = client.post(url, apply_form(sc, amount_yuan="2500000.00", term_months="24"))
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.amount_fen == 250_000_000 and application.term_months == 24
    assert client_for(sc, "ent2").get(url).status_code == 404
    assert client_for(sc, "officer").get(url).status_code == 403  # the bank does not edit the applicant's draft


def test_upload_a_document(sc: Scenario) -> None:
    application = draft(sc)
    url = f"/origination/applications/{application.pk}/documents/"
    upload = SimpleUploadedFile("营业执照.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    response = client_for(sc, "ent").post(url, {"kind": "business_licence", "file": upload})
    assert response.status_code == 302
    document = application.documents.get()
    assert document.original_name == "营业执照.pdf"
    page = text(client_for(sc, "ent").get(f"/origination/applications/{application.pk}/"))
    assert "营业执照.pdf" in page
    download = client_for(sc, "officer").get(f"/origination/applications/{application.pk}/documents/{document.pk}/")
    assert download.status_code == 200
    other = SimpleUploadedFile("x.pdf", b"%PDF-1.4", content_type="application/pdf")
    assert client_for(sc, "ent2").post(url, {"kind": "other", "file": other}).status_code == 404
    missing = client_for(sc, "ent").post(url, {"kind": "other"})
    assert missing.status_code == 400


def test_submit_and_the_whole_bank_path_through_the_pages(sc: Scenario) -> None:
    application = draft(sc)
    base = f"/origination/applications/{application.pk}/"
    assert client_for(sc, "ent").post(f"{base}submit/").status_code == 302
    officer = client_for(sc, "officer")
    assert officer.post(f"{base}complete/").status_code == 302
    application.refresh_from_db()
    assert application.status == S.COMPLETE and application.decision_due_on is not None
    queue = text(officer.get("/origination/queue/"))
    assert application.number in queue and 'data-sla="' in queue
    assert officer.post(f"{base}review/").status_code == 302
    page = text(client_for(sc, "approver").get(base))
    assert 'data-testid="approve-form"' in page and 'data-testid="checks"' in page
    approved = client_for(sc, "approver").post(f"{base}approve/", {"annual_rate": "3.50", "note": "同意"})
    assert approved.status_code == 302, text(approved)
    application.refresh_from_db()
    assert application.status == S.APPROVED and application.approved_rate == RATE
    signed = officer.post(f"{base}sign/", {"signed_on": sc.today.isoformat(), "start_on": sc.today.isoformat()})
    assert signed.status_code == 302, text(signed)
    application.refresh_from_db()
    assert application.status == S.CONTRACT_SIGNED
    page = text(officer.get(base))
    contract = application.contract
    assert f'href="/pledges/file/?contract={contract.pk}" data-testid="file-pledge"' in page
    contract_page = officer.get(f"/origination/contracts/{contract.pk}/")
    assert contract_page.status_code == 200
    body = text(contract_page)
    assert contract.number in body and "300.00万元" in body and "3.5" in body
    assert sc.assets[0].number in body
    assert client_for(sc, "ent2").get(f"/origination/contracts/{contract.pk}/").status_code == 404
    assert client_for(sc, "officer2").get(f"/origination/contracts/{contract.pk}/").status_code == 404


def test_a_failed_check_is_shown_with_its_clause(sc: Scenario) -> None:
    # 900 万元 against 1000 万元 of collateral: 90 % > the 60 % cap of the product and PZA-2.1.2.
    application = draft(sc, amount_fen=900_000_000)
    response = client_for(sc, "ent").post(f"/origination/applications/{application.pk}/submit/")
    assert response.status_code in (400, 409, 422)
    body = text(response)
    assert 'data-testid="failed-checks"' in body
    assert "PZA-2.1.2" in body
    application.refresh_from_db()
    assert application.status == S.DRAFT


def test_wrong_roles_get_403_with_an_alert(sc: Scenario) -> None:
    application = draft(sc)
    advance(sc, application, S.SUBMITTED)
    base = f"/origination/applications/{application.pk}/"
    refused = client_for(sc, "ent").post(f"{base}complete/")
    assert refused.status_code == 403 and 'data-error-code="permission_denied"' in text(refused)
    advance_to_review = client_for(sc, "officer")
    advance_to_review.post(f"{base}complete/")
    advance_to_review.post(f"{base}review/")
    by_officer = client_for(sc, "officer").post(f"{base}approve/", {"annual_rate": "3.50"})
    assert by_officer.status_code == 403
    application.refresh_from_db()
    assert application.status == S.UNDER_REVIEW


def test_illegal_moves_and_bad_input_are_alerts_not_500(sc: Scenario) -> None:
    application = draft(sc)
    base = f"/origination/applications/{application.pk}/"
    officer = client_for(sc, "officer")
    # The bank cannot mark a draft complete: an illegal transition (409) shown on the page.
    response = officer.post(f"{base}complete/")
    assert response.status_code in (403, 404, 409)
    advance(sc, application, S.UNDER_REVIEW)
    bad_rate = client_for(sc, "approver").post(f"{base}approve/", {"annual_rate": "abc"})
    assert bad_rate.status_code == 400 and 'data-error-code="invalid_input"' in text(bad_rate)
    no_reason = client_for(sc, "approver").post(f"{base}reject/", {"reason": ""})
    assert no_reason.status_code == 400
    assert client_for(sc, "ent").post(f"{base}no-such-action/").status_code == 404


def test_return_shows_the_reason_and_resubmission(sc: Scenario) -> None:
    application = draft(sc)
    advance(sc, application, S.COMPLETE)
    base = f"/origination/applications/{application.pk}/"
    response = client_for(sc, "officer").post(f"{base}return/", {"reason": "请补充最近一年的财务报表"})
    assert response.status_code == 302
    page = client_for(sc, "ent").get(base)
    body = text(page)
    assert 'data-testid="return-reason"' in body and "请补充最近一年的财务报表" in body
    assert 'data-sla="paused"' in body
    assert client_for(sc, "ent").post(f"{base}submit/").status_code == 302
    application.refresh_from_db()
    assert application.status == S.SUBMITTED


def test_reject_and_withdraw(sc: Scenario) -> None:
    first = draft(sc)
    advance(sc, first, S.UNDER_REVIEW)
    response = client_for(sc, "approver").post(f"/origination/applications/{first.pk}/reject/",
                                               {"reason": "经营风险过高"})
    assert response.status_code == 302
    first.refresh_from_db()
    assert first.status == S.REJECTED
    second = draft(sc, bundle=1, idempotency_key="another")
    withdrawn = client_for(sc, "ent").post(f"/origination/applications/{second.pk}/withdraw/",
                                           {"withdraw-reason": "不再需要"})
    assert withdrawn.status_code == 302
    second.refresh_from_db()
    assert second.status == S.WITHDRAWN


def test_disburse_after_the_pledge_is_registered(sc: Scenario) -> None:
    application = advance(sc, draft(sc), S.CONTRACT_SIGNED)
    actions.on_pledge_registered(application.pk, registered_on=sc.today, actor=sc.users["clerk"])
    base = f"/origination/applications/{application.pk}/"
    page = text(client_for(sc, "officer").get(base))
    assert 'data-testid="disburse-form"' in page
    response = client_for(sc, "officer").post(f"{base}disburse/", {"disbursed_on": sc.today.isoformat()})
    assert response.status_code == 302, text(response)
    application.refresh_from_db()
    assert application.status == S.DISBURSED


# --- bank queue, SLA overview, navigation and cards -----------------------------------------------------


def test_queue_is_sorted_by_deadline_and_for_banks_only(sc: Scenario) -> None:
    later = draft(sc)
    advance(sc, later, S.SUBMITTED)
    sooner = draft(sc, bundle=1, idempotency_key="sooner")
    advance(sc, sooner, S.COMPLETE)
    Application.objects.filter(pk=sooner.pk).update(decision_due_on=sc.today - timedelta(days=1))
    page = client_for(sc, "officer").get("/origination/queue/")
    assert page.status_code == 200
    body = text(page)
    assert body.index(sooner.number) < body.index(later.number)
    assert 'data-sla="overdue"' in body
    assert client_for(sc, "officer2").get("/origination/queue/").status_code == 200
    assert sooner.number not in text(client_for(sc, "officer2").get("/origination/queue/"))
    assert client_for(sc, "ent").get("/origination/queue/").status_code == 403


def test_sla_overview_per_bank(sc: Scenario) -> None:
    open_one = draft(sc)
    advance(sc, open_one, S.COMPLETE)
    decided = advance(sc, draft(sc, bundle=1, idempotency_key="decided"), S.APPROVED)
    late = draft(sc, bundle=2, idempotency_key="late")
    advance(sc, late, S.COMPLETE)
    due = late.decision_due_on or sc.today
    first_day = sc.today.replace(day=1)
    Application.objects.filter(pk=late.pk).update(decision_due_on=first_day)
    page = client_for(sc, "clerk").get("/origination/sla/", {"from": first_day.isoformat(),
                                                             "to": (sc.today + timedelta(days=40)).isoformat()})
    assert page.status_code == 200
    body = text(page)
    assert 'data-testid="decision-sla"' in body and sc.bank.name in body
    row = re.search(rf'<tr data-bank="{re.escape(sc.bank.name)}">(.*?)</tr>', body, re.S)
    assert row is not None
    numbers = [int(n) for n in re.findall(r'<td class="text-end[^"]*">(\d+)</td>', row.group(1))]
    overdue = 1 if first_day < sc.today else 0
    # due, met, missed, open overdue, open, paused
    assert numbers == [3, 1, 0, overdue, 2 - overdue, 0], (numbers, due, decided.decided_on)
    assert client_for(sc, "supervisor").get("/origination/sla/").status_code == 200
    assert client_for(sc, "ent").get("/origination/sla/").status_code == 403
    assert client_for(sc, "clerk").get("/origination/sla/", {"from": "2026-13-01"}).status_code == 400


def test_nav_items_and_dashboard_cards(sc: Scenario) -> None:
    application = draft(sc)
    advance(sc, application, S.COMPLETE)
    Application.objects.filter(pk=application.pk).update(decision_due_on=sc.today - timedelta(days=1))
    enterprise = text(client_for(sc, "ent").get("/"))
    assert 'data-nav="origination.applications"' in enterprise
    assert re.search(r'data-card="origination.open_applications">\s*1\s*<', enterprise)
    bank = text(client_for(sc, "officer").get("/"))
    assert 'data-nav="origination.queue"' in bank and 'data-nav="origination.applications"' not in bank
    assert re.search(r'data-card="origination.overdue_decisions">\s*1\s*<', bank)
    other_bank = text(client_for(sc, "officer2").get("/"))
    assert re.search(r'data-card="origination.overdue_decisions">\s*0\s*<', other_bank)
    office = text(client_for(sc, "clerk").get("/"))
    assert 'data-nav="origination.sla"' in office
    assert re.search(r'data-card="origination.overdue_decisions_region">\s*1\s*<', office)


def test_a_clock_without_a_published_calendar_says_so(sc: Scenario) -> None:
    application = draft(sc)
    advance(sc, application, S.COMPLETE)
    Application.objects.filter(pk=application.pk).update(decision_due_on=None)
    CalendarDay.objects.all().delete()
    CalendarYear.objects.all().delete()
    invalidate_calendar_cache()
    body = text(client_for(sc, "officer").get("/origination/queue/"))
    assert 'data-sla="calendar_not_published"' in body and "工作日历未发布" in body
    assert client_for(sc, "officer").get(f"/origination/applications/{application.pk}/").status_code == 200

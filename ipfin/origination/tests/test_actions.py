"""Origination actions against the database: every transition legal and illegal, checks recorded, four eyes,
idempotent create, the decision clock over the 2025 National Day break, contract, pledge and disbursement."""

from __future__ import annotations

import threading
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from ipfin.accounts.models import AuditEvent
from ipfin.domain.errors import Conflict, IllegalTransition, InvalidInput, NotFound, PermissionDenied
from ipfin.domain.sla import SlaState
from ipfin.fund.models import Cooperation
from ipfin.notifications.models import Notification
from ipfin.origination import actions, selectors
from ipfin.origination.choices import APPLICATION_ALLOWED
from ipfin.origination.choices import ApplicationStatus as S
from ipfin.origination.models import Application
from ipfin.registry.models import CustomerRelationship
from ipfin.servicing.models import Loan

from .factories import AMOUNT_FEN, Setup, make_setup

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media_in_tmp(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def s(db: Any) -> Setup:
    return make_setup()


# --- the whole path -------------------------------------------------------------------------------------


def test_full_flow_creates_contract_and_loan(s: Setup, django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        application = s.to(s.draft(fund_id=s.fund.pk, guarantor_id=s.guarantor.pk), S.DISBURSED)
    assert application.number == "SQ2025000001"
    contract = application.contract
    assert contract.number == "HT2025000001" and contract.status == "signed"
    assert contract.lpr_tenor == "1y" and contract.lpr_rate is not None
    assert contract.maturity_on == date(2026, 9, 30)
    # Fund share = panzhihua-agreement compensation_ratio (PZA-2.3.1a); the bank keeps the rest.
    assert contract.risk_shares == {"bank": "0.60", "fund": "0.40"}
    loan = Loan.objects.get(contract=contract)
    assert loan.number == "DK2025000001" and loan.fund == s.fund
    assert loan.outstanding_principal_fen == loan.principal_fen == AMOUNT_FEN
    assert loan.maturity_on == date(2026, 9, 30)
    assert CustomerRelationship.objects.filter(bank=s.bank, enterprise=s.enterprise).exists()
    actions_logged = set(AuditEvent.objects.filter(action__startswith="origination.").values_list("action", flat=True))
    assert {"origination.application.submit", "origination.application.approve", "origination.contract.sign",
            "origination.application.disburse"} <= actions_logged
    # Every party hears of the approval: the enterprise, the bank, the guarantor named, the fund manager.
    approved_to = set(Notification.objects.filter(verb="origination.approved").values_list("recipient", flat=True))
    for key in ("ent", "officer", "guarantor", "fund"):
        assert s.users[key].pk in approved_to, key
    assert s.users["approver"].pk not in approved_to  # the actor is not told what they did


def test_checks_are_recorded_per_run(s: Setup) -> None:
    application = s.to(s.draft(), S.APPROVED)
    runs = sorted(set(application.checks.values_list("run", "stage")))
    assert runs == [(1, "submit"), (2, "approve")]
    latest = selectors.latest_checks(application)
    assert {c.code for c in latest} >= {"loan_to_value", "rate_cap", "valuation_route"}
    assert all(c.clause for c in latest)


# --- transitions ----------------------------------------------------------------------------------------


MOVES = {
    S.SUBMITTED: lambda s, pk: actions.submit_application(s.users["ent"], pk, today=s.today),
    S.COMPLETE: lambda s, pk: actions.mark_complete(s.users["officer"], pk, today=s.today),
    S.UNDER_REVIEW: lambda s, pk: actions.start_review(s.users["officer"], pk, today=s.today),
    S.RETURNED: lambda s, pk: actions.return_application(s.users["officer"], pk, reason="缺少财务报表",
                                                         today=s.today),
    S.APPROVED: lambda s, pk: actions.approve_application(s.users["approver"], pk, annual_rate=Decimal("3.5"),
                                                          today=s.today),
    S.REJECTED: lambda s, pk: actions.reject_application(s.users["approver"], pk, reason="不符合条件", today=s.today),
    S.WITHDRAWN: lambda s, pk: actions.withdraw_application(s.users["ent"], pk, today=s.today),
    S.EXPIRED: lambda s, pk: actions.expire_application(s.users["officer"], pk, today=s.today),
    S.CONTRACT_SIGNED: lambda s, pk: actions.sign_contract(s.users["officer"], pk, signed_on=s.today),
    S.PLEDGE_REGISTERED: lambda s, pk: actions.on_pledge_registered(pk, registered_on=s.today, actor=None),
    S.DISBURSED: lambda s, pk: actions.disburse(s.users["officer"], pk, disbursed_on=s.today),
}
PATH = [S.DRAFT, S.SUBMITTED, S.COMPLETE, S.UNDER_REVIEW, S.APPROVED, S.CONTRACT_SIGNED, S.PLEDGE_REGISTERED,
        S.DISBURSED]


def _at(s: Setup, status: str) -> Application:
    """A fresh application (new assets, so bundles never collide) in ``status``."""
    from .factories import valued_patent

    assets = [valued_patent(s.enterprise, as_of=s.today)]
    application = s.draft(asset_ids=[a.pk for a in assets], amount_fen=200_000_000)
    if status in PATH:
        return s.to(application, status) if status != S.DRAFT else application
    via = {S.RETURNED: S.SUBMITTED, S.REJECTED: S.UNDER_REVIEW, S.WITHDRAWN: S.DRAFT, S.EXPIRED: S.APPROVED}[status]
    if via != S.DRAFT:
        application = s.to(application, via)
    MOVES[status](s, application.pk)
    application.refresh_from_db()
    return application


@pytest.mark.parametrize("source", list(APPLICATION_ALLOWED))
def test_each_transition_legal_and_illegal(s: Setup, source: str) -> None:
    for target, move in MOVES.items():
        application = _at(s, source)
        assert application.status == source
        if target in APPLICATION_ALLOWED[source]:
            move(s, application.pk)
            application.refresh_from_db()
            assert application.status == target, f"{source} → {target}"
        else:
            with pytest.raises((IllegalTransition, Conflict)):
                move(s, application.pk)
            application.refresh_from_db()
            assert application.status == source


# --- refusals ---------------------------------------------------------------------------------------------


def test_failed_blocking_check_refuses_submission_and_writes_nothing(s: Setup) -> None:
    application = s.draft(amount_fen=600_000_001)  # 60 % of 10,000,000.00 yuan + 1 fen
    with pytest.raises(actions.ChecksFailed) as caught:
        actions.submit_application(s.users["ent"], application.pk, today=s.today)
    assert [f["code"] for f in caught.value.details["failures"]] == ["loan_to_value"]
    assert caught.value.details["failures"][0]["clause"] == "PZA-2.1.2"
    application.refresh_from_db()
    assert application.status == S.DRAFT and not application.checks.exists()
    actions.update_application(s.users["ent"], application.pk, amount_fen=600_000_000)
    assert actions.submit_application(s.users["ent"], application.pk, today=s.today).status == S.SUBMITTED


def test_rate_over_fund_cap_refuses_approval(s: Setup) -> None:
    application = s.to(s.draft(fund_id=s.fund.pk), S.UNDER_REVIEW)
    contract_lpr = actions.lpr_in_force(12, s.today)
    assert contract_lpr is not None
    cap = contract_lpr.rate + Decimal("1.40")  # LPR + 140 bp (PZA-2.3.1b)
    with pytest.raises(actions.ChecksFailed) as caught:
        actions.approve_application(s.users["approver"], application.pk, annual_rate=cap + Decimal("0.01"),
                                    today=s.today)
    assert [f["code"] for f in caught.value.details["failures"]] == ["rate_cap"]
    approved = actions.approve_application(s.users["approver"], application.pk, annual_rate=cap, today=s.today)
    assert approved.status == S.APPROVED and approved.contract.risk_shares["fund"] == "0.40"


def test_dropping_fund_coverage_at_approval(s: Setup) -> None:
    application = s.to(s.draft(fund_id=s.fund.pk), S.UNDER_REVIEW)
    approved = actions.approve_application(s.users["approver"], application.pk, annual_rate=Decimal("5.90"),
                                           drop_fund_coverage=True, guarantor_share=Decimal("0.3"), today=s.today)
    assert approved.fund is None and approved.contract.risk_shares == {"bank": "1"}


def test_suspended_bank_new_customer_is_refused_old_customer_passes(s: Setup) -> None:
    Cooperation.objects.filter(fund=s.fund).update(status="suspended", status_since=date(2025, 6, 1))
    application = s.draft(fund_id=s.fund.pk)
    with pytest.raises(actions.ChecksFailed) as caught:
        actions.submit_application(s.users["ent"], application.pk, today=s.today)
    assert "fund_standing" in [f["code"] for f in caught.value.details["failures"]]
    CustomerRelationship.objects.create(bank=s.bank, enterprise=s.enterprise, since=date(2025, 5, 31))
    assert actions.submit_application(s.users["ent"], application.pk, today=s.today).status == S.SUBMITTED


def test_asset_in_another_open_application_is_refused(s: Setup) -> None:
    s.to(s.draft(), S.SUBMITTED)
    second = s.draft()
    with pytest.raises(actions.ChecksFailed) as caught:
        actions.submit_application(s.users["ent"], second.pk, today=s.today)
    assert [f["code"] for f in caught.value.details["failures"]] == ["asset_unencumbered"]


def test_four_eyes_and_roles(s: Setup) -> None:
    with pytest.raises(NotFound):  # a bank applies only for its customers
        s.draft("officer", enterprise_id=s.enterprise.pk)
    CustomerRelationship.objects.create(bank=s.bank, enterprise=s.enterprise, since=date(2024, 1, 1))
    on_behalf = s.draft("officer", enterprise_id=s.enterprise.pk)
    assert on_behalf.created_by == s.users["officer"]
    s.to(on_behalf, S.UNDER_REVIEW)
    with pytest.raises(PermissionDenied):  # an officer is not an approver
        actions.approve_application(s.users["officer"], on_behalf.pk, annual_rate=Decimal("3.5"), today=s.today)
    with pytest.raises(NotFound):  # another bank does not even see it
        actions.mark_complete(s.users["officer2"], on_behalf.pk, today=s.today)
    head_created = s.draft("head", enterprise_id=s.enterprise.pk,
                           asset_ids=[a.pk for a in _fresh_assets(s)])
    s.to(head_created, S.UNDER_REVIEW)
    with pytest.raises(actions.FourEyes):
        actions.approve_application(s.users["head"], head_created.pk, annual_rate=Decimal("3.5"), today=s.today)
    assert actions.approve_application(s.users["approver"], head_created.pk, annual_rate=Decimal("3.5"),
                                       today=s.today).status == S.APPROVED
    with pytest.raises(PermissionDenied):
        actions.create_application(s.users["officer2"], product_id=s.product.pk, amount_fen=AMOUNT_FEN,
                                   term_months=12, purpose="working_capital", repayment_method="bullet",
                                   asset_ids=[s.assets[0].pk], enterprise_id=s.enterprise.pk)


def _fresh_assets(s: Setup) -> list[Any]:
    from .factories import valued_patent

    return [valued_patent(s.enterprise, as_of=s.today)]


def test_bad_input_is_refused(s: Setup) -> None:
    with pytest.raises(InvalidInput):
        s.draft(amount_fen=0)
    with pytest.raises(InvalidInput):
        s.draft(purpose="lottery")
    with pytest.raises(actions.AssetNotAvailable):
        s.draft(asset_ids=[999_999])
    with pytest.raises(InvalidInput):
        s.draft(proposed_rate=3.5)  # float
    assert not Application.objects.exists()


# --- idempotency and numbers ------------------------------------------------------------------------------


def test_double_create_with_the_same_key_gives_one_application(s: Setup) -> None:
    first = s.draft(idempotency_key="k-1")
    again = s.draft(idempotency_key="k-1")
    assert first.pk == again.pk and Application.objects.count() == 1
    other = s.draft(idempotency_key="k-2", asset_ids=[s.assets[0].pk])
    assert other.number == "SQ2025000002"
    with pytest.raises(Conflict):
        s.draft(idempotency_key="k-1", amount_fen=AMOUNT_FEN - 1)


# --- documents --------------------------------------------------------------------------------------------


def test_documents_are_hashed_and_limited(s: Setup, settings: Any) -> None:
    application = s.draft()
    document = actions.add_document(s.users["ent"], application.pk, kind="business_licence",
                                    uploaded_file=SimpleUploadedFile("licence.pdf", b"%PDF-1.4 licence"))
    assert len(document.sha256) == 64 and document.size_bytes == 16
    settings.IPFIN_MAX_UPLOAD_BYTES = 10
    with pytest.raises(actions.BadDocument):
        actions.add_document(s.users["ent"], application.pk, kind="other",
                             uploaded_file=SimpleUploadedFile("big.pdf", b"x" * 11))
    with pytest.raises(actions.BadDocument):
        actions.add_document(s.users["ent"], application.pk, kind="photo",
                             uploaded_file=SimpleUploadedFile("a.pdf", b"x"))


# --- the decision clock (PZA-2.2.1b) over the 2025 National Day break ------------------------------------------


def test_decision_clock_over_national_day_with_pause_and_resume(s: Setup) -> None:
    application = s.to(s.draft(), S.COMPLETE)  # complete on 2025-09-30 (Tue)
    # 10-01..10-08 off; 10-09 Thu, 10-10 Fri, 10-11 Sat (make-up day), 10-13 Mon, 10-14 Tue.
    assert application.decision_due_on == date(2025, 10, 14)
    clock = selectors.decision_clock(application, date(2025, 10, 13))
    assert clock is not None and clock.state == SlaState.DUE_SOON and clock.working_days_left == 1
    # Returned on 10-10 after 2 working days (10-09, 10-10): the clock pauses.
    returned = actions.return_application(s.users["officer"], application.pk, reason="补充材料",
                                          today=date(2025, 10, 10))
    assert returned.sla_working_days_used == 2
    assert selectors.decision_clock(returned, date(2025, 10, 20)).state == SlaState.PAUSED  # type: ignore[union-attr]
    # Resubmitted on Fri 10-17: 3 working days left → 10-20, 10-21, 10-22.
    resumed = actions.submit_application(s.users["ent"], application.pk, today=date(2025, 10, 17))
    assert resumed.decision_due_on == date(2025, 10, 22)
    actions.mark_complete(s.users["officer"], application.pk, today=date(2025, 10, 20))
    actions.start_review(s.users["officer"], application.pk, today=date(2025, 10, 20))
    decided = actions.approve_application(s.users["approver"], application.pk, annual_rate=Decimal("3.5"),
                                          today=date(2025, 10, 23))
    assert selectors.decision_clock(decided, date(2025, 10, 30)).state == SlaState.MISSED  # type: ignore[union-attr]
    report = selectors.sla_compliance(s.users["clerk"], date(2025, 10, 1), date(2025, 10, 31),
                                      today=date(2025, 10, 30))
    assert report == [{"bank_id": s.bank.pk, "bank": s.bank.name, "due": 1, "met": 0, "missed": 1,
                       "open_overdue": 0, "open": 0, "paused": 0, "no_calendar": 0,
                       "compliance": 0}]


def test_no_clock_without_a_profile_and_unpublished_calendar(s: Setup) -> None:
    s.product.policy_profiles = ["sichuan-2025"]  # sets no approval_sla_working_days
    s.product.save()
    application = s.to(s.draft(), S.COMPLETE)
    assert application.decision_due_on is None and selectors.decision_clock(application, s.today) is None
    late = make_setup(today=date(2025, 12, 26))
    from ipfin.calendar.models import CalendarYear

    CalendarYear.objects.filter(year=2026).delete()
    from ipfin.calendar.services import invalidate_calendar_cache

    invalidate_calendar_cache()
    pending = late.to(late.draft(), S.COMPLETE)
    assert pending.decision_due_on is None
    clock = selectors.decision_clock(pending, late.today)
    assert clock is not None and clock.state == SlaState.CALENDAR_NOT_PUBLISHED


def test_queue_for_bank_sorted_by_deadline(s: Setup) -> None:
    first = s.to(s.draft(), S.COMPLETE)
    later = s.draft(asset_ids=[a.pk for a in _fresh_assets(s)])
    later = s.to(later, S.SUBMITTED)
    queue = selectors.queue_for(s.users["officer"], s.today)
    assert [a.pk for a in queue] == [first.pk, later.pk]
    assert selectors.queue_for(s.users["ent"], s.today) == []
    assert selectors.queue_for(s.users["officer2"], s.today) == []


# --- concurrency (PostgreSQL) ---------------------------------------------------------------------------


@pytest.mark.skipif(connection.vendor != "postgresql", reason="two real connections need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_approvers_at_the_same_moment_one_wins() -> None:
    s = make_setup()
    application = s.to(s.draft(), S.UNDER_REVIEW)
    barrier = threading.Barrier(2)
    outcomes: dict[str, Any] = {}

    def approve(key: str) -> None:
        from django.db import connections

        try:
            barrier.wait()
            actions.approve_application(s.users[key], application.pk, annual_rate=Decimal("3.5"), today=s.today)
            outcomes[key] = "approved"
        except (IllegalTransition, Conflict) as exc:
            outcomes[key] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=approve, args=(key,)) for key in ("approver", "approver2")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    results = sorted(outcomes.values(), key=lambda v: v != "approved")
    assert results[0] == "approved"
    assert isinstance(results[1], IllegalTransition) and "approved" in results[1].message
    application.refresh_from_db()
    assert application.status == S.APPROVED and application.checks.filter(stage="approve").values("run").distinct(
    ).count() == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="two real connections need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_creates_with_the_same_key_at_the_same_moment_give_one_application() -> None:
    s = make_setup()
    barrier = threading.Barrier(2)
    numbers: list[str] = []

    def create() -> None:
        from django.db import connections

        try:
            barrier.wait()
            numbers.append(s.draft(idempotency_key="same").number)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=create) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert numbers == [numbers[0], numbers[0]] and Application.objects.count() == 1


def test_a_branch_officer_sells_the_head_office_product_and_the_branch_lends(s: Setup) -> None:
    from ipfin.accounts.actions import create_organisation
    from ipfin.accounts.choices import OrganisationKind, Role
    from ipfin.registry.actions import link_customer

    from .factories import user

    branch = create_organisation(None, name="天府银行攀枝花东区支行", kind=OrganisationKind.BANK, region_code="510402",
                                 head_office=s.bank)
    other_bank_branch = create_organisation(None, name="别家银行支行", kind=OrganisationKind.BANK,
                                            region_code="510402")
    officer = user(branch, Role.LOAN_OFFICER)
    link_customer(None, bank=branch, enterprise=s.enterprise, since=date(2024, 1, 1), source="test")
    application = actions.create_application(
        officer, product_id=s.product.pk, enterprise_id=s.enterprise.pk, amount_fen=AMOUNT_FEN, term_months=12,
        purpose="research_and_development", repayment_method="equal-installment",
        asset_ids=[a.pk for a in s.assets], co_owner_consent=True, today=s.today)
    assert application.bank == branch and application.product.bank == s.bank
    # The head office's approver sees and decides the branch's file.
    assert selectors.applications_visible_to(s.users["approver"]).filter(pk=application.pk).exists()
    with pytest.raises((PermissionDenied, NotFound)):
        actions.create_application(
            user(other_bank_branch, Role.LOAN_OFFICER), product_id=s.product.pk, enterprise_id=s.enterprise.pk,
            amount_fen=AMOUNT_FEN, term_months=12, purpose="research_and_development",
            repayment_method="equal-installment", asset_ids=[a.pk for a in s.assets], today=s.today)

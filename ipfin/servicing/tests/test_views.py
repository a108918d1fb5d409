"""The servicing pages with Django's test client: every page × role (allowed, forbidden with an alert, another
organisation's loan a 404), the bank's forms (repayment, reversal, downgrade, warnings, quarterly NPL) through
the actions, form errors (bad amount, missing reason) as 400 with the field marked, typed errors as alerts,
never a 500. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from ipfin.accounts.actions import create_organisation
from ipfin.accounts.choices import OrganisationKind as K
from ipfin.accounts.choices import Role
from ipfin.accounts.models import User
from ipfin.origination.tests.factories import Setup, make_setup, user
from ipfin.servicing.choices import RepaymentStatus, RiskClass, Severity, WarningKind, WarningStatus
from ipfin.servicing.models import BankNplReport, Installment, Loan, Repayment, RiskWarning
from ipfin.servicing.views import BookFilters, last_quarter_end, yuan

pytestmark = pytest.mark.django_db

TODAY = date(2025, 9, 30)


@dataclass
class World:
    setup: Setup
    loan: Loan
    users: dict[str, User] = field(default_factory=dict)


@pytest.fixture
def w(db: Any) -> World:
    """A disbursed 攀枝花 loan (fund-covered) of 300 万元 over 12 months, equal installments; users of every kind
    of reader, plus a second bank, a regulator of another region and an appraiser."""
    setup = make_setup(TODAY)
    application = setup.to(setup.draft(fund_id=setup.fund.pk), "disbursed")
    loan = Loan.objects.get(contract__application=application)
    users = dict(setup.users)
    regulator = create_organisation(None, name="攀枝花金融监管分局", kind=K.REGULATOR, region_code="510400")
    far_regulator = create_organisation(None, name="包头金融监管分局", kind=K.REGULATOR, region_code="150200")
    appraiser = create_organisation(None, name="示范评估", kind=K.APPRAISER, region_code="510400")
    users["regulator"] = user(regulator, Role.SUPERVISOR)
    users["far_regulator"] = user(far_regulator, Role.SUPERVISOR)
    users["appraiser"] = user(appraiser, Role.APPRAISER)
    return World(setup=setup, loan=loan, users=users)


def client(w: World, key: str) -> Client:
    c = Client()
    c.force_login(w.users[key])
    return c


def text(response: Any) -> str:
    return response.content.decode()


def first_due(w: World) -> Installment:
    return Installment.objects.filter(loan=w.loan, schedule_version=w.loan.schedule_version).order_by("period")[0]


def post_due_repayment(w: World, key: str = "officer") -> Any:
    """Pay the first installment in full on its due date, through the page."""
    due = first_due(w)
    amount = Decimal(due.principal_fen + due.interest_fen) / 100
    return client(w, key).post(f"/servicing/loans/{w.loan.pk}/repayments/", {
        "amount_yuan": f"{amount:.2f}", "received_on": due.due_on.isoformat(), "kind": "regular",
        "prepayment_option": "", "idempotency_key": "k-1"})


def warning_on(w: World, kind: str = WarningKind.COVERAGE_BREACH) -> RiskWarning:
    """A warning as close of business raises it (test data)."""
    return RiskWarning.objects.create(loan=w.loan, kind=kind, severity=Severity.WARNING, raised_on=TODAY,
                                      clause="PZP-3.4.2", detail={"shortfall_fen": 12_345_678})


# --- helpers --------------------------------------------------------------------------------------------


def test_yuan_is_exact_with_two_decimals() -> None:
    assert yuan(123456) == "1,234.56"
    assert yuan(-5) == "-0.05"
    assert yuan(300_000_000) == "3,000,000.00"
    assert yuan(None) == "—"


def test_last_quarter_end() -> None:
    assert last_quarter_end(date(2025, 9, 30)) == date(2025, 9, 30)
    assert last_quarter_end(date(2025, 9, 29)) == date(2025, 6, 30)
    assert last_quarter_end(date(2025, 2, 1)) == date(2024, 12, 31)


# --- the loan book --------------------------------------------------------------------------------------


LOAN_BOOK_READERS = ("ent", "officer", "approver", "head", "fund", "clerk", "regulator")


def test_loan_book_shows_the_loan_to_each_reader_with_totals(w: World) -> None:
    for key in LOAN_BOOK_READERS:
        response = client(w, key).get("/servicing/loans/")
        assert response.status_code == 200, key
        body = text(response)
        assert w.loan.number in body, key
        assert 'data-testid="book-totals"' in body and "3,000,000.00" in body, key
    assert "贷款台账" in text(client(w, "officer").get("/servicing/loans/"))  # Chinese by default


def test_loan_book_hides_other_organisations_loans(w: World) -> None:
    for key in ("officer2", "far_regulator", "guarantor"):
        response = client(w, key).get("/servicing/loans/")
        assert response.status_code == 200, key
        assert w.loan.number not in text(response), key


def test_loan_book_refuses_roles_without_loans(w: World) -> None:
    response = client(w, "appraiser").get("/servicing/loans/")
    assert response.status_code == 403
    assert 'data-error-code="permission_denied"' in text(response)


def test_loan_book_filters_and_sorts(w: World) -> None:
    c = client(w, "officer")
    assert w.loan.number in text(c.get("/servicing/loans/?class=normal&dpd=current"))
    assert w.loan.number not in text(c.get("/servicing/loans/?class=substandard"))
    assert w.loan.number not in text(c.get("/servicing/loans/?dpd=91-180"))
    assert w.loan.number in text(c.get(f"/servicing/loans/?product={w.loan.product_id}"))
    assert w.loan.number not in text(c.get("/servicing/loans/?warning=any"))
    warning_on(w)
    assert w.loan.number in text(c.get("/servicing/loans/?warning=any"))
    assert w.loan.number in text(c.get("/servicing/loans/?warning=coverage_breach"))
    assert w.loan.number not in text(c.get("/servicing/loans/?warning=frozen"))
    Loan.objects.filter(pk=w.loan.pk).update(days_past_due=95, risk_class=RiskClass.SUBSTANDARD)
    page = text(c.get("/servicing/loans/?dpd=91-180&class=substandard&sort=outstanding"))
    assert w.loan.number in page and "sort=-outstanding" in page  # the column toggles the direction
    # Unknown filter values are ignored, never a 500.
    assert c.get("/servicing/loans/?class=nope&dpd=x&product=abc&warning=zz&sort=evil&page=99").status_code == 200


def test_book_filters_query_keeps_the_filters() -> None:
    filters = BookFilters(risk_class="loss", dpd_bucket="360+", product_id=7, warning="any", sort="dpd")
    assert filters.query(sort="-dpd") == "class=loss&dpd=360%2B&product=7&warning=any&sort=-dpd"


def test_loan_book_paginates(w: World) -> None:
    from ipfin.servicing import views

    original = views.PAGE_SIZE
    views.PAGE_SIZE = 1
    try:
        second = w.setup.to(w.setup.draft(amount_fen=200_000_000), "disbursed")
        body = text(client(w, "officer").get("/servicing/loans/?sort=outstanding"))
        assert "1 / 2" in body
        other = Loan.objects.get(contract__application=second)
        assert other.number in body and w.loan.number not in body  # 200 万 before 300 万
        assert "5,000,000.00" in body  # the totals cover every page
    finally:
        views.PAGE_SIZE = original


# --- the loan page --------------------------------------------------------------------------------------


def test_loan_page_for_each_reader_and_404_for_others(w: World) -> None:
    url = f"/servicing/loans/{w.loan.pk}/"
    for key in LOAN_BOOK_READERS:
        response = client(w, key).get(url)
        assert response.status_code == 200, key
        body = text(response)
        assert 'data-testid="schedule"' in body and 'data-testid="coverage"' in body, key
    for key in ("officer2", "far_regulator", "appraiser", "guarantor"):
        assert client(w, key).get(url).status_code == 404, key
    assert client(w, "officer").get("/servicing/loans/999999/").status_code == 404


def test_loan_page_offers_forms_by_role(w: World) -> None:
    url = f"/servicing/loans/{w.loan.pk}/"
    officer = text(client(w, "officer").get(url))
    assert 'data-testid="repayment-form"' in officer and 'data-testid="downgrade-form"' not in officer
    approver = text(client(w, "approver").get(url))
    assert 'data-testid="downgrade-form"' in approver and 'data-testid="repayment-form"' not in approver
    head = text(client(w, "head").get(url))
    assert 'data-testid="downgrade-form"' in head and 'data-testid="repayment-form"' in head
    for key in ("ent", "clerk", "regulator", "fund"):
        body = text(client(w, key).get(url))
        assert 'data-testid="repayment-form"' not in body and 'data-testid="downgrade-form"' not in body, key


def test_schedule_shows_the_current_version_and_sums_to_the_principal(w: World) -> None:
    body = text(client(w, "officer").get(f"/servicing/loans/{w.loan.pk}/"))
    rows = re.findall(r'<tr data-period="(\d+)"', body)
    assert rows == [str(n) for n in range(1, w.loan.term_months + 1)]
    assert "3,000,000.00" in body  # the principal column's total
    assert 'data-testid="superseded"' not in body  # nothing superseded yet


def test_post_a_repayment_shows_its_allocation_and_reverse_it(w: World) -> None:
    response = post_due_repayment(w)
    assert response.status_code == 302, text(response)
    repayment = Repayment.objects.get(loan=w.loan)
    assert response["Location"] == f"/servicing/loans/{w.loan.pk}/#repayment-{repayment.pk}"
    due = first_due(w)
    due.refresh_from_db()
    assert due.status == "paid"
    assert repayment.amount_fen == due.principal_fen + due.interest_fen
    page = text(client(w, "officer").get(f"/servicing/loans/{w.loan.pk}/"))
    assert repayment.number in page and 'data-testid="allocation-split"' in page
    assert yuan(repayment.current_interest_fen) in page and yuan(repayment.current_principal_fen) in page
    assert 'data-testid="reverse-form"' in page

    # Posting the same form again (same idempotency key) does not post twice.
    assert post_due_repayment(w).status_code == 302
    assert Repayment.objects.filter(loan=w.loan).count() == 1

    # A reversal needs a reason.
    url = f"/servicing/loans/{w.loan.pk}/repayments/{repayment.pk}/reverse/"
    missing = client(w, "officer").post(url, {"reverse-reason": "  "})
    assert missing.status_code == 400 and "is-invalid" in text(missing)
    repayment.refresh_from_db()
    assert repayment.status == RepaymentStatus.POSTED
    done = client(w, "officer").post(url, {"reverse-reason": "录错账户"})
    assert done.status_code == 302
    repayment.refresh_from_db()
    assert repayment.status == RepaymentStatus.REVERSED and repayment.reversal_reason == "录错账户"
    page = text(client(w, "officer").get(f"/servicing/loans/{w.loan.pk}/"))
    assert 'data-testid="reversed-badge"' in page and "录错账户" in page
    due.refresh_from_db()
    assert due.principal_paid_fen == 0 and due.interest_paid_fen == 0


def test_repayment_form_errors(w: World) -> None:
    url = f"/servicing/loans/{w.loan.pk}/repayments/"
    c = client(w, "officer")
    base = {"received_on": TODAY.isoformat(), "kind": "regular", "prepayment_option": ""}
    for amount in ("12.345", "-1", "0", "abc", ""):
        response = c.post(url, {**base, "amount_yuan": amount})
        assert response.status_code == 400, amount
        assert "is-invalid" in text(response) and 'data-error-code="invalid_input"' in text(response)
    no_option = c.post(url, {**base, "amount_yuan": "1000.00", "kind": "prepayment"})
    assert no_option.status_code == 400 and "is-invalid" in text(no_option)
    bad_date = c.post(url, {**base, "amount_yuan": "1000.00", "received_on": "2025-02-30"})
    assert bad_date.status_code == 400
    assert not Repayment.objects.filter(loan=w.loan).exists()


def test_a_regular_payment_beyond_what_is_due_is_an_alert_not_a_500(w: World) -> None:
    response = client(w, "officer").post(f"/servicing/loans/{w.loan.pk}/repayments/", {
        "amount_yuan": "3500000.00", "received_on": (w.loan.disbursed_on + timedelta(days=1)).isoformat(),
        "kind": "regular", "prepayment_option": ""})
    assert 400 <= response.status_code < 500
    assert 'role="alert"' in text(response) and 'data-error-code="' in text(response)
    assert not Repayment.objects.filter(loan=w.loan).exists()


def test_prepayment_keeps_the_term_and_shows_the_superseded_rows(w: World) -> None:
    due = first_due(w)
    response = client(w, "officer").post(f"/servicing/loans/{w.loan.pk}/repayments/", {
        "amount_yuan": f"{Decimal(due.principal_fen + due.interest_fen) / 100 + 500000:.2f}",
        "received_on": due.due_on.isoformat(), "kind": "prepayment", "prepayment_option": "keep_term"})
    assert response.status_code == 302, text(response)
    w.loan.refresh_from_db()
    assert w.loan.schedule_version == 2
    body = text(client(w, "officer").get(f"/servicing/loans/{w.loan.pk}/"))
    assert 'data-testid="superseded"' in body and 'data-testid="toggle-superseded"' in body


def test_pay_off_with_the_quoted_amount(w: World) -> None:
    c = client(w, "officer")
    page = text(c.get(f"/servicing/loans/{w.loan.pk}/"))
    assert 'data-testid="payoff-quote"' in page
    amount = re.search(r'data-amount="([0-9.]+)"', page)
    assert amount is not None
    today = re.search(r'name="received_on" value="([0-9-]+)"', page)
    assert today is not None
    wrong = c.post(f"/servicing/loans/{w.loan.pk}/repayments/", {
        "amount_yuan": "1.00", "received_on": today.group(1), "kind": "payoff", "prepayment_option": ""})
    assert wrong.status_code == 400 and 'role="alert"' in text(wrong)
    done = c.post(f"/servicing/loans/{w.loan.pk}/repayments/", {
        "amount_yuan": amount.group(1), "received_on": today.group(1), "kind": "payoff",
        "prepayment_option": "keep_term"})  # an option given with a pay-off is ignored
    assert done.status_code == 302, text(done)
    w.loan.refresh_from_db()
    assert w.loan.status == "paid_off" and w.loan.outstanding_principal_fen == 0
    after = text(c.get(f"/servicing/loans/{w.loan.pk}/"))
    assert 'data-status="paid_off"' in after and 'data-testid="repayment-form"' not in after


def test_only_bank_posting_roles_post_or_reverse(w: World) -> None:
    url = f"/servicing/loans/{w.loan.pk}/repayments/"
    data = {"amount_yuan": "100.00", "received_on": TODAY.isoformat(), "kind": "regular", "prepayment_option": ""}
    for key in ("ent", "clerk", "regulator", "fund", "approver"):
        response = client(w, key).post(url, data)
        assert response.status_code == 403, key
        assert 'data-error-code="permission_denied"' in text(response), key
    for key in ("officer2", "far_regulator", "appraiser"):
        assert client(w, key).post(url, data).status_code == 404, key
    assert not Repayment.objects.filter(loan=w.loan).exists()
    assert post_due_repayment(w).status_code == 302
    repayment = Repayment.objects.get(loan=w.loan)
    reverse_url = f"/servicing/loans/{w.loan.pk}/repayments/{repayment.pk}/reverse/"
    assert client(w, "ent").post(reverse_url, {"reverse-reason": "x"}).status_code == 403
    assert client(w, "officer2").post(reverse_url, {"reverse-reason": "x"}).status_code == 404
    assert client(w, "officer").post(f"/servicing/loans/{w.loan.pk}/repayments/999999/reverse/",
                                     {"reverse-reason": "x"}).status_code == 404
    repayment.refresh_from_db()
    assert repayment.status == RepaymentStatus.POSTED


def test_manual_downgrade(w: World) -> None:
    url = f"/servicing/loans/{w.loan.pk}/downgrade/"
    missing = client(w, "approver").post(url, {"downgrade-risk_class": "special_mention", "downgrade-reason": ""})
    assert missing.status_code == 400 and "is-invalid" in text(missing)
    assert client(w, "officer").post(url, {"downgrade-risk_class": "special_mention",
                                           "downgrade-reason": "经营恶化"}).status_code == 403
    assert client(w, "officer2").post(url, {"downgrade-risk_class": "special_mention",
                                            "downgrade-reason": "x"}).status_code == 404
    w.loan.refresh_from_db()
    assert w.loan.risk_class == RiskClass.NORMAL
    done = client(w, "approver").post(url, {"downgrade-risk_class": "special_mention",
                                            "downgrade-reason": "主要客户流失，经营恶化"})
    assert done.status_code == 302
    w.loan.refresh_from_db()
    assert w.loan.risk_class == RiskClass.SPECIAL_MENTION
    page = text(client(w, "approver").get(f"/servicing/loans/{w.loan.pk}/"))
    assert "主要客户流失，经营恶化" in page and "关注" in page


# --- risk warnings --------------------------------------------------------------------------------------


def test_warning_list_by_role(w: World) -> None:
    warning = warning_on(w)
    for key in ("officer", "approver", "head", "fund"):
        response = client(w, key).get("/servicing/warnings/")
        assert response.status_code == 200, key
        body = text(response)
        assert w.loan.number in body and "123,456.78" in body, key
        assert f'data-testid="acknowledge-{warning.pk}"' in body, key
    assert w.loan.number not in text(client(w, "officer2").get("/servicing/warnings/"))
    for key in ("ent", "clerk", "regulator", "appraiser"):
        assert client(w, key).get("/servicing/warnings/").status_code == 403, key
    assert w.loan.number not in text(client(w, "officer").get("/servicing/warnings/?kind=frozen"))


def test_acknowledge_and_close_a_warning(w: World) -> None:
    warning = warning_on(w)
    c = client(w, "officer")
    acknowledged = c.post(f"/servicing/warnings/{warning.pk}/acknowledge/", {"next": "/servicing/warnings/"})
    assert acknowledged.status_code == 302 and acknowledged["Location"] == "/servicing/warnings/"
    warning.refresh_from_db()
    assert warning.status == WarningStatus.ACKNOWLEDGED
    missing = c.post(f"/servicing/warnings/{warning.pk}/close/", {"close-reason": ""})
    assert missing.status_code == 400 and 'data-error-code="invalid_input"' in text(missing)
    outside = c.post(f"/servicing/warnings/{warning.pk}/close/",
                     {"close-reason": "追加质押后覆盖充足", "next": "https://evil.example/"})
    assert outside.status_code == 302 and outside["Location"] == f"/servicing/loans/{w.loan.pk}/"
    warning.refresh_from_db()
    assert warning.status == WarningStatus.CLOSED and warning.close_reason == "追加质押后覆盖充足"
    again = c.post(f"/servicing/warnings/{warning.pk}/close/", {"close-reason": "x"})
    assert again.status_code == 409


def test_warning_actions_scoped(w: World) -> None:
    warning = warning_on(w)
    for key in ("officer2", "ent", "clerk", "appraiser"):
        response = client(w, key).post(f"/servicing/warnings/{warning.pk}/acknowledge/")
        assert response.status_code in (403, 404), key
    warning.refresh_from_db()
    assert warning.status == WarningStatus.OPEN
    assert client(w, "fund").post(f"/servicing/warnings/{warning.pk}/acknowledge/").status_code == 302


# --- NPL monitors ---------------------------------------------------------------------------------------


def test_npl_page_by_role(w: World) -> None:
    for key in ("clerk", "regulator", "officer", "head"):
        response = client(w, key).get("/servicing/npl/")
        assert response.status_code == 200, key
        body = text(response)
        assert "XT-10" in body and "PZA-3.乙2" in body, key
        assert w.setup.bank.name in body, key
    assert w.setup.bank.name not in text(client(w, "far_regulator").get("/servicing/npl/"))
    for key in ("ent", "fund", "appraiser", "guarantor"):
        assert client(w, key).get("/servicing/npl/").status_code == 403, key
    assert 'data-testid="npl-form"' in text(client(w, "head").get("/servicing/npl/"))
    assert 'data-testid="npl-form"' not in text(client(w, "regulator").get("/servicing/npl/"))
    assert client(w, "regulator").get("/servicing/npl/?on=2025-13-01").status_code == 400
    assert 'data-testid="npl-help"' in text(client(w, "regulator").get("/servicing/npl/"))  # docs/help/regulator-npl.md


def test_npl_breach_badges(w: World) -> None:
    Loan.objects.filter(pk=w.loan.pk).update(risk_class=RiskClass.SUBSTANDARD, days_past_due=100)
    BankNplReport.objects.create(bank=w.setup.bank, quarter_end=date(2025, 9, 30), overall_npl_ratio=Decimal("1.5"))
    body = text(client(w, "regulator").get("/servicing/npl/?on=2025-09-30"))
    assert 'data-monitor="xt10" data-state="breach"' in body
    assert 'data-monitor="pza" data-state="breach"' in body
    assert 'data-testid="breach-count"' in body


def test_bank_head_enters_the_quarterly_npl(w: World) -> None:
    c = client(w, "head")
    done = c.post("/servicing/npl/", {"quarter_end": "2025-06-30", "overall_npl_ratio": "1.2500"})
    assert done.status_code == 302, text(done)
    report = BankNplReport.objects.get(bank=w.setup.bank, quarter_end=date(2025, 6, 30))
    assert report.overall_npl_ratio == Decimal("1.25")
    bad = c.post("/servicing/npl/", {"quarter_end": "2025-06-30", "overall_npl_ratio": "abc"})
    assert bad.status_code == 400 and "is-invalid" in text(bad)
    too_fine = c.post("/servicing/npl/", {"quarter_end": "2025-06-30", "overall_npl_ratio": "1.23456"})
    assert too_fine.status_code == 400
    not_quarter = c.post("/servicing/npl/", {"quarter_end": "2025-06-15", "overall_npl_ratio": "1.0"})
    assert not_quarter.status_code == 400 and 'role="alert"' in text(not_quarter)
    for key in ("officer", "regulator"):
        refused = client(w, key).post("/servicing/npl/", {"quarter_end": "2025-03-31", "overall_npl_ratio": "1"})
        assert refused.status_code == 403, key
    assert not BankNplReport.objects.filter(quarter_end__in=[date(2025, 3, 31), date(2025, 6, 15)]).exists()


def test_pages_in_english(w: World) -> None:
    c = client(w, "head")
    c.cookies["django_language"] = "en"
    book = text(c.get("/servicing/loans/", HTTP_ACCEPT_LANGUAGE="en"))
    assert "Loan book" in book
    page = text(c.get(f"/servicing/loans/{w.loan.pk}/", HTTP_ACCEPT_LANGUAGE="en"))
    assert "Repayment schedule" in page and "Collateral coverage" in page
    npl = text(c.get("/servicing/npl/", HTTP_ACCEPT_LANGUAGE="en"))
    assert "NPL tolerance monitoring" in npl and "English summary" not in npl


# --- dashboard and navigation ---------------------------------------------------------------------------


def test_dashboard_cards_and_navigation(w: World) -> None:
    Loan.objects.filter(pk=w.loan.pk).update(days_past_due=10, risk_class=RiskClass.SPECIAL_MENTION)
    warning_on(w)
    bank = text(client(w, "officer").get("/"))
    assert 'data-nav="servicing.loans"' in bank and 'data-nav="servicing.warnings"' in bank
    assert "逾期贷款" in bank and "未处理风险预警" in bank
    regulator = text(client(w, "regulator").get("/"))
    assert 'data-nav="servicing.npl"' in regulator and "不良率超出容忍度的银行" in regulator
    assert 'data-nav="servicing.warnings"' not in regulator
    appraiser = text(client(w, "appraiser").get("/"))
    assert 'data-nav="servicing.loans"' not in appraiser

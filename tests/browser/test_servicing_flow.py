"""End to end in Chromium: a bank's loan officer opens the loan book, opens a disbursed loan, posts the first
installment as a repayment, sees how it was allocated, reverses it with a reason; the regulator opens the NPL
tolerance view. No CSP violation and no console error on the way."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from ipfin.origination import actions
from ipfin.origination.tests.test_views_scenario import Scenario, build_scenario
from ipfin.servicing.models import Installment, Loan, Repayment
from tests.browser.conftest import BrowserPage
from tests.browser.test_dashboards import sign_in, sign_out

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RATE = Decimal("3.50")
DAYS_AGO = 45  # disbursed 45 days ago: the first monthly installment fell due about two weeks ago


@pytest.fixture
def sc(transactional_db, settings, tmp_path) -> Scenario:  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path / "media"
    from django.utils import timezone

    return build_scenario(timezone.localdate() - timedelta(days=DAYS_AGO))


def disbursed_loan(sc: Scenario) -> Loan:
    """An application of 300 万元 over 12 months (equal installments) taken to disbursement by the actions."""
    u, t = sc.users, sc.today
    application = actions.create_application(
        u["ent"], product_id=sc.product.pk, amount_fen=300_000_000, term_months=12,
        purpose="research_and_development", repayment_method="equal-installment",
        asset_ids=[a.pk for a in sc.bundle(0)], co_owner_consent=True, today=t)
    pk = application.pk
    actions.submit_application(u["ent"], pk, today=t)
    actions.mark_complete(u["officer"], pk, today=t)
    actions.start_review(u["officer"], pk, today=t)
    actions.approve_application(u["approver"], pk, annual_rate=RATE, today=t)
    actions.sign_contract(u["officer"], pk, signed_on=t, start_on=t)
    actions.on_pledge_registered(pk, registered_on=t, actor=u["clerk"])
    return actions.disburse(u["officer"], pk, disbursed_on=t)


def test_bank_posts_and_reverses_a_repayment_and_the_regulator_reads_the_npl_view(
        browser_page: BrowserPage, live_server, sc: Scenario) -> None:
    page = browser_page.page
    base = live_server.url
    loan = disbursed_loan(sc)
    first = Installment.objects.filter(loan=loan).order_by("schedule_version", "period").first()
    assert first is not None
    due_yuan = Decimal(first.principal_fen + first.interest_fen) / 100

    # The loan officer finds the loan in the loan book and opens it.
    sign_in(browser_page, base, sc.users["officer"].username)
    page.click("[data-nav='servicing.loans']")
    page.wait_for_selector("[data-testid=loan-book]")
    assert page.locator(f"[data-loan='{loan.number}']").count() == 1
    assert "贷款台账" in page.title()
    page.click(f"[data-testid=loan-book] a:text('{loan.number}')")
    page.wait_for_selector("[data-testid=loan-number]")
    assert page.locator("[data-testid=schedule] tbody tr[data-period]").count() == 12

    # Posts the first installment on its due date.
    page.fill("#id_amount_yuan", f"{due_yuan:.2f}")
    page.fill("#id_received_on", first.due_on.isoformat())
    page.select_option("#id_kind", "regular")
    page.click("[data-testid=post-repayment]")
    page.wait_for_selector("[data-testid=repayment][data-status=posted]")
    repayment = Repayment.objects.get(loan=loan)
    assert page.locator(".alert-success").count() == 1
    split = page.locator("[data-testid=allocation-split]").first.inner_text()
    assert f"{repayment.current_interest_fen / 100:,.2f}" in split
    assert f"{repayment.current_principal_fen / 100:,.2f}" in split
    assert page.locator("[data-testid=schedule] tr[data-period='1']").get_attribute("data-status") == "paid"

    # Reverses it: the reason is required (the browser refuses an empty one), then the reversal is shown.
    page.click("[data-testid=reverse]")
    assert Repayment.objects.get(pk=repayment.pk).status == "posted"
    page.fill("#id_reverse-reason", "入账账户有误")
    page.click("[data-testid=reverse]")
    page.wait_for_selector("[data-testid=repayment][data-status=reversed]")
    assert page.locator("[data-testid=reversal-reason]").inner_text() == "入账账户有误"
    assert page.locator("[data-testid=schedule] tr[data-period='1']").get_attribute("data-status") != "paid"
    assert browser_page.csp_violations() == []
    sign_out(browser_page, base)

    # The regulator opens the NPL tolerance view of its region.
    sign_in(browser_page, base, sc.users["supervisor"].username)
    page.click("[data-nav='servicing.npl']")
    page.wait_for_selector("[data-testid=npl-table]")
    table = page.locator("[data-testid=npl-table]").inner_text()
    assert sc.bank.name in table
    assert page.locator(f"[data-testid=npl-table] tr[data-bank='{sc.bank.pk}'] [data-monitor=pza]").count() == 1
    assert "XT-10" in page.locator("[data-testid=monitors]").inner_text()
    assert page.locator("[data-testid=npl-form]").count() == 0
    assert browser_page.csp_violations() == []
    assert browser_page.console_errors == []

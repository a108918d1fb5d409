"""End to end in Chromium: an enterprise applies, the bank's loan officer marks the file complete and starts
the review, the approver approves, the officer signs the contract and files the pledge registration, the IP
office registers it (both clocks met on its SLA overview) and the announcement appears on the public page.
No CSP violation on the way."""

from __future__ import annotations

from datetime import timedelta

import pytest

from ipfin.origination.choices import ApplicationStatus as S
from ipfin.origination.models import Application
from ipfin.origination.tests.test_views_scenario import Scenario, build_scenario
from tests.browser.conftest import BrowserPage
from tests.browser.test_dashboards import sign_in, sign_out

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def sc(transactional_db, settings, tmp_path) -> Scenario:  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path / "media"
    return build_scenario()


def _status(browser_page: BrowserPage) -> str:
    return browser_page.page.locator("[data-testid=application-status] [data-status]").get_attribute("data-status")


def _file_and_register(browser_page: BrowserPage, base: str, sc: Scenario, application: Application) -> None:
    """File the registration from the application page (the pledges app's filing page, contract chosen) and
    register it as the IP office's clerk on the registration's page."""
    page = browser_page.page
    page.click("[data-testid=file-pledge]")
    page.wait_for_url(f"{base}/pledges/file/?contract={application.contract.pk}")
    page.click("[data-testid=file-submit]")
    page.wait_for_selector("[data-testid=registration-number]")
    from ipfin.pledges.models import PledgeRegistration

    registration = PledgeRegistration.objects.get(contract=application.contract)
    sign_out(browser_page, base)
    sign_in(browser_page, base, sc.users["clerk"].username)
    page.goto(f"{base}/pledges/{registration.pk}/")
    page.click("[data-testid=register]")
    page.wait_for_load_state()
    registration.refresh_from_db()
    assert registration.registration_number and page.locator("[data-testid=registration-number]").inner_text() \
        == registration.registration_number


def test_enterprise_applies_bank_approves_pledge_is_registered_and_announced(
        browser_page: BrowserPage, live_server, sc: Scenario) -> None:
    page = browser_page.page
    base = live_server.url

    # The enterprise applies from its list of products on offer.
    sign_in(browser_page, base, sc.users["ent"].username)
    page.click("[data-nav='origination.applications']")
    page.click(f"[data-testid=products-on-offer] a[href='/origination/apply/{sc.product.pk}/']")
    page.fill("#id_amount_yuan", "3000000.00")
    page.fill("#id_term_months", "12")
    page.select_option("#id_purpose", "research_and_development")
    page.fill("#id_purpose_detail", "研发钒钛新材料")
    for asset in sc.bundle(0):
        page.check(f"[data-testid=asset-choices] input[value='{asset.pk}']")
    page.check("#id_co_owner_consent")
    page.click("[data-testid=application-save]")
    page.wait_for_selector("[data-testid=application-number]")
    application = Application.objects.get(enterprise=sc.enterprise)
    assert _status(browser_page) == S.DRAFT
    page.click("[data-testid=submit]")
    page.wait_for_selector(f"[data-testid=application-status] [data-status={S.SUBMITTED}]")
    sign_out(browser_page, base)

    # The loan officer finds it in the queue, marks the file complete and starts the review.
    sign_in(browser_page, base, sc.users["officer"].username)
    page.click("[data-nav='origination.queue']")
    page.click(f"[data-testid=queue] a:text('{application.number}')")
    page.click("[data-testid=complete]")
    page.wait_for_selector(f"[data-testid=application-status] [data-status={S.COMPLETE}]")
    assert page.locator("[data-testid=decision-clock] [data-sla]").count() == 1
    page.click("[data-testid=review]")
    page.wait_for_selector(f"[data-testid=application-status] [data-status={S.UNDER_REVIEW}]")
    sign_out(browser_page, base)

    # The approver sees the check list and approves at 3.5 %/yr.
    sign_in(browser_page, base, sc.users["approver"].username)
    page.goto(f"{base}/origination/applications/{application.pk}/")
    assert page.locator("[data-testid=checks] tr[data-outcome=failed]").count() == 0
    page.fill("#id_annual_rate", "3.50")
    page.click("[data-testid=approve]")
    page.wait_for_selector(f"[data-testid=application-status] [data-status={S.APPROVED}]")
    sign_out(browser_page, base)

    # The officer signs the contract (dates prefilled with today) and files the pledge registration.
    sign_in(browser_page, base, sc.users["officer"].username)
    page.goto(f"{base}/origination/applications/{application.pk}/")
    page.click("[data-testid=sign]")
    page.wait_for_selector(f"[data-testid=application-status] [data-status={S.CONTRACT_SIGNED}]")
    page.click("[data-testid=contract-link]")
    assert page.locator("[data-testid=principal]").inner_text() == "300.00万元"
    page.go_back()
    application.refresh_from_db()
    _file_and_register(browser_page, base, sc, application)
    application.refresh_from_db()
    assert application.status == S.PLEDGE_REGISTERED

    # The IP office's SLA overview: the decision and the registration both met their clocks.
    assert page.locator("[data-nav='origination.sla']").count() == 1
    # A period around today: the default (this month) may end before a clock started late in the month is due.
    page.goto(f"{base}/origination/sla/?from={sc.today.replace(day=1)}&to={sc.today + timedelta(days=40)}")
    page.wait_for_selector("#sla-chart[data-echarts-finished=true] canvas")
    decisions = page.locator(f"[data-testid=decision-sla] tr[data-bank='{sc.bank.name}'] [data-compliance]")
    assert decisions.get_attribute("data-compliance") == "100"
    registrations = page.locator(f"[data-testid=registration-sla] tr[data-bank='{sc.bank.name}'] [data-compliance]")
    assert registrations.get_attribute("data-compliance") == "100"

    # The announcement is public.
    sign_out(browser_page, base)
    page.goto(f"{base}/public/pledges/?number={sc.assets[0].number}")
    assert sc.assets[0].number in page.content()
    assert sc.enterprise.organisation.name in page.content()
    assert browser_page.csp_violations() == []
    assert browser_page.console_errors == []


def test_enterprise_withdraws_a_signed_application_and_its_filing_closes(
        browser_page: BrowserPage, live_server, sc: Scenario) -> None:
    """Withdrawing a contract-signed application closes the open pledge filing with it: the IP office's page
    shows the filing withdrawn (已撤回, not 已下架) with nothing left to register or refuse."""
    from decimal import Decimal

    from ipfin.origination import actions
    from ipfin.pledges import actions as pledges

    page = browser_page.page
    base = live_server.url
    application = actions.create_application(
        sc.users["ent"], product_id=sc.product.pk, amount_fen=300_000_000, term_months=12,
        purpose="research_and_development", repayment_method="equal-installment",
        asset_ids=[a.pk for a in sc.bundle(0)], co_owner_consent=True, today=sc.today)
    u, t, pk = sc.users, sc.today, application.pk
    actions.submit_application(u["ent"], pk, today=t)
    actions.mark_complete(u["officer"], pk, today=t)
    actions.start_review(u["approver"], pk, today=t)  # an approver may start the review too
    actions.approve_application(u["approver"], pk, annual_rate=Decimal("3.50"), today=t)
    contract = actions.sign_contract(u["officer"], pk, signed_on=t, start_on=t)
    filing = pledges.file_registration(u["officer"], contract.pk, today=t)

    sign_in(browser_page, base, u["ent"].username)
    page.goto(f"{base}/origination/applications/{pk}/")
    page.fill("#withdraw-reason", "企业资金需求变化")
    page.click("[data-testid=withdraw]")
    page.wait_for_selector(f"[data-testid=application-status] [data-status={S.WITHDRAWN}]")
    assert page.locator("[data-testid=application-status]").inner_text().strip() == "已撤回"
    sign_out(browser_page, base)

    sign_in(browser_page, base, u["clerk"].username)
    page.goto(f"{base}/pledges/{filing.pk}/")
    assert page.locator("h1 [data-status=withdrawn]").inner_text() == "已撤回"
    assert page.locator("[data-testid=register]").count() == 0 and page.locator("[data-testid=reject]").count() == 0
    assert browser_page.csp_violations() == []

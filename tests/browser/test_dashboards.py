"""End to end in Chromium: every role signs in and sees its workbench in Chinese; English switch;
no CSP violation; the ECharts chart is drawn; htmx search; sign-out."""

from __future__ import annotations

import re

import pytest

from ipfin.accounts.choices import Role
from ipfin.accounts.models import AuditEvent, Organisation
from ipfin.core.scoping import visible
from ipfin.web.tests.people import CHINESE_TITLES, PASSWORD, People, make_people
from tests.browser.conftest import BrowserPage

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOT = "/tmp/ipfin-dashboard.png"
CHINESE_NAV = ["工作台", "机构", "审计日志", "API 文档", "帮助"]


@pytest.fixture
def people(transactional_db) -> People:
    return make_people()


def sign_in(browser_page: BrowserPage, base_url: str, username: str) -> None:
    page = browser_page.page
    page.goto(f"{base_url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("[data-testid=login-submit]")
    page.wait_for_url(f"{base_url}/")


def sign_out(browser_page: BrowserPage, base_url: str) -> None:
    page = browser_page.page
    page.click("[data-testid=user-menu]")
    page.click("[data-testid=logout]")
    page.wait_for_url(f"{base_url}/login/")


def test_every_role_signs_in_and_sees_its_workbench_in_chinese(browser_page: BrowserPage, live_server, people):
    page = browser_page.page
    for role in Role.values:
        user = people.users[role]
        sign_in(browser_page, live_server.url, user.username)
        assert page.locator("[data-testid=dashboard-title]").inner_text() == CHINESE_TITLES[role], role
        nav = page.locator("[data-testid=main-nav] .nav-link").all_inner_texts()
        # The foundation entries, in order; later apps insert their own pages between them.
        assert [item for item in nav if item in CHINESE_NAV] == CHINESE_NAV, (role, nav)
        assert ("管理后台" in nav) == (role == Role.PLATFORM_ADMIN), (role, nav)
        organisations = int(page.locator("[data-card='accounts.organisations']").inner_text())
        assert organisations == visible(user, Organisation).count(), role
        audit_events = int(page.locator("[data-card='accounts.audit_events']").inner_text())
        assert audit_events == visible(user, AuditEvent).count(), role
        assert user.display_name in page.locator("[data-testid=user-menu]").inner_text()
        sign_out(browser_page, live_server.url)
        assert page.locator("[data-testid=login-submit]").inner_text() == "登录"
    assert browser_page.console_errors == []


def test_switch_to_english(browser_page: BrowserPage, live_server, people):
    page = browser_page.page
    sign_in(browser_page, live_server.url, people.users[Role.APPROVER].username)
    page.click("[data-testid=language-switch] button[value=en]")
    page.wait_for_selector("html[lang=en]")
    assert page.locator("[data-testid=dashboard-title]").inner_text() == "Bank workbench"
    nav = page.locator("[data-testid=main-nav] .nav-link").all_inner_texts()
    english_nav = ["Workbench", "Organisations", "Audit log", "API docs", "Help"]
    assert [item for item in nav if item in english_nav] == english_nav
    page.click("[data-nav=help]")
    assert page.locator("[data-testid=help-content] h1").inner_text() == "Help: Banks"


def test_dashboard_has_no_csp_violation_and_draws_the_chart(browser_page: BrowserPage, live_server, people):
    page = browser_page.page
    sign_in(browser_page, live_server.url, people.users[Role.PLATFORM_ADMIN].username)
    page.wait_for_selector("#org-kind-chart[data-echarts-finished=true] canvas")
    # The chart has painted: some pixel of the canvas is not transparent.
    page.wait_for_function(
        """() => {
            const c = document.querySelector('#org-kind-chart canvas');
            const data = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
            for (let i = 3; i < data.length; i += 4) { if (data[i] !== 0) return true; }
            return false;
        }"""
    )
    assert page.evaluate("typeof window.htmx") == "object"
    assert page.evaluate("typeof window.bootstrap") == "object"
    page.screenshot(path=SCREENSHOT, full_page=True)
    assert browser_page.csp_violations() == []
    assert browser_page.console_errors == []


def test_organisation_search_as_you_type(browser_page: BrowserPage, live_server, people):
    page = browser_page.page
    sign_in(browser_page, live_server.url, people.users[Role.CLERK].username)
    page.click("[data-nav=organisations]")
    page.wait_for_url(re.compile(r".*/organisations/$"))
    page.fill("[data-testid=organisation-search]", "担保")
    page.wait_for_url(re.compile(r".*/organisations/\?q=.*"))  # htmx pushed the search into the URL
    rows = page.locator("[data-testid=organisation-rows] tr")
    rows.first.wait_for()
    page.wait_for_function("document.querySelectorAll('[data-testid=organisation-rows] tr').length === 1")
    assert "包头融资担保有限公司" in rows.first.inner_text()
    assert browser_page.csp_violations() == []

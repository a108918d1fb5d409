"""End to end in Chromium: an enterprise finds its own patent in the registry, opens it, and sees the
legal-status timeline; another enterprise's patent is not listed."""

from __future__ import annotations

import pytest

from ipfin.accounts.choices import Role
from ipfin.registry.tests.factories import make_enterprise, make_patent
from ipfin.web.tests.people import People, make_people
from tests.browser.conftest import BrowserPage
from tests.browser.test_dashboards import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def people(transactional_db) -> People:
    return make_people()


def test_enterprise_sees_its_patents_and_only_its_own(browser_page: BrowserPage, live_server, people) -> None:
    own = make_patent(make_enterprise(people.organisations["enterprise"]), title="一种钒钛磁铁矿的选矿方法")
    other = make_patent(make_enterprise(people.other_enterprise), title="一种稀土抛光粉")
    page = browser_page.page
    sign_in(browser_page, live_server.url, people.users[Role.ENTERPRISE_ADMIN].username)
    page.click("[data-testid=main-nav] .nav-link:has-text('知识产权')")
    page.wait_for_url(f"{live_server.url}/registry/assets/**")
    listing = page.locator("main").inner_text()
    assert own.number in listing and "一种钒钛磁铁矿的选矿方法" in listing
    assert other.number not in listing
    page.click(f"text={own.number}")
    page.wait_for_url(f"{live_server.url}/registry/assets/{own.pk}/")
    detail = page.locator("main").inner_text()
    assert "一种钒钛磁铁矿的选矿方法" in detail and "授权" in detail
    assert browser_page.console_errors == [] and browser_page.csp_violations() == []
    assert page.goto(f"{live_server.url}/registry/assets/{other.pk}/").status == 404

"""End to end in Chromium (issue 7): a covered loan passes 60 days past due in close of business → the bank's loan
officer files a compensation claim from the loan's ``claim_eligible`` warning → the fund manager verifies it with
the checklist → the leadership group approves → the fund manager pays → the payout is in the fund's ledger and
the bank, whose ratio crossed 3 % (BT-13a), sees its warning. No CSP violation and no console error.

The fund runs the Baotou rules (baotou-2021, in force 2021–2022), so the pages' clock is set into 2022 with
``timezone.localdate`` (the live server runs in this process)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from ipfin.fund.choices import ClaimState
from ipfin.fund.models import Claim, Cooperation, JournalEntry
from ipfin.fund.tests.test_claims import D0, Bt, make_bt
from ipfin.origination.tests.factories import valued_patent
from ipfin.servicing.cob import run_cob
from ipfin.servicing.models import Installment, Loan, RiskWarning
from ipfin.servicing.tests.factories import make_disbursed_loan
from tests.browser.conftest import BrowserPage
from tests.browser.test_dashboards import sign_out

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SMALL_FEN = 100_000_000  # the claimed loan: 1,000,000 CNY → 300,000 CNY compensation (BT-12a: 30 %)


def sign_in(browser_page: BrowserPage, base_url: str, username: str) -> None:
    page = browser_page.page
    page.goto(f"{base_url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "x")  # the origination factories' test password
    page.click("[data-testid=login-submit]")
    page.wait_for_url(f"{base_url}/")


def _loan(bt: Bt, amount_fen: int | None = None) -> Loan:
    draft: dict[str, Any] = {}
    if amount_fen is not None:
        draft = {"amount_fen": amount_fen,
                 "asset_ids": [valued_patent(bt.setup.enterprise, as_of=D0, value_fen=amount_fen, year=2015 + i).pk
                               for i in range(2)]}
    return make_disbursed_loan(bt.setup, today=D0, with_pledge=False, fund_id=bt.fund.pk, **draft).loan


def test_claim_from_cob_to_payout_and_the_bank_warning(browser_page: BrowserPage, live_server, monkeypatch,
                                                       transactional_db) -> None:  # type: ignore[no-untyped-def]
    bt = make_bt()
    bt.fund_cash()
    claimed = _loan(bt, SMALL_FEN)
    _loan(bt), _loan(bt)  # two more loans of 3,000,000 CNY: 7,000,000 issued, 300,000 paid = 4.29 % (3 % ≤ r < 5 %)
    first_due = Installment.objects.filter(loan=claimed).order_by("due_on").values_list("due_on", flat=True)[0]
    day_59 = first_due + timedelta(days=59)
    run_cob(day_59)
    assert not RiskWarning.objects.filter(loan=claimed, kind="claim_eligible").exists()
    day_60 = day_59 + timedelta(days=1)
    run_cob(day_60)
    claimed.refresh_from_db()
    assert claimed.days_past_due == 60
    assert RiskWarning.objects.filter(loan=claimed, kind="claim_eligible").exclude(status="closed").exists()
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: day_60)

    page, base = browser_page.page, live_server.url
    # The bank files from the loan's warning.
    sign_in(browser_page, base, bt.officer.username)
    page.goto(f"{base}/fund/claims/")
    page.click(f"[data-testid=eligible-loans] tr[data-loan='{claimed.number}'] a")
    page.wait_for_selector("[data-testid=file-claim-form]")
    page.click("[data-testid=file-claim]")
    page.wait_for_selector("[data-testid=claim-state][data-state=filed]")
    claim = Claim.objects.get(loan=claimed)
    assert "¥300,000.00" in page.locator("[data-testid=claim-amount]").inner_text()
    sign_out(browser_page, base)

    # The fund manager verifies with the whole checklist.
    sign_in(browser_page, base, bt.manager.username)
    page.goto(f"{base}/fund/claims/{claim.pk}/")
    for box in page.locator("[data-testid=verify-form] input[name=checked]").all():
        box.check()
    page.check("[data-testid=verify-form] input[name=decision][value=verify]")
    page.click("[data-testid=verify]")
    page.wait_for_selector("[data-testid=claim-state][data-state=verified]")
    sign_out(browser_page, base)

    # The leadership group approves.
    sign_in(browser_page, base, bt.leader.username)
    page.goto(f"{base}/fund/claims/{claim.pk}/")
    page.click("[data-testid=approve]")
    page.wait_for_selector("[data-testid=claim-state][data-state=approved]")
    sign_out(browser_page, base)

    # The fund manager pays; the payout is in the ledger, the bank in the warning band with its notice.
    sign_in(browser_page, base, bt.manager.username)
    page.goto(f"{base}/fund/claims/{claim.pk}/")
    page.click("[data-testid=pay]")
    page.wait_for_selector("[data-testid=claim-state][data-state=paid]")
    assert Claim.objects.get(pk=claim.pk).state == ClaimState.PAID
    assert JournalEntry.objects.filter(fund=bt.fund, kind="payout", reference=claim.number).exists()
    page.goto(f"{base}/fund/{bt.fund.code}/")
    page.wait_for_selector("[data-testid=ledger] tr[data-kind=payout]")
    assert page.locator("[data-testid=bank-ratios] tr[data-band=warning]").count() == 1
    assert "4.29%" in page.locator("[data-testid=bank-ratios]").inner_text()
    assert page.locator("[data-testid=notices] [data-notice=warning]").count() == 1
    assert browser_page.csp_violations() == []
    sign_out(browser_page, base)

    # The bank sees its warning.
    assert Cooperation.objects.get(fund=bt.fund, institution=bt.setup.bank).status == "warned"
    sign_in(browser_page, base, bt.officer.username)
    page.goto(f"{base}/fund/")
    assert "已预警" in page.locator(f"[data-fund='{bt.fund.code}'] [data-testid=cooperations]").inner_text()
    assert browser_page.csp_violations() == []
    assert browser_page.console_errors == []

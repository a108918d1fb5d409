"""Fund pages per role: the dashboard (figures, bands, notices, ledger, simulation, report downloads) and the
claim workflow through the pages — bank files from a loan with a ``claim_eligible`` warning, the fund manager
verifies with the checklist, the leadership group approves, the fund manager pays — with the actions' role
checks shown as alerts. Loans are real (``make_bt`` of the claims tests: origination into a Baotou fund in 2022);
the clock of the pages is set to the filing date with ``timezone.localdate`` (actions take their dates from it)."""

from __future__ import annotations

from io import BytesIO
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from ipfin.accounts.choices import Role
from ipfin.fund import actions
from ipfin.fund.choices import ClaimState
from ipfin.fund.forms import CHECKLIST_LABELS
from ipfin.fund.models import Claim, JournalEntry
from ipfin.fund.tests.test_claims import FILED, Bt, make_bt
from ipfin.origination.tests.factories import user
from ipfin.servicing.models import RiskWarning

pytestmark = pytest.mark.django_db
ON = FILED.isoformat()


@pytest.fixture
def bt() -> Bt:
    return make_bt()


@pytest.fixture
def today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: FILED)


def client(u: Any) -> Client:
    c = Client()
    c.force_login(u)
    return c


def test_dashboard_per_role(bt: Bt) -> None:
    bt.fund_cash(1_000_000_000)
    url = f"/fund/{bt.fund.code}/?on={ON}"
    setup = bt.setup
    for reader in (bt.manager, bt.leader, setup.users["clerk"]):
        response = client(reader).get(url)
        assert response.status_code == 200, reader
        assert "¥10,000,000.00" in response.content.decode() and "资金余额" in response.content.decode()
    for outsider in (setup.users["officer"], setup.users["ent"], setup.users["guarantor"]):
        assert client(outsider).get(url).status_code == 404
    assert Client().get(url).status_code == 302  # sign in first
    assert client(bt.manager).get(f"/fund/nope/?on={ON}").status_code == 404
    listing = client(bt.manager).get("/fund/").content.decode()
    assert f'href="/fund/{bt.fund.code}/"' in listing


def test_dashboard_shows_bands_ledger_and_simulation(bt: Bt) -> None:
    bt.fund_cash(1_000_000_000)
    bt.loan(days_past_due=10)
    page = client(bt.manager).get(f"/fund/{bt.fund.code}/?on={ON}").content.decode()
    assert "3.00%" in page and "5.00%" in page  # BT-13a/b from the profile
    assert 'data-kind="contribution"' in page and 'data-band="below"' in page
    assert 'data-testid="simulation-result"' not in page
    sim = client(bt.manager).get(f"/fund/{bt.fund.code}/", {"on": ON, "default_rate": "0.5", "recovery_rate": "0.2",
                                                              "years": "2", "runs": "100", "seed": "1"})
    body = sim.content.decode()
    assert sim.status_code == 200 and 'data-testid="simulation-result"' in body
    assert 'id="sim-payouts"' in body and 'id="sim-warning"' in body and "echarts.min.js" in body
    assert "<script>" not in body.replace('<script type="application/json"', "")  # CSP: no inline scripts
    bad = client(bt.manager).get(f"/fund/{bt.fund.code}/", {"on": ON, "default_rate": "1.5", "recovery_rate": "0.2",
                                                              "years": "2", "runs": "100", "seed": "1"})
    assert bad.status_code == 200 and 'data-testid="simulation-result"' not in bad.content.decode()
    assert "is-invalid" in bad.content.decode()
    # a business date on which the fund's profile sets no BT-13 ratios: the page still shows the figures, and
    # the simulation says which number is missing (never a default)
    lapsed = client(bt.manager).get(f"/fund/{bt.fund.code}/", {"on": "2026-01-05", "default_rate": "0.5",
                                                                 "recovery_rate": "0.2", "years": "2", "runs": "10",
                                                                 "seed": "1"})
    assert lapsed.status_code == 400 and "warning_ratio" in lapsed.content.decode()
    assert 'data-testid="balance"' in lapsed.content.decode()


def test_reports_download_per_role(bt: Bt) -> None:
    bt.fund_cash(1_000_000_000)
    base = f"/fund/{bt.fund.code}/report"
    xlsx = client(bt.manager).get(f"{base}.xlsx", {"kind": "quarterly", "year": "2022", "quarter": "2"})
    assert xlsx.status_code == 200 and xlsx["Content-Disposition"].endswith('.xlsx"')
    cells = [c for row in load_workbook(BytesIO(xlsx.content)).active.iter_rows(values_only=True) for c in row]
    assert "出资到账" in cells and 10_000_000 in cells  # the contribution of 2022-06-01, in yuan
    pdf = client(bt.leader).get(f"{base}.pdf", {"kind": "annual", "year": "2022"})
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-") and b"10,000,000.00" in pdf.content
    assert client(bt.officer).get(f"{base}.pdf", {"kind": "annual", "year": "2022"}).status_code == 404
    assert client(bt.manager).get(f"{base}.pdf", {"kind": "quarterly", "year": "2022"}).status_code == 400


def test_claim_workflow_through_the_pages(bt: Bt, today: None) -> None:
    bt.fund_cash()
    loan = bt.loan(days_past_due=60)
    RiskWarning.objects.create(loan=loan, kind="claim_eligible", severity="critical", raised_on=FILED,
                               clause="BT-15")
    bank = client(bt.officer)
    listing = bank.get("/fund/claims/").content.decode()
    assert f'data-loan="{loan.number}"' in listing and f"/fund/loans/{loan.pk}/claim/" in listing
    assert "BT-15" in bank.get(f"/fund/loans/{loan.pk}/claim/").content.decode()

    refused = client(bt.manager).post(f"/fund/loans/{loan.pk}/claim/", {})
    assert refused.status_code == 403 and 'data-testid="error"' in refused.content.decode()  # only the bank files
    second_bank = bt.setup.users["officer2"].organisation
    assert second_bank is not None
    other_bank = user(second_bank, Role.LOAN_OFFICER)
    assert client(other_bank).post(f"/fund/loans/{loan.pk}/claim/", {}).status_code == 404

    filed = bank.post(f"/fund/loans/{loan.pk}/claim/", {})
    claim = Claim.objects.get(loan=loan)
    assert filed.status_code == 302 and filed["Location"] == f"/fund/claims/{claim.pk}/"
    again = bank.post(f"/fund/loans/{loan.pk}/claim/", {})
    assert again.status_code in (400, 409) and 'data-testid="error"' in again.content.decode()

    page = client(bt.manager).get(f"/fund/claims/{claim.pk}/").content.decode()
    assert 'data-testid="verify-form"' in page and "¥900,000.00" in page
    assert 'data-testid="verify-form"' not in bank.get(f"/fund/claims/{claim.pk}/").content.decode()
    incomplete = client(bt.manager).post(f"/fund/claims/{claim.pk}/verify/",
                                         {"checked": ["loan_covered"], "decision": "verify"})
    assert incomplete.status_code == 400
    claim.refresh_from_db()
    assert claim.state == ClaimState.FILED
    by_bank = bank.post(f"/fund/claims/{claim.pk}/verify/", {"checked": [k.value for k in CHECKLIST_LABELS],
                                                             "decision": "verify"})
    assert by_bank.status_code == 403 and 'data-testid="error"' in by_bank.content.decode()
    verified = client(bt.manager).post(f"/fund/claims/{claim.pk}/verify/",
                                       {"checked": [k.value for k in CHECKLIST_LABELS], "decision": "verify"})
    assert verified.status_code == 302
    claim.refresh_from_db()
    assert claim.state == ClaimState.VERIFIED

    assert client(bt.manager).post(f"/fund/claims/{claim.pk}/approve/").status_code == 403
    assert 'data-testid="approve-form"' in client(bt.leader).get(f"/fund/claims/{claim.pk}/").content.decode()
    assert client(bt.leader).post(f"/fund/claims/{claim.pk}/approve/").status_code == 302
    assert client(bt.leader).post(f"/fund/claims/{claim.pk}/pay/").status_code == 403
    assert client(bt.manager).post(f"/fund/claims/{claim.pk}/pay/").status_code == 302
    claim.refresh_from_db()
    assert claim.state == ClaimState.PAID and claim.paid_on == FILED
    assert JournalEntry.objects.filter(fund=bt.fund, kind="payout", reference=claim.number).exists()

    dashboard = client(bt.manager).get(f"/fund/{bt.fund.code}/").content.decode()
    assert 'data-kind="payout"' in dashboard
    # 900,000 paid on 3,000,000 issued: 30 % ≥ 5 % → the suspension band and its notice (BT-13b)
    assert 'data-band="suspension"' in dashboard and 'data-notice="suspension"' in dashboard
    assert client(bt.manager).post(f"/fund/claims/{claim.pk}/pay/").status_code == 409  # paid once
    report = client(bt.manager).get(f"/fund/{bt.fund.code}/report.xlsx", {"kind": "quarterly", "year": "2022",
                                                                           "quarter": "3"})
    cells = [c for row in load_workbook(BytesIO(report.content)).active.iter_rows(values_only=True) for c in row]
    assert "本期补偿拨付" in cells and claim.number in cells and 900_000 in cells and -900_000 in cells
    assert bt.setup.bank.name in cells


def test_rejection_needs_a_reason(bt: Bt, today: None) -> None:
    claim = actions.file_claim(bt.officer, bt.loan(days_past_due=61).pk, on=FILED)
    manager = client(bt.manager)
    assert manager.post(f"/fund/claims/{claim.pk}/verify/", {"decision": "reject"}).status_code == 400
    assert manager.post(f"/fund/claims/{claim.pk}/verify/", {"decision": "reject", "note": "材料不全"}).status_code \
        == 302
    claim.refresh_from_db()
    assert claim.state == ClaimState.REJECTED and claim.verification_note == "材料不全"

"""Fund pages for the later steps of a claim and the fund's control, per role: the bank withdraws a claim with
its reason (BT-15) and records recoveries after the payout (yuan typed, exact fen), the fund officer marks a
recovery share received (BT-16), the leadership group lifts a suspension with its decision (BT-13b), and the
dashboard lists overdue recovery shares and reconciles the dedicated accounts (BT-9). Errors of the actions
(role, state) come back as alerts with their HTTP status."""

from __future__ import annotations

from datetime import date

import pytest

from ipfin.fund import actions
from ipfin.fund.choices import ClaimState
from ipfin.fund.models import Claim, Cooperation, RecoveryShare
from ipfin.fund.tests.test_claims import FILED, Bt
from ipfin.fund.tests.test_views import ON, bt, client, today  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db


def test_bank_withdraws_a_filed_claim_with_a_reason(bt: Bt, today: None) -> None:  # noqa: F811
    claim = actions.file_claim(bt.officer, bt.loan(days_past_due=61).pk, on=FILED)
    url = f"/fund/claims/{claim.pk}/"
    bank, manager = client(bt.officer), client(bt.manager)
    assert 'data-testid="withdraw-form"' in bank.get(url).content.decode()
    assert 'data-testid="withdraw-form"' not in manager.get(url).content.decode()
    empty = bank.post(f"{url}withdraw/", {"reason": "  "})
    assert empty.status_code == 400 and "is-invalid" in empty.content.decode()
    refused = manager.post(f"{url}withdraw/", {"reason": "不是我的"})
    assert refused.status_code == 403 and 'data-testid="error"' in refused.content.decode()
    done = bank.post(f"{url}withdraw/", {"reason": "资料不全，补充后重报"})
    assert done.status_code == 302 and done["Location"] == url
    claim.refresh_from_db()
    assert claim.state == ClaimState.WITHDRAWN and claim.withdrawn_reason == "资料不全，补充后重报"
    page = bank.get(url).content.decode()
    assert "资料不全，补充后重报" in page and 'data-testid="withdraw-form"' not in page and "撤回" in page
    again = bank.post(f"{url}withdraw/", {"reason": "再撤"})
    assert again.status_code == 409 and 'data-testid="error"' in again.content.decode()


def test_recovery_recorded_by_the_bank_and_received_by_the_fund_officer(bt: Bt, today: None) -> None:  # noqa: F811
    bt.fund_cash()
    claim = bt.paid(bt.loan())
    url = f"/fund/claims/{claim.pk}/"
    bank, manager = client(bt.officer), client(bt.manager)
    assert 'data-testid="recovery-form"' in bank.get(url).content.decode()
    assert 'data-testid="recovery-form"' not in manager.get(url).content.decode()
    assert 'data-testid="withdraw-form"' not in bank.get(url).content.decode()  # paid: too late to withdraw

    assert bank.post(f"{url}recovery/", {"recovered_yuan": "1.001"}).status_code == 400  # below a fen
    assert bank.post(f"{url}recovery/", {"recovered_yuan": "0"}).status_code == 400
    refused = manager.post(f"{url}recovery/", {"recovered_yuan": "100000.01"})
    assert refused.status_code == 403 and 'data-testid="error"' in refused.content.decode()
    assert not RecoveryShare.objects.exists()
    recorded = bank.post(f"{url}recovery/", {"recovered_yuan": "100000.01"})
    assert recorded.status_code == 302 and recorded["Location"] == url
    share = RecoveryShare.objects.get(claim=claim)
    assert (share.recovered_fen, share.share_fen) == (10_000_001, 3_000_000)  # exact fen; 30 % HALF_UP
    bank_page = bank.get(url).content.decode()
    assert f'data-share="{share.pk}"' in bank_page and "¥30,000.00" in bank_page
    assert 'data-testid="receive"' not in bank_page
    assert 'data-testid="receive"' in manager.get(url).content.decode()

    by_bank = bank.post(f"/fund/recoveries/{share.pk}/receive/")
    assert by_bank.status_code == 403 and 'data-testid="error"' in by_bank.content.decode()
    outsider = client(bt.setup.users["ent"])
    assert outsider.post(f"/fund/recoveries/{share.pk}/receive/").status_code == 404
    received = manager.post(f"/fund/recoveries/{share.pk}/receive/")
    assert received.status_code == 302 and received["Location"] == url
    share.refresh_from_db()
    assert share.received_on == FILED
    twice = manager.post(f"/fund/recoveries/{share.pk}/receive/")
    assert twice.status_code == 409 and 'data-testid="error"' in twice.content.decode()


def test_dashboard_lists_overdue_recovery_shares(bt: Bt) -> None:  # noqa: F811
    bt.fund_cash()
    claim = bt.paid(bt.loan())
    share = actions.record_recovery(bt.officer, claim.pk, recovered_fen=10_000_000, on=FILED)
    assert share.due_on is not None
    dashboard = f"/fund/{bt.fund.code}/"
    on_due = client(bt.manager).get(dashboard, {"on": share.due_on.isoformat()}).content.decode()
    assert f'data-share="{share.pk}"' not in on_due  # due today is not overdue yet
    late = date.fromordinal(share.due_on.toordinal() + 3).isoformat()
    for reader in (bt.manager, bt.leader):
        page = client(reader).get(dashboard, {"on": late}).content.decode()
        assert f'data-share="{share.pk}"' in page and claim.number in page and "¥30,000.00" in page
    actions.receive_recovery_share(bt.manager, share.pk, on=FILED)
    assert f'data-share="{share.pk}"' not in client(bt.manager).get(dashboard, {"on": late}).content.decode()


def test_leader_lifts_a_suspension_with_a_decision(bt: Bt, today: None) -> None:  # noqa: F811
    bt.fund_cash()
    bt.paid(bt.loan(outstanding_fen=50_000_000))  # 5 %: suspended (BT-13b)
    cooperation = Cooperation.objects.get(fund=bt.fund, institution=bt.setup.bank)
    assert cooperation.status == "suspended"
    dashboard = f"/fund/{bt.fund.code}/"
    leader, manager = client(bt.leader), client(bt.manager)
    assert f'data-cooperation="{cooperation.pk}"' in leader.get(dashboard).content.decode()
    assert 'data-testid="lift-form"' not in manager.get(dashboard).content.decode()
    url = f"/fund/cooperations/{cooperation.pk}/lift/"
    field = f"lift-{cooperation.pk}-decision"
    empty = leader.post(url, {field: " "})
    assert empty.status_code == 400 and "is-invalid" in empty.content.decode()
    refused = manager.post(url, {field: "恢复"})
    assert refused.status_code == 403 and 'data-testid="error"' in refused.content.decode()
    assert client(bt.officer).post(url, {field: "恢复"}).status_code == 403  # the bank itself: error page
    assert client(bt.setup.users["ent"]).post(url, {field: "恢复"}).status_code == 404
    cooperation.refresh_from_db()
    assert cooperation.status == "suspended"
    lifted = leader.post(url, {field: "领导小组2022年第3次会议：整改到位，恢复合作"})
    assert lifted.status_code == 302 and lifted["Location"] == dashboard
    cooperation.refresh_from_db()
    assert cooperation.status == "warned"  # still at or above the warning band
    page = leader.get(dashboard).content.decode()
    assert 'data-notice="lift"' in page and "整改到位" in page and 'data-testid="lift-form"' not in page
    assert leader.post(url, {field: "再次"}).status_code == 409


def test_reconciliation_table_per_dedicated_account(bt: Bt) -> None:  # noqa: F811
    bt.fund_cash(1_000_000_000)
    dashboard = f"/fund/{bt.fund.code}/"
    page = client(bt.manager).get(dashboard, {"on": ON}).content.decode()
    assert 'data-testid="reconciliation"' in page and 'data-account="main"' in page
    assert "¥10,000,000.00" in page and "无对账单" in page
    same = client(bt.manager).get(dashboard, {"on": ON, "statement-main": "10000000.00"}).content.decode()
    assert 'data-account="main" data-reconciled="1"' in same and "已对平" in same
    short = client(bt.leader).get(dashboard, {"on": ON, "statement-main": "9999999.99"}).content.decode()
    assert 'data-account="main" data-reconciled="0"' in short and "-¥0.01" in short
    bad = client(bt.manager).get(dashboard, {"on": ON, "statement-main": "1.234"})
    assert bad.status_code == 200 and 'data-testid="statement-error"' in bad.content.decode()
    assert client(bt.officer).get(dashboard, {"on": ON}).status_code == 404  # banks do not read the ledger


def test_claim_page_state_after_withdrawal_allows_refiling(bt: Bt, today: None) -> None:  # noqa: F811
    loan = bt.loan(days_past_due=61)
    claim = actions.file_claim(bt.officer, loan.pk, on=FILED)
    client(bt.officer).post(f"/fund/claims/{claim.pk}/withdraw/", {"reason": "重报"})
    refiled = client(bt.officer).post(f"/fund/loans/{loan.pk}/claim/", {})
    assert refiled.status_code == 302
    assert Claim.objects.filter(loan=loan).count() == 2

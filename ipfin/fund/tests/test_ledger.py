"""The fund's journal in the database: contributions, the BT-8.7 fee cap at its boundary, reversals (once, never
overdrawing), entries that only change with their claim, the journal replaying balanced, and the API."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ipfin.domain.errors import IpfinError, PermissionDenied
from ipfin.domain.fund.errors import AlreadyReversed, InsufficientBalance, ManagementFeeCapExceeded
from ipfin.fund import actions, ledger, selectors
from ipfin.fund.models import Fund, JournalEntry, JournalLine
from ipfin.fund.tests.test_claims import FILED, Bt, make_bt

CAP = 15_000_000  # BT-8.7: 1.5 % × 10,000,000 CNY = 150,000 CNY per fund year (baotou-2021)


@pytest.fixture
def bt(db: Any) -> Bt:
    return make_bt()


def test_contribution_credits_the_contributor_and_fills_the_account(bt: Bt) -> None:
    bt.fund_cash(50_000_000)
    entry = JournalEntry.objects.get(fund=bt.fund)
    assert (entry.number, entry.kind, entry.clause) == (1, "contribution", "BT-3")
    lines = {line.account: (line.debit_fen, line.credit_fen) for line in entry.lines.all()}
    assert lines == {"cash:main": (50_000_000, 0), f"contributions:{bt.contributor.pk}": (0, 50_000_000)}
    assert selectors.fund_balance_fen(bt.fund) == 50_000_000
    with pytest.raises(PermissionDenied):  # the bank does not book the fund's ledger
        actions.record_contribution(bt.officer, bt.fund.pk, contributor_id=bt.contributor.pk, amount_fen=1,
                                    on=FILED)


def test_management_fee_cap_allows_the_cap_and_refuses_one_fen_more(bt: Bt) -> None:
    bt.fund_cash(100_000_000)
    actions.post_management_fee(bt.manager, bt.fund.pk, amount_fen=CAP - 1, on=date(2022, 3, 1))
    actions.post_management_fee(bt.manager, bt.fund.pk, amount_fen=1, on=date(2022, 12, 31))  # the cap itself
    with pytest.raises(ManagementFeeCapExceeded):
        actions.post_management_fee(bt.manager, bt.fund.pk, amount_fen=1, on=date(2022, 12, 31))
    assert ledger.fee_used_fen(bt.fund, date(2022, 6, 1)) == CAP
    # The fund opened on 1 January 2021: 2021 is another fund year with its own cap.
    actions.post_management_fee(bt.manager, bt.fund.pk, amount_fen=CAP, on=date(2021, 12, 31))


def test_a_reversed_fee_frees_its_year_and_an_entry_is_reversed_once(bt: Bt) -> None:
    bt.fund_cash(100_000_000)
    fee = actions.post_management_fee(bt.manager, bt.fund.pk, amount_fen=CAP, on=date(2022, 3, 1))
    reversal = actions.reverse_entry(bt.manager, fee.pk, reason="重复计提", on=date(2022, 4, 1))
    assert reversal.reverses_id == fee.pk and reversal.kind == "reversal"
    assert ledger.fee_used_fen(bt.fund, date(2022, 3, 1)) == 0
    with pytest.raises(AlreadyReversed):
        actions.reverse_entry(bt.manager, fee.pk, reason="again", on=date(2022, 4, 1))
    actions.post_management_fee(bt.manager, bt.fund.pk, amount_fen=CAP, on=date(2022, 5, 1))
    assert selectors.fund_balance_fen(bt.fund) == 100_000_000 - CAP


def test_a_reversal_that_would_overdraw_is_refused(bt: Bt) -> None:
    contribution = JournalEntry.objects.get(pk=actions.record_contribution(
        bt.manager, bt.fund.pk, contributor_id=bt.contributor.pk, amount_fen=10_000_000, on=FILED).pk)
    actions.post_management_fee(bt.manager, bt.fund.pk, amount_fen=1_000_000, on=FILED)
    with pytest.raises(InsufficientBalance):  # the money was spent: taking the contribution back would go negative
        actions.reverse_entry(bt.manager, contribution.pk, reason="错账", on=FILED)
    assert JournalEntry.objects.filter(fund=bt.fund).count() == 2


def test_claim_entries_are_not_reversed_by_hand_and_the_journal_balances(bt: Bt) -> None:
    bt.fund_cash()
    bt.paid(bt.loan())
    actions.record_recovery(bt.officer, bt.fund.claims.get().pk, recovered_fen=1_000_000, on=FILED)
    payout = JournalEntry.objects.get(fund=bt.fund, kind="payout")
    with pytest.raises(actions.EntryNotReversible):
        actions.reverse_entry(bt.manager, payout.pk, reason="x", on=FILED)
    journal = ledger.journal(bt.fund)  # every rule checked again on replay
    assert journal.trial_balance().balanced
    assert len(journal.entries) == JournalEntry.objects.filter(fund=bt.fund).count() == 4
    lines = JournalLine.objects.filter(entry__fund=bt.fund)
    assert sum(x.debit_fen for x in lines) == sum(x.credit_fen for x in lines)
    recs = selectors.reconciliation(bt.fund, as_of=FILED)
    assert all(r.reconciled for r in recs)


def test_api_contribution_status_and_ledger(bt: Bt, client: Client) -> None:
    client.force_login(bt.manager)
    response = client.post("/api/v1/fund/contributions", {
        "fund_id": bt.fund.pk, "contributor_id": bt.contributor.pk, "amount_fen": 1_000, "on": "2022-06-01",
    }, content_type="application/json")
    assert response.status_code == 201, response.content
    response = client.post("/api/v1/fund/fees", {"fund_id": bt.fund.pk, "amount_fen": 1_001, "on": "2022-06-01"},
                           content_type="application/json")
    assert response.status_code == 409 and response.json()["code"] == "fund_insufficient_balance"
    status: dict[str, Any] = client.get(f"/api/v1/fund/funds/{bt.fund.pk}/status?on=2022-06-01").json()
    assert status["balance_fen"] == 1_000 and status["banks"][0]["status"] == "admitted"
    lines = client.get(f"/api/v1/fund/funds/{bt.fund.pk}/ledger").json()
    assert [(x["account"], x["debit_fen"], x["credit_fen"]) for x in lines] == [
        ("cash:main", 1_000, 0), (f"contributions:{bt.contributor.pk}", 0, 1_000)]
    client.force_login(bt.officer)  # a bank reads neither the ledger nor the fund's status
    assert client.get(f"/api/v1/fund/funds/{bt.fund.pk}/ledger").status_code == 403


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.sampled_from(["contribute", "fee", "reverse"]), st.integers(1, 20_000_000),
                          st.integers(0, 9)), min_size=1, max_size=8))
def test_the_stored_journal_always_balances_and_never_overdraws(bt: Bt, events: list[tuple[str, int, int]]) -> None:
    fund = actions.create_fund(None, code=f"h{Fund.objects.count()}", name="性质测试", profile_name="baotou-2021",
                               region_code="510400", manager=bt.manager.organisation, opened_on=date(2021, 1, 1))
    for kind, amount, pick in events:
        try:
            if kind == "contribute":
                actions.record_contribution(bt.manager, fund.pk, contributor_id=bt.contributor.pk,
                                            amount_fen=amount, on=FILED)
            elif kind == "fee":
                actions.post_management_fee(bt.manager, fund.pk, amount_fen=amount, on=FILED)
            else:
                entries = list(JournalEntry.objects.filter(fund=fund).order_by("number"))
                if entries:
                    actions.reverse_entry(bt.manager, entries[pick % len(entries)].pk, reason="测试", on=FILED)
        except IpfinError:
            pass  # refused: overdraw, fee cap, already reversed, a reversal reversed — nothing written
    journal = ledger.journal(fund)  # replays every rule: balanced, no account below zero
    assert journal.trial_balance().balanced
    assert all(v >= 0 for v in ledger.balances(fund).values())
    assert ledger.fee_used_fen(fund, FILED) <= CAP


def test_transfer_between_dedicated_accounts_moves_cash_and_never_overdraws(bt: Bt) -> None:
    bt.fund_cash(50_000_000)
    bank = bt.setup.bank.pk
    entry = actions.transfer_between_accounts(bt.manager, bt.fund.pk, from_bank_id=None, to_bank_id=bank,
                                              amount_fen=20_000_000, on=FILED, reference="划转-1")
    assert (entry.kind, entry.clause) == ("transfer", "BT-9")
    cash = {str(a): v for a, v in ledger.balances(bt.fund).items() if a.kind.value == "cash"}
    assert cash == {"cash:main": 30_000_000, f"cash:{bank}": 20_000_000}
    assert selectors.fund_balance_fen(bt.fund) == 50_000_000  # moving money changes no balance of the fund
    with pytest.raises(InsufficientBalance):
        actions.transfer_between_accounts(bt.manager, bt.fund.pk, from_bank_id=bank, to_bank_id=None,
                                          amount_fen=20_000_001, on=FILED)
    with pytest.raises(IpfinError):  # the same account on both sides
        actions.transfer_between_accounts(bt.manager, bt.fund.pk, from_bank_id=bank, to_bank_id=bank,
                                          amount_fen=1, on=FILED)
    with pytest.raises(IpfinError):  # a bank that does not cooperate with the fund holds no dedicated account
        actions.transfer_between_accounts(bt.manager, bt.fund.pk, from_bank_id=None,
                                          to_bank_id=bt.contributor.pk, amount_fen=1, on=FILED)
    with pytest.raises(PermissionDenied):
        actions.transfer_between_accounts(bt.officer, bt.fund.pk, from_bank_id=None, to_bank_id=bank,
                                          amount_fen=1, on=FILED)
    back = actions.reverse_entry(bt.manager, entry.pk, reason="划错账户", on=FILED)
    assert back.reverses_id == entry.pk
    assert ledger.balances(bt.fund)[ledger.to_account("cash:main")] == 50_000_000


def test_transfer_page_and_api(bt: Bt, monkeypatch: pytest.MonkeyPatch) -> None:
    from django.utils import timezone

    bt.fund_cash(50_000_000)
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: FILED)
    bank = str(bt.setup.bank.pk)
    manager, leader = Client(), Client()
    manager.force_login(bt.manager)
    leader.force_login(bt.leader)
    url = f"/fund/{bt.fund.code}/transfer/"
    assert 'data-testid="transfer-form"' in manager.get(f"/fund/{bt.fund.code}/").content.decode()
    assert 'data-testid="transfer-form"' not in leader.get(f"/fund/{bt.fund.code}/").content.decode()
    same = manager.post(url, {"from_account": "", "to_account": "", "amount_yuan": "1"})
    assert same.status_code == 400
    too_much = manager.post(url, {"from_account": bank, "to_account": "", "amount_yuan": "1"})
    assert too_much.status_code == 409, too_much.content.decode()[-3000:]
    assert manager.post(url, {"from_account": "", "to_account": bank, "amount_yuan": "100000.00"}).status_code == 302
    assert leader.post(url, {"from_account": bank, "to_account": "", "amount_yuan": "1"}).status_code == 403
    api = manager.post("/api/v1/fund/transfers", {"fund_id": bt.fund.pk, "from_bank_id": bt.setup.bank.pk,
                                                  "amount_fen": 1_000, "on": FILED.isoformat()},
                       content_type="application/json")
    assert api.status_code == 201 and api.json()["kind"] == "transfer"
    cash = {str(a): v for a, v in ledger.balances(bt.fund).items() if a.kind.value == "cash"}
    assert cash == {"cash:main": 40_001_000, f"cash:{bank}": 9_999_000}


def test_interest_flows_back_into_the_account_that_earned_it(bt: Bt) -> None:
    bt.fund_cash(50_000_000)
    entry = actions.record_interest(bt.manager, bt.fund.pk, amount_fen=12_345, on=FILED, reference="2022Q3 结息")
    assert (entry.kind, entry.clause) == ("interest", "BT-11")
    assert selectors.fund_balance_fen(bt.fund) == 50_012_345
    with pytest.raises(PermissionDenied):
        actions.record_interest(bt.officer, bt.fund.pk, amount_fen=1, on=FILED)
    with pytest.raises(IpfinError):
        actions.record_interest(bt.manager, bt.fund.pk, amount_fen=0, on=FILED)
    with pytest.raises(IpfinError):  # no dedicated account at a bank that does not cooperate
        actions.record_interest(bt.manager, bt.fund.pk, amount_fen=1, on=FILED, bank_id=bt.contributor.pk)


def test_booking_form_books_each_kind_and_explains_refusals(bt: Bt, monkeypatch: pytest.MonkeyPatch) -> None:
    from django.utils import timezone

    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: FILED)
    manager = Client()
    manager.force_login(bt.manager)
    url = f"/fund/{bt.fund.code}/book/"
    page = manager.get(f"/fund/{bt.fund.code}/").content.decode()
    assert 'data-testid="booking-form"' in page and bt.contributor.name in page
    assert manager.post(url, {"kind": "contribution", "account": "", "amount_yuan": "100"}).status_code == 400
    assert manager.post(url, {"kind": "contribution", "account": "", "contributor": str(bt.contributor.pk),
                              "amount_yuan": "1000000.00"}).status_code == 302
    assert manager.post(url, {"kind": "interest", "account": "", "amount_yuan": "12.34"}).status_code == 302
    over_cap = manager.post(url, {"kind": "management_fee", "account": "", "amount_yuan": "150000.01"})
    assert over_cap.status_code == 409 and "150000" in over_cap.content.decode().replace(",", "")
    assert manager.post(url, {"kind": "management_fee", "account": "", "amount_yuan": "150000"}).status_code == 302
    assert [e.kind for e in JournalEntry.objects.filter(fund=bt.fund).order_by("number")] == [
        "contribution", "interest", "management_fee"]
    officer = Client()
    officer.force_login(bt.officer)
    assert officer.post(url, {"kind": "interest", "account": "", "amount_yuan": "1"}).status_code == 404

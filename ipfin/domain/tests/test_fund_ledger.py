"""The fund's double-entry journal: balancing, no negative accounts, reversals, the BT-8.7 fee cap,
closing (BT-21), reconciliation (BT-9) — and, over random event sequences, that it always balances."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ipfin.domain.errors import IpfinError
from ipfin.domain.fund import ledger as L
from ipfin.domain.fund.errors import (
    AlreadyReversed,
    InsufficientBalance,
    InvalidPosting,
    ManagementFeeCapExceeded,
    UnbalancedPosting,
)
from ipfin.policy.loader import get_profile

BT = get_profile("baotou-2021")
SIZE = BT.parameter("fund_initial_size_fen").value
FEE_RATIO = BT.parameter("management_fee_cap_ratio").value
D = date(2021, 3, 1)
CITY = "包头市财政局"


def _funded(cap: L.FeeCap | None = None) -> L.Journal:
    j = L.Journal(fee_cap=cap)
    j.post(L.contribution(CITY, "bankA", 600_000_000, D))
    j.post(L.contribution(CITY, "bankB", 400_000_000, D))
    return j


def test_the_fee_cap_is_one_and_a_half_percent_of_the_fund() -> None:
    cap = L.management_fee_cap_fen(SIZE, FEE_RATIO)
    assert cap == 15_000_000 == BT.parameter("annual_management_fee_cap_fen").value  # 150,000 CNY


def test_an_unbalanced_posting_is_refused() -> None:
    with pytest.raises(UnbalancedPosting):
        L.Posting(L.Event.CONTRIBUTION, D, (L.debit(L.cash("bankA"), 100),
                                            L.credit(L.Account(L.AccountKind.CONTRIBUTIONS, CITY), 99)))


def test_malformed_lines_are_refused() -> None:
    with pytest.raises(InvalidPosting):
        L.Line(L.cash("bankA"), debit_fen=1, credit_fen=1)
    with pytest.raises(InvalidPosting):
        L.Line(L.cash("bankA"))
    with pytest.raises(InvalidPosting):
        L.debit(L.cash("bankA"), -5)
    with pytest.raises(TypeError):
        L.debit(L.cash("bankA"), 1.5)  # type: ignore[arg-type]
    with pytest.raises(InvalidPosting):
        L.Account(L.AccountKind.CASH)  # a dedicated account belongs to a bank
    with pytest.raises(InvalidPosting):
        L.Posting(L.Event.TRANSFER, D, (L.debit(L.cash("bankA"), 1),))


def test_the_claim_cycle_and_the_accounting_equation() -> None:
    j = _funded()
    j.post(L.interest("bankA", 12_345, D))  # BT-11
    j.post(L.claim_approved("bankA", 150_000_000, D, reference="CL-1"))
    j.post(L.payout("bankA", 150_000_000, D, reference="CL-1"))
    j.post(L.recovery_share_due("bankA", 30_000_000, D, reference="RC-1"))
    j.post(L.recovery_share_received("bankA", 30_000_000, D, reference="RC-1"))
    assert j.balance(L.cash("bankA")) == 600_000_000 + 12_345 - 150_000_000 + 30_000_000
    assert j.compensation_paid_fen("bankA") == 150_000_000
    tb = j.trial_balance()
    assert tb.balanced
    by = tb.by_class()
    assert by[L.AccountClass.ASSET] + by[L.AccountClass.EXPENSE] == (
        by[L.AccountClass.LIABILITY] + by[L.AccountClass.EQUITY] + by[L.AccountClass.INCOME])


def test_cash_never_goes_negative() -> None:
    j = _funded()
    j.post(L.claim_approved("bankB", 500_000_000, D))
    with pytest.raises(InsufficientBalance):
        j.post(L.payout("bankB", 500_000_000, D))  # bankB's account holds 400,000,000 fen
    assert len(j.entries) == 3  # nothing was booked
    j.post(L.transfer("bankA", "bankB", 100_000_000, D))
    j.post(L.payout("bankB", 500_000_000, D))
    assert j.balance(L.cash("bankB")) == 0


def test_no_payout_without_an_approved_claim() -> None:
    j = _funded()
    with pytest.raises(InsufficientBalance):
        j.post(L.payout("bankA", 1, D))


def test_corrections_are_reversals_and_only_once() -> None:
    j = _funded()
    wrong = j.post(L.interest("bankA", 999, D))
    reversal = j.reverse(wrong.number, D + timedelta(days=1))
    assert reversal.posting.reverses == wrong.number and j.balance(L.cash("bankA")) == 600_000_000
    assert len(j.entries) == 4  # the wrong entry is still there
    with pytest.raises(AlreadyReversed):
        j.reverse(wrong.number, D)
    with pytest.raises(InvalidPosting):
        j.reverse(reversal.number, D)


def test_a_reversal_that_would_overdraw_is_refused() -> None:
    j = _funded()
    j.post(L.claim_approved("bankA", 600_000_000, D))
    j.post(L.payout("bankA", 600_000_000, D))
    with pytest.raises(InsufficientBalance):
        j.reverse(1, D)  # the contribution to bankA was already paid out


def test_a_forged_reversal_is_refused() -> None:
    j = _funded()
    fake = L.Posting(L.Event.REVERSAL, D, (L.debit(L.cash("bankB"), 1),
                                           L.credit(L.Account(L.AccountKind.CONTRIBUTIONS, CITY), 1)), reverses=1)
    with pytest.raises(InvalidPosting):
        j.post(fake)


# -- BT-8.7: the management fee cap ----------------------------------------------------------------------


def test_fees_up_to_the_cap_and_not_one_fen_more() -> None:
    cap = L.FeeCap(L.management_fee_cap_fen(SIZE, FEE_RATIO), opened_on=date(2021, 1, 1))
    j = _funded(cap)
    j.post(L.management_fee(10_000_000, date(2021, 6, 30), "bankA"))
    j.post(L.management_fee(5_000_000, date(2021, 12, 31), "bankA"))  # exactly the cap
    with pytest.raises(ManagementFeeCapExceeded) as err:
        j.post(L.management_fee(1, date(2021, 12, 31), "bankA"))
    assert err.value.details["clause"] == "BT-8.7" and err.value.details["total"] == 15_000_001
    j.post(L.management_fee(15_000_000, date(2022, 1, 1), "bankA"))  # a new fund year
    assert j.fee_used_fen(date(2021, 7, 1)) == 15_000_000


def test_a_reversed_fee_frees_its_own_year() -> None:
    cap = L.FeeCap(15_000_000, opened_on=date(2021, 1, 1))
    j = _funded(cap)
    fee = j.post(L.management_fee(15_000_000, date(2021, 12, 1), "bankA"))
    j.reverse(fee.number, date(2022, 1, 5))  # corrected in the next year: counts for 2021
    assert j.fee_used_fen(date(2021, 12, 1)) == 0
    assert j.fee_used_fen(date(2022, 1, 5)) == 0
    j.post(L.management_fee(15_000_000, date(2021, 12, 20), "bankA"))


def test_fund_years_run_from_the_opening_date() -> None:
    assert L.fund_year(date(2021, 7, 15), date(2022, 7, 14)) == (date(2021, 7, 15), date(2022, 7, 14))
    assert L.fund_year(date(2021, 7, 15), date(2022, 7, 15)) == (date(2022, 7, 15), date(2023, 7, 14))
    assert L.fund_year(date(2021, 1, 1), date(2021, 12, 31)) == (date(2021, 1, 1), date(2021, 12, 31))


# -- BT-21: closing --------------------------------------------------------------------------------------


def test_closing_returns_the_balance_pro_rata() -> None:
    j = L.Journal()
    j.post(L.contribution("city", "bankA", 700_000_000, D))
    j.post(L.contribution("district", "bankB", 300_000_000, D))
    j.post(L.claim_approved("bankA", 100_000_001, D))
    with pytest.raises(InvalidPosting):
        j.post(L.closing_posting(j, D))  # compensation still payable
    j.post(L.payout("bankA", 100_000_001, D))
    entry = j.post(L.closing_posting(j, date(2022, 12, 31)))
    returned = {a.party: v for a, v in j.balances().items() if a.kind is L.AccountKind.RETURNS_TO_CONTRIBUTORS}
    # 899,999,999 fen: 70 % = 629,999,999.3 → 629,999,999; 30 % = 269,999,999.7 → 270,000,000
    assert returned == {"city": 629_999_999, "district": 270_000_000}
    assert entry.posting.clause == "BT-21"
    assert j.total(L.AccountKind.CASH) == 0


def test_pro_rata_puts_the_residue_on_the_largest() -> None:
    assert L.pro_rata(100, {"a": 1, "b": 1, "c": 1}) == {"a": 34, "b": 33, "c": 33}
    assert sum(L.pro_rata(101, {"a": 1, "b": 1}).values()) == 101


# -- reconciliation per dedicated account ----------------------------------------------------------------


def test_reconciliation_shows_the_difference_and_the_unmatched_items() -> None:
    j = _funded()
    j.post(L.interest("bankA", 5_000, date(2021, 3, 21), reference="INT-Q1"))
    j.post(L.claim_approved("bankA", 1_000_000, date(2021, 3, 25)))
    j.post(L.payout("bankA", 1_000_000, date(2021, 3, 25), reference="CL-9"))
    statement = [L.StatementLine(D, 600_000_000), L.StatementLine(date(2021, 3, 21), 5_000, "INT-Q1"),
                 L.StatementLine(date(2021, 3, 30), -200, "FEE")]  # the bank charged a fee not in the books
    r = L.reconcile(j, "bankA", date(2021, 3, 31), 600_000_000 + 5_000 - 200, statement)
    assert r.expected_fen == 599_005_000
    assert r.difference_fen == 999_800
    assert [m.reference for m in r.unmatched_ledger] == ["CL-9"]
    assert [s.reference for s in r.unmatched_statement] == ["FEE"]
    assert not r.reconciled
    ok = L.reconcile(j, "bankB", date(2021, 3, 31), 400_000_000)
    assert ok.reconciled
    assert [x.bank for x in L.reconcile_all(j, date(2021, 3, 31), {"bankA": 0, "bankC": 0})] == \
        ["bankA", "bankB", "bankC"]


# -- properties over random event sequences --------------------------------------------------------------

BANKS = ("bankA", "bankB", "bankC")
CONTRIBUTORS = ("city", "district")
amounts = st.integers(min_value=1, max_value=50_000_000)
days = st.integers(min_value=0, max_value=800)


@st.composite
def events(draw: st.DrawFn) -> tuple:
    kind = draw(st.sampled_from(["contribution", "interest", "approve", "payout", "refund", "due", "received",
                                 "fee", "transfer", "reverse"]))
    return (kind, draw(st.sampled_from(BANKS)), draw(st.sampled_from(BANKS)), draw(st.sampled_from(CONTRIBUTORS)),
            draw(amounts), draw(days), draw(st.integers(min_value=1, max_value=60)))


def _posting(j: L.Journal, event: tuple) -> L.Posting | None:
    kind, bank, other, contributor, amount, day, pick = event
    on = date(2021, 1, 1) + timedelta(days=day)
    match kind:
        case "contribution":
            return L.contribution(contributor, bank, amount, on)
        case "interest":
            return L.interest(bank, amount, on)
        case "approve":
            return L.claim_approved(bank, amount, on)
        case "payout":  # half the time exactly what is payable, so that payouts often succeed
            payable = j.balance(L.Account(L.AccountKind.COMPENSATION_PAYABLE, bank))
            return L.payout(bank, payable if payable and pick % 2 else amount, on, from_account=other)
        case "refund":
            return L.compensation_refund(bank, amount, on)
        case "due":
            return L.recovery_share_due(bank, amount, on)
        case "received":
            due = j.balance(L.Account(L.AccountKind.RECOVERIES_RECEIVABLE, bank))
            return L.recovery_share_received(bank, due if due and pick % 2 else amount, on)
        case "fee":
            return L.management_fee(amount, on, bank)
        case "transfer":
            return L.transfer(bank, other, amount, on) if bank != other else None
        case _:
            if not j.entries:
                return None
            return L.reversal_of(j.entry(1 + (pick - 1) % len(j.entries)), on)


@settings(max_examples=150, deadline=None)
@given(st.lists(events(), min_size=1, max_size=60))
def test_the_journal_always_balances_and_nothing_goes_negative(sequence: list[tuple]) -> None:
    j = L.Journal(fee_cap=L.FeeCap(15_000_000, opened_on=date(2021, 1, 1)))
    for event in sequence:
        posting = _posting(j, event)
        if posting is None:
            continue
        before_entries, before_balances = len(j.entries), j.balances()
        try:
            j.post(posting)
        except IpfinError:
            # refused: nothing changed
            assert len(j.entries) == before_entries and j.balances() == before_balances
        tb = j.trial_balance()
        assert tb.balanced
        assert all(v >= 0 for v in j.balances().values())
        # the running balances equal a replay of the entries
        assert L.Journal.replay((e.posting for e in j.entries), fee_cap=j.fee_cap).balances() == j.balances()
        by = tb.by_class()
        assert by[L.AccountClass.ASSET] + by[L.AccountClass.EXPENSE] == (
            by[L.AccountClass.LIABILITY] + by[L.AccountClass.EQUITY] + by[L.AccountClass.INCOME])
        for year_start in (date(2021, 1, 1), date(2022, 1, 1), date(2023, 1, 1)):
            assert j.fee_used_fen(year_start) <= 15_000_000


def test_the_fund_domain_imports_no_django() -> None:
    import subprocess
    import sys

    code = ("import sys, ipfin.domain.fund.ledger, ipfin.domain.fund.claims, ipfin.domain.fund.coverage, "
            "ipfin.domain.fund.recoveries, ipfin.domain.fund.thresholds, ipfin.domain.fund.simulation; "
            "sys.exit(1 if [m for m in sys.modules if m == 'django' or m.startswith('django.')] else 0)")
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0

"""Bank thresholds (BT-13): 2.99 % / 3 % / 5 % exactly, and notices issued once per crossing."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ipfin.domain.errors import InvalidInput
from ipfin.domain.fund.thresholds import (
    Band,
    Notice,
    band,
    bank_ratio,
    evaluate,
    evaluate_payout,
    headroom_fen,
)
from ipfin.policy.loader import get_profile

BT = get_profile("baotou-2021")
WARN = BT.parameter("warning_ratio").value
SUSPEND = BT.parameter("suspension_ratio").value
ISSUED = 100_000_000_00  # 100,000,000 CNY of IP-pledge loans issued


def test_the_profile_carries_the_documents_numbers() -> None:
    assert (WARN, SUSPEND) == (Decimal("0.03"), Decimal("0.05"))
    assert (BT.parameter("warning_ratio").clause, BT.parameter("suspension_ratio").clause) == ("BT-13a", "BT-13b")


@pytest.mark.parametrize(("paid", "expected"), [
    (0, Band.BELOW),
    (299_000_000, Band.BELOW),  # 2.99 %
    (299_999_999, Band.BELOW),  # one fen below 3 %
    (300_000_000, Band.WARNING),  # exactly 3 %
    (499_999_999, Band.WARNING),
    (500_000_000, Band.SUSPENSION),  # exactly 5 %
    (900_000_000, Band.SUSPENSION),
])
def test_boundaries_are_exact(paid: int, expected: Band) -> None:
    assert band(paid, ISSUED, WARN, SUSPEND) is expected


def test_a_ratio_that_would_round_to_three_percent_does_not_warn() -> None:
    # 2.9999999 %: printed with two decimals it reads 3.00 %, but it is below 3 %.
    issued = 1_000_000_000
    paid = 29_999_999
    ratio = bank_ratio(paid, issued)
    assert ratio is not None and f"{ratio * 100:.2f}" == "3.00"
    assert band(paid, issued, WARN, SUSPEND) is Band.BELOW


def test_no_loans_issued_means_no_ratio() -> None:
    assert bank_ratio(0, 0) is None
    assert band(0, 0, WARN, SUSPEND) is Band.BELOW
    with pytest.raises(InvalidInput):
        band(1, 0, WARN, SUSPEND)


def test_warning_once_per_crossing() -> None:
    first = evaluate(Band.BELOW, 300_000_000, ISSUED, WARN, SUSPEND)
    assert (first.band, first.notices, first.clauses) == (Band.WARNING, (Notice.WARNING,), ("BT-13a",))
    again = evaluate(first.band, 350_000_000, ISSUED, WARN, SUSPEND)
    assert again.notices == ()


def test_suspension_after_a_warning() -> None:
    e = evaluate(Band.WARNING, 500_000_000, ISSUED, WARN, SUSPEND)
    assert (e.band, e.notices) == (Band.SUSPENSION, (Notice.SUSPENSION,))


def test_a_jump_over_both_thresholds_issues_the_suspension_only() -> None:
    e = evaluate(Band.BELOW, 600_000_000, ISSUED, WARN, SUSPEND)
    assert e.notices == (Notice.SUSPENSION,)


def test_falling_back_issues_nothing_and_a_new_crossing_issues_again() -> None:
    # the bank issues more loans: its ratio falls below 3 %
    down = evaluate(Band.WARNING, 300_000_000, ISSUED * 2, WARN, SUSPEND)
    assert (down.band, down.notices) == (Band.BELOW, ())
    up = evaluate(down.band, 600_000_000, ISSUED * 2, WARN, SUSPEND)
    assert up.notices == (Notice.WARNING,)


def test_a_lifted_suspension_is_not_reissued_while_the_ratio_stays() -> None:
    # The leadership group lifts the suspension (a cooperation-status decision); the band stays SUSPENSION.
    e = evaluate(Band.SUSPENSION, 510_000_000, ISSUED, WARN, SUSPEND)
    assert e.notices == ()


def test_evaluated_on_a_payout() -> None:
    e = evaluate_payout(Band.BELOW, 290_000_000, 10_000_000, ISSUED, WARN, SUSPEND)
    assert e.notices == (Notice.WARNING,)
    assert e.ratio == Decimal("0.03")


def test_headroom_before_each_threshold() -> None:
    assert headroom_fen(0, ISSUED, WARN) == 299_999_999
    assert headroom_fen(299_999_999, ISSUED, WARN) == 0
    assert headroom_fen(300_000_000, ISSUED, WARN) == 0
    assert headroom_fen(0, 101, WARN) == 3  # 3.03 fen: 3 stays below, 4 reaches


@given(paid=st.integers(0, 10**12), issued=st.integers(1, 10**13))
def test_band_agrees_with_the_exact_ratio(paid: int, issued: int) -> None:
    ratio = Decimal(paid) / Decimal(issued)  # 28 digits: exact enough away from the boundary
    b = band(paid, issued, WARN, SUSPEND)
    if paid * 100 >= 5 * issued:
        assert b is Band.SUSPENSION
    elif paid * 100 >= 3 * issued:
        assert b is Band.WARNING
    else:
        assert b is Band.BELOW and ratio < WARN
    assert headroom_fen(paid, issued, WARN) == max(-(-3 * issued // 100) - 1 - paid, 0)

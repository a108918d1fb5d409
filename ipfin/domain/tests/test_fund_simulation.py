"""Stress simulation: deterministic for a seed, and sane at the edges (no defaults → no payouts; certain
default → every claim paid; a bank already past a threshold; the probability of exhaustion)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from ipfin.domain.errors import InvalidInput
from ipfin.domain.fund.simulation import (
    BankPosition,
    CoveredLoan,
    FundPosition,
    Scenario,
    loan_payouts,
    simulate,
)
from ipfin.policy.loader import get_profile

BT = get_profile("baotou-2021")
RATIO = BT.parameter("compensation_ratio").value
CAP = BT.parameter("claim_cap_fen").value


def _position(n: int = 300, balance: int = BT.parameter("fund_initial_size_fen").value,
              paid: dict[str, int] | None = None) -> FundPosition:
    banks = ("bankA", "bankB", "bankC")
    loans = [CoveredLoan(banks[i % 3], 1_000_000_00 + 10_000_00 * (i % 50), RATIO, CAP,
                         Decimal(1) if i % 4 else Decimal("0.5")) for i in range(n)]
    issued = {b: sum(x.outstanding_fen for x in loans if x.bank == b) for b in banks}
    return FundPosition(date(2025, 1, 1), balance, loans,
                        {b: BankPosition(issued[b], (paid or {}).get(b, 0)) for b in banks},
                        BT.parameter("warning_ratio").value, BT.parameter("suspension_ratio").value,
                        BT.parameter("claim_min_days_past_due").value, BT.parameter("recovery_share_ratio").value)


def _scenario(rate: str = "0.05", recovery: str = "0.2", years: int = 2, runs: int = 2000, seed: int = 1) -> Scenario:
    return Scenario(Decimal(rate), Decimal(recovery), years, runs, seed)


def test_deterministic_for_a_seed() -> None:
    a = simulate(_position(), _scenario(seed=7))
    b = simulate(_position(), _scenario(seed=7))
    c = simulate(_position(), _scenario(seed=8))
    assert a == b
    assert a.as_dict() == b.as_dict()
    assert a.payouts != c.payouts


def test_no_defaults_no_payouts() -> None:
    r = simulate(_position(), _scenario(rate="0"))
    assert r.payouts.max_fen == 0 and r.net_payouts.max_fen == 0
    assert r.probability_of_exhaustion == 0 and r.mean_claims == 0
    for bank in r.banks:
        assert bank.warning.probability == 0 and bank.warning.expected_on is None


def test_certain_default_pays_every_claim_after_60_days() -> None:
    position = _position(n=30, balance=10**15)
    payouts, returns = loan_payouts(position, Decimal("0.2"))
    r = simulate(position, _scenario(rate="1", runs=50))
    assert r.payouts.p50_fen == r.payouts.max_fen == int(payouts.sum())
    assert r.net_payouts.max_fen == int(payouts.sum() - returns.sum())
    assert r.mean_claims == 30 and r.probability_of_exhaustion == 0
    # every bank reaches 5 % (30 % of its whole book) on day 60: the claim date of a default on day 0
    for bank in r.banks:
        assert bank.suspension.probability == 1
        assert bank.suspension.expected_on == date(2025, 3, 2)  # 2025-01-01 + 60 days


def test_per_loan_payouts_follow_bt12() -> None:
    position = FundPosition(date(2025, 1, 1), 0, [
        CoveredLoan("b", 800_000_000, RATIO, CAP),  # 30 % = 2,400,000 CNY → capped 1,500,000
        CoveredLoan("b", 1_000_000_00, RATIO, CAP, Decimal("0.5")),  # IP half: 30 % of 500,000 CNY
    ], {"b": BankPosition(900_000_000)}, Decimal("0.03"), Decimal("0.05"), 60, Decimal("0.30"))
    payouts, returns = loan_payouts(position, Decimal("0.2"))
    assert payouts.tolist() == [150_000_000, 15_000_000]
    # recovered 20 % of the loss; 30 % of that comes back, never more than the payout
    assert returns.tolist() == [48_000_000, 6_000_000]


def test_exhaustion_probability_grows_as_the_fund_shrinks() -> None:
    rich = simulate(_position(balance=10**13), _scenario())
    poor = simulate(_position(balance=1), _scenario())
    assert rich.probability_of_exhaustion == 0
    assert poor.probability_of_exhaustion > Decimal("0.99")


def test_quantiles_are_ordered_and_the_mean_is_plausible() -> None:
    r = simulate(_position(), _scenario(runs=4000))
    d = r.payouts
    assert 0 <= d.p50_fen <= d.p95_fen <= d.p99_fen <= d.max_fen
    assert r.net_payouts.mean_fen <= d.mean_fen
    # expected defaults over 2 years at 5 %/yr: 300 × (1 − 0.95^(2 − 60/730·2)) ≈ 27.5
    assert Decimal(25) < r.mean_claims < Decimal(30)


def test_a_bank_already_past_the_warning_ratio() -> None:
    position = _position(paid={"bankA": 10**12})
    r = simulate(position, _scenario(runs=200))
    a = next(b for b in r.banks if b.bank == "bankA")
    assert a.warning.already and a.suspension.already and a.warning.probability == 1
    assert a.warning.expected_on == date(2025, 1, 1)


def test_crossing_probabilities_are_consistent() -> None:
    r = simulate(_position(), _scenario(rate="0.2", runs=1000))
    for bank in r.banks:
        assert bank.suspension.probability <= bank.warning.probability <= 1
        if bank.warning.expected_on and bank.suspension.expected_on:
            assert bank.warning.median_on <= bank.suspension.median_on  # type: ignore[operator]
        assert r.start_on <= (bank.warning.expected_on or r.start_on) < r.horizon_end


@pytest.mark.parametrize("bad", [
    {"default_rate": Decimal("1.5")}, {"recovery_rate": Decimal("-0.1")}, {"years": 0}, {"runs": 0}, {"seed": -1},
])
def test_bad_scenarios_are_refused(bad: dict) -> None:
    args = {"default_rate": Decimal("0.05"), "recovery_rate": Decimal("0.2"), "years": 2, "runs": 10, "seed": 1}
    with pytest.raises(InvalidInput):
        Scenario(**(args | bad))


def test_float_rates_are_refused() -> None:
    with pytest.raises(TypeError):
        Scenario(0.05, Decimal("0.2"), 2, 10, 1)  # type: ignore[arg-type]
    assert Scenario("0.05", "0.2", 2, 10, 1).default_rate == Decimal("0.05")  # type: ignore[arg-type]

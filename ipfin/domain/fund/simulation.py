"""Stress simulation of a compensation fund (``ipfin fund simulate``): Monte Carlo over the covered portfolio.

Model (one run = one possible future of ``years`` years from ``start_on``):

* every covered loan defaults at most once, at a time drawn from a constant yearly hazard such that the
  probability of default within one year is ``default_rate`` (so within ``years`` years it is
  1 − (1 − rate)^years);
* the bank may claim ``claim_min_days_past_due`` days after the default (BT-15: 60); the fund pays then, if
  that is still within the horizon, the claim of the loan's outstanding principal: min(ratio × loss of the
  IP-pledge portion, cap) HALF_UP (BT-12, BT-12a, BT-12b — the same function as a real claim,
  :func:`ipfin.domain.fund.claims.compensation`);
* the bank later recovers ``recovery_rate`` of the loss and returns the fund's share (BT-16), never more than
  the payout. Recoveries only reduce the *net* payout: whether the fund is exhausted is judged on gross
  payouts (a recovery arrives after the disposal, too late to pay the claims that exhaust the fund);
* the fund is exhausted in a run when its gross payouts exceed ``fund_balance_fen``;
* each bank's BT-13 ratio adds the run's payouts to what it was already paid, over the loans it already
  issued (no new lending in the horizon); the day it first reaches the warning and suspension ratios is
  recorded.

The outstanding principal is taken as of ``start_on`` (no amortisation): a conservative reading.

Vectorised with numpy: ``numpy.random.default_rng(seed)`` draws one uniform per run and loan, in chunks of
runs whose size depends only on the number of loans, so a seed gives the same result on every machine.
Money stays integer fen throughout (int64 cumulative sums, never float); probabilities are Decimals.

Pure Python + numpy: no Django imports.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import numpy as np
import numpy.typing as npt

from ipfin.domain.errors import InvalidInput
from ipfin.domain.fund.claims import compensation
from ipfin.domain.fund.recoveries import recovery_share_fen
from ipfin.domain.fund.thresholds import Band, band, headroom_fen
from ipfin.domain.money import apply_ratio, round_fen, round_half_up
from ipfin.domain.registry.terms import add_years

# (run, loan) cells simulated at once; bounds memory to the defaults among them. A performance knob, not policy.
ELEMENTS_PER_CHUNK = 20_000_000
# Quantiles reported for the payout distribution (percent).
QUANTILES = (Decimal(50), Decimal(95), Decimal(99))


# ---------------------------------------------------------------------------------------------------------
# Input


@dataclass(frozen=True)
class CoveredLoan:
    """One covered loan: its bank, outstanding principal, the fund's ratio and cap (BT-12a/b), and the share of
    the principal that is the IP-pledge portion (BT-12a; 1 for a pure IP-pledge loan)."""

    bank: str
    outstanding_fen: int
    compensation_ratio: Decimal
    cap_fen: int | None
    ip_share: Decimal = Decimal(1)


@dataclass(frozen=True)
class BankPosition:
    """A bank's cumulative IP-pledge loans issued and compensation already paid to it (BT-13)."""

    issued_fen: int
    paid_fen: int = 0


@dataclass(frozen=True)
class FundPosition:
    """What the simulation starts from, with the profile numbers it applies."""

    start_on: date
    fund_balance_fen: int
    loans: Sequence[CoveredLoan]
    banks: Mapping[str, BankPosition]
    warning_ratio: Decimal  # BT-13a
    suspension_ratio: Decimal  # BT-13b
    claim_min_days_past_due: int  # BT-15
    recovery_share_ratio: Decimal  # BT-16


@dataclass(frozen=True)
class Scenario:
    default_rate: Decimal  # probability that a loan defaults within a year
    recovery_rate: Decimal  # share of the loss the bank recovers after the payout
    years: int
    runs: int
    seed: int

    def __post_init__(self) -> None:
        for name in ("default_rate", "recovery_rate"):
            value = getattr(self, name)
            if isinstance(value, float) or isinstance(value, bool):
                raise TypeError(f"{name} must be a Decimal or str, not float")
            value = Decimal(str(value)) if not isinstance(value, Decimal) else value
            if not value.is_finite() or not Decimal(0) <= value <= Decimal(1):
                raise InvalidInput(reason=f"{name.replace('_', ' ')} must lie between 0 and 1, not {value}")
            object.__setattr__(self, name, value)
        for name in ("years", "runs"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise InvalidInput(reason=f"{name} must be a whole number >= 1, not {value!r}")
        if isinstance(self.seed, bool) or not isinstance(self.seed, int) or self.seed < 0:
            raise InvalidInput(reason=f"seed must be a whole number >= 0, not {self.seed!r}")


# ---------------------------------------------------------------------------------------------------------
# Output


@dataclass(frozen=True)
class Distribution:
    """A distribution of amounts over the runs, in fen (mean HALF_UP; quantiles are amounts of actual runs,
    inverted-CDF definition)."""

    mean_fen: int
    p50_fen: int
    p95_fen: int
    p99_fen: int
    max_fen: int


@dataclass(frozen=True)
class Crossing:
    """When a bank's BT-13 ratio reaches a threshold: probability within the horizon, and the mean and median
    date over the runs in which it does. ``already`` when it had reached it before the start."""

    threshold: str  # "warning" (BT-13a) or "suspension" (BT-13b)
    clause: str
    already: bool
    probability: Decimal
    expected_on: date | None
    median_on: date | None


@dataclass(frozen=True)
class BankOutlook:
    bank: str
    issued_fen: int
    paid_fen: int
    expected_payout_fen: int
    warning: Crossing
    suspension: Crossing


@dataclass(frozen=True)
class SimulationResult:
    start_on: date
    horizon_end: date  # exclusive: start_on + years
    scenario: Scenario
    loans: int
    fund_balance_fen: int
    payouts: Distribution
    net_payouts: Distribution
    mean_claims: Decimal
    probability_of_exhaustion: Decimal
    banks: tuple[BankOutlook, ...]

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready (dates ISO, Decimals as strings, money in fen)."""
        return _jsonable(asdict(self))


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (date, Decimal)):
        return str(value)
    return value


# ---------------------------------------------------------------------------------------------------------
# The simulation


def loan_payouts(position: FundPosition, recovery_rate: Decimal) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Per loan: the fund's payout if it defaults now (BT-12) and the share of recoveries it gets back (BT-16),
    both exact integer fen computed with the domain's own functions."""
    payouts = np.empty(len(position.loans), dtype=np.int64)
    returns = np.empty(len(position.loans), dtype=np.int64)
    for i, loan in enumerate(position.loans):
        loss = round_fen(Decimal(loan.outstanding_fen) * loan.ip_share)
        paid = compensation(loss, loan.compensation_ratio, loan.cap_fen).amount_fen
        recovered = apply_ratio(loan.outstanding_fen, recovery_rate)
        payouts[i] = paid
        returns[i] = recovery_share_fen(recovered, position.recovery_share_ratio, compensation_paid_fen=paid)
    return payouts, returns


def _distribution(totals: npt.NDArray[np.int64]) -> Distribution:
    ordered = np.sort(totals)
    n = len(ordered)

    def quantile(q: Decimal) -> int:
        # inverted CDF: the smallest x with F(x) ≥ q, i.e. the ceil(q·n)-th smallest value.
        k = int((q * n / 100).to_integral_value(rounding="ROUND_CEILING"))
        return int(ordered[max(k, 1) - 1])

    total = sum(int(v) for v in ordered)  # exact: Python ints
    p50, p95, p99 = (quantile(q) for q in QUANTILES)
    return Distribution(int(round_half_up(Decimal(total) / n)), p50, p95, p99, int(ordered[-1]))


def _crossing(threshold: str, clause: str, already: bool, days: list[npt.NDArray[np.int64]], runs: int,
              start_on: date) -> Crossing:
    if already:
        return Crossing(threshold, clause, True, Decimal(1), start_on, start_on)
    hit = np.concatenate(days) if days else np.empty(0, dtype=np.int64)
    if len(hit) == 0:
        return Crossing(threshold, clause, False, Decimal(0), None, None)
    mean_day = int(round_half_up(Decimal(sum(int(d) for d in hit)) / len(hit)))
    median_day = int(np.sort(hit)[(len(hit) - 1) // 2])
    return Crossing(threshold, clause, False, Decimal(len(hit)) / runs, start_on + timedelta(days=mean_day),
                    start_on + timedelta(days=median_day))


def _defaults(rng: np.random.Generator, space: int, probability: float
              ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]]:
    """Bernoulli(``probability``) trials over ``space`` (run, loan) cells, drawn by geometric skips between
    successes (exactly the same law as one uniform per cell, at a fraction of the draws): the flat indices of
    the successes, in order, and for each a uniform in [0, probability) — its draw conditional on success."""
    if probability <= 0.0 or space == 0:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.float64)
    expected = probability * space
    batch = int(expected + 6 * expected ** 0.5) + 16
    positions = np.cumsum(rng.geometric(probability, size=batch)) - 1
    while positions[-1] < space:
        more = np.cumsum(rng.geometric(probability, size=batch)) + positions[-1]
        positions = np.concatenate([positions, more])
    positions = positions[positions < space]
    return positions.astype(np.int64), rng.random(len(positions)) * probability


@dataclass(frozen=True)
class _Ordered:
    """One chunk's payouts grouped by (run, bank) and ordered by payout day, with running totals per group."""

    bank: npt.NDArray[np.int64]
    day: npt.NDArray[np.int64]
    group: npt.NDArray[np.int64]
    within: npt.NDArray[np.int64]  # cumulative payout of the group up to and including this one

    @classmethod
    def of(cls, run_of: npt.NDArray[np.int64], bank_of: npt.NDArray[np.int64], day_of: npt.NDArray[np.int64],
           amount_of: npt.NDArray[np.int64], n_banks: int, span: int) -> _Ordered:
        group = run_of * n_banks + bank_of
        order = np.argsort(group * span + day_of)  # ties (same group and day) may come in any order
        group, day, amount = group[order], day_of[order], amount_of[order]
        cumulative = np.cumsum(amount)
        starts = np.flatnonzero(np.r_[True, group[1:] != group[:-1]])
        offsets = np.repeat(np.r_[0, cumulative[starts[1:] - 1]], np.diff(np.r_[starts, len(group)]))
        return cls(bank_of[order], day, group, cumulative - offsets)

    def first_crossings(self, need: npt.NDArray[np.int64]) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
        """For every (run, bank) whose cumulative payouts reach ``need[bank]``: the bank and the first day."""
        reached = self.within >= need[self.bank]
        _, first = np.unique(self.group[reached], return_index=True)
        return self.bank[reached][first], self.day[reached][first]


def simulate(position: FundPosition, scenario: Scenario) -> SimulationResult:
    """Monte Carlo stress test of ``position`` under ``scenario`` (issue 7: ``ipfin fund simulate``).

    Deterministic for a seed. Profile numbers come in ``position`` (BT-12 through the loans' ratios and caps,
    BT-13 ratios, BT-15 days, BT-16 share).
    """
    start = position.start_on
    end = add_years(start, scenario.years)
    horizon = (end - start).days
    lag = int(position.claim_min_days_past_due)
    n_loans = len(position.loans)
    banks = sorted(set(position.banks) | {loan.bank for loan in position.loans})
    bank_index = {b: i for i, b in enumerate(banks)}
    bank_of_loan = np.fromiter((bank_index[loan.bank] for loan in position.loans), dtype=np.int64, count=n_loans)
    payouts, returns = loan_payouts(position, scenario.recovery_rate)

    # BT-13: for each bank and threshold, the cumulative new payouts that reach it (0 → already reached).
    def need_for(ratio: Decimal) -> tuple[npt.NDArray[np.int64], list[bool]]:
        need = np.zeros(len(banks), dtype=np.int64)
        already = []
        for i, b in enumerate(banks):
            pos = position.banks.get(b, BankPosition(0, 0))
            if pos.issued_fen <= 0:  # no loans issued on record: no ratio to reach
                already.append(False)
                need[i] = np.iinfo(np.int64).max
                continue
            reached = band(pos.paid_fen, pos.issued_fen, ratio, ratio) is Band.SUSPENSION
            already.append(reached)
            need[i] = 0 if reached else headroom_fen(pos.paid_fen, pos.issued_fen, ratio) + 1
        return need, already

    need_warning, already_warning = need_for(position.warning_ratio)
    need_suspension, already_suspension = need_for(position.suspension_ratio)

    rate = float(scenario.default_rate)
    # A loan is paid within the horizon iff its default day + lag < horizon: default time (years) below t*.
    t_star = max(horizon - lag, 0) * scenario.years / horizon
    if rate <= 0.0 or t_star <= 0:
        u_critical = 0.0
    elif rate >= 1.0:
        u_critical = 1.0
    else:
        u_critical = 1.0 - (1.0 - rate) ** t_star
    log_survival = np.log1p(-rate) if 0.0 < rate < 1.0 else 0.0

    rng = np.random.default_rng(scenario.seed)
    chunk = max(1, ELEMENTS_PER_CHUNK // max(n_loans, 1))
    gross = np.zeros(scenario.runs, dtype=np.int64)
    net = np.zeros(scenario.runs, dtype=np.int64)
    claims_total = 0
    per_bank_paid = np.zeros(len(banks), dtype=np.int64)
    warning_days: dict[int, list[npt.NDArray[np.int64]]] = {i: [] for i in range(len(banks))}
    suspension_days: dict[int, list[npt.NDArray[np.int64]]] = {i: [] for i in range(len(banks))}
    span = horizon + 1

    for first in range(0, scenario.runs, chunk):
        size = min(chunk, scenario.runs - first)
        cells, uniforms = _defaults(rng, size * n_loans, u_critical)
        if len(cells) == 0:
            continue
        rows, cols = np.divmod(cells, n_loans)
        if log_survival == 0.0:  # certain default: day 0
            default_day = np.zeros(len(rows), dtype=np.int64)
        else:
            years_to_default = np.log1p(-uniforms) / log_survival
            default_day = np.floor(years_to_default * horizon / scenario.years).astype(np.int64)
        pay_day = np.minimum(default_day + lag, horizon - 1)
        amount, back = payouts[cols], returns[cols]
        counts = np.bincount(rows, minlength=size)
        ends = np.cumsum(counts)
        cumulative = np.r_[0, np.cumsum(amount)]
        cumulative_back = np.r_[0, np.cumsum(back)]
        gross[first:first + size] = cumulative[ends] - cumulative[ends - counts]
        net[first:first + size] = gross[first:first + size] - (cumulative_back[ends] - cumulative_back[ends - counts])
        claims_total += len(rows)
        bank_of = bank_of_loan[cols]
        np.add.at(per_bank_paid, bank_of, amount)
        ordered = _Ordered.of(rows, bank_of, pay_day, amount, len(banks), span)
        for need, already, store in ((need_warning, already_warning, warning_days),
                                     (need_suspension, already_suspension, suspension_days)):
            crossed_bank, crossed_day = ordered.first_crossings(need)
            for i in range(len(banks)):
                if not already[i]:
                    store[i].append(crossed_day[crossed_bank == i])

    exhausted = int(np.count_nonzero(gross > position.fund_balance_fen))
    outlooks = []
    for i, b in enumerate(banks):
        pos = position.banks.get(b, BankPosition(0, 0))
        outlooks.append(BankOutlook(
            b, pos.issued_fen, pos.paid_fen,
            int(round_half_up(Decimal(int(per_bank_paid[i])) / scenario.runs)),
            _crossing("warning", "BT-13a", already_warning[i], warning_days[i], scenario.runs, start),
            _crossing("suspension", "BT-13b", already_suspension[i], suspension_days[i], scenario.runs, start),
        ))
    return SimulationResult(
        start, end, scenario, n_loans, position.fund_balance_fen, _distribution(gross), _distribution(net),
        Decimal(claims_total) / scenario.runs, Decimal(exhausted) / scenario.runs, tuple(outlooks))

"""The fund's stress simulation from the database (``ipfin fund simulate``, the dashboard's simulation form).

Builds the domain's :class:`~ipfin.domain.fund.simulation.FundPosition` from what the fund holds on a business
date — its balance (:func:`ipfin.fund.selectors.fund_balance_fen`), the covered portfolio with each loan's
outstanding principal, compensation ratio and cap (:func:`ipfin.fund.selectors.covered_portfolio`, BT-12a/b),
each bank's issued and paid amounts (:func:`ipfin.fund.selectors.fund_status`, BT-13) — and the numbers of the
fund's policy profile (BT-13a/b bands, BT-15 days, BT-16 share), then runs
:func:`ipfin.domain.fund.simulation.simulate`. Nothing is written.

Scenario rates are parsed as Decimal from text (never float); a missing profile number is reported as bad
input, never replaced by a default.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext_lazy as _

from ipfin.accounts.models import Organisation
from ipfin.domain.errors import InvalidInput
from ipfin.domain.fund.simulation import (
    BankPosition,
    CoveredLoan,
    FundPosition,
    Scenario,
    SimulationResult,
    simulate,
)
from ipfin.fund.models import Fund
from ipfin.policy.policyset import PolicySet, policy_set

# Profile keys the simulation reads, with the clause each one carries in the profile.
PROFILE_KEYS = ("warning_ratio", "suspension_ratio", "claim_min_days_past_due", "recovery_share_ratio")
# The web form runs the simulation inside a request: an upper bound on runs keeps it short (a performance
# knob, not policy; the command line has no bound).
WEB_MAX_RUNS = 20_000


class SimulationInputInvalid(InvalidInput):
    code = "fund_simulation_input_invalid"


def parse_rate(text: str | Decimal, name: str) -> Decimal:
    """A probability between 0 and 1 from text (``"0.05"``), exactly; floats are refused."""
    if isinstance(text, float) or isinstance(text, bool):
        raise TypeError(f"{name} must be text or a Decimal, not float")
    try:
        value = text if isinstance(text, Decimal) else Decimal(str(text).strip())
    except InvalidOperation:
        raise SimulationInputInvalid(reason=f"{name} must be a number between 0 and 1, not {text!r}") from None
    if not value.is_finite() or not Decimal(0) <= value <= Decimal(1):
        raise SimulationInputInvalid(reason=f"{name} must be a number between 0 and 1, not {text}")
    return value


def _profile_value(pset: PolicySet, key: str) -> Decimal:
    found = pset.find(key)
    if found is None:
        raise SimulationInputInvalid(reason=f"the fund's policy profile has no {key} in force")
    return found.decimal


@dataclass(frozen=True)
class Inputs:
    position: FundPosition
    clauses: dict[str, str]


def position_for(fund: Fund, on: date) -> Inputs:
    """What the fund stands at on ``on``, with its profile's numbers (and the clause of each)."""
    from ipfin.fund.selectors import covered_portfolio, fund_balance_fen, fund_status

    pset = policy_set([fund.profile_name], on)
    values = {key: _profile_value(pset, key) for key in PROFILE_KEYS}
    clauses = {key: found.clause for key in PROFILE_KEYS if (found := pset.find(key)) is not None}
    status = fund_status(fund, on)
    # Banks are keyed by name in the result (the domain takes any string): the cooperating banks', then any
    # other bank a covered loan names.
    names = {row.bank.pk: row.bank.name for row in status.banks}
    portfolio = covered_portfolio(fund)
    missing = {row["bank_id"] for row in portfolio} - set(names)
    names.update(Organisation.objects.filter(pk__in=missing).values_list("pk", "name"))
    banks = {row.bank.name: BankPosition(issued_fen=int(row.issued_fen), paid_fen=int(row.paid_fen))
             for row in status.banks}
    loans = [CoveredLoan(bank=names[row["bank_id"]], outstanding_fen=int(row["outstanding_fen"]),
                         compensation_ratio=Decimal(str(row["ratio"])),
                         cap_fen=None if row.get("cap_fen") is None else int(row["cap_fen"]),
                         ip_share=Decimal(str(row.get("ip_share", 1))))
             for row in portfolio]
    position = FundPosition(
        start_on=on, fund_balance_fen=int(fund_balance_fen(fund)), loans=loans, banks=banks,
        warning_ratio=values["warning_ratio"], suspension_ratio=values["suspension_ratio"],
        claim_min_days_past_due=int(values["claim_min_days_past_due"]),
        recovery_share_ratio=values["recovery_share_ratio"])
    return Inputs(position, clauses)


def run_simulation(fund: Fund, *, on: date, default_rate: str | Decimal, recovery_rate: str | Decimal, years: int,
                   runs: int, seed: int) -> tuple[SimulationResult, Inputs]:
    scenario = Scenario(default_rate=parse_rate(default_rate, "default rate"),
                        recovery_rate=parse_rate(recovery_rate, "recovery rate"),
                        years=years, runs=runs, seed=seed)
    inputs = position_for(fund, on)
    return simulate(inputs.position, scenario), inputs


def chart_data(result: SimulationResult) -> dict[str, Any]:
    """For the dashboard (generic ``data-echarts="bar"`` of web/app.js): the payout distribution in yuan and
    each bank's probability of reaching the warning and suspension ratios."""
    labels = [str(_("Mean")), "P50", "P95", "P99", str(_("Max"))]

    def yuan(dist: Any) -> list[str]:
        return [str(Decimal(v) / 100) for v in (dist.mean_fen, dist.p50_fen, dist.p95_fen, dist.p99_fen,
                                                 dist.max_fen)]

    return {
        "payouts": {"title": str(_("Payouts over the horizon (CNY)")), "labels": labels,
                    "values": yuan(result.payouts), "series_name": str(_("Gross payouts"))},
        "net": {"title": str(_("Net of recovery shares (CNY)")), "labels": labels,
                "values": yuan(result.net_payouts), "series_name": str(_("Net payouts"))},
        "warning": {"title": str(_("Probability of reaching the warning ratio (%)")),
                    "labels": [b.bank for b in result.banks],
                    "values": [str(b.warning.probability * 100) for b in result.banks],
                    "series_name": str(_("Probability (%)"))},
    }

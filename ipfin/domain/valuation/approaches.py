"""The three valuation approaches and their reconciliation (PZA-2.1.1, SC-3).

* **Income approach** (收益法; for trademarks and copyrights the relief-from-royalty variant 许可费节省法):
  ``revenue × royalty share × (1 − tax)`` a year, declining by ``revenue_decay`` a year, discounted at the
  discount rate over the remaining economic life. The life never exceeds the legal remaining term (unless
  the model assumes renewal, as for trademarks) and never exceeds the cap for the kind; a fractional last
  year counts pro rata. The royalty share moves linearly inside its range with the overall value degree.
* **Cost approach** (成本法): development cost × index(valuation year) / index(development year)
  × remaining economic life / life cap (obsolescence).
* **Market approach** (市场法): median over comparable platform transactions of
  price × subject degree / comparable degree; only with at least ``min_comparables`` of them.
* **Reconciliation**: the model's approach weights, renormalised over the approaches available.

All amounts here are float fen (a statistical model); they become integer fen, rounded half up, only in
:mod:`.model` through :mod:`ipfin.domain.money`.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal

from ipfin.domain.valuation.definition import APPROACHES, RoyaltyRange, ValuationModel
from ipfin.domain.valuation.features import DAYS_PER_YEAR
from ipfin.domain.valuation.inputs import Comparable


def royalty_share(rng: RoyaltyRange, value_degree: float) -> float:
    """分成率: ``low`` at value degree 0, ``high`` at 100, linear in between."""
    low, high = float(rng.low), float(rng.high)
    return low + (high - low) * value_degree / 100.0


def economic_life(remaining_term_years: float, cap_years: float, *, renewal_assumed: bool = False) -> float:
    """Remaining economic life in years: the legal remaining term, at most the cap (renewable rights such as
    trademarks get the cap while they are alive)."""
    if renewal_assumed:
        return cap_years if remaining_term_years > 0 else 0.0
    return min(remaining_term_years, cap_years)


def discount_factor_sum(life_years: float, discount_rate: float, revenue_decay: float) -> float:
    """Σ_t frac_t × (1 − decay)^(t−1) / (1 + r)^t with frac_t = clip(life − (t − 1), 0, 1) — the present
    value of 1 fen a year of first-year income over ``life_years`` (end-of-year cash flows).

    Written as a loop of multiplications (no ``pow``) so that :mod:`.vectorised` reproduces it bit for bit.
    """
    v = 1.0 / (1.0 + discount_rate)
    gv = (1.0 - revenue_decay) * v
    factor = v
    total = 0.0
    for t in range(1, math.ceil(life_years) + 1):
        frac = min(max(life_years - (t - 1), 0.0), 1.0)
        total = total + frac * factor
        factor = factor * gv
    return total


def income_value(revenue_fen: float, share: float, tax_rate: float, life_years: float, discount_rate: float,
                 revenue_decay: float) -> float:
    """Income approach value in (float) fen."""
    annual = revenue_fen * share * (1.0 - tax_rate)
    return annual * discount_factor_sum(life_years, discount_rate, revenue_decay)


def cost_value(model: ValuationModel, development_cost_fen: int | None, development_year: int | None,
               as_of: date, life_years: float, cap_years: float) -> float | None:
    """Cost approach value in (float) fen, or ``None`` without a development cost."""
    if development_cost_fen is None or cap_years <= 0:
        return None
    year = development_year or as_of.year
    index_ratio = float(model.cost_index_for(as_of.year) / model.cost_index_for(year))
    return development_cost_fen * index_ratio * (life_years / cap_years)


def select_comparables(model: ValuationModel, comparables: Iterable[Comparable], asset_kind: str, class_key: str,
                       as_of: date) -> list[Comparable]:
    """Comparables of the same kind and class, dated on or before ``as_of`` and at most max_age_years old."""
    max_days = model.market_max_age_years * DAYS_PER_YEAR
    return sorted(
        (c for c in comparables
         if c.asset_kind == asset_kind and c.class_key == class_key and c.on_date <= as_of
         and (as_of - c.on_date).days <= max_days),
        key=lambda c: (c.on_date, c.price_fen, c.value_degree),
    )


def market_value(model: ValuationModel, selected: list[Comparable], subject_degree: float) -> float | None:
    """Median degree-adjusted price in (float) fen, or ``None`` with too few comparables."""
    if len(selected) < model.market_min_comparables:
        return None
    return float(statistics.median(c.price_fen * subject_degree / c.value_degree for c in selected))


def reconciliation_weights(model: ValuationModel, available: Mapping[str, bool]) -> dict[str, Decimal]:
    """The model's approach weights renormalised over the available approaches (income is always there)."""
    raw = {a: model.reconciliation[a] for a in APPROACHES if available.get(a)}
    total = sum(raw.values(), Decimal(0))
    if total == 0:
        return {"income": Decimal(1)}
    return {a: w / total for a, w in raw.items()}


def reconcile(values: Mapping[str, float], weights: Mapping[str, Decimal]) -> float:
    total = 0.0
    for approach in APPROACHES:
        if approach in weights:
            total = total + float(weights[approach]) * values[approach]
    return total

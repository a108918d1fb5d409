"""Calibration of the model from collected outcomes (SC-3, SC-4: 指标和系数根据采集数据不断完善).

1. **Metrics** — model values against observed values (third-party appraisals, negotiated values, disposal
   prices): the count, the median absolute percentage error (MdAPE, %) and Spearman's rank correlation
   (computed here with numpy: average ranks for ties, then Pearson on the ranks).
2. **Fit** — the model value of an asset is affine in the overall value degree D (the royalty share moves
   linearly with D; the market approach scales with D; the cost approach does not depend on it), and D is
   linear in the *combined* indicator weights c (dimension weight × indicator weight):
   ``V(c) = a + b × (s · c)`` with ``c ≥ 0`` and ``Σ c = 1``. :func:`fit_weights` minimises
   ``Σ (log V(c) − log observed)²`` over that simplex by Gauss–Newton steps, each a simplex-constrained
   least-squares problem solved by accelerated projected gradient (FISTA with Euclidean projection onto
   the simplex). The combined weights are split back into dimension and indicator weights, rounded to
   four decimals with the largest-remainder rule so every group sums to exactly 1, and written into a
   **new model version** (a data dict) that an admin must activate explicitly.
"""

from __future__ import annotations

import copy
import dataclasses
import statistics
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from decimal import ROUND_FLOOR, Decimal
from typing import Any

import numpy as np

from ipfin.domain.errors import InvalidInput, _
from ipfin.domain.valuation import approaches
from ipfin.domain.valuation.definition import ValuationModel, model_from_dict
from ipfin.domain.valuation.inputs import AssetFacts, Comparable, class_key_of
from ipfin.domain.valuation.model import point_estimate, status_factor
from ipfin.domain.valuation.scoring import CohortTable

WEIGHT_PLACES = 4
OBSERVATION_KINDS = frozenset({"appraisal", "negotiated", "disposal"})


class CalibrationRefused(InvalidInput):
    code = "calibration_refused"
    message_template = _("Calibration refused: {reason}")


# ---------------------------------------------------------------------------------------------------------
# Metrics


def average_ranks(values: Sequence[float] | np.ndarray) -> np.ndarray:
    """Ranks 1..n, ties sharing the average of the ranks they span."""
    x = np.asarray(values, dtype=np.float64)
    order = np.argsort(x, kind="mergesort")
    sorted_x = x[order]
    ranks = np.empty(x.size)
    boundaries = np.flatnonzero(np.r_[True, sorted_x[1:] != sorted_x[:-1], True])
    for start, end in zip(boundaries[:-1], boundaries[1:], strict=True):
        ranks[order[start:end]] = (start + 1 + end) / 2.0  # mean of start+1 … end
    return ranks


def spearman(x: Sequence[float] | np.ndarray, y: Sequence[float] | np.ndarray) -> float | None:
    """Spearman's ρ (Pearson correlation of average ranks); ``None`` when undefined (n < 2 or constant)."""
    if len(x) != len(y):
        raise ValueError("x and y must have the same length")
    if len(x) < 2:
        return None
    rx, ry = average_ranks(x), average_ranks(y)
    dx, dy = rx - rx.mean(), ry - ry.mean()
    denominator = float(np.sqrt((dx * dx).sum() * (dy * dy).sum()))
    if denominator == 0.0:
        return None
    return float((dx * dy).sum() / denominator)


@dataclasses.dataclass(frozen=True, slots=True)
class Metrics:
    count: int
    mdape_pct: float | None
    spearman: float | None

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def calibration_metrics(model_values: Sequence[float], observed: Sequence[float]) -> Metrics:
    """Count, MdAPE (% of observed) and Spearman ρ of model values against observed values (> 0)."""
    if len(model_values) != len(observed):
        raise ValueError("model_values and observed must have the same length")
    if any(o <= 0 for o in observed):
        raise CalibrationRefused(reason="observed values must be positive")
    if not observed:
        return Metrics(0, None, None)
    errors = [abs(m - o) / o * 100.0 for m, o in zip(model_values, observed, strict=True)]
    return Metrics(len(observed), float(statistics.median(errors)), spearman(model_values, observed))


# ---------------------------------------------------------------------------------------------------------
# Linearisation of the model value in the weights


@dataclasses.dataclass(frozen=True, slots=True)
class CalibrationObservation:
    """An observed value of an asset on a date: an appraisal, a negotiated value or a disposal price."""

    facts: AssetFacts
    as_of: date
    observed_fen: int
    kind: str
    cohorts: CohortTable | None = None
    comparables: tuple[Comparable, ...] = ()

    def __post_init__(self) -> None:
        if self.kind not in OBSERVATION_KINDS:
            raise CalibrationRefused(reason=f"unknown observation kind {self.kind!r}")


@dataclasses.dataclass(frozen=True, slots=True)
class LinearValue:
    """``value = a + b × (scores · combined_weights)`` for one asset (float fen)."""

    scores: tuple[float, ...]
    a: float
    b: float

    def value(self, combined: np.ndarray) -> float:
        return self.a + self.b * float(np.dot(np.asarray(self.scores), combined))


def linearise(obs: CalibrationObservation, model: ValuationModel) -> LinearValue:
    """Decompose the model value of ``obs`` as affine in the overall value degree (see module docstring)."""
    point = point_estimate(obs.facts, obs.as_of, model, obs.cohorts)
    scores = tuple(item.score for item in point.scores.indicators)
    annual = float(obs.facts.annual_revenue_fen) * (1.0 - float(model.tax_rate))
    k = annual * approaches.discount_factor_sum(point.life_years, float(model.discount_rate), float(model.revenue_decay))
    cost = approaches.cost_value(model, obs.facts.development_cost_fen, obs.facts.development_year, obs.as_of,
                                 point.life_years, point.life_cap_years)
    selected = approaches.select_comparables(model, obs.comparables, obs.facts.asset_kind, class_key_of(obs.facts),
                                             obs.as_of)
    market_per_degree = (float(statistics.median(c.price_fen / c.value_degree for c in selected))
                         if len(selected) >= model.market_min_comparables else None)
    weights = approaches.reconciliation_weights(model, {"income": True, "cost": cost is not None,
                                                        "market": market_per_degree is not None})
    w = {name: float(weights.get(name, Decimal(0))) for name in ("income", "cost", "market")}
    factor = float(status_factor(obs.facts, obs.as_of, model))
    a = factor * (w["income"] * k * point.share_low + w["cost"] * (cost or 0.0))
    b = factor * (w["income"] * k * (point.share_high - point.share_low) / 100.0
                  + w["market"] * (market_per_degree or 0.0))
    return LinearValue(scores, a, b)


# ---------------------------------------------------------------------------------------------------------
# Fitting


def project_to_simplex(v: np.ndarray) -> np.ndarray:
    """Euclidean projection onto {c ≥ 0, Σ c = 1} (Duchi et al., 2008)."""
    u = np.sort(v)[::-1]
    cumulative = np.cumsum(u) - 1.0
    index = np.arange(1, v.size + 1)
    rho = int(np.nonzero(u - cumulative / index > 0)[0][-1])
    theta = cumulative[rho] / (rho + 1.0)
    return np.maximum(v - theta, 0.0)


def _simplex_least_squares(matrix: np.ndarray, target: np.ndarray, start: np.ndarray, iterations: int) -> np.ndarray:
    """argmin ‖matrix · c − target‖² over the simplex by FISTA."""
    lipschitz = float(np.linalg.norm(matrix, 2) ** 2) or 1.0
    step = 1.0 / lipschitz
    c = start.copy()
    y = c.copy()
    t = 1.0
    for _iteration in range(iterations):
        gradient = matrix.T @ (matrix @ y - target)
        c_next = project_to_simplex(y - step * gradient)
        t_next = (1.0 + np.sqrt(1.0 + 4.0 * t * t)) / 2.0
        y = c_next + ((t - 1.0) / t_next) * (c_next - c)
        c, t = c_next, t_next
    return c


def fit_weights(linear: Sequence[LinearValue], observed: Sequence[float], start: np.ndarray, *,
                outer_iterations: int = 12, inner_iterations: int = 1500) -> np.ndarray:
    """Combined weights minimising Σ (log V(c) − log observed)² over the simplex (Gauss–Newton + FISTA)."""
    s = np.array([lv.scores for lv in linear], dtype=np.float64)
    a = np.array([lv.a for lv in linear])
    b = np.array([lv.b for lv in linear])
    log_obs = np.log(np.asarray(observed, dtype=np.float64))
    c = project_to_simplex(np.asarray(start, dtype=np.float64))
    for _step in range(outer_iterations):
        value = np.maximum(a + b * (s @ c), 1e-9)
        # log V(c + δ) ≈ log V(c) + (b s / V) · δ  →  least squares in c directly:
        jacobian = (b / value)[:, None] * s
        target = log_obs - np.log(value) + jacobian @ c
        c_new = _simplex_least_squares(jacobian, target, c, inner_iterations)
        if np.max(np.abs(c_new - c)) < 1e-10:
            c = c_new
            break
        c = c_new
    return c


def _round_to_one(shares: Mapping[str, float]) -> dict[str, Decimal]:
    """Shares (summing to ~1) as Decimals with WEIGHT_PLACES places summing to exactly 1 (largest remainder)."""
    unit = Decimal(1).scaleb(-WEIGHT_PLACES)
    total = sum(shares.values())
    exact = {k: Decimal(repr(v / total)) if total > 0 else Decimal(1) / len(shares) for k, v in shares.items()}
    floored = {k: v.quantize(unit, rounding=ROUND_FLOOR) for k, v in exact.items()}
    missing = int((Decimal(1) - sum(floored.values(), Decimal(0))) / unit)
    for key in sorted(exact, key=lambda k: (-(exact[k] - floored[k]), k))[:missing]:
        floored[key] += unit
    return floored


def weights_to_tree(model: ValuationModel, combined: np.ndarray) -> tuple[dict[str, Decimal], dict[str, dict[str, Decimal]]]:
    """Combined weights → (dimension weights, indicator weights per dimension), each group summing to 1.

    A dimension whose combined weight is zero keeps its previous indicator weights (they must still sum
    to 1, and carry no weight overall)."""
    by_key = dict(zip([i.key for i in model.indicators], combined.tolist(), strict=True))
    dims: dict[str, float] = {}
    within: dict[str, dict[str, Decimal]] = {}
    for dim in model.dimensions:
        dims[dim.key] = sum(by_key[i.key] for i in dim.indicators)
        if dims[dim.key] > 0:
            within[dim.key] = _round_to_one({i.key: by_key[i.key] for i in dim.indicators})
        else:
            within[dim.key] = {i.key: i.weight for i in dim.indicators}
    return _round_to_one(dims), within


@dataclasses.dataclass(frozen=True, slots=True)
class CalibrationReport:
    before: Metrics
    after: Metrics
    used: int
    skipped: int
    by_kind: Mapping[str, int]
    new_data: dict[str, Any]
    new_version: str

    def as_dict(self) -> dict[str, Any]:
        return {"before": self.before.as_dict(), "after": self.after.as_dict(), "used": self.used,
                "skipped": self.skipped, "by_kind": dict(self.by_kind), "new_version": self.new_version}


def calibrate(observations: Iterable[CalibrationObservation], model: ValuationModel, *, new_version: str,
              calibrated_on: date) -> CalibrationReport:
    """Compare, fit and write a new model version (not active: an admin activates it explicitly)."""
    if not new_version or new_version == model.version:
        raise CalibrationRefused(reason="the new version needs a new name")
    observations = list(observations)
    linear: list[LinearValue] = []
    observed: list[float] = []
    kinds: dict[str, int] = {}
    skipped = 0
    for obs in observations:
        if obs.observed_fen <= 0 or obs.facts.asset_kind != model.asset_kind:
            skipped += 1
            continue
        lv = linearise(obs, model)
        if lv.b <= 0:  # the weights cannot move this value (no revenue, no comparables, or a dead right)
            skipped += 1
            continue
        linear.append(lv)
        observed.append(float(obs.observed_fen))
        kinds[obs.kind] = kinds.get(obs.kind, 0) + 1
    if len(linear) < model.calibration_min_observations:
        raise CalibrationRefused(
            reason=f"{len(linear)} usable observations, the model needs at least {model.calibration_min_observations}")
    old = np.array([float(w) for w in model.combined_weights().values()])
    before = calibration_metrics([lv.value(old) for lv in linear], observed)
    fitted = fit_weights(linear, observed, old)
    dims, within = weights_to_tree(model, fitted)
    data = copy.deepcopy(dict(model.data))
    for raw_dim in data["dimensions"]:
        raw_dim["weight"] = str(dims[raw_dim["key"]])
        for raw_ind in raw_dim["indicators"]:
            raw_ind["weight"] = str(within[raw_dim["key"]][raw_ind["key"]])
    new_model = model_from_dict(data, origin=f"calibration of {model.version}")  # validates the sums
    rounded = np.array([float(w) for w in new_model.combined_weights().values()])
    after = calibration_metrics([lv.value(rounded) for lv in linear], observed)
    data["model"]["version"] = new_version
    data["model"]["calibrated_from"] = model.version
    data["model"]["calibrated_on"] = calibrated_on.isoformat()
    data["model"]["calibration"] = {"before": before.as_dict(), "after": after.as_dict(), "observations": len(linear),
                                    "by_kind": kinds}
    model_from_dict(data, origin=new_version)
    return CalibrationReport(before, after, len(linear), skipped, kinds, data, new_version)

"""Seeded Monte Carlo over the uncertain inputs → P10 / P50 / P90 of the reconciled value.

Reproducibility (SC-3): the generator is ``numpy.random.Generator(PCG64(seed))`` and the seed is the first
8 bytes of SHA-256 over the canonical JSON of the valuation inputs and the model version
(:func:`derive_seed`). Identical inputs therefore give bit-identical percentiles (with the same numpy
version — numpy documents that ``Generator`` streams may change across its releases, which is one reason
the numbers are stored in the record, not only recomputed). The draws are taken in a fixed order and always
all of them, whether an approach is used or not, so one input's distribution never shifts another's stream.

Which inputs are uncertain and how is set in the model data file (``[monte_carlo]``):
revenue (multiplier), royalty share (within its range, mode at the point estimate), discount rate,
economic life (multiplier), and the cost- and market-approach values (multipliers).
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import numpy as np
from numpy.random import PCG64, Generator

from ipfin.domain.valuation.definition import APPROACHES, canonical_json


def derive_seed(payload: Mapping[str, Any]) -> int:
    """A 64-bit seed from the canonical JSON of ``payload`` (inputs + model version)."""
    digest = hashlib.sha256(canonical_json(payload).encode()).digest()
    return int.from_bytes(digest[:8], "big")


@dataclasses.dataclass(frozen=True, slots=True)
class SimulationInputs:
    revenue_fen: float
    share: float
    share_low: float
    share_high: float
    tax_rate: float
    discount_rate: float
    revenue_decay: float
    life_years: float
    life_max_years: float         # the legal remaining term: a drawn life never exceeds it
    cost_fen: float | None
    market_fen: float | None
    weights: Mapping[str, Decimal]


def _multiplier(rng: Generator, spec: Mapping[str, Any], runs: int) -> np.ndarray:
    dist = spec["distribution"]
    if dist == "lognormal":
        return rng.lognormal(mean=0.0, sigma=spec["sigma"], size=runs)
    if dist == "uniform":
        return rng.uniform(spec["low"], spec["high"], size=runs)
    if dist == "normal":
        return np.maximum(rng.normal(1.0, spec["sd"], size=runs), spec["min"])
    return np.ones(runs)


def _around(rng: Generator, spec: Mapping[str, Any], point: float, low: float, high: float, runs: int) -> np.ndarray:
    """Draws of a quantity whose point estimate is ``point`` (royalty share, discount rate)."""
    dist = spec["distribution"]
    if dist == "triangular":
        if high <= low:
            rng.uniform(size=runs)  # keep the stream aligned
            return np.full(runs, point)
        return rng.triangular(low, min(max(point, low), high), high, size=runs)
    if dist == "range_normal":  # normal around the point, sd a share of the range, clipped into the range
        return np.clip(rng.normal(point, spec["sd_share"] * (high - low), size=runs), low, high)
    if dist == "normal":
        return np.maximum(rng.normal(point, spec["sd"], size=runs), spec["min"])
    return point * _multiplier(rng, spec, runs)


def discount_factor_sum_array(life: np.ndarray, rate: np.ndarray | float, decay: float) -> np.ndarray:
    """Vector form of :func:`.approaches.discount_factor_sum` (same operations, element by element)."""
    life = np.asarray(life, dtype=np.float64)
    v = 1.0 / (1.0 + np.asarray(rate, dtype=np.float64))
    gv = (1.0 - decay) * v
    factor = np.broadcast_to(v, life.shape).copy()
    gv = np.broadcast_to(gv, life.shape)
    total = np.zeros_like(life)
    horizon = int(np.ceil(life.max())) if life.size else 0
    for t in range(1, horizon + 1):
        frac = np.minimum(np.maximum(life - (t - 1), 0.0), 1.0)
        total = total + frac * factor
        factor = factor * gv
    return total


def simulate(inputs: SimulationInputs, spec: Mapping[str, Mapping[str, Any]], runs: int,
             seed: int) -> tuple[float, float, float]:
    """(P10, P50, P90) of the reconciled value in float fen."""
    rng = Generator(PCG64(seed))
    revenue = inputs.revenue_fen * _multiplier(rng, spec["revenue"], runs)
    share = _around(rng, spec["royalty_share"], inputs.share, inputs.share_low, inputs.share_high, runs)
    rate = _around(rng, spec["discount_rate"], inputs.discount_rate, inputs.discount_rate, inputs.discount_rate, runs)
    life = np.minimum(inputs.life_years * _multiplier(rng, spec["economic_life"], runs), inputs.life_max_years)
    cost_multiplier = _multiplier(rng, spec["cost"], runs)
    market_multiplier = _multiplier(rng, spec["market"], runs)

    values = {
        "income": revenue * share * (1.0 - inputs.tax_rate) * discount_factor_sum_array(life, rate, inputs.revenue_decay),
        "cost": (inputs.cost_fen or 0.0) * cost_multiplier,
        "market": (inputs.market_fen or 0.0) * market_multiplier,
    }
    total = np.zeros(runs)
    for approach in APPROACHES:
        if approach in inputs.weights:
            total = total + float(inputs.weights[approach]) * values[approach]
    p10, p50, p90 = np.percentile(total, [10.0, 50.0, 90.0])
    return float(p10), float(p50), float(p90)

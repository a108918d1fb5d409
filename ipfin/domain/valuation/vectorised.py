"""Batch path: indicator scores, value degrees and the income-approach point estimate for arrays of patents.

Numpy, one array per fact (structure of arrays). It performs the same float operations, in the same order,
as the scalar path (:mod:`.features`, :mod:`.scoring`, :mod:`.approaches`), so the value degrees are equal
to the last bit and the amounts equal to the fen (tests check this). Money leaves as int64 fen, rounded
half up with :func:`round_half_up_fen` — the array form of :func:`ipfin.domain.money.round_fen` applied to
the exact binary value of each float (the tests compare both on edge cases).

Used by the benchmark (1,000,000 patents) and by bulk revaluation of pledged collateral.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import date
from decimal import Decimal

import numpy as np

from ipfin.domain.valuation.definition import Indicator, ValuationModel
from ipfin.domain.valuation.features import DAYS_PER_YEAR, FEN_PER_WAN, patent_term_end
from ipfin.domain.valuation.inputs import DEAD_STATUSES, LegalStatus, PatentFacts, PatentKind
from ipfin.domain.valuation.montecarlo import discount_factor_sum_array
from ipfin.domain.valuation.scoring import CohortTable, lookup_score

KINDS: tuple[str, ...] = tuple(k.value for k in PatentKind)
_EPOCH = date(1970, 1, 1)


def round_half_up_fen(amounts: np.ndarray) -> np.ndarray:
    """Non-negative float fen → int64 fen, halves up, on the exact binary value (= ``round_fen(Decimal(x))``).

    ``x - floor(x)`` is exact for 0 ≤ x < 2**52, so the comparison with 0.5 sees the true fraction; adding
    0.5 first (the usual trick) would round 0.49999999999999994 up.
    """
    amounts = np.asarray(amounts, dtype=np.float64)
    if amounts.size and (np.any(amounts < 0) or np.any(amounts >= 2.0**52) or not np.all(np.isfinite(amounts))):
        raise ValueError("amounts must be finite, ≥ 0 and < 2**52 fen")
    whole = np.floor(amounts)
    return (whole + (amounts - whole >= 0.5)).astype(np.int64)


def apply_ratio_array(amounts_fen: np.ndarray, ratio: Decimal) -> np.ndarray:
    """int64 fen × Decimal ratio, half up, exactly (integer arithmetic on the ratio's fraction)."""
    numerator, denominator = ratio.as_integer_ratio()
    amounts = np.asarray(amounts_fen, dtype=np.int64)
    return (amounts * (2 * numerator) + denominator) // (2 * denominator)


def _days(values: Sequence[date]) -> np.ndarray:
    return np.array([(d - _EPOCH).days for d in values], dtype=np.int64)


@dataclasses.dataclass(frozen=True)
class PatentArrays:
    """Facts of n patents, one numpy array per fact (``term_end_day`` already resolved from the kind)."""

    kind: np.ndarray                    # int8 index into KINDS
    filing_day: np.ndarray              # int64 days since 1970-01-01
    filing_year: np.ndarray             # int32
    term_end_day: np.ndarray            # int64 days since 1970-01-01
    dead: np.ndarray                    # bool: lapsed / invalidated / expired / abandoned / revoked
    granted: np.ndarray                 # bool
    invalidation_pending: np.ndarray    # bool
    ipc_class: np.ndarray               # str, IPC subclass ("H01M")
    industry_code: np.ndarray           # str
    counts: dict[str, np.ndarray]       # int64 counts by fact name
    annual_revenue_fen: np.ndarray      # int64
    appraiser: dict[str, np.ndarray]    # float64 0–100, NaN where not given

    @property
    def size(self) -> int:
        return int(self.kind.shape[0])

    COUNT_FIELDS = ("ipc_class_count", "claims_total", "independent_claims", "forward_citations",
                    "backward_citations", "family_size", "family_countries", "co_owner_count", "licence_count",
                    "transfer_count", "litigation_count", "invalidation_survived")

    @classmethod
    def from_facts(cls, facts: Sequence[PatentFacts], model: ValuationModel) -> PatentArrays:
        legal = dict(model.legal_term_years)
        appraiser_keys = [i.key for i in model.indicators if i.rule == "appraiser"]
        return cls(
            kind=np.array([KINDS.index(f.kind.value) for f in facts], dtype=np.int8),
            filing_day=_days([f.filing_date for f in facts]),
            filing_year=np.array([f.filing_date.year for f in facts], dtype=np.int32),
            term_end_day=_days([patent_term_end(f, legal) for f in facts]),
            dead=np.array([f.status in DEAD_STATUSES for f in facts], dtype=bool),
            granted=np.array([f.grant_date is not None and f.status is not LegalStatus.PENDING for f in facts]),
            invalidation_pending=np.array([f.invalidation_pending for f in facts], dtype=bool),
            ipc_class=np.array([f.ipc_class for f in facts], dtype=object),
            industry_code=np.array([f.industry_code.strip().upper() for f in facts], dtype=object),
            counts={name: np.array([getattr(f, name) for f in facts], dtype=np.int64) for name in cls.COUNT_FIELDS},
            annual_revenue_fen=np.array([f.annual_revenue_fen for f in facts], dtype=np.int64),
            appraiser={k: np.array([float(f.appraiser_inputs[k]) if k in f.appraiser_inputs else np.nan
                                    for f in facts]) for k in appraiser_keys},
        )


@dataclasses.dataclass(frozen=True)
class BatchResult:
    indicator_keys: tuple[str, ...]
    scores: np.ndarray                  # (n, k) float64
    dimension_degrees: dict[str, np.ndarray]
    value_degree: np.ndarray
    royalty_share: np.ndarray
    economic_life_years: np.ndarray
    income_fen: np.ndarray              # int64, before the status factor
    value_fen: np.ndarray               # int64, income approach × status factor (dead 0, pending haircut)


def _features(arrays: PatentArrays, as_of: date) -> dict[str, np.ndarray]:
    as_of_day = (as_of - _EPOCH).days
    c = {k: v for k, v in arrays.counts.items()}
    age = np.maximum(as_of_day - arrays.filing_day, 0) / DAYS_PER_YEAR
    remaining = np.where(arrays.dead, 0.0, np.maximum(arrays.term_end_day - as_of_day, 0) / DAYS_PER_YEAR)
    features: dict[str, np.ndarray] = {name: c[name].astype(np.float64) for name in PatentArrays.COUNT_FIELDS}
    features.update({
        "remaining_term_years": remaining,
        "age_years": age,
        "citations_per_year": c["forward_citations"] / np.maximum(age, 1.0),
        "transactions": (c["licence_count"] + c["transfer_count"]).astype(np.float64),
        "revenue_wan": arrays.annual_revenue_fen / FEN_PER_WAN,
        "commercialisation_level": ((arrays.annual_revenue_fen > 0).astype(np.int64)
                                    + (c["licence_count"] > 0).astype(np.int64)).astype(np.float64),
        "granted": arrays.granted.astype(np.float64),
    })
    return features


def piecewise_array(x: np.ndarray, points: tuple[tuple[float, float], ...]) -> np.ndarray:
    """Vector form of :func:`.scoring.piecewise` (same arithmetic)."""
    xs = np.array([p[0] for p in points])
    ys = np.array([p[1] for p in points])
    i = np.clip(np.searchsorted(xs, x, side="right") - 1, 0, len(points) - 2)
    x0, y0, x1, y1 = xs[i], ys[i], xs[i + 1], ys[i + 1]
    inner = y0 + (y1 - y0) * (x - x0) / (x1 - x0)
    return np.where(x <= xs[0], ys[0], np.where(x >= xs[-1], ys[-1], inner))


def _by_unique(values: np.ndarray, func) -> np.ndarray:  # type: ignore[no-untyped-def]
    uniques, inverse = np.unique(values, return_inverse=True)
    return np.array([func(u) for u in uniques], dtype=np.float64)[inverse]


def _cohort_scores(ind: Indicator, raw: np.ndarray, fallback: np.ndarray, arrays: PatentArrays,
                   cohorts: CohortTable | None, min_size: int) -> np.ndarray:
    out = fallback.copy()
    if cohorts is None or not cohorts.cohorts:
        return out
    classes, class_index = np.unique(arrays.ipc_class, return_inverse=True)
    group = class_index.astype(np.int64) * 10_000 + arrays.filing_year
    order = np.argsort(group, kind="stable")
    sorted_groups = group[order]
    starts = np.flatnonzero(np.r_[True, sorted_groups[1:] != sorted_groups[:-1]])
    ends = np.r_[starts[1:], sorted_groups.size]
    for start, end in zip(starts, ends, strict=True):
        g = int(sorted_groups[start])
        cohort = cohorts.get(str(ind.feature), str(classes[g // 10_000]), g % 10_000)
        if cohort is None or cohort.size < min_size:
            continue
        members = order[start:end]
        values = np.array(cohort.values)
        cumulative = np.array(cohort.cumulative, dtype=np.int64)
        below = cumulative[np.searchsorted(values, raw[members], side="left")]
        at_or_below = cumulative[np.searchsorted(values, raw[members], side="right")]
        out[members] = 100.0 * (below + at_or_below) / (2.0 * cohort.size)
    return out


def value_batch(arrays: PatentArrays, as_of: date, model: ValuationModel,
                cohorts: CohortTable | None = None) -> BatchResult:
    """Scores, value degrees and income-approach values of all patents in ``arrays`` on ``as_of``."""
    if model.asset_kind != "patent":
        raise ValueError(f"model {model.version} is not a patent model")
    n = arrays.size
    features = _features(arrays, as_of)
    keys: list[str] = []
    columns: list[np.ndarray] = []
    degrees: dict[str, np.ndarray] = {}
    overall = np.zeros(n)
    for dim in model.dimensions:
        degree = np.zeros(n)
        for ind in dim.indicators:
            if ind.rule == "appraiser":
                given = arrays.appraiser.get(ind.key, np.full(n, np.nan))
                score = np.where(np.isnan(given), ind.default, given)
            elif ind.rule == "piecewise":
                score = piecewise_array(features[str(ind.feature)], ind.breakpoints)
            elif ind.rule == "linear":
                score = np.full(n, ind.base)
                for name, coefficient in ind.terms:
                    score = score + coefficient * features[name]
                score = np.minimum(np.maximum(score, 0.0), 100.0)
            elif ind.rule == "lookup":
                score = _by_unique(arrays.industry_code, lambda code, i=ind: lookup_score(str(code), i.table, i.default))
            else:  # cohort_percentile
                fallback = piecewise_array(features[str(ind.fallback_feature)], ind.fallback_breakpoints)
                score = _cohort_scores(ind, features[str(ind.feature)], fallback, arrays, cohorts, model.cohort_min_size)
            degree += float(ind.weight) * score
            keys.append(ind.key)
            columns.append(score)
        degrees[dim.key] = degree
        overall += float(dim.weight) * degree

    # Royalty-share range and life cap per (kind, industry).
    industries, industry_index = np.unique(arrays.industry_code, return_inverse=True)
    pair = arrays.kind.astype(np.int64) * len(industries) + industry_index
    pairs, pair_index = np.unique(pair, return_inverse=True)
    lows = np.empty(len(pairs))
    highs = np.empty(len(pairs))
    for j, p in enumerate(pairs):
        rng = model.royalty_range(KINDS[int(p) // len(industries)], str(industries[int(p) % len(industries)]))
        lows[j], highs[j] = float(rng.low), float(rng.high)
    low, high = lows[pair_index], highs[pair_index]
    share = low + (high - low) * overall / 100.0
    caps = np.array([float(model.economic_life_cap(k)) for k in KINDS])[arrays.kind]
    life = np.minimum(features["remaining_term_years"], caps)
    dfs = discount_factor_sum_array(life, float(model.discount_rate), float(model.revenue_decay))
    income = arrays.annual_revenue_fen.astype(np.float64) * share * (1.0 - float(model.tax_rate)) * dfs
    income_fen = round_half_up_fen(income)
    value = np.where(arrays.dead, 0, income_fen)
    haircut_factor = Decimal(1) - model.pending_invalidation_haircut
    value = np.where(arrays.invalidation_pending & ~arrays.dead, apply_ratio_array(value, haircut_factor), value)
    return BatchResult(tuple(keys), np.column_stack(columns) if columns else np.zeros((n, 0)), degrees, overall,
                       share, life, income_fen, value.astype(np.int64))

"""Indicators → 0–100 scores → value degrees (专利价值度) → contributions and an explanation in words.

* Each indicator's rule (from the model data file) turns one feature into a score 0–100.
* A dimension's value degree is Σ indicator weight × score; the overall value degree is
  Σ dimension weight × dimension degree (GB/T 42748-2023 spirit; PZA-2.1.1, SC-3).
* An indicator's contribution is its share of the overall degree: dimension weight × indicator weight ×
  score (points out of 100). The explanation names the largest contributors and the indicator that costs
  the most points, in Chinese, e.g. "剩余保护期 14.2 年（得分 85）贡献最大".

The float operations here are mirrored one for one in :mod:`.vectorised` (same order, same operands), so
that the batch path gives exactly the same numbers.
"""

from __future__ import annotations

import dataclasses
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from ipfin.domain.valuation.definition import Indicator, ValuationModel


def piecewise(x: float, points: tuple[tuple[float, float], ...]) -> float:
    """Linear interpolation between breakpoints, flat beyond the ends."""
    if x <= points[0][0]:
        return points[0][1]
    if x >= points[-1][0]:
        return points[-1][1]
    i = bisect_right([p[0] for p in points], x) - 1
    x0, y0 = points[i]
    x1, y1 = points[i + 1]
    return y0 + (y1 - y0) * (x - x0) / (x1 - x0)


def lookup_score(code: str, table: tuple[tuple[str, float], ...], default: float) -> float:
    """Score of the longest table prefix that ``code`` starts with; ``default`` when none does."""
    best_len, best = -1, default
    for prefix, score in table:
        if code.startswith(prefix) and len(prefix) > best_len:
            best_len, best = len(prefix), score
    return best


@dataclasses.dataclass(frozen=True, slots=True)
class Cohort:
    """A distribution of one metric among patents of one IPC subclass and filing year, as distinct sorted
    values with their counts (compact, and enough for an exact mid-rank percentile)."""

    values: tuple[float, ...]
    counts: tuple[int, ...]
    cumulative: tuple[int, ...] = dataclasses.field(init=False, repr=False)

    def __post_init__(self) -> None:
        if len(self.values) != len(self.counts) or list(self.values) != sorted(set(self.values)):
            raise ValueError("cohort values must be distinct and sorted, one count each")
        running, cumulative = 0, [0]
        for count in self.counts:
            running += count
            cumulative.append(running)
        object.__setattr__(self, "cumulative", tuple(cumulative))

    @property
    def size(self) -> int:
        return self.cumulative[-1]

    def percentile(self, x: float) -> float:
        """Mid-rank percentile of ``x``: 100 × (#below + #at-or-below) / (2n) — ties count half."""
        below = self.cumulative[bisect_left(self.values, x)]
        at_or_below = self.cumulative[bisect_right(self.values, x)]
        return 100.0 * (below + at_or_below) / (2.0 * self.size)

    @classmethod
    def from_sample(cls, sample: Iterable[float]) -> Cohort:
        tally: dict[float, int] = {}
        for value in sample:
            tally[float(value)] = tally.get(float(value), 0) + 1
        ordered = sorted(tally)
        return cls(tuple(ordered), tuple(tally[v] for v in ordered))


CohortKey = tuple[str, str, int]  # (metric, IPC subclass, filing year)


@dataclasses.dataclass(frozen=True, slots=True)
class CohortTable:
    """Cohorts by (metric, IPC subclass, filing year), built by the registry side from its patents."""

    cohorts: Mapping[CohortKey, Cohort] = dataclasses.field(default_factory=dict)

    def get(self, metric: str, ipc_class: str, filing_year: int) -> Cohort | None:
        return self.cohorts.get((metric, ipc_class, filing_year))

    @classmethod
    def from_samples(cls, rows: Iterable[tuple[str, str, int, float]]) -> CohortTable:
        """``rows`` of (metric, ipc_class, filing_year, value)."""
        grouped: dict[CohortKey, list[float]] = {}
        for metric, ipc_class, year, value in rows:
            grouped.setdefault((metric, ipc_class, int(year)), []).append(float(value))
        return cls({key: Cohort.from_sample(values) for key, values in grouped.items()})

    def snippet(self, metrics: Iterable[str], ipc_class: str, filing_year: int) -> list[dict[str, Any]]:
        """The cohorts one valuation used, JSON-able, stored with the record so a re-run reproduces it."""
        out = []
        for metric in sorted(set(metrics)):
            cohort = self.get(metric, ipc_class, filing_year)
            if cohort is not None:
                out.append({"metric": metric, "ipc_class": ipc_class, "filing_year": filing_year,
                            "values": list(cohort.values), "counts": list(cohort.counts)})
        return out

    @classmethod
    def from_snippet(cls, snippet: Iterable[Mapping[str, Any]]) -> CohortTable:
        return cls({(str(s["metric"]), str(s["ipc_class"]), int(s["filing_year"])):
                    Cohort(tuple(float(v) for v in s["values"]), tuple(int(c) for c in s["counts"]))
                    for s in snippet})


@dataclasses.dataclass(frozen=True, slots=True)
class IndicatorScore:
    key: str
    dimension: str
    label: str
    raw: float | str | None
    score: float
    weight: Decimal
    dimension_weight: Decimal
    contribution: float          # points of the overall value degree (0–100 scale)
    basis: str                   # registry | cohort | fallback | appraiser | appraiser_default | lookup_default
    cohort_percentile: float | None = None
    cohort_size: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"key": self.key, "dimension": self.dimension, "label": self.label, "raw": self.raw,
                "score": self.score, "weight": str(self.weight), "dimension_weight": str(self.dimension_weight),
                "contribution": self.contribution, "basis": self.basis,
                "cohort_percentile": self.cohort_percentile, "cohort_size": self.cohort_size}


@dataclasses.dataclass(frozen=True, slots=True)
class ScoreCard:
    indicators: tuple[IndicatorScore, ...]
    dimension_degrees: Mapping[str, float]
    value_degree: float


def score_indicator(
    indicator: Indicator,
    features: Mapping[str, Any],
    appraiser_inputs: Mapping[str, int],
    cohorts: CohortTable | None,
    cohort_key: tuple[str, int] | None,
    min_cohort_size: int,
) -> tuple[float | str | None, float, str, float | None, int | None]:
    """(raw value, score, basis, cohort percentile, cohort size) of one indicator."""
    rule = indicator.rule
    if rule == "appraiser":
        if indicator.key in appraiser_inputs:
            value = float(appraiser_inputs[indicator.key])
            return value, value, "appraiser", None, None
        return None, indicator.default, "appraiser_default", None, None
    assert indicator.feature is not None
    raw = features[indicator.feature]
    if rule == "piecewise":
        return raw, piecewise(raw, indicator.breakpoints), "registry", None, None
    if rule == "linear":
        score = indicator.base
        for name, coefficient in indicator.terms:
            score = score + coefficient * features[name]
        return raw, min(max(score, 0.0), 100.0), "registry", None, None
    if rule == "lookup":
        matched = any(raw.startswith(prefix) for prefix, _ in indicator.table)
        return raw, lookup_score(raw, indicator.table, indicator.default), "registry" if matched else "lookup_default", None, None
    # cohort_percentile
    cohort = cohorts.get(indicator.feature, *cohort_key) if cohorts is not None and cohort_key else None
    if cohort is not None and cohort.size >= min_cohort_size:
        pct = cohort.percentile(raw)
        return raw, pct, "cohort", pct, cohort.size
    assert indicator.fallback_feature is not None
    return raw, piecewise(features[indicator.fallback_feature], indicator.fallback_breakpoints), "fallback", None, (
        cohort.size if cohort is not None else 0)


def score_all(
    model: ValuationModel,
    features: Mapping[str, Any],
    appraiser_inputs: Mapping[str, int],
    cohorts: CohortTable | None = None,
    cohort_key: tuple[str, int] | None = None,
) -> ScoreCard:
    """Score every indicator, then the dimension and overall value degrees (see module docstring)."""
    scored: list[IndicatorScore] = []
    degrees: dict[str, float] = {}
    overall = 0.0
    for dim in model.dimensions:
        degree = 0.0
        dim_weight = float(dim.weight)
        for ind in dim.indicators:
            raw, score, basis, pct, size = score_indicator(ind, features, appraiser_inputs, cohorts, cohort_key,
                                                           model.cohort_min_size)
            degree += float(ind.weight) * score
            scored.append(IndicatorScore(
                key=ind.key, dimension=dim.key, label=ind.label, raw=raw, score=score, weight=ind.weight,
                dimension_weight=dim.weight, contribution=dim_weight * float(ind.weight) * score, basis=basis,
                cohort_percentile=pct, cohort_size=size,
            ))
        degrees[dim.key] = degree
        overall += dim_weight * degree
    return ScoreCard(tuple(scored), degrees, overall)


# ---------------------------------------------------------------------------------------------------------
# Words


def _format_raw(ind: Indicator, raw: float | str | None) -> str:
    if isinstance(raw, str):
        return raw or "未填报"
    if raw is None:
        return ""
    return f"{raw:,.{ind.decimals}f}"


def describe(ind: Indicator, item: IndicatorScore) -> str:
    """One indicator in words: "剩余保护期 14.2 年（得分 85）"."""
    score = f"得分 {item.score:.0f}"
    if item.basis == "appraiser":
        return f"{ind.label}（评估师评分 {item.score:.0f}）"
    if item.basis == "appraiser_default":
        return f"{ind.label}（未经评估师评分，按默认 {item.score:.0f} 分）"
    value = _format_raw(ind, item.raw)
    if ind.rule == "linear":
        return f"{ind.label}（{score}）"
    if item.basis == "cohort" and item.cohort_percentile is not None:
        return f"{ind.label} {value} {ind.unit}（同类同年第 {item.cohort_percentile:.0f} 百分位，{score}）"
    if ind.rule == "lookup":
        return f"{ind.label} {value}（{score}）"
    return f"{ind.label} {value} {ind.unit}（{score}）"


def top_contributors(model: ValuationModel, card: ScoreCard) -> list[str]:
    """The ``model.top_contributors`` indicators with the largest contributions, in words, largest first."""
    by_key = {ind.key: ind for ind in model.indicators}
    ranked = sorted(card.indicators, key=lambda s: (-s.contribution, s.key))
    return [describe(by_key[s.key], s) for s in ranked[: model.top_contributors]]


def explain_scores(model: ValuationModel, card: ScoreCard) -> str:
    """"价值度 72.4（法律 80.1，技术 65.0，经济 70.2）。剩余保护期 14.2 年（得分 85）贡献最大；其次为……。
    拉低价值最多的是……"."""
    by_key = {ind.key: ind for ind in model.indicators}
    dims = "，".join(f"{d.label.removesuffix('价值度')} {card.dimension_degrees[d.key]:.1f}" for d in model.dimensions)
    words = top_contributors(model, card)
    text = f"价值度 {card.value_degree:.1f}（{dims}）。"
    if words:
        text += f"{words[0]}贡献最大"
        if len(words) > 1:
            text += "；其次为" + "、".join(words[1:])
        text += "。"
    lost = max(card.indicators, key=lambda s: (float(s.dimension_weight) * float(s.weight) * (100.0 - s.score), s.key))
    if lost.score < 100.0 and lost.weight > 0:
        text += f"拉低价值最多的是{describe(by_key[lost.key], lost)}。"
    return text

"""Value one IP asset with a model version → :class:`ValuationResult` (PZA-2.1.1, PZA-2.1.2, SC-3, SC-4).

``value_asset(facts, as_of, model)`` is the scalar (per-asset) path: features → indicator scores → value
degrees → income / cost / market approaches → reconciled point value → seeded Monte Carlo range →
status factor (lapsed/invalidated/expired = 0, pending invalidation = haircut, PZP-3.4.2) → integer fen,
rounded half up through :mod:`ipfin.domain.money`.

The float/Decimal boundary: inside the model, scores and amounts are float64 (it is a statistical model);
every amount that leaves it (``value_fen``, ``p10_fen`` …, each approach's value) is converted exactly to
``Decimal`` and rounded ROUND_HALF_UP to the fen by :func:`ipfin.domain.money.round_fen`; status factors
are applied to those integers with :func:`ipfin.domain.money.apply_ratio`.

Reproducibility: the result records its inputs (facts, valuation date, the cohorts and comparables used)
and the model version and digest; :func:`rerun` values the stored inputs again and gives an identical
result, P10–P90 included.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from ipfin.domain.errors import InvalidInput, _
from ipfin.domain.money import apply_ratio, round_fen
from ipfin.domain.valuation import approaches, montecarlo
from ipfin.domain.valuation.definition import (
    ValuationModel,
    available_versions,
    load_model,
    load_model_file,
    model_from_dict,
)
from ipfin.domain.valuation.features import extract_features, is_dead, life_key
from ipfin.domain.valuation.inputs import (
    AssetFacts,
    Comparable,
    LegalStatus,
    PatentFacts,
    TrademarkFacts,
    canonical_facts,
    class_key_of,
    comparable_from_dict,
    facts_from_dict,
)
from ipfin.domain.valuation.scoring import CohortTable, ScoreCard, explain_scores, score_all, top_contributors

__all__ = [
    "ValuationResult", "ApproachValue", "value_asset", "value_patent", "point_estimate", "rerun",
    "load_model", "load_model_file", "model_from_dict", "available_versions", "status_factor",
]

SOURCE_INTERNAL_MODEL = "internal_model"
APPROACH_LABELS = {"income": "收益法", "cost": "成本法", "market": "市场法"}
RELIEF_FROM_ROYALTY_LABEL = "许可费节省法"
STATUS_LABELS = {
    LegalStatus.LAPSED: "已终止（未缴年费）", LegalStatus.INVALIDATED: "已被宣告无效",
    LegalStatus.EXPIRED: "保护期已届满", LegalStatus.ABANDONED: "已放弃", LegalStatus.REVOKED: "已被撤销",
}


class ModelMismatch(InvalidInput):
    code = "valuation_model_mismatch"
    message_template = _("Model {version} values {model_kind} assets, not {asset_kind}.")


@dataclasses.dataclass(frozen=True, slots=True)
class ApproachValue:
    approach: str                 # income | cost | market
    value_fen: int | None         # None: not applicable (no cost data, too few comparables)
    weight: Decimal               # weight in the reconciled value (0 when not applicable)
    detail: Mapping[str, Any]

    def as_dict(self) -> dict[str, Any]:
        return {"approach": self.approach, "value_fen": self.value_fen, "weight": str(self.weight),
                "detail": dict(self.detail)}


@dataclasses.dataclass(frozen=True, slots=True)
class ValuationResult:
    """One valuation as the domain computes it; the Django ``Valuation`` record stores :meth:`as_dict`."""

    model_version: str
    model_digest: str
    asset_kind: str
    asset_number: str
    as_of: date
    source: str
    method: str
    value_fen: int
    p10_fen: int
    p50_fen: int
    p90_fen: int
    value_degree: float
    dimension_degrees: Mapping[str, float]
    dimension_labels: Mapping[str, str]
    scores: ScoreCard
    approaches: tuple[ApproachValue, ...]
    royalty_share: float
    economic_life_years: float
    status_factor: Decimal
    top_contributors: tuple[str, ...]
    explanation: str
    inputs: Mapping[str, Any]
    seed: int

    @property
    def weights(self) -> dict[str, Any]:
        dims: dict[str, str] = {}
        inds: dict[str, str] = {}
        for item in self.scores.indicators:
            dims[item.dimension] = str(item.dimension_weight)
            inds[item.key] = str(item.weight)
        return {"dimensions": dims, "indicators": inds}

    def approach(self, name: str) -> ApproachValue:
        return next(a for a in self.approaches if a.approach == name)

    def as_dict(self) -> dict[str, Any]:
        return {
            "model_version": self.model_version, "model_digest": self.model_digest, "asset_kind": self.asset_kind,
            "asset_number": self.asset_number, "as_of": self.as_of.isoformat(), "source": self.source,
            "method": self.method, "value_fen": self.value_fen, "p10_fen": self.p10_fen, "p50_fen": self.p50_fen,
            "p90_fen": self.p90_fen, "value_degree": self.value_degree,
            "dimension_degrees": dict(self.dimension_degrees), "dimension_labels": dict(self.dimension_labels),
            "indicator_scores": [s.as_dict() for s in self.scores.indicators],
            "weights": self.weights, "approaches": [a.as_dict() for a in self.approaches],
            "royalty_share": self.royalty_share, "economic_life_years": self.economic_life_years,
            "status_factor": str(self.status_factor), "top_contributors": list(self.top_contributors),
            "explanation": self.explanation, "inputs": dict(self.inputs), "seed": self.seed,
        }


def status_factor(facts: AssetFacts, as_of: date, model: ValuationModel) -> Decimal:
    """Share of the computed value that survives the legal status (PZP-3.4.2 dynamic revaluation):
    0 for a lapsed, invalidated, expired, abandoned or revoked right (or one past its term);
    1 − haircut while an invalidation (or, for a trademark, an opposition) is pending; else 1."""
    if is_dead(facts, as_of, dict(model.legal_term_years)):
        return Decimal(0)
    pending = getattr(facts, "invalidation_pending", False) or getattr(facts, "opposition_pending", False)
    if pending:
        return Decimal(1) - model.pending_invalidation_haircut
    return Decimal(1)


def _fen(amount: float) -> int:
    """Float fen → integer fen, half up, via Decimal (exact conversion of the binary float first)."""
    return round_fen(Decimal(amount)) if amount > 0 else 0


def _cohort_key(facts: AssetFacts) -> tuple[str, int] | None:
    return (facts.ipc_class, facts.filing_date.year) if isinstance(facts, PatentFacts) else None


@dataclasses.dataclass(frozen=True, slots=True)
class PointEstimate:
    """Indicator scores and the income-approach point estimate — what the vectorised path computes."""

    features: Mapping[str, Any]
    scores: ScoreCard
    royalty_share: float
    share_low: float
    share_high: float
    life_years: float
    life_cap_years: float
    income_float_fen: float

    @property
    def income_fen(self) -> int:
        return _fen(self.income_float_fen)


def point_estimate(facts: AssetFacts, as_of: date, model: ValuationModel,
                   cohorts: CohortTable | None = None) -> PointEstimate:
    """The per-asset Python path for scores + income approach (also the benchmark's baseline)."""
    if facts.asset_kind != model.asset_kind:
        raise ModelMismatch(version=model.version, model_kind=model.asset_kind, asset_kind=facts.asset_kind)
    features = extract_features(facts, as_of, dict(model.legal_term_years))
    card = score_all(model, features, facts.appraiser_inputs, cohorts, _cohort_key(facts))
    key = life_key(facts)
    rng = model.royalty_range(key, features["industry_code"])
    share = approaches.royalty_share(rng, card.value_degree)
    cap = float(model.economic_life_cap(key))
    life = approaches.economic_life(features["remaining_term_years"], cap, renewal_assumed=model.renewal_assumed)
    income = approaches.income_value(float(facts.annual_revenue_fen), share, float(model.tax_rate), life,
                                     float(model.discount_rate), float(model.revenue_decay))
    return PointEstimate(features, card, share, float(rng.low), float(rng.high), life, cap, income)


def value_asset(facts: AssetFacts, as_of: date, model: ValuationModel, *, cohorts: CohortTable | None = None,
                comparables: Iterable[Comparable] = ()) -> ValuationResult:
    """Value ``facts`` on ``as_of`` with ``model`` (see module docstring)."""
    point = point_estimate(facts, as_of, model, cohorts)
    card = point.scores
    selected = approaches.select_comparables(model, comparables, facts.asset_kind, class_key_of(facts), as_of)
    cost = approaches.cost_value(model, facts.development_cost_fen, facts.development_year, as_of,
                                 point.life_years, point.life_cap_years)
    market = approaches.market_value(model, selected, card.value_degree)
    weights = approaches.reconciliation_weights(model, {"income": True, "cost": cost is not None,
                                                        "market": market is not None})
    floats = {"income": point.income_float_fen, "cost": cost or 0.0, "market": market or 0.0}
    reconciled = approaches.reconcile(floats, weights)

    cohort_metrics = [i.feature for i in model.indicators if i.rule == "cohort_percentile" and i.feature]
    key = _cohort_key(facts)
    inputs: dict[str, Any] = {
        "facts": canonical_facts(facts),
        "as_of": as_of.isoformat(),
        "cohorts": cohorts.snippet(cohort_metrics, *key) if cohorts is not None and key else [],
        "comparables": [canonical_facts(c) for c in selected],
    }
    seed = montecarlo.derive_seed({"inputs": inputs, "model_version": model.version})
    p10, p50, p90 = montecarlo.simulate(
        montecarlo.SimulationInputs(
            revenue_fen=float(facts.annual_revenue_fen), share=point.royalty_share, share_low=point.share_low,
            share_high=point.share_high, tax_rate=float(model.tax_rate), discount_rate=float(model.discount_rate),
            revenue_decay=float(model.revenue_decay), life_years=point.life_years,
            life_max_years=point.life_years if model.renewal_assumed else point.features["remaining_term_years"],
            cost_fen=cost,
            market_fen=market, weights=weights),
        model.monte_carlo, model.monte_carlo_runs, seed)

    factor = status_factor(facts, as_of, model)

    def final(amount: float) -> int:
        return apply_ratio(_fen(amount), factor)

    income_label = "income" if isinstance(facts, PatentFacts) else "relief_from_royalty"
    approach_values = (
        ApproachValue("income", final(point.income_float_fen), weights.get("income", Decimal(0)), {
            "variant": income_label, "royalty_share": point.royalty_share, "royalty_range": [point.share_low, point.share_high],
            "economic_life_years": point.life_years, "discount_rate": str(model.discount_rate),
            "tax_rate": str(model.tax_rate), "revenue_decay": str(model.revenue_decay)}),
        ApproachValue("cost", final(cost) if cost is not None else None, weights.get("cost", Decimal(0)), {
            "development_cost_fen": facts.development_cost_fen, "development_year": facts.development_year}),
        ApproachValue("market", final(market) if market is not None else None, weights.get("market", Decimal(0)), {
            "comparables": len(selected), "min_comparables": model.market_min_comparables}),
    )
    method_names = {"income": f"{income_label}_approach" if income_label == "income" else income_label,
                    "cost": "cost_approach", "market": "market_approach"}
    method = "+".join(method_names[a] for a in weights)
    contributors = tuple(top_contributors(model, card))
    explanation = explain_scores(model, card) + _explain_money(facts, as_of, model, point, weights, factor)
    return ValuationResult(
        model_version=model.version, model_digest=model.digest, asset_kind=facts.asset_kind,
        asset_number=facts.number, as_of=as_of, source=SOURCE_INTERNAL_MODEL, method=method,
        value_fen=final(reconciled), p10_fen=final(p10), p50_fen=final(p50), p90_fen=final(p90),
        value_degree=card.value_degree, dimension_degrees=dict(card.dimension_degrees),
        dimension_labels={d.key: d.label for d in model.dimensions}, scores=card,
        approaches=approach_values, royalty_share=point.royalty_share, economic_life_years=point.life_years,
        status_factor=factor, top_contributors=contributors, explanation=explanation, inputs=inputs, seed=seed,
    )


def _explain_money(facts: AssetFacts, as_of: date, model: ValuationModel, point: PointEstimate,
                   weights: Mapping[str, Decimal], factor: Decimal) -> str:
    income_label = APPROACH_LABELS["income"] if isinstance(facts, PatentFacts) else RELIEF_FROM_ROYALTY_LABEL
    used = "、".join(
        f"{income_label if a == 'income' else APPROACH_LABELS[a]} {float(w) * 100:.0f}%" for a, w in weights.items())
    text = (f"估值方法：{used}；分成率 {point.royalty_share * 100:.2f}%，经济寿命 {point.life_years:.1f} 年，"
            f"折现率 {float(model.discount_rate) * 100:.1f}%。")
    if factor == 0:
        status = STATUS_LABELS.get(facts.status, "保护期已届满")
        text += f"该权利{status}，价值为零。"
    elif factor < 1:
        what = "商标异议" if isinstance(facts, TrademarkFacts) else "无效宣告请求"
        text += f"存在未决{what}，价值按 {float(1 - factor) * 100:.0f}% 折减。"
    return text


def value_patent(facts: PatentFacts, as_of: date, model: ValuationModel, *, cohorts: CohortTable | None = None,
                 comparables: Iterable[Comparable] = ()) -> ValuationResult:
    """:func:`value_asset` for a patent (the model must be a patent model)."""
    if not isinstance(facts, PatentFacts):
        raise ModelMismatch(version=model.version, model_kind="patent", asset_kind=facts.asset_kind)
    return value_asset(facts, as_of, model, cohorts=cohorts, comparables=comparables)


def rerun(inputs: Mapping[str, Any], model: ValuationModel) -> ValuationResult:
    """Value stored ``inputs`` (a result's :attr:`ValuationResult.inputs`) again with ``model``."""
    facts = facts_from_dict(inputs["facts"])
    cohorts = CohortTable.from_snippet(inputs.get("cohorts", []))
    comparables = [comparable_from_dict(c) for c in inputs.get("comparables", [])]
    return value_asset(facts, date.fromisoformat(inputs["as_of"]), model, cohorts=cohorts, comparables=comparables)

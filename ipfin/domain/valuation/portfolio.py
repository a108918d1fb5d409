"""Enterprise-level IP evaluation (企业整体知识产权评价, SC-4).

Instead of valuing each asset, a bank may (where the policy profile allows) rely on an evaluation of the
enterprise's whole portfolio: a 0–100 portfolio score and a suggested credit line (授信额度) from the
configurable mapping in the model data file (``[portfolio]``):

* families are counted once (the highest-valued member represents the family, as in :mod:`.bundle`);
* score = Σ weight × component, components 0–100: ``quality`` (mean value degree of the top-N families),
  ``scale`` (number of families through a piecewise curve), ``invention_share`` (share of invention patents
  × 100), ``vitality`` (share of families with ≥ 5 years of remaining term × 100);
* credit line = portfolio value × the ratio of the highest band the score reaches, never above the policy's
  ``max_loan_to_value`` (PZA-2.1.2, passed in from the policy profile), at most the band's cap.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from ipfin.domain.money import apply_ratio
from ipfin.domain.valuation.bundle import BundleMember, bundle_value
from ipfin.domain.valuation.definition import ValuationModel
from ipfin.domain.valuation.scoring import piecewise

VITAL_REMAINING_YEARS = 5.0  # a family "has life left" with at least this many years of remaining term


@dataclasses.dataclass(frozen=True, slots=True)
class PortfolioAsset:
    asset_id: str
    kind: str                    # invention | utility_model | design | trademark | copyright | …
    value_fen: int
    value_degree: float
    remaining_term_years: float
    family_id: str = ""


@dataclasses.dataclass(frozen=True, slots=True)
class PortfolioEvaluation:
    score: float
    components: Mapping[str, float]
    family_count: int
    portfolio_value_fen: int
    band_min_score: float | None
    credit_ratio: Decimal
    credit_line_fen: int
    explanation: str

    def as_dict(self) -> dict[str, Any]:
        return {"score": self.score, "components": dict(self.components), "family_count": self.family_count,
                "portfolio_value_fen": self.portfolio_value_fen, "band_min_score": self.band_min_score,
                "credit_ratio": str(self.credit_ratio), "credit_line_fen": self.credit_line_fen,
                "explanation": self.explanation}


def evaluate_portfolio(assets: Iterable[PortfolioAsset], model: ValuationModel, *,
                       max_loan_to_value: Decimal) -> PortfolioEvaluation:
    """SC-4 portfolio score and suggested credit line (see module docstring)."""
    if not isinstance(max_loan_to_value, Decimal) or not Decimal(0) <= max_loan_to_value <= Decimal(1):
        raise TypeError("max_loan_to_value must be a Decimal between 0 and 1 (from the policy profile)")
    config = model.portfolio
    assets = list(assets)
    by_id = {a.asset_id: a for a in assets}
    bundle = bundle_value(BundleMember(a.asset_id, a.value_fen, a.family_id) for a in assets)
    families = [by_id[m.asset_id] for m in bundle.counted]
    n = len(families)
    if n == 0:
        components = {"quality": 0.0, "scale": 0.0, "invention_share": 0.0, "vitality": 0.0}
    else:
        top = sorted((f.value_degree for f in families), reverse=True)[: config["top_n"]]
        components = {
            "quality": sum(top) / len(top),
            "scale": piecewise(float(n), config["scale_breakpoints"]),
            "invention_share": 100.0 * sum(f.kind == "invention" for f in families) / n,
            "vitality": 100.0 * sum(f.remaining_term_years >= VITAL_REMAINING_YEARS for f in families) / n,
        }
    score = 0.0
    for name, weight in config["score_weights"].items():
        score += float(weight) * components[name]
    band = next((b for b in config["credit_bands"] if score >= b["min_score"]), None)
    if band is None:
        ratio, line, band_min = Decimal(0), 0, None
    else:
        ratio = min(band["ratio"], max_loan_to_value)
        line = min(apply_ratio(bundle.value_fen, ratio), band["cap_fen"])
        band_min = band["min_score"]
    explanation = (
        f"企业知识产权组合评分 {score:.1f}（质量 {components['quality']:.1f}，规模 {components['scale']:.1f}，"
        f"发明占比 {components['invention_share']:.1f}，有效期 {components['vitality']:.1f}），共 {n} 个专利族/资产；"
        + (f"达到 {band_min:.0f} 分档，建议授信额度为组合价值的 {float(ratio) * 100:.0f}%。" if band is not None
           else "未达到最低授信档位，不建议以组合评价授信。")
    )
    return PortfolioEvaluation(score, components, n, bundle.value_fen, band_min, ratio, line, explanation)

"""Enterprise-level IP evaluation (企业整体知识产权评价, SC-4) against the registry.

``evaluate_enterprise(user, enterprise_id, as_of, profile=...)`` reads the enterprise and its in-force IP
assets the user may see, values each with the active internal model (nothing stored), and hands them to
:func:`ipfin.domain.valuation.portfolio.evaluate_portfolio`: a 0–100 portfolio score and a suggested credit
line (授信额度) from the configurable mapping in the active patent model's ``[portfolio]`` table.

The evaluation is only offered where the policy profile says so (``enterprise_level_evaluation_allowed``,
SC-4); otherwise :class:`EnterpriseEvaluationNotAllowed`. The loan-to-value ceiling is the profile's
``max_loan_to_value`` (PZA-2.1.2) where it states one; a profile without it adds no ceiling beyond the model's
credit bands. Read-only: no row is written, so no audit event.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any

from ipfin.accounts.models import User
from ipfin.core.scoping import get_visible, visible
from ipfin.domain.errors import InvalidInput, NotFound, _
from ipfin.domain.valuation.features import remaining_years, term_end_of
from ipfin.domain.valuation.inputs import LegalStatus, PatentFacts
from ipfin.domain.valuation.model import class_key_of, value_asset
from ipfin.domain.valuation.portfolio import PortfolioAsset, PortfolioEvaluation, evaluate_portfolio
from ipfin.policy.loader import get_profile
from ipfin.policy.schema import PolicyProfile
from ipfin.registry.models import Enterprise, IpAsset
from ipfin.valuation.actions import active_model
from ipfin.valuation.facts import VALUED_KINDS, cohorts_for, comparables_for, facts_for_assets

ALLOWED_PARAMETER = "enterprise_level_evaluation_allowed"
LTV_PARAMETER = "max_loan_to_value"
NO_LTV_CEILING = Decimal(1)  # the profile states no loan-to-value ceiling: only the model's bands apply


class EnterpriseEvaluationNotAllowed(InvalidInput):
    code = "enterprise_evaluation_not_allowed"
    message_template = _("Policy profile {profile} does not allow enterprise-level IP evaluation (SC-4)")


class UnknownEnterprise(NotFound):
    message_template = _("No enterprise with USCC {uscc} in the registry")


@dataclasses.dataclass(frozen=True, slots=True)
class EnterpriseEvaluation:
    enterprise_id: int
    enterprise_name: str
    uscc: str
    as_of: date
    profile: str
    asset_count: int            # in-force assets valued (before families are counted once)
    max_loan_to_value: Decimal | None
    evaluation: PortfolioEvaluation

    @property
    def score(self) -> float:
        return self.evaluation.score

    @property
    def credit_line_fen(self) -> int:
        return self.evaluation.credit_line_fen

    def as_dict(self) -> dict[str, Any]:
        return {"enterprise_id": self.enterprise_id, "enterprise_name": self.enterprise_name, "uscc": self.uscc,
                "as_of": self.as_of.isoformat(), "profile": self.profile, "asset_count": self.asset_count,
                "max_loan_to_value": None if self.max_loan_to_value is None else str(self.max_loan_to_value),
                **self.evaluation.as_dict()}


def allowing_profile(name: str) -> PolicyProfile:
    """The profile ``name`` if it allows enterprise-level evaluation (SC-4), else a typed refusal."""
    profile = get_profile(name)
    if not profile.has(ALLOWED_PARAMETER) or profile.param(ALLOWED_PARAMETER) is not True:
        raise EnterpriseEvaluationNotAllowed(profile=name)
    return profile


def _portfolio_assets(assets: Iterable[IpAsset], as_of: date) -> list[PortfolioAsset]:
    """Value every valued-kind asset with the active model of its kind; a fixed number of queries per kind."""
    facts = facts_for_assets(assets)
    if not facts:
        return []
    models = {kind: active_model(kind) for kind in sorted({f.asset_kind for f in facts.values()})}
    cohorts = cohorts_for(facts.values())
    comparables = {kind: comparables_for(kind, as_of, model.market_max_age_years) for kind, model in models.items()}
    out = []
    for asset_id, asset_facts in sorted(facts.items()):
        model = models[asset_facts.asset_kind]
        key = class_key_of(asset_facts)
        result = value_asset(asset_facts, as_of, model, cohorts=cohorts,
                             comparables=[c for c in comparables[asset_facts.asset_kind] if c.class_key == key])
        is_patent = isinstance(asset_facts, PatentFacts)
        out.append(PortfolioAsset(
            asset_id=str(asset_id),
            kind=str(asset_facts.kind) if is_patent else asset_facts.asset_kind,  # invention | utility_model | …
            value_fen=result.value_fen, value_degree=result.value_degree,
            remaining_term_years=remaining_years(term_end_of(asset_facts, dict(model.legal_term_years)), as_of),
            family_id=asset_facts.family_id if is_patent else "",
        ))
    return out


def _evaluate(enterprise: Enterprise, assets: Iterable[IpAsset], as_of: date, profile_name: str) -> EnterpriseEvaluation:
    profile = allowing_profile(profile_name)
    ltv = profile.decimal(LTV_PARAMETER) if profile.has(LTV_PARAMETER) else None
    portfolio = _portfolio_assets(assets, as_of)
    evaluation = evaluate_portfolio(portfolio, active_model("patent"),
                                    max_loan_to_value=ltv if ltv is not None else NO_LTV_CEILING)
    return EnterpriseEvaluation(enterprise.pk, enterprise.name, enterprise.uscc, as_of, profile_name,
                                len(portfolio), ltv, evaluation)


def _in_force(assets: Any, enterprise: Enterprise) -> Any:
    return (assets.filter(owners__enterprise=enterprise, status=LegalStatus.IN_FORCE.value,
                          kind__in=list(VALUED_KINDS)).distinct().order_by("pk"))


def evaluate_enterprise(user: User, enterprise_id: int, as_of: date, *,
                        profile: str = "sichuan-2025") -> EnterpriseEvaluation:
    """SC-4 evaluation of an enterprise the user may see, over its in-force assets the user may see."""
    allowing_profile(profile)  # refuse before reading anything
    enterprise = get_visible(user, Enterprise, pk=enterprise_id)
    return _evaluate(enterprise, _in_force(visible(user, IpAsset), enterprise), as_of, profile)


def evaluate_enterprise_by_uscc(uscc: str, as_of: date, *, profile: str = "sichuan-2025") -> EnterpriseEvaluation:
    """The platform's own evaluation (CLI): every in-force asset of the enterprise with this USCC."""
    allowing_profile(profile)
    enterprise = Enterprise.objects.select_related("organisation").filter(uscc=uscc.strip().upper()).first()
    if enterprise is None:
        raise UnknownEnterprise(uscc=uscc)
    return _evaluate(enterprise, _in_force(IpAsset.objects.all(), enterprise), as_of, profile)

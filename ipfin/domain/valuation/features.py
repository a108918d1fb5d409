"""Facts → numeric features on the valuation date (the scalar path).

A feature is a plain number (or, for ``industry_code``, a string) that scoring rules in the model data
file refer to by name. :data:`FEATURES` lists, per asset kind, the features a model file may use; the
loader refuses unknown names. The vectorised path (:mod:`.vectorised`) computes the same features with the
same float operations so that both paths give identical numbers.

Units: years are ``days / 365.25``; revenue is in 万元 (1 万元 = 1,000,000 fen).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from ipfin.domain.valuation.inputs import (
    DEAD_STATUSES,
    AssetFacts,
    CopyrightFacts,
    CopyrightWorkType,
    LegalStatus,
    MarkType,
    PatentFacts,
    PatentKind,
    TrademarkFacts,
)

DAYS_PER_YEAR = 365.25
FEN_PER_WAN = 1_000_000.0
DESIGN_LONG_TERM_FROM = date(2021, 6, 1)  # 专利法 (2020 amendment): designs filed from this date have 15 years

COMMON_FEATURES = frozenset({
    "remaining_term_years", "co_owner_count", "transactions", "licence_count", "transfer_count",
    "litigation_count", "revenue_wan", "commercialisation_level", "industry_code",
})
FEATURES: dict[str, frozenset[str]] = {
    "patent": COMMON_FEATURES | {
        "age_years", "claims_total", "independent_claims", "forward_citations", "citations_per_year",
        "backward_citations", "family_size", "family_countries", "invalidation_survived", "granted",
        "ipc_class_count",
    },
    "trademark": COMMON_FEATURES | {
        "nice_class_count", "years_in_use", "well_known", "collective", "opposition_pending",
    },
    "copyright": COMMON_FEATURES | {"age_years", "version_count", "is_software"},
}
STRING_FEATURES = frozenset({"industry_code"})


def add_years(day: date, years: int) -> date:
    """``day`` plus whole years (29 February → 28 February in a common year)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def patent_term_end(facts: PatentFacts, legal_term_years: dict[str, int]) -> date:
    """End of protection: the recorded ``term_end`` or filing date + the legal term of the kind."""
    if facts.term_end is not None:
        return facts.term_end
    key = facts.kind.value
    if facts.kind is PatentKind.DESIGN and facts.filing_date < DESIGN_LONG_TERM_FROM:
        key = "design_filed_before_2021_06_01"
    return add_years(facts.filing_date, int(legal_term_years[key]))


def copyright_term_end(facts: CopyrightFacts) -> date:
    """Recorded ``term_end``, else 31 December of the 50th year after publication (creation if unpublished)
    — the term of works of legal persons and software (著作权法 art. 23)."""
    if facts.term_end is not None:
        return facts.term_end
    start = facts.publication_date or facts.creation_date
    return date(start.year + 50, 12, 31)


def remaining_years(term_end: date, as_of: date) -> float:
    return max((term_end - as_of).days, 0) / DAYS_PER_YEAR


def _commercialisation(revenue_fen: int, licence_count: int) -> float:
    return float((revenue_fen > 0) + (licence_count > 0))


def term_end_of(facts: AssetFacts, legal_term_years: dict[str, int]) -> date:
    if isinstance(facts, PatentFacts):
        return patent_term_end(facts, legal_term_years)
    if isinstance(facts, TrademarkFacts):
        return facts.term_end
    return copyright_term_end(facts)


def is_dead(facts: AssetFacts, as_of: date, legal_term_years: dict[str, int]) -> bool:
    """Lapsed, invalidated, expired, abandoned or revoked — or past the end of its term on ``as_of``."""
    return facts.status in DEAD_STATUSES or term_end_of(facts, legal_term_years) <= as_of


def extract_features(facts: AssetFacts, as_of: date, legal_term_years: dict[str, int]) -> dict[str, Any]:
    """The features of ``facts`` on ``as_of`` (see :data:`FEATURES`)."""
    term_end = term_end_of(facts, legal_term_years)
    dead = facts.status in DEAD_STATUSES
    common: dict[str, Any] = {
        "remaining_term_years": 0.0 if dead else remaining_years(term_end, as_of),
        "co_owner_count": float(facts.co_owner_count),
        "transactions": float(facts.licence_count + facts.transfer_count),
        "licence_count": float(facts.licence_count),
        "transfer_count": float(facts.transfer_count),
        "litigation_count": float(facts.litigation_count),
        "revenue_wan": facts.annual_revenue_fen / FEN_PER_WAN,
        "commercialisation_level": _commercialisation(facts.annual_revenue_fen, facts.licence_count),
        "industry_code": facts.industry_code.strip().upper(),
    }
    if isinstance(facts, PatentFacts):
        age = max((as_of - facts.filing_date).days, 0) / DAYS_PER_YEAR
        common.update({
            "age_years": age,
            "claims_total": float(facts.claims_total),
            "independent_claims": float(facts.independent_claims),
            "forward_citations": float(facts.forward_citations),
            "citations_per_year": facts.forward_citations / max(age, 1.0),
            "backward_citations": float(facts.backward_citations),
            "family_size": float(facts.family_size),
            "family_countries": float(facts.family_countries),
            "invalidation_survived": float(facts.invalidation_survived),
            "granted": float(facts.grant_date is not None and facts.status is not LegalStatus.PENDING),
            "ipc_class_count": float(facts.ipc_class_count),
        })
    elif isinstance(facts, TrademarkFacts):
        common.update({
            "nice_class_count": float(len(facts.nice_classes)),
            "years_in_use": float(facts.years_in_use),
            "well_known": float(facts.well_known),
            "collective": float(facts.mark_type is not MarkType.ORDINARY),
            "opposition_pending": float(facts.opposition_pending),
        })
    else:
        common.update({
            "age_years": max((as_of - facts.creation_date).days, 0) / DAYS_PER_YEAR,
            "version_count": float(facts.version_count),
            "is_software": float(facts.work_type is CopyrightWorkType.SOFTWARE),
        })
    return common


def life_key(facts: AssetFacts) -> str:
    """The key of the economic-life cap and royalty-share range: patent kind, "trademark", or work type."""
    if isinstance(facts, PatentFacts):
        return facts.kind.value
    if isinstance(facts, TrademarkFacts):
        return "trademark"
    return facts.work_type.value

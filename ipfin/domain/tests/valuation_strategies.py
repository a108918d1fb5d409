"""Hypothesis strategies and builders shared by the valuation tests."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from hypothesis import strategies as st

from ipfin.domain.valuation.inputs import PatentFacts

AS_OF = date(2025, 6, 30)
IPC_CLASSES = ["H01M", "G06F", "A61K", "B23K", "C08L"]
INDUSTRIES = ["C39", "C27", "I65", "C35", "A01", "", "M73"]


def patent(**overrides: Any) -> PatentFacts:
    base: dict[str, Any] = dict(
        number="ZL201910000001.2", kind="invention", filing_date=date(2019, 3, 1), grant_date=date(2021, 5, 1),
        status="in_force", ipc_main_group="H01M 10/052", claims_total=12, independent_claims=2,
        forward_citations=8, family_size=3, annual_revenue_fen=3_000_000_000, industry_code="C38",
        licence_count=1, appraiser_inputs={"technical_advancement": 75},
    )
    base.update(overrides)
    return PatentFacts(**base)


@st.composite
def patent_facts(draw: st.DrawFn, *, status: str | None = None) -> PatentFacts:
    filing = draw(st.dates(min_value=date(2006, 1, 1), max_value=date(2025, 6, 1)))
    kind = draw(st.sampled_from(["invention", "utility_model", "design"]))
    granted = draw(st.booleans())
    claims = draw(st.integers(1, 40))
    term_end = draw(st.one_of(st.none(), st.dates(min_value=filing, max_value=filing + timedelta(days=365 * 20))))
    appraiser = draw(st.dictionaries(st.sampled_from(["technical_advancement", "market_coverage"]),
                                     st.integers(0, 100), max_size=2))
    return PatentFacts(
        number=f"ZL{draw(st.integers(10**11, 10**12 - 1))}",
        kind=kind, filing_date=filing,
        grant_date=filing + timedelta(days=400) if granted else None,
        term_end=term_end,
        status=status or draw(st.sampled_from(["in_force", "in_force", "pending", "lapsed", "expired"])),
        ipc_main_group=draw(st.sampled_from(IPC_CLASSES)) + " 1/00",
        ipc_class_count=draw(st.integers(1, 8)),
        claims_total=claims, independent_claims=draw(st.integers(1, claims)),
        forward_citations=draw(st.integers(0, 60)), backward_citations=draw(st.integers(0, 30)),
        family_size=draw(st.integers(1, 25)), family_countries=draw(st.integers(1, 10)),
        co_owner_count=draw(st.integers(0, 5)), licence_count=draw(st.integers(0, 6)),
        transfer_count=draw(st.integers(0, 4)), litigation_count=draw(st.integers(0, 7)),
        invalidation_pending=draw(st.booleans()), invalidation_survived=draw(st.integers(0, 3)),
        annual_revenue_fen=draw(st.one_of(st.just(0), st.integers(1, 10**12))),
        industry_code=draw(st.sampled_from(INDUSTRIES)),
        development_cost_fen=draw(st.one_of(st.none(), st.integers(0, 10**10))),
        development_year=draw(st.integers(2010, 2025)),
        appraiser_inputs=appraiser,
    )

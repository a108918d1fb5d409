"""Valuation model: loading and validation of versioned model files, valuation of patents, trademarks and
copyrights, reproducibility, properties (PZA-2.1.1, PZA-2.1.2, SC-3, PZP-3.4.2)."""

from __future__ import annotations

import copy
import dataclasses
import json
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ipfin.domain.tests.valuation_strategies import AS_OF, patent, patent_facts
from ipfin.domain.valuation.definition import (
    ModelDataError,
    ModelNotFound,
    available_versions,
    load_model,
    load_model_file,
    model_from_dict,
    model_path,
    read_model_file,
)
from ipfin.domain.valuation.inputs import (
    Comparable,
    CopyrightFacts,
    InvalidFacts,
    PatentFacts,
    TrademarkFacts,
    canonical_facts,
    facts_from_dict,
)
from ipfin.domain.valuation.model import ModelMismatch, rerun, value_asset, value_patent
from ipfin.domain.valuation.scoring import CohortTable

MODEL = load_model("pledge_v1")


def _raw(version: str = "pledge_v1") -> dict:
    return read_model_file(model_path(version))


# ---------------------------------------------------------------------------------------------------------
# Model files


def test_shipped_model_versions_load() -> None:
    assert {"pledge_v1", "trademark_v1", "copyright_v1"} <= set(available_versions())
    for version in ("pledge_v1", "trademark_v1", "copyright_v1"):
        model = load_model(version)
        assert model.version == version
        assert sum((d.weight for d in model.dimensions), Decimal(0)) == 1
        for dim in model.dimensions:
            assert sum((i.weight for i in dim.indicators), Decimal(0)) == 1
    assert len(MODEL.dimensions) == 3 and [d.key for d in MODEL.dimensions] == ["legal", "technical", "economic"]


def test_indicator_weights_not_summing_to_one_are_refused_naming_the_node() -> None:
    data = _raw()
    data["dimensions"][0]["indicators"][0]["weight"] = "0.25"  # legal now sums to 0.95
    with pytest.raises(ModelDataError) as err:
        model_from_dict(data, origin="pledge_v1.toml")
    assert "pledge_v1.toml" in err.value.message
    assert "dimensions[legal].indicators" in err.value.message
    assert "0.95" in err.value.message


def test_dimension_weights_not_summing_to_one_are_refused() -> None:
    data = _raw()
    data["dimensions"][2]["weight"] = "0.36"
    with pytest.raises(ModelDataError, match=r"dimensions: weights sum to 1.01"):
        model_from_dict(data, origin="x.toml")


@given(st.lists(st.integers(0, 10_000), min_size=6, max_size=6))
@settings(max_examples=60, deadline=None)
def test_any_weights_not_summing_to_one_are_refused(parts: list[int]) -> None:
    data = _raw()
    indicators = data["dimensions"][0]["indicators"]
    for ind, part in zip(indicators, parts, strict=True):
        ind["weight"] = str(Decimal(part) / 10_000)
    total = sum(Decimal(p) / 10_000 for p in parts)
    if total == 1:
        assert model_from_dict(data, origin="t").version == "pledge_v1"
    else:
        with pytest.raises(ModelDataError):
            model_from_dict(data, origin="t")


def test_float_weights_unknown_rules_and_bad_breakpoints_are_refused() -> None:
    data = _raw()
    data["dimensions"][0]["weight"] = 0.35
    with pytest.raises(ModelDataError, match="decimal string"):
        model_from_dict(data, origin="t")
    data = _raw()
    data["dimensions"][1]["indicators"][0]["rule"] = "magic"
    with pytest.raises(ModelDataError, match="unknown rule 'magic'"):
        model_from_dict(data, origin="t")
    data = _raw()
    data["dimensions"][0]["indicators"][0]["breakpoints"] = [[0, 0], [0, 10]]
    with pytest.raises(ModelDataError, match="strictly increasing"):
        model_from_dict(data, origin="t")
    data = _raw()
    data["dimensions"][0]["indicators"][0]["feature"] = "no_such_feature"
    with pytest.raises(ModelDataError, match="unknown feature"):
        model_from_dict(data, origin="t")
    data = _raw()
    data["reconciliation"]["market"] = "0.30"
    with pytest.raises(ModelDataError, match="reconciliation"):
        model_from_dict(data, origin="t")


def test_bad_model_file_and_unknown_version(tmp_path) -> None:
    bad = tmp_path / "broken.toml"
    bad.write_text("[model\nversion=", encoding="utf-8")
    with pytest.raises(ModelDataError, match="broken.toml"):
        load_model_file(bad)
    with pytest.raises(ModelNotFound):
        load_model("pledge_v99")


# ---------------------------------------------------------------------------------------------------------
# A worked example


def test_worked_example_is_explained_and_consistent() -> None:
    result = value_patent(patent(development_cost_fen=200_000_000, development_year=2019), AS_OF, MODEL)
    assert result.model_version == "pledge_v1" and result.source == "internal_model"
    assert result.method == "income_approach+cost_approach"
    assert 0 < result.value_degree < 100
    assert set(result.dimension_degrees) == {"legal", "technical", "economic"}
    assert result.p10_fen < result.p50_fen < result.p90_fen
    assert result.p10_fen < result.value_fen < result.p90_fen
    # reconciled value = 0.8 × income + 0.2 × cost (market approach unavailable: no comparables)
    income, cost = result.approach("income").value_fen, result.approach("cost").value_fen
    assert result.approach("market").value_fen is None
    assert abs(result.value_fen - (Decimal("0.8") * income + Decimal("0.2") * cost)) <= 1
    assert result.top_contributors[0].startswith("剩余保护期 13.7 年（得分 91）")
    assert "贡献最大" in result.explanation and "收益法 80%" in result.explanation
    contributions = sum(s.contribution for s in result.scores.indicators)
    assert contributions == pytest.approx(result.value_degree)
    json.dumps(result.as_dict(), ensure_ascii=False)  # the record is JSON-able


def test_royalty_share_moves_with_the_value_degree_inside_its_range() -> None:
    weak = value_patent(patent(appraiser_inputs={"technical_advancement": 0, "market_coverage": 0}), AS_OF, MODEL)
    strong = value_patent(patent(appraiser_inputs={"technical_advancement": 100, "market_coverage": 100}), AS_OF, MODEL)
    assert 0.02 <= weak.royalty_share < strong.royalty_share <= 0.08
    assert weak.value_fen < strong.value_fen


def test_economic_life_never_exceeds_the_legal_remaining_term() -> None:
    result = value_patent(patent(term_end=AS_OF + timedelta(days=365)), AS_OF, MODEL)
    assert result.economic_life_years == pytest.approx(365 / 365.25)
    capped = value_patent(patent(), AS_OF, MODEL)
    assert capped.economic_life_years == 10.0


def test_term_end_defaults_from_kind_and_filing_date() -> None:
    utility = value_patent(patent(kind="utility_model", filing_date=date(2020, 1, 1)), AS_OF, MODEL)
    assert utility.scores.indicators[0].raw == pytest.approx((date(2030, 1, 1) - AS_OF).days / 365.25)
    old_design = value_patent(patent(kind="design", filing_date=date(2015, 6, 1)), AS_OF, MODEL)
    assert old_design.value_fen == 0  # filed before 2021-06-01: 10 years, ended 2025-06-01
    new_design = value_patent(patent(kind="design", filing_date=date(2021, 6, 1)), AS_OF, MODEL)
    assert new_design.scores.indicators[0].raw == pytest.approx((date(2036, 6, 1) - AS_OF).days / 365.25)


# ---------------------------------------------------------------------------------------------------------
# Legal status (PZP-3.4.2)


@given(patent_facts(status="lapsed"))
@settings(max_examples=60, deadline=None)
def test_a_lapsed_patent_is_worth_zero(facts: PatentFacts) -> None:
    result = value_patent(facts, AS_OF, MODEL)
    assert (result.value_fen, result.p10_fen, result.p50_fen, result.p90_fen) == (0, 0, 0, 0)
    assert "价值为零" in result.explanation


@pytest.mark.parametrize("status", ["invalidated", "expired", "abandoned"])
def test_dead_rights_are_worth_zero(status: str) -> None:
    result = value_patent(patent(status=status), AS_OF, MODEL)
    assert result.value_fen == 0 and result.status_factor == 0


def test_a_patent_past_its_term_is_worth_zero_even_if_recorded_in_force() -> None:
    result = value_patent(patent(term_end=AS_OF), AS_OF, MODEL)
    assert result.value_fen == 0


def test_pending_invalidation_applies_the_configured_haircut() -> None:
    clean = value_patent(patent(), AS_OF, MODEL)
    pending = value_patent(patent(invalidation_pending=True), AS_OF, MODEL)
    assert pending.status_factor == Decimal("0.50")
    # the haircut is applied to the fen amount, half up
    assert pending.approach("income").value_fen == (clean.approach("income").value_fen + 1) // 2
    assert "无效宣告请求" in pending.explanation


# ---------------------------------------------------------------------------------------------------------
# Properties


@given(patent_facts(status="in_force"), st.integers(0, 3650), st.integers(1, 3650))
@settings(max_examples=150, deadline=None)
def test_more_remaining_term_never_lowers_the_value(facts: PatentFacts, offset: int, extra: int) -> None:
    shorter_end = max(AS_OF + timedelta(days=offset - 1500), facts.filing_date)
    shorter = dataclasses.replace(facts, term_end=shorter_end)
    longer = dataclasses.replace(facts, term_end=shorter_end + timedelta(days=extra))
    short_value = value_patent(shorter, AS_OF, MODEL)
    long_value = value_patent(longer, AS_OF, MODEL)
    assert long_value.value_fen >= short_value.value_fen
    assert long_value.value_degree >= short_value.value_degree


@given(patent_facts())
@settings(max_examples=40, deadline=None)
def test_reproducibility_same_inputs_identical_result(facts: PatentFacts) -> None:
    first = value_patent(facts, AS_OF, MODEL).as_dict()
    second = value_patent(facts_from_dict(canonical_facts(facts)), AS_OF, load_model("pledge_v1")).as_dict()
    assert first == second  # bit for bit, P10–P90 included


def test_rerun_of_a_stored_record_reproduces_it_exactly() -> None:
    cohorts = CohortTable.from_samples(
        [("forward_citations", "H01M", 2019, v % 17) for v in range(60)]
        + [("family_size", "H01M", 2019, 1 + v % 5) for v in range(60)])
    comparables = [Comparable("patent", "H01M", 300_000_000 + i * 10_000_000, 60.0 + i, AS_OF - timedelta(days=30 * i))
                   for i in range(6)]
    original = value_patent(patent(), AS_OF, MODEL, cohorts=cohorts, comparables=comparables)
    assert original.approach("market").value_fen is not None
    stored = json.loads(json.dumps(original.as_dict(), ensure_ascii=False))  # through a JSON column
    again = rerun(stored["inputs"], load_model(stored["model_version"]))
    assert again.as_dict() == original.as_dict()


def test_a_different_model_version_may_differ() -> None:
    data = _raw()
    data["model"]["version"] = "pledge_v1b"
    other = model_from_dict(data, origin="copy")
    a, b = value_patent(patent(), AS_OF, MODEL), value_patent(patent(), AS_OF, other)
    assert a.value_fen == b.value_fen  # same coefficients → same point value
    assert a.seed != b.seed and (a.p10_fen, a.p90_fen) != (b.p10_fen, b.p90_fen)
    data2 = copy.deepcopy(data)
    data2["income"]["discount_rate"] = "0.15"
    assert value_patent(patent(), AS_OF, model_from_dict(data2, origin="copy")).value_fen < a.value_fen


# ---------------------------------------------------------------------------------------------------------
# Cohorts and market approach


def test_cohort_percentile_is_used_only_for_big_enough_cohorts() -> None:
    big = CohortTable.from_samples([("forward_citations", "H01M", 2019, v) for v in range(40)])
    small = CohortTable.from_samples([("forward_citations", "H01M", 2019, v) for v in range(10)])
    with_big = value_patent(patent(forward_citations=8), AS_OF, MODEL, cohorts=big)
    with_small = value_patent(patent(forward_citations=8), AS_OF, MODEL, cohorts=small)
    citations_big = next(s for s in with_big.scores.indicators if s.key == "forward_citations")
    citations_small = next(s for s in with_small.scores.indicators if s.key == "forward_citations")
    assert citations_big.basis == "cohort" and citations_big.score == pytest.approx(100 * (8 + 9) / 80)
    assert citations_big.cohort_size == 40
    assert citations_small.basis == "fallback" and citations_small.cohort_size == 10


def test_market_approach_needs_enough_recent_comparables_of_the_same_class() -> None:
    def comps(n: int, klass: str = "H01M", age_days: int = 10) -> list[Comparable]:
        return [Comparable("patent", klass, 500_000_000, 50.0, AS_OF - timedelta(days=age_days)) for _ in range(n)]

    assert value_patent(patent(), AS_OF, MODEL, comparables=comps(4)).approach("market").value_fen is None
    assert value_patent(patent(), AS_OF, MODEL, comparables=comps(5, "G06F")).approach("market").value_fen is None
    assert value_patent(patent(), AS_OF, MODEL, comparables=comps(5, age_days=4 * 366)).approach("market").value_fen is None
    result = value_patent(patent(), AS_OF, MODEL, comparables=comps(5))
    market = result.approach("market")
    assert market.value_fen == round(500_000_000 * result.value_degree / 50.0)
    assert market.weight == Decimal("0.25") / Decimal("0.85")  # renormalised over income + market
    assert result.method == "income_approach+market_approach"


# ---------------------------------------------------------------------------------------------------------
# Trademarks and copyrights (relief from royalty)


def test_trademark_relief_from_royalty() -> None:
    model = load_model("trademark_v1")
    facts = TrademarkFacts(number="12345678", registration_date=date(2015, 3, 14), term_end=date(2025, 3, 13),
                           status="in_force", nice_classes=(30, 29), years_in_use=12, annual_revenue_fen=5_000_000_000,
                           industry_code="C14", appraiser_inputs={"brand_awareness": 70})
    # term ended before AS_OF without renewal → expired → zero
    assert value_asset(facts, AS_OF, model).value_fen == 0
    renewed = dataclasses.replace(facts, term_end=date(2035, 3, 13))
    result = value_asset(renewed, AS_OF, model)
    assert result.value_fen > 0 and result.method == "relief_from_royalty"
    assert result.economic_life_years == 10.0  # renewal assumed
    assert "许可费节省法" in result.explanation
    assert set(result.dimension_degrees) == {"legal", "brand", "economic"}
    opposed = value_asset(dataclasses.replace(renewed, opposition_pending=True), AS_OF, model)
    assert opposed.value_fen < result.value_fen


def test_copyright_relief_from_royalty_and_default_term() -> None:
    model = load_model("copyright_v1")
    facts = CopyrightFacts(number="2021SR0123456", work_type="software", creation_date=date(2020, 5, 1),
                           status="in_force", publication_date=date(2021, 1, 10), version_count=4,
                           annual_revenue_fen=800_000_000, industry_code="I65")
    result = value_asset(facts, AS_OF, model)
    assert result.value_fen > 0 and result.economic_life_years == 5.0
    assert result.scores.indicators[0].raw == pytest.approx((date(2071, 12, 31) - AS_OF).days / 365.25)


def test_model_and_asset_kind_must_match() -> None:
    with pytest.raises(ModelMismatch):
        value_asset(patent(), AS_OF, load_model("trademark_v1"))


def test_bad_facts_are_refused() -> None:
    with pytest.raises(InvalidFacts):
        patent(claims_total=-1)
    with pytest.raises(InvalidFacts):
        patent(appraiser_inputs={"technical_advancement": 101})
    with pytest.raises(InvalidFacts):
        patent(independent_claims=5, claims_total=3)
    with pytest.raises(ValueError):
        patent(kind="petty_patent")
    with pytest.raises(InvalidFacts):
        facts_from_dict({"asset_kind": "patent", "colour": "red"})

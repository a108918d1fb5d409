"""Indicator scoring rules, cohort percentiles and the explanation in words (PZA-2.1.1)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ipfin.domain.tests.valuation_strategies import AS_OF, patent
from ipfin.domain.valuation.definition import load_model
from ipfin.domain.valuation.model import value_patent
from ipfin.domain.valuation.scoring import Cohort, CohortTable, lookup_score, piecewise

POINTS = ((0.0, 0.0), (2.0, 30.0), (5.0, 55.0), (10.0, 80.0))


def test_piecewise_interpolates_and_is_flat_beyond_the_ends() -> None:
    assert piecewise(-3, POINTS) == 0 and piecewise(0, POINTS) == 0
    assert piecewise(1, POINTS) == 15 and piecewise(3.5, POINTS) == pytest.approx(42.5)
    assert piecewise(10, POINTS) == 80 and piecewise(99, POINTS) == 80


@given(st.floats(-10, 20), st.floats(-10, 20))
def test_piecewise_with_increasing_scores_is_monotone(x: float, y: float) -> None:
    lo, hi = sorted((x, y))
    assert piecewise(lo, POINTS) <= piecewise(hi, POINTS)


def test_lookup_longest_prefix_wins() -> None:
    table = (("C", 50.0), ("C39", 85.0), ("C3", 60.0))
    assert lookup_score("C3911", table, 10.0) == 85.0
    assert lookup_score("C35", table, 10.0) == 60.0
    assert lookup_score("I65", table, 10.0) == 10.0


def test_cohort_mid_rank_percentile() -> None:
    cohort = Cohort.from_sample([1, 2, 2, 3, 10])
    assert cohort.size == 5
    assert cohort.percentile(0) == 0.0
    assert cohort.percentile(2) == pytest.approx(100 * (1 + 3) / 10)  # ties count half
    assert cohort.percentile(11) == 100.0
    with pytest.raises(ValueError):
        Cohort((2.0, 1.0), (1, 1))


def test_cohort_snippet_round_trip() -> None:
    table = CohortTable.from_samples([("forward_citations", "H01M", 2019, v) for v in (1, 1, 4)])
    snippet = table.snippet(["forward_citations", "family_size"], "H01M", 2019)
    assert snippet == [{"metric": "forward_citations", "ipc_class": "H01M", "filing_year": 2019,
                        "values": [1.0, 4.0], "counts": [2, 1]}]
    assert CohortTable.from_snippet(snippet) == table


def test_explanation_names_contributors_and_defaults_in_chinese() -> None:
    model = load_model("pledge_v1")
    result = value_patent(patent(litigation_count=3, appraiser_inputs={}), AS_OF, model)
    assert len(result.top_contributors) == model.top_contributors
    assert result.explanation.startswith("价值度 ")
    assert "（法律 " in result.explanation
    by_key = {s.key: s for s in result.scores.indicators}
    assert by_key["technical_advancement"].basis == "appraiser_default"
    assert by_key["litigation"].score == 40.0
    assert by_key["industry"].score == 80.0  # C38
    assert by_key["stability"].score == 80.0  # granted, no invalidation survived
    assert "拉低价值最多的是" in result.explanation

"""The vectorised batch path gives the same numbers as the scalar path; exact half-up rounding of arrays."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ipfin.domain.money import apply_ratio, round_fen
from ipfin.domain.tests.valuation_strategies import AS_OF, IPC_CLASSES, patent, patent_facts
from ipfin.domain.valuation.definition import load_model
from ipfin.domain.valuation.model import point_estimate, value_patent
from ipfin.domain.valuation.scoring import CohortTable
from ipfin.domain.valuation.vectorised import PatentArrays, apply_ratio_array, round_half_up_fen, value_batch

MODEL = load_model("pledge_v1")


def _cohorts() -> CohortTable:
    rng = np.random.default_rng(7)
    rows = []
    for ipc in IPC_CLASSES[:3]:
        for year in range(2006, 2026):
            for _ in range(35 if year % 2 else 12):  # odd years big enough, even years fall back
                rows.append(("forward_citations", ipc, year, int(rng.poisson(6))))
                rows.append(("family_size", ipc, year, int(rng.integers(1, 12))))
    return CohortTable.from_samples(rows)


COHORTS = _cohorts()


@given(st.lists(patent_facts(), min_size=1, max_size=25), st.dates(date(2015, 1, 1), date(2030, 12, 31)))
@settings(max_examples=60, deadline=None)
def test_vectorised_equals_scalar(facts: list, as_of: date) -> None:
    batch = value_batch(PatentArrays.from_facts(facts, MODEL), as_of, MODEL, COHORTS)
    for i, f in enumerate(facts):
        point = point_estimate(f, as_of, MODEL, COHORTS)
        assert batch.value_degree[i] == point.scores.value_degree  # bit for bit
        for key, degree in point.scores.dimension_degrees.items():
            assert batch.dimension_degrees[key][i] == degree
        assert batch.scores[i].tolist() == [s.score for s in point.scores.indicators]
        assert batch.royalty_share[i] == point.royalty_share
        assert int(batch.income_fen[i]) == point.income_fen
        full = value_patent(f, as_of, MODEL, cohorts=COHORTS)
        assert int(batch.value_fen[i]) == full.approach("income").value_fen


def test_batch_applies_status() -> None:
    facts = [patent(), patent(status="lapsed"), patent(invalidation_pending=True)]
    batch = value_batch(PatentArrays.from_facts(facts, MODEL), AS_OF, MODEL)
    assert batch.value_fen[0] == batch.income_fen[0] > 0
    assert batch.value_fen[1] == 0
    assert batch.value_fen[2] == apply_ratio(int(batch.income_fen[2]), Decimal("0.50"))


EDGE_FLOATS = [0.0, 0.5, 1.5, 2.5, 0.49999999999999994, 1.4999999999999998, 123456.5, 123456.49999999999,
               2.0**52 - 0.5, 1e-300, 7.5000000000000009, 99999999999.5]


@pytest.mark.parametrize("x", EDGE_FLOATS)
def test_array_rounding_matches_money_round_fen(x: float) -> None:
    assert int(round_half_up_fen(np.array([x]))[0]) == round_fen(Decimal(x))


@given(st.floats(min_value=0, max_value=2.0**52 - 1, allow_nan=False))
def test_array_rounding_matches_money_round_fen_everywhere(x: float) -> None:
    assert int(round_half_up_fen(np.array([x]))[0]) == round_fen(Decimal(x))


def test_array_rounding_refuses_negative_and_huge() -> None:
    with pytest.raises(ValueError):
        round_half_up_fen(np.array([-1.0]))
    with pytest.raises(ValueError):
        round_half_up_fen(np.array([np.inf]))


@given(st.integers(0, 10**13), st.sampled_from(["0.50", "0.3", "0.75", "0.125", "1", "0", "0.333"]))
def test_apply_ratio_array_matches_money(amount: int, ratio: str) -> None:
    assert int(apply_ratio_array(np.array([amount]), Decimal(ratio))[0]) == apply_ratio(amount, Decimal(ratio))

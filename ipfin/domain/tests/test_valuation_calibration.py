"""Calibration (SC-3, SC-4): metrics (count, MdAPE, Spearman) and fitting weights into a new model version."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from ipfin.domain.tests.valuation_strategies import AS_OF, patent
from ipfin.domain.valuation.calibration import (
    CalibrationObservation,
    CalibrationRefused,
    LinearValue,
    average_ranks,
    calibrate,
    calibration_metrics,
    fit_weights,
    linearise,
    project_to_simplex,
    spearman,
    weights_to_tree,
)
from ipfin.domain.valuation.definition import load_model, model_from_dict
from ipfin.domain.valuation.inputs import Comparable
from ipfin.domain.valuation.model import value_patent

MODEL = load_model("pledge_v1")


def test_average_ranks_and_spearman_with_ties() -> None:
    assert average_ranks([10, 20, 20, 30]).tolist() == [1.0, 2.5, 2.5, 4.0]
    assert spearman([1, 2, 3, 4], [10, 20, 30, 40]) == pytest.approx(1.0)
    assert spearman([1, 2, 3, 4], [4, 3, 2, 1]) == pytest.approx(-1.0)
    # textbook example with ties: ranks x = [1, 2.5, 2.5, 4], y = [1, 2, 3, 4] → ρ = 0.9486832980505138
    assert spearman([1, 2, 2, 3], [1, 2, 3, 4]) == pytest.approx(0.9486832980505138)
    assert spearman([1, 1, 1], [1, 2, 3]) is None
    assert spearman([1], [1]) is None


@given(st.lists(st.tuples(st.floats(-1e6, 1e6), st.floats(-1e6, 1e6)), min_size=3, max_size=30))
def test_spearman_is_pearson_of_ranks_and_bounded(pairs: list[tuple[float, float]]) -> None:
    x, y = [p[0] for p in pairs], [p[1] for p in pairs]
    rho = spearman(x, y)
    if rho is not None:
        assert -1.0 - 1e-12 <= rho <= 1.0 + 1e-12
        assert rho == pytest.approx(float(np.corrcoef(average_ranks(x), average_ranks(y))[0, 1]), abs=1e-9)
        assert spearman(y, x) == pytest.approx(rho)


def test_metrics() -> None:
    metrics = calibration_metrics([110.0, 90.0, 300.0], [100.0, 100.0, 200.0])
    assert metrics.count == 3 and metrics.mdape_pct == pytest.approx(10.0)
    assert metrics.spearman == pytest.approx(0.8660254037844386)
    assert calibration_metrics([], []).count == 0
    with pytest.raises(CalibrationRefused):
        calibration_metrics([1.0], [0.0])


def test_simplex_projection() -> None:
    c = project_to_simplex(np.array([0.5, 2.0, -1.0]))
    assert c.sum() == pytest.approx(1.0) and (c >= 0).all() and c.tolist() == pytest.approx([0.0, 1.0, 0.0])


def test_fit_recovers_known_weights_on_synthetic_linear_data() -> None:
    rng = np.random.default_rng(42)
    k = len(MODEL.indicators)
    truth = rng.dirichlet(np.ones(k))
    scores = rng.uniform(0, 100, size=(400, k))
    a = rng.uniform(1e6, 5e7, size=400)
    b = rng.uniform(1e5, 2e6, size=400)
    linear = [LinearValue(tuple(s), float(ai), float(bi)) for s, ai, bi in zip(scores, a, b, strict=True)]
    observed = [lv.value(truth) for lv in linear]
    start = np.array([float(w) for w in MODEL.combined_weights().values()])
    fitted = fit_weights(linear, observed, start)
    assert np.max(np.abs(fitted - truth)) < 2e-3
    dims, within = weights_to_tree(MODEL, fitted)
    assert sum(dims.values()) == 1 and all(sum(w.values()) == 1 for w in within.values())


def test_linearisation_matches_the_model_value() -> None:
    comps = tuple(Comparable("patent", "H01M", 400_000_000, 55.0, AS_OF - timedelta(days=20 * i)) for i in range(5))
    facts = patent(development_cost_fen=300_000_000, development_year=2018)
    obs = CalibrationObservation(facts, AS_OF, 1, "appraisal", comparables=comps)
    lv = linearise(obs, MODEL)
    combined = np.array([float(w) for w in MODEL.combined_weights().values()])
    result = value_patent(facts, AS_OF, MODEL, comparables=comps)
    assert lv.value(combined) == pytest.approx(result.value_fen, rel=1e-9)


def _observations(true_model, n: int, seed: int) -> list[CalibrationObservation]:
    rng = np.random.default_rng(seed)
    out = []
    for i in range(n):
        facts = patent(
            number=f"ZL{i}", filing_date=date(2010, 1, 1) + timedelta(days=int(rng.integers(0, 5000))),
            claims_total=int(rng.integers(1, 30)), independent_claims=1, forward_citations=int(rng.integers(0, 40)),
            family_size=int(rng.integers(1, 15)), co_owner_count=int(rng.integers(0, 4)),
            licence_count=int(rng.integers(0, 4)), transfer_count=int(rng.integers(0, 3)),
            litigation_count=int(rng.integers(0, 5)), ipc_class_count=int(rng.integers(1, 7)),
            invalidation_survived=int(rng.integers(0, 3)), annual_revenue_fen=int(rng.integers(10**8, 10**11)),
            industry_code=str(rng.choice(["C39", "C35", "A01", "I65", "C27"])),
            appraiser_inputs={"technical_advancement": int(rng.integers(0, 101)),
                              "market_coverage": int(rng.integers(0, 101))},
        )
        observed = value_patent(facts, AS_OF, true_model).value_fen
        kind = ["appraisal", "negotiated", "disposal"][i % 3]
        out.append(CalibrationObservation(facts, AS_OF, observed, kind))
    return out


def test_calibrate_recovers_weights_from_valued_outcomes_into_a_new_version() -> None:
    data = load_model("pledge_v1").data
    import copy

    truth_data = copy.deepcopy(dict(data))
    truth_data["dimensions"][0]["weight"], truth_data["dimensions"][1]["weight"] = "0.20", "0.45"
    truth_data["dimensions"][2]["indicators"][0]["weight"] = "0.50"   # revenue 0.35 → 0.50
    truth_data["dimensions"][2]["indicators"][3]["weight"] = "0.15"   # commercialisation 0.30 → 0.15
    truth = model_from_dict(truth_data, origin="truth")
    observations = _observations(truth, 150, seed=1)
    report = calibrate(observations, MODEL, new_version="pledge_v2", calibrated_on=AS_OF)
    assert report.used == 150 and report.by_kind == {"appraisal": 50, "negotiated": 50, "disposal": 50}
    assert report.after.mdape_pct < report.before.mdape_pct
    assert report.after.mdape_pct < 0.5  # % — near-exact recovery
    fitted = model_from_dict(report.new_data, origin="fitted")
    assert fitted.version == "pledge_v2" and report.new_data["model"]["calibrated_from"] == "pledge_v1"
    truth_w, fitted_w = truth.combined_weights(), fitted.combined_weights()
    assert max(abs(float(truth_w[k] - fitted_w[k])) for k in truth_w) < 0.02
    assert MODEL.version == "pledge_v1"  # the active model is untouched


def test_calibration_refuses_too_few_observations_and_same_name() -> None:
    observations = _observations(MODEL, 5, seed=2)
    with pytest.raises(CalibrationRefused, match="at least 20"):
        calibrate(observations, MODEL, new_version="pledge_v2", calibrated_on=AS_OF)
    with pytest.raises(CalibrationRefused, match="new name"):
        calibrate(observations, MODEL, new_version="pledge_v1", calibrated_on=AS_OF)
    with pytest.raises(CalibrationRefused):
        CalibrationObservation(patent(), AS_OF, 1, "rumour")


def test_observations_the_weights_cannot_move_are_skipped() -> None:
    dead = [CalibrationObservation(patent(status="lapsed", number=f"L{i}"), AS_OF, 100, "disposal") for i in range(3)]
    observations = _observations(MODEL, 20, seed=3) + dead
    report = calibrate(observations, MODEL, new_version="pledge_v1_cal", calibrated_on=AS_OF)
    assert report.used == 20 and report.skipped == 3

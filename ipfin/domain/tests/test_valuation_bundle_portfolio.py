"""Combined pledges without double counting families (PZA-2.1.2); enterprise-level evaluation (SC-4);
revaluation triggers (PZP-3.4.2)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ipfin.domain.tests.valuation_strategies import AS_OF, patent
from ipfin.domain.valuation.bundle import BundleMember, InvalidBundle, bundle_value
from ipfin.domain.valuation.definition import load_model
from ipfin.domain.valuation.portfolio import PortfolioAsset, evaluate_portfolio
from ipfin.domain.valuation.revaluation import RevaluationTrigger, is_due, revalue, value_factor

MODEL = load_model("pledge_v1")
MAX_LTV = Decimal("0.60")  # PZA-2.1.2 — from the policy profile in production


def test_bundle_counts_each_family_once_with_its_best_member() -> None:
    result = bundle_value([
        BundleMember("cn-invention", 800, "F1"), BundleMember("us-member", 1_000, "F1"),
        BundleMember("cn-utility", 300, "F1"), BundleMember("other", 500, "F2"), BundleMember("mark", 200),
    ])
    assert result.value_fen == 1_000 + 500 + 200
    assert {m.asset_id for m in result.excluded} == {"cn-invention", "cn-utility"}
    assert [m.asset_id for m in result.counted] == ["us-member", "other", "mark"]


@given(st.lists(st.tuples(st.sampled_from(["", "A", "B", "C"]), st.integers(0, 10**9)), max_size=12))
def test_bundle_never_exceeds_the_plain_sum_and_counts_family_maxima(rows: list[tuple[str, int]]) -> None:
    members = [BundleMember(str(i), value, family) for i, (family, value) in enumerate(rows)]
    result = bundle_value(members)
    assert result.value_fen <= sum(v for _, v in rows)
    expected = sum(v for f, v in rows if not f) + sum(
        max(v for f, v in rows if f == fam) for fam in {f for f, _ in rows if f})
    assert result.value_fen == expected
    assert len(result.counted) + len(result.excluded) == len(members)


def test_bundle_refuses_duplicates_and_bad_values() -> None:
    with pytest.raises(InvalidBundle):
        bundle_value([BundleMember("a", 1), BundleMember("a", 2)])
    with pytest.raises(InvalidBundle):
        bundle_value([BundleMember("a", -1)])


def _portfolio(n: int, degree: float, kind: str = "invention", years: float = 8.0) -> list[PortfolioAsset]:
    return [PortfolioAsset(f"p{i}", kind, 100_000_000, degree, years, family_id=f"F{i}") for i in range(n)]


def test_portfolio_score_and_credit_line_from_the_mapping() -> None:
    strong = evaluate_portfolio(_portfolio(12, 85.0), MODEL, max_loan_to_value=MAX_LTV)
    # quality 85, scale piecewise(12) = 75 + 25 × 2/20 = 77.5, invention share 100, vitality 100
    assert strong.score == pytest.approx(0.5 * 85 + 0.2 * 77.5 + 0.15 * 100 + 0.15 * 100)
    assert strong.band_min_score == 80 and strong.credit_ratio == Decimal("0.55")
    assert strong.credit_line_fen == 660_000_000  # 55 % of 1,200,000,000 fen (cap 5,000,000,000)
    weak = evaluate_portfolio(_portfolio(1, 20.0, kind="utility_model", years=2.0), MODEL, max_loan_to_value=MAX_LTV)
    assert weak.credit_line_fen == 0 and weak.band_min_score is None
    assert "不建议" in weak.explanation


def test_portfolio_credit_ratio_never_exceeds_policy_ltv_and_family_counted_once() -> None:
    assets = _portfolio(12, 85.0) + [PortfolioAsset("dup", "invention", 50_000_000, 90.0, 9.0, family_id="F0")]
    result = evaluate_portfolio(assets, MODEL, max_loan_to_value=Decimal("0.40"))
    assert result.family_count == 12 and result.portfolio_value_fen == 1_200_000_000
    assert result.credit_ratio == Decimal("0.40")
    empty = evaluate_portfolio([], MODEL, max_loan_to_value=MAX_LTV)
    assert empty.score == 0 and empty.credit_line_fen == 0
    with pytest.raises(TypeError):
        evaluate_portfolio([], MODEL, max_loan_to_value=0.6)  # type: ignore[arg-type]


def test_revaluation_on_status_events_and_time() -> None:
    before = revalue(patent(), AS_OF, MODEL, previous_value_fen=None, trigger=RevaluationTrigger.MANUAL)
    later = revalue(patent(), AS_OF + timedelta(days=365 * 5), MODEL, previous_value_fen=before.result.value_fen,
                    trigger=RevaluationTrigger.PERIODIC)
    assert later.changed and later.change_fen is not None and later.change_fen < 0  # shorter life, lower value
    lapsed = revalue(patent(status="lapsed"), AS_OF, MODEL, previous_value_fen=before.result.value_fen,
                     trigger=RevaluationTrigger.LEGAL_STATUS_EVENT)
    assert lapsed.result.value_fen == 0 and lapsed.change_fen == -before.result.value_fen
    assert value_factor(patent(invalidation_pending=True), AS_OF, MODEL) == Decimal("0.50")
    assert value_factor(patent(status="invalidated"), AS_OF, MODEL) == 0
    assert is_due(None, AS_OF, MODEL) and is_due(AS_OF - timedelta(days=30), AS_OF, MODEL)
    assert not is_due(AS_OF - timedelta(days=29), AS_OF, MODEL)

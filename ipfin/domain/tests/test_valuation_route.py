"""SC-3 route rule: below the threshold internal/negotiated is enough; at or above, third-party appraisal."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ipfin.domain.valuation.route import (
    InvalidRouteInput,
    ValuationRoute,
    ValuationSource,
    required_route,
    source_satisfies_route,
)

THRESHOLD_FEN = 1_000_000_000  # 10,000,000 元 — in production this comes from the policy profile


def test_route_at_the_boundary() -> None:
    assert required_route(999_999_999, THRESHOLD_FEN) is ValuationRoute.INTERNAL_OR_NEGOTIATED  # 9,999,999.99 元
    assert required_route(1_000_000_000, THRESHOLD_FEN) is ValuationRoute.THIRD_PARTY_APPRAISAL  # 10,000,000 元
    assert required_route(0, THRESHOLD_FEN) is ValuationRoute.INTERNAL_OR_NEGOTIATED


def test_inclusive_reading_of_the_threshold() -> None:
    assert required_route(1_000_000_000, THRESHOLD_FEN, inclusive=True) is ValuationRoute.INTERNAL_OR_NEGOTIATED
    assert required_route(1_000_000_001, THRESHOLD_FEN, inclusive=True) is ValuationRoute.THIRD_PARTY_APPRAISAL


@given(st.integers(0, 10**13), st.integers(0, 10**13))
def test_route_is_a_strict_threshold(loan: int, threshold: int) -> None:
    route = required_route(loan, threshold)
    assert (route is ValuationRoute.INTERNAL_OR_NEGOTIATED) == (loan < threshold)


def test_which_sources_satisfy_which_route() -> None:
    small, large = ValuationRoute.INTERNAL_OR_NEGOTIATED, ValuationRoute.THIRD_PARTY_APPRAISAL
    assert all(source_satisfies_route(s, small) for s in ValuationSource)
    assert source_satisfies_route("third_party_appraisal", large)
    assert not source_satisfies_route(ValuationSource.INTERNAL_MODEL, large)
    assert not source_satisfies_route(ValuationSource.NEGOTIATED, large)


@pytest.mark.parametrize("loan, threshold", [(-1, THRESHOLD_FEN), (1.5, THRESHOLD_FEN), (True, THRESHOLD_FEN),
                                             ("100", THRESHOLD_FEN), (100, -5), (100, None)])
def test_bad_amounts_are_refused(loan: object, threshold: object) -> None:
    with pytest.raises(InvalidRouteInput):
        required_route(loan, threshold)  # type: ignore[arg-type]

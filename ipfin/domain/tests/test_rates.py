"""LPR in force, tenor choice and the two cap forms (LPR + bp, LPR × k); Decimal only."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ipfin.domain.errors import InvalidInput
from ipfin.domain.rates import (
    InvalidRate,
    LprFixing,
    LprNotAvailable,
    Tenor,
    applicable_tenor,
    cap_lpr_plus_spread,
    cap_lpr_times,
    format_pct,
    lpr_in_force,
    parse_rate_pct,
)

D = Decimal
FIXINGS = [
    LprFixing(date(2025, 4, 21), D("3.10"), D("3.60")),
    LprFixing(date(2025, 5, 20), D("3.00"), D("3.50")),
    LprFixing(date(2024, 10, 21), D("3.10"), D("3.60")),  # order does not matter
    LprFixing(date(2024, 7, 22), D("3.35"), D("3.85")),
]


def test_on_a_fixing_date_that_fixing_is_in_force() -> None:
    assert lpr_in_force(FIXINGS, date(2025, 5, 20)).fixing_date == date(2025, 5, 20)
    assert lpr_in_force(FIXINGS, date(2024, 7, 22)).lpr_1y_pct == D("3.35")


def test_between_fixings_the_earlier_one_is_in_force() -> None:
    fixing = lpr_in_force(FIXINGS, date(2025, 5, 19))
    assert fixing.fixing_date == date(2025, 4, 21)
    assert (fixing.lpr_1y_pct, fixing.lpr_5y_pct) == (D("3.10"), D("3.60"))
    assert lpr_in_force(FIXINGS, date(2025, 6, 1)).fixing_date == date(2025, 5, 20)
    assert lpr_in_force(FIXINGS, date(2030, 1, 1)).fixing_date == date(2025, 5, 20)


def test_before_the_first_fixing_is_not_available() -> None:
    with pytest.raises(LprNotAvailable) as caught:
        lpr_in_force(FIXINGS, date(2024, 7, 21))
    assert caught.value.code == "lpr_not_available"
    assert caught.value.details == {"date": "2024-07-21", "first_fixing": "2024-07-22"}
    with pytest.raises(LprNotAvailable):
        lpr_in_force([], date(2025, 1, 1))


@pytest.mark.parametrize(("months", "tenor"), [(1, Tenor.ONE_YEAR), (12, Tenor.ONE_YEAR), (60, Tenor.ONE_YEAR),
                                               (61, Tenor.FIVE_YEAR), (360, Tenor.FIVE_YEAR)])
def test_applicable_tenor(months: int, tenor: Tenor) -> None:
    assert applicable_tenor(months) is tenor


@pytest.mark.parametrize("months", [0, -1, True])
def test_applicable_tenor_rejects_bad_terms(months: int) -> None:
    with pytest.raises(InvalidInput):
        applicable_tenor(months)


def test_rate_for_term() -> None:
    fixing = lpr_in_force(FIXINGS, date(2025, 6, 1))
    assert fixing.rate_for_term(36) == D("3.00")
    assert fixing.rate_for_term(61) == D("3.50")


def test_cap_lpr_plus_spread() -> None:
    assert cap_lpr_plus_spread(D("3.10"), 50) == D("3.6000")
    assert cap_lpr_plus_spread(D("3.45"), 0) == D("3.45")
    assert cap_lpr_plus_spread(D("3.45"), -20) == D("3.25")
    assert cap_lpr_plus_spread(D("3.45"), 1) == D("3.46")


def test_cap_lpr_times() -> None:
    assert cap_lpr_times(D("3.45"), D("1.5")) == D("5.1750")
    assert cap_lpr_times(D("3.1"), 2) == D("6.2")
    assert cap_lpr_times(D("3.3333"), D("1.3")) == D("4.3333")  # 4.33329 → half up to 4 places


def test_caps_refuse_floats() -> None:
    with pytest.raises(InvalidInput):
        cap_lpr_times(D("3.45"), 1.5)  # type: ignore[arg-type]
    with pytest.raises(InvalidInput):
        cap_lpr_plus_spread(3.45, 50)  # type: ignore[arg-type]
    with pytest.raises(InvalidInput):
        cap_lpr_plus_spread(D("3.45"), 0.5)  # type: ignore[arg-type]
    with pytest.raises(InvalidInput):
        cap_lpr_times(D("3.45"), D("0"))


def test_parse_rate_pct() -> None:
    assert parse_rate_pct("3.45") == D("3.45")
    assert parse_rate_pct("19.9999") == D("19.9999")
    assert parse_rate_pct(D("3.5")) == D("3.5")


@pytest.mark.parametrize(("text", "reason"), [("0", "positive"), ("-1", "positive"), ("20", "below 20"),
                                              ("3.12345", "4 decimal places"), ("abc", "decimal number"),
                                              ("1e1", "decimal number"), ("NaN", "decimal number"), ("", "decimal")])
def test_parse_rate_pct_rejects(text: str, reason: str) -> None:
    with pytest.raises(InvalidRate) as caught:
        parse_rate_pct(text)
    assert reason in caught.value.message


def test_format_pct() -> None:
    assert format_pct(D("3.0000")) == "3.00"
    assert format_pct(D("3.5")) == "3.50"
    assert format_pct(D("3.175")) == "3.175"
    assert format_pct(D("5.1750")) == "5.175"


rates = st.decimals(min_value=D("0.0001"), max_value=D("19.9999"), places=4)


@given(lpr=rates, spread=st.integers(min_value=-100, max_value=1000))
def test_spread_cap_is_exact(lpr: Decimal, spread: int) -> None:
    cap = cap_lpr_plus_spread(lpr, spread)
    assert (cap - lpr) * 100 == spread
    assert cap.as_tuple().exponent == -4


@given(lpr=rates, low=st.decimals(min_value=D("0.1"), max_value=D("4"), places=2),
       extra=st.decimals(min_value=D("0"), max_value=D("2"), places=2))
def test_times_cap_is_monotone_in_the_multiplier(lpr: Decimal, low: Decimal, extra: Decimal) -> None:
    assert cap_lpr_times(lpr, low) <= cap_lpr_times(lpr, low + extra)
    assert abs(cap_lpr_times(lpr, low) - lpr * low) <= D("0.00005")


@given(day=st.dates(min_value=date(2024, 7, 22), max_value=date(2030, 12, 31)))
def test_in_force_is_the_latest_on_or_before(day: date) -> None:
    fixing = lpr_in_force(FIXINGS, day)
    assert fixing.fixing_date <= day
    assert not any(fixing.fixing_date < f.fixing_date <= day for f in FIXINGS)

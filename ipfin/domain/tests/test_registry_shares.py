"""Co-ownership shares."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ipfin.domain.registry.shares import InvalidShares, equal_shares, parse_share, validate_shares


def test_valid_shares() -> None:
    assert validate_shares([Decimal("60"), Decimal("40")]) == [Decimal(60), Decimal(40)]
    assert parse_share("33.3334%") == Decimal("33.3334")


@pytest.mark.parametrize(
    ("shares", "reason_code"),
    [
        ([], "empty"),
        ([Decimal("60"), Decimal("30")], "sum"),
        ([Decimal("100"), Decimal("0")], "range"),
        ([Decimal("33.33333"), Decimal("66.66667")], "places"),
        ([Decimal("120"), Decimal("-20")], "range"),
    ],
)
def test_invalid(shares: list[Decimal], reason_code: str) -> None:
    with pytest.raises(InvalidShares) as info:
        validate_shares(shares)
    assert info.value.details["reason_code"] == reason_code


def test_parse_rejects_text_and_float() -> None:
    with pytest.raises(InvalidShares):
        parse_share("sixty")
    with pytest.raises(TypeError):
        parse_share(60.0)  # type: ignore[arg-type]


@given(st.integers(1, 50))
def test_equal_shares_sum_to_100(count: int) -> None:
    shares = equal_shares(count)
    assert len(shares) == count
    assert validate_shares(shares) == shares

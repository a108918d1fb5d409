"""Money in fen, the one HALF_UP rounding rule, and display in 元/万元/亿元 (design §5)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ipfin.domain.money import (
    FEN_PER_WAN,
    FEN_PER_YI,
    InvalidAmount,
    apply_ratio,
    fen_to_yuan,
    format_amount_cn,
    format_percent,
    format_wan,
    format_yi,
    format_yuan,
    ratio_of,
    round_fen,
    round_half_up,
    yuan_to_fen,
)

MAX_FEN = 9_223_372_036_854_775_807  # the largest BigIntegerField
fens = st.integers(min_value=-MAX_FEN, max_value=MAX_FEN)
ratios = st.decimals(min_value=0, max_value=1, places=4, allow_nan=False, allow_infinity=False)


# ---- fen ↔ yuan ------------------------------------------------------------------------------------------


@given(fens)
def test_fen_yuan_round_trip_is_exact(fen: int) -> None:
    yuan = fen_to_yuan(fen)
    assert yuan.as_tuple().exponent == -2
    assert yuan_to_fen(yuan) == fen
    assert yuan_to_fen(str(yuan)) == fen


@given(st.decimals(min_value=-10**12, max_value=10**12, places=2, allow_nan=False, allow_infinity=False))
def test_yuan_with_two_places_converts_exactly(yuan: Decimal) -> None:
    assert fen_to_yuan(yuan_to_fen(yuan)) == yuan


@pytest.mark.parametrize(("yuan", "fen"), [
    ("1234.56", 123456), ("0.01", 1), ("-0.01", -1), ("10000000", 1_000_000_000), (Decimal("1.5"), 150),
    (7, 700), (" 12.30 ", 1230), ("1.230", 123),  # trailing zeros beyond the fen are exact
])
def test_yuan_to_fen(yuan: Decimal | str | int, fen: int) -> None:
    assert yuan_to_fen(yuan) == fen


def test_more_than_two_decimals_is_refused_unless_rounding_is_asked_for() -> None:
    with pytest.raises(InvalidAmount, match="more than two decimal places"):
        yuan_to_fen("12.345")
    assert yuan_to_fen("12.345", round_to_fen=True) == 1235  # half up
    assert yuan_to_fen("-12.345", round_to_fen=True) == -1235  # away from zero
    assert yuan_to_fen("12.3449", round_to_fen=True) == 1234


@pytest.mark.parametrize("bad", ["", "abc", "1,234.56", "¥12", "NaN", "Infinity"])
def test_unparseable_amounts_are_invalid_input(bad: str) -> None:
    with pytest.raises(InvalidAmount) as caught:
        yuan_to_fen(bad)
    assert caught.value.code == "invalid_amount"


@pytest.mark.parametrize("call", [
    lambda: yuan_to_fen(12.5),  # type: ignore[arg-type]
    lambda: yuan_to_fen(True),
    lambda: fen_to_yuan(1.0),  # type: ignore[arg-type]
    lambda: fen_to_yuan(Decimal(1)),  # type: ignore[arg-type]
    lambda: apply_ratio(100, 0.3),  # type: ignore[arg-type]
    lambda: apply_ratio(100.0, Decimal("0.3")),  # type: ignore[arg-type]
    lambda: round_half_up(2.5),  # type: ignore[arg-type]
    lambda: ratio_of(1.0, 2),  # type: ignore[arg-type]
    lambda: format_yuan(1.5),  # type: ignore[arg-type]
])
def test_floats_are_refused(call) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(TypeError):
        call()


# ---- HALF_UP ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("value", "places", "expected"), [
    ("2.5", 0, "3"), ("3.5", 0, "4"),  # not banker's rounding (ROUND_HALF_EVEN would give 2 and 4)
    ("2.4999", 0, "2"), ("-2.5", 0, "-3"), ("-2.4", 0, "-2"), ("-0.5", 0, "-1"),
    ("2.345", 2, "2.35"), ("2.344", 2, "2.34"), ("-2.345", 2, "-2.35"), ("0.005", 2, "0.01"),
    ("1250", -2, "1.3E+3"), ("0", 2, "0.00"),
])
def test_round_half_up_examples(value: str, places: int, expected: str) -> None:
    assert round_half_up(Decimal(value), places) == Decimal(expected)
    assert str(round_half_up(Decimal(value), places)) == expected


@given(st.integers(min_value=-10**15, max_value=10**15))
def test_exact_halves_round_away_from_zero(n: int) -> None:
    half = Decimal(n) + Decimal("0.5")  # n + 0.5
    assert round_half_up(half) == (n + 1 if half > 0 else n)
    assert round_half_up(-half) == -round_half_up(half)  # symmetric: the magnitude is rounded


@given(st.decimals(min_value=-10**9, max_value=10**9, places=6, allow_nan=False, allow_infinity=False))
def test_round_half_up_is_within_half_a_unit_and_symmetric(value: Decimal) -> None:
    rounded = round_half_up(value, 2)
    assert abs(rounded - value) <= Decimal("0.005")
    assert round_half_up(-value, 2) == -rounded
    assert round_half_up(rounded, 2) == rounded  # idempotent


@given(st.decimals(min_value=-10**12, max_value=10**12, places=4, allow_nan=False, allow_infinity=False))
def test_round_fen_is_nearest_integer_half_up(amount: Decimal) -> None:
    fen = round_fen(amount)
    assert isinstance(fen, int)
    assert abs(Decimal(fen) - amount) <= Decimal("0.5")
    if abs(amount - int(amount)) == Decimal("0.5"):
        assert abs(fen) > abs(amount)


def test_round_fen_passes_integers_through() -> None:
    assert round_fen(123) == 123
    assert round_fen(Decimal("0.4999")) == 0


# ---- ratios ----------------------------------------------------------------------------------------------


def test_apply_ratio_examples() -> None:
    """BT-12a: 30 % of a principal loss, half up to the fen."""
    assert apply_ratio(500_000_000, Decimal("0.30")) == 150_000_000  # 30 % of 5,000,000.00 元
    assert apply_ratio(5, Decimal("0.30")) == 2  # 1.5 fen → 2
    assert apply_ratio(-5, Decimal("0.30")) == -2
    assert apply_ratio(3, Decimal("0.5")) == 2
    assert apply_ratio(123_457, Decimal("0.015")) == 1852  # 1851.855 → 1852


@given(fens.filter(lambda f: abs(f) < 10**15), ratios)
def test_apply_ratio_is_bounded_and_symmetric(fen: int, ratio: Decimal) -> None:
    share = apply_ratio(fen, ratio)
    assert abs(Decimal(share) - Decimal(fen) * ratio) <= Decimal("0.5")
    assert apply_ratio(-fen, ratio) == -share
    assert abs(share) <= abs(fen)


def test_ratio_of() -> None:
    """BT-13: compensations paid ÷ loans issued, compared with 3 % / 5 %."""
    assert ratio_of(3_000_000, 100_000_000) == Decimal("0.03")
    assert ratio_of(1, 3, places=4) == Decimal("0.3333")
    assert ratio_of(2, 3, places=4) == Decimal("0.6667")
    assert ratio_of(0, 5) == 0
    with pytest.raises(InvalidAmount, match="non-zero denominator"):
        ratio_of(1, 0)


@given(st.integers(min_value=0, max_value=10**15), st.integers(min_value=1, max_value=10**15))
def test_ratio_of_then_apply_ratio_recovers_the_numerator(numerator: int, denominator: int) -> None:
    ratio = ratio_of(numerator, denominator)
    assert abs(apply_ratio(denominator, ratio) - numerator) <= 1


# ---- display ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("fen", "text"), [
    (123456, "¥1,234.56"), (-123456, "-¥1,234.56"), (0, "¥0.00"), (1, "¥0.01"), (-1, "-¥0.01"),
    (100_000_000_000, "¥1,000,000,000.00"),
])
def test_format_yuan(fen: int, text: str) -> None:
    assert format_yuan(fen) == text


@pytest.mark.parametrize(("fen", "text"), [
    (1_234_567_800, "1,234.57万元"), (123456, "0.12万元"), (1_000_000, "1.00万元"), (500, "0.00万元"),
    (-500, "0.00万元"),  # no "-0.00"
    (-1_234_567_800, "-1,234.57万元"), (5_000, "0.01万元"),  # 50 元 = 0.005 万元 → 0.01 half up
])
def test_format_wan(fen: int, text: str) -> None:
    assert format_wan(fen) == text


@pytest.mark.parametrize(("fen", "text"), [
    (12_345_678_900, "1.23亿元"), (5_000_000_000, "0.50亿元"), (-15_000_000_000, "-1.50亿元"),
])
def test_format_yi(fen: int, text: str) -> None:
    assert format_yi(fen) == text


@pytest.mark.parametrize(("fen", "text"), [
    (123456, "1,234.56元"),
    (999_999, "9,999.99元"),
    (1_000_000, "1.00万元"),
    (150_000_000, "150.00万元"),  # BT-12b cap, 1,500,000 CNY
    (1_000_000_000, "1,000.00万元"),  # BT-3 fund, 10,000,000 CNY
    (9_999_999_999, "1.00亿元"),  # rounds to 10,000.00 万元 → shown in 亿元
    (5_000_000_000, "5,000.00万元"),  # PZA-3.乙1 plan, 0.5 亿元
    (12_345_678_900, "1.23亿元"),
    (-123456, "-1,234.56元"),
    (-150_000_000, "-150.00万元"),
])
def test_format_amount_cn(fen: int, text: str) -> None:
    assert format_amount_cn(fen) == text


@given(fens)
def test_format_yuan_parses_back(fen: int) -> None:
    text = format_yuan(fen)
    assert text.startswith("-¥" if fen < 0 else "¥")
    assert yuan_to_fen(text.replace("¥", "").replace(",", "")) == fen


@given(st.integers(min_value=-10**17, max_value=10**17))
def test_format_amount_cn_unit_follows_size(fen: int) -> None:
    text = format_amount_cn(fen)
    if abs(fen) < FEN_PER_WAN:
        assert text.endswith("元") and not text.endswith(("万元", "亿元"))
    elif abs(fen) < FEN_PER_YI - FEN_PER_WAN // 200:  # below what rounds up to 10,000.00 万元
        assert text.endswith("万元")
    else:
        assert text.endswith("亿元")


def test_format_percent() -> None:
    assert format_percent(Decimal("0.3")) == "30.00%"
    assert format_percent(Decimal("0.015"), 1) == "1.5%"
    assert format_percent(Decimal("0.00005"), 2) == "0.01%"


class TestCheckAmountFen:
    """One validator for amounts typed by users (issue 13: integers ≥ 2**63 gave a 500)."""

    def test_accepts_a_positive_whole_number_of_fen_up_to_the_maximum(self) -> None:
        from ipfin.domain.money import MAX_FEN, check_amount_fen

        assert check_amount_fen(1) == 1
        assert check_amount_fen(MAX_FEN) == MAX_FEN
        assert check_amount_fen(0, allow_zero=True) == 0

    @pytest.mark.parametrize("value", [0, -1, 2**63, 10**30, True, 1.5, "100", None])
    def test_refuses_everything_else(self, value: object) -> None:
        from ipfin.domain.money import InvalidAmount, check_amount_fen

        with pytest.raises(InvalidAmount):
            check_amount_fen(value, "amount_fen")

"""The Django side of the stress simulation without the database: rates parsed exactly, the dashboard's chart
data from a domain result."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from ipfin.domain.fund.simulation import BankPosition, CoveredLoan, FundPosition, Scenario, simulate
from ipfin.fund.simulation import SimulationInputInvalid, chart_data, parse_rate


def test_rates_are_parsed_as_decimal_and_bounded() -> None:
    assert parse_rate("0.05", "default rate") == Decimal("0.05")
    assert parse_rate(" 1 ", "default rate") == Decimal(1) and parse_rate("0", "x") == Decimal(0)
    for bad in ("1.01", "-0.1", "abc", "NaN", "Infinity", ""):
        with pytest.raises(SimulationInputInvalid):
            parse_rate(bad, "default rate")
    with pytest.raises(TypeError):
        parse_rate(0.05, "default rate")  # type: ignore[arg-type]


def test_chart_data_of_a_result() -> None:
    position = FundPosition(date(2022, 6, 30), 1_000_000, [CoveredLoan("甲银行", 300_000_000, Decimal("0.3"), 150_000_000)],
                            {"甲银行": BankPosition(issued_fen=300_000_000)}, Decimal("0.03"), Decimal("0.05"), 60,
                            Decimal("0.3"))
    result = simulate(position, Scenario(Decimal(1), Decimal("0.2"), 2, 10, 1))
    chart = chart_data(result)
    # every loan defaults at once (rate 1): each run pays 30 % × 3,000,000 CNY = 900,000 CNY
    assert chart["payouts"]["values"] == ["900000"] * 5
    assert chart["warning"]["labels"] == ["甲银行"] and chart["warning"]["values"] == ["100"]
    assert set(chart) == {"payouts", "net", "warning"}
    assert result.probability_of_exhaustion == 1

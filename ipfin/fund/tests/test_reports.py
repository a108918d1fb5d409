"""Fund operation reports: the period arithmetic, and the .xlsx and .pdf files open and carry the numbers."""

from __future__ import annotations

import re
import zlib
from datetime import date
from decimal import Decimal
from io import BytesIO

import pytest
from openpyxl import load_workbook

from ipfin.fund.reports import (
    BankRow,
    ClaimRow,
    FilingRow,
    Flow,
    FundReport,
    MissingFilingRow,
    MovementRow,
    ReportPeriodInvalid,
    report_pdf,
    report_period,
    report_xlsx,
)


def _report() -> FundReport:
    return FundReport(
        fund_code="bt-fund", fund_name="包头市风险补偿资金", profile_name="baotou-2021", kind="quarterly",
        period_start=date(2022, 4, 1), period_end=date(2022, 6, 30), opening_balance_fen=1_000_000_000,
        closing_balance_fen=987_654_321,
        flows=[Flow("出资到账", "BT-3", 0), Flow("补偿拨付", "BT-15", -12_345_679)],
        covered_count=3, covered_amount_fen=2_500_000_00,
        claims_by_state={"paid": 1, "filed": 2},
        claims=[ClaimRow("BC2022000001", "DK2022000001", "甲银行", "paid", date(2022, 5, 3), 12_345_679)],
        payouts=[MovementRow(date(2022, 6, 1), "甲银行", "BC2022000001", 12_345_679)],
        recoveries=[],
        banks=[BankRow("甲银行", 400_000_000, 12_345_679, Decimal("0.0308641975"), "warning")],
        filings=[FilingRow("quarterly_statement", date(2022, 6, 30), 3, 1, 2)],
        missing_filings=[MissingFilingRow("quarterly_statement", date(2022, 6, 30), "DK2022000002", "乙科技公司",
                                          "甲银行")],
    )


def test_report_periods() -> None:
    assert report_period("quarterly", 2022, 1) == (date(2022, 1, 1), date(2022, 3, 31))
    assert report_period("quarterly", 2024, 4) == (date(2024, 10, 1), date(2024, 12, 31))
    assert report_period("annual", 2022) == (date(2022, 1, 1), date(2022, 12, 31))
    with pytest.raises(ReportPeriodInvalid):
        report_period("quarterly", 2022, 5)
    with pytest.raises(ReportPeriodInvalid):
        report_period("monthly", 2022, 1)


def test_xlsx_opens_and_has_the_numbers() -> None:
    report = _report()
    sheet = load_workbook(BytesIO(report_xlsx(report))).active
    values = [cell for row in sheet.iter_rows(values_only=True) for cell in row if cell is not None]
    assert report.title == "包头市风险补偿资金2022年第2季度运行情况报告" and values[0] == report.title
    assert Decimal("9876543.21") in [Decimal(str(v)) for v in values if isinstance(v, (int, float))]
    assert Decimal("-123456.79") in [Decimal(str(v)) for v in values if isinstance(v, (int, float))]
    for text in ("期末余额（元）", "补偿拨付", "BC2022000001", "甲银行", "3.09%", "预警", "已拨付", "（无）"):
        assert text in values
    # BT-19: the borrowers' financial statements received for the quarter end, and the loans missing one
    at = values.index("贷款企业财务资料报送（BT-19）")
    assert values[at + 1:at + 11] == ["资料", "截止日", "应报送贷款笔数", "已收到", "未收到",
                                      "季度财务报表", "2022-06-30", 3, 1, 2]
    assert "未报送财务资料的贷款" in values and "DK2022000002" in values and "乙科技公司" in values


def _pdf_text(data: bytes) -> bytes:
    chunks = [data]
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", data, re.S):
        try:
            chunks.append(zlib.decompress(stream))
        except zlib.error:
            pass
    return b"\n".join(chunks)


def test_pdf_opens_and_has_the_numbers() -> None:
    data = report_pdf(_report())
    assert data.startswith(b"%PDF-") and b"STSong-Light" in data
    text = _pdf_text(data)
    for number in (b"9,876,543.21", b"-123,456.79", b"BC2022000001", b"2022-06-01", b"3.09%", b"2022-06-30",
                   b"DK2022000002"):
        assert number in text

"""Quarterly and annual fund operation reports (风险补偿资金运行情况报告, BT-8, BT-19, BT-20) as Excel and PDF.

:func:`build_report` gathers, for one fund and one period, the balance at both ends, the flows of the period
from the ledger (contributions, interest, payouts, recovery shares returned, management fees, returns to
contributors), the covered loans (count, amount), the claims and their states, the payouts and recoveries of
the period, each bank's BT-13 ratio at the period's end, and the borrowers' financial statements received (BT-19,
:mod:`ipfin.fund.filings`): for each quarter end of the period the covered loans, how many statements are on
record and which loans miss one; the annual report adds the annual audit reports for 31 December. :func:`report_xlsx` and :func:`report_pdf` render
it in Chinese (openpyxl; reportlab with the CID font STSong-Light, as :mod:`ipfin.pledges.pdf`). Money is
integer fen, shown in yuan with two decimals, exact.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from io import BytesIO
from typing import Any

from ipfin.domain.errors import InvalidInput
from ipfin.domain.money import FEN_PER_YUAN, format_yuan
from ipfin.domain.registry.terms import add_months

FONT = "STSong-Light"
KIND_ZH = {"quarterly": "季度", "annual": "年度"}
BAND_ZH = {"below": "正常", "warning": "预警", "suspension": "暂停", "admitted": "合作中", "warned": "已预警",
           "suspended": "已暂停", "removed": "已取消合作"}
FILING_KIND_ZH = {"quarterly_statement": "季度财务报表", "annual_audit": "年度审计报告", "fund_use": "项目资金使用状况"}
CLAIM_STATE_ZH = {"filed": "已申请", "verified": "已审核", "approved": "已批准", "paid": "已拨付",
                  "settled": "已清算", "rejected": "已驳回", "withdrawn": "已撤回"}
MONTHS = {"quarterly": 3, "annual": 12}


class ReportPeriodInvalid(InvalidInput):
    code = "fund_report_period_invalid"


def report_period(kind: str, year: int, quarter: int | None = None) -> tuple[date, date]:
    """First and last day (inclusive) of a calendar quarter or year."""
    if kind == "annual":
        return date(year, 1, 1), date(year, 12, 31)
    if kind == "quarterly" and quarter in (1, 2, 3, 4):
        start = date(year, 3 * (quarter - 1) + 1, 1)
        return start, add_months(start, MONTHS[kind]) - timedelta(days=1)
    raise ReportPeriodInvalid(reason=f"unknown report period {kind} {year} {quarter}")


@dataclass(frozen=True)
class Flow:
    label: str  # Chinese
    clause: str
    amount_fen: int  # + into the fund's cash, − out of it


@dataclass(frozen=True)
class ClaimRow:
    reference: str
    loan: str
    bank: str
    state: str
    filed_on: date | None
    amount_fen: int


@dataclass(frozen=True)
class MovementRow:
    on: date
    bank: str
    reference: str
    amount_fen: int


@dataclass(frozen=True)
class BankRow:
    bank: str
    issued_fen: int
    paid_fen: int
    ratio: Decimal
    status: str


@dataclass(frozen=True)
class FilingRow:
    """BT-19 for one period end: the fund's loans outstanding that day, with the filing recorded, without."""

    kind: str  # FilingKind value
    period_end: date
    covered: int
    received: int
    missing: int


@dataclass(frozen=True)
class MissingFilingRow:
    kind: str
    period_end: date
    loan: str
    enterprise: str
    bank: str


@dataclass(frozen=True)
class FundReport:
    fund_code: str
    fund_name: str
    profile_name: str
    kind: str  # quarterly | annual
    period_start: date
    period_end: date
    opening_balance_fen: int
    closing_balance_fen: int
    flows: list[Flow] = field(default_factory=list)
    covered_count: int = 0
    covered_amount_fen: int = 0
    claims_by_state: dict[str, int] = field(default_factory=dict)
    claims: list[ClaimRow] = field(default_factory=list)
    payouts: list[MovementRow] = field(default_factory=list)
    recoveries: list[MovementRow] = field(default_factory=list)
    banks: list[BankRow] = field(default_factory=list)
    filings: list[FilingRow] = field(default_factory=list)
    missing_filings: list[MissingFilingRow] = field(default_factory=list)

    @property
    def title(self) -> str:
        if self.kind == "annual":
            period = f"{self.period_start.year}年"
        else:
            period = f"{self.period_start.year}年第{(self.period_start.month - 1) // 3 + 1}季度"
        return f"{self.fund_name}{period}运行情况报告"

    @property
    def filename_stem(self) -> str:
        return f"fund-{self.fund_code}-{self.kind}-{self.period_start.isoformat()}"


# Cash flows of a period by the kind of entry that moved the fund's dedicated accounts: label and clause.
FLOW_LABELS: dict[str, tuple[str, str]] = {
    "contribution": ("出资到账", "BT-3"),
    "interest": ("利息收入", "BT-11"),
    "payout": ("补偿拨付", "BT-15"),
    "compensation_refund": ("补偿退回", "SC-12"),
    "recovery_share_received": ("追偿返还", "BT-16"),
    "management_fee": ("管理费用", "BT-8.7"),
    "transfer": ("专户间划转", "BT-9"),
    "closing_return": ("返还出资人", "BT-21"),
    "reversal": ("更正冲销", ""),
}


def _cash_lines(fund: Any) -> Any:
    from ipfin.fund.models import JournalLine

    return JournalLine.objects.filter(entry__fund=fund, account_kind="cash")


def cash_balance_fen(fund: Any, through: date) -> int:
    """The fund's cash in all its dedicated accounts after the entries dated ``through`` or earlier."""
    from django.db.models import Sum

    totals = _cash_lines(fund).filter(entry__entry_date__lte=through).aggregate(d=Sum("debit_fen"),
                                                                                  c=Sum("credit_fen"))
    return int(totals["d"] or 0) - int(totals["c"] or 0)


def _movements(fund: Any, kind: str, start: date, end: date) -> list[MovementRow]:
    """Cash lines of the period's ``kind`` entries; the bank is the account's, else the claim's (a payout from
    the fund's main account names the claim in its reference)."""
    from ipfin.fund.models import Claim

    rows = list(_cash_lines(fund).filter(entry__kind=kind, entry__entry_date__gte=start, entry__entry_date__lte=end)
                .select_related("entry", "counterparty").order_by("entry__entry_date", "entry__number", "id"))
    banks = dict(Claim.objects.filter(fund=fund, number__in={line.entry.reference for line in rows})
                 .values_list("number", "bank__name"))
    return [MovementRow(line.entry.entry_date,
                        banks.get(line.entry.reference) or (line.counterparty.name if line.counterparty else ""),
                        line.entry.reference or f"#{line.entry.number}", abs(line.debit_fen - line.credit_fen))
            for line in rows]


def _filing_rows(fund: Any, kind: str, start: date, end: date) -> tuple[list[FilingRow], list[MissingFilingRow]]:
    """BT-19: quarterly statements for each quarter end of the period; the annual report adds the annual audit for
    each 31 December in it. Filings count as received when on record now (statements arrive after the period
    end, so a report made later shows more). Two queries per period end (:func:`filing_coverage`)."""
    from ipfin.fund.choices import FilingKind
    from ipfin.fund.filings import filing_coverage, quarter_ends_between

    wanted = [(FilingKind.QUARTERLY_STATEMENT.value, d) for d in quarter_ends_between(start, end)]
    if kind == "annual":
        wanted += [(FilingKind.ANNUAL_AUDIT.value, d) for d in quarter_ends_between(start, end) if d.month == 12]
    rows, missing = [], []
    for filing_kind, period_end in wanted:
        coverage = filing_coverage(fund, period_end, filing_kind)
        rows.append(FilingRow(filing_kind, period_end, coverage.covered, coverage.received, coverage.missing_count))
        missing += [MissingFilingRow(filing_kind, period_end, m.loan_number, m.enterprise, m.bank)
                    for m in coverage.missing]
    return rows, missing


def build_report(fund: Any, *, kind: str, start: date, end: date) -> FundReport:
    """The report of ``fund`` for ``start`` … ``end`` (inclusive). Claims are those filed in the period, with
    their state today; claim counts by state cover every claim filed up to ``end``; covered loans and the
    banks' ratios are as of ``end`` (:func:`ipfin.fund.selectors.fund_status`); borrower filings per
    :func:`_filing_rows`."""
    from django.db.models import Count, Sum

    from ipfin.fund.models import Claim
    from ipfin.fund.selectors import fund_status

    if end < start:
        raise ReportPeriodInvalid(reason="the period ends before it starts")
    flows = []
    by_kind = dict(_cash_lines(fund).filter(entry__entry_date__gte=start, entry__entry_date__lte=end)
                   .values_list("entry__kind").annotate(net=Sum("debit_fen") - Sum("credit_fen")))
    for entry_kind, (label, clause) in FLOW_LABELS.items():
        if entry_kind in by_kind:
            flows.append(Flow(label, clause, int(by_kind[entry_kind] or 0)))
    claims = Claim.objects.filter(fund=fund)
    by_state = dict(claims.filter(filed_on__lte=end).values_list("state").annotate(n=Count("id")).order_by())
    status = fund_status(fund, end)
    filings, missing_filings = _filing_rows(fund, kind, start, end)
    return FundReport(
        fund_code=fund.code, fund_name=fund.name, profile_name=fund.profile_name, kind=kind, period_start=start,
        period_end=end, opening_balance_fen=cash_balance_fen(fund, start - timedelta(days=1)),
        closing_balance_fen=cash_balance_fen(fund, end), flows=flows,
        covered_count=int(status.covered_count), covered_amount_fen=int(status.covered_amount_fen),
        claims_by_state={k: int(v) for k, v in by_state.items()},
        claims=[ClaimRow(c.number, c.loan.number, c.bank.name, c.state, c.filed_on, c.amount_fen)
                for c in claims.filter(filed_on__gte=start, filed_on__lte=end)
                .select_related("loan", "bank").order_by("filed_on", "id")],
        payouts=_movements(fund, "payout", start, end),
        recoveries=_movements(fund, "recovery_share_received", start, end),
        banks=[BankRow(str(getattr(b.bank, "name", b.bank)), int(b.issued_fen), int(b.paid_fen),
                       Decimal(str(b.ratio)), str(b.status)) for b in status.banks],
        filings=filings, missing_filings=missing_filings,
    )


def _yuan(amount_fen: int) -> Decimal:
    return Decimal(amount_fen) / FEN_PER_YUAN


def _percent(ratio: Decimal) -> str:
    return f"{Decimal(ratio) * 100:.2f}%"


def sections(report: FundReport) -> list[tuple[str, list[str], list[list[Any]]]]:
    """The report's tables: (title, header, rows); amounts as fen ints (the renderers format them)."""
    summary: list[list[Any]] = [
        ["报告期间", f"{report.period_start.isoformat()} 至 {report.period_end.isoformat()}"],
        ["适用政策", report.profile_name],
        ["期初余额（元）", _yuan(report.opening_balance_fen)],
        ["期末余额（元）", _yuan(report.closing_balance_fen)],
        ["在保贷款笔数", report.covered_count],
        ["在保贷款余额（元）", _yuan(report.covered_amount_fen)],
    ]
    return [
        ("资金概况", ["项目", "数值"], summary),
        ("本期资金变动", ["项目", "依据条款", "金额（元）"],
         [[f.label, f.clause, _yuan(f.amount_fen)] for f in report.flows]),
        ("补偿申请（按状态）", ["状态", "笔数"],
         [[CLAIM_STATE_ZH.get(k, k), v] for k, v in report.claims_by_state.items()]),
        ("补偿申请明细", ["编号", "贷款", "合作银行", "状态", "申请日", "补偿金额（元）"],
         [[c.reference, c.loan, c.bank, CLAIM_STATE_ZH.get(c.state, c.state),
           c.filed_on.isoformat() if c.filed_on else "", _yuan(c.amount_fen)] for c in report.claims]),
        ("本期补偿拨付", ["日期", "合作银行", "凭证", "金额（元）"],
         [[m.on.isoformat(), m.bank, m.reference, _yuan(m.amount_fen)] for m in report.payouts]),
        ("本期追偿返还", ["日期", "合作银行", "凭证", "金额（元）"],
         [[m.on.isoformat(), m.bank, m.reference, _yuan(m.amount_fen)] for m in report.recoveries]),
        ("合作银行补偿率（BT-13）", ["合作银行", "累计发放（元）", "累计补偿（元）", "补偿率", "状态"],
         [[b.bank, _yuan(b.issued_fen), _yuan(b.paid_fen), _percent(b.ratio), BAND_ZH.get(b.status, b.status)]
          for b in report.banks]),
        ("贷款企业财务资料报送（BT-19）", ["资料", "截止日", "应报送贷款笔数", "已收到", "未收到"],
         [[FILING_KIND_ZH.get(f.kind, f.kind), f.period_end.isoformat(), f.covered, f.received, f.missing]
          for f in report.filings]),
        ("未报送财务资料的贷款", ["资料", "截止日", "贷款", "贷款企业", "合作银行"],
         [[FILING_KIND_ZH.get(m.kind, m.kind), m.period_end.isoformat(), m.loan, m.enterprise, m.bank]
          for m in report.missing_filings]),
    ]


Section = tuple[str, list[str], list[list[Any]]]


def sections_xlsx(title: str, sheet_title: str, parts: list[Section], widths: dict[str, int]) -> bytes:
    """One sheet, the sections one below the other; amounts as numbers with two decimals. Shared by the
    operation reports and the closing statement (ipfin.fund.closing)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = sheet_title
    sheet.append([title])
    sheet["A1"].font = Font(bold=True, size=14)
    for heading, header, rows in parts:
        sheet.append([])
        sheet.append([heading])
        sheet.cell(row=sheet.max_row, column=1).font = Font(bold=True)
        sheet.append(header)
        for row in rows:
            sheet.append(row)
            for cell in sheet[sheet.max_row]:
                if isinstance(cell.value, Decimal):
                    cell.number_format = "#,##0.00"
        if not rows:
            sheet.append(["（无）"])
    for column, width in widths.items():
        sheet.column_dimensions[column].width = width
    stream = BytesIO()
    workbook.save(stream)
    return stream.getvalue()


def report_xlsx(report: FundReport) -> bytes:
    return sections_xlsx(report.title, "运行情况报告", sections(report),
                         dict(zip("ABCDEF", (28, 22, 22, 16, 14, 18), strict=True)))


def _font() -> str:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    return FONT


def sections_pdf(title: str, parts: list[Section], *, margin_mm: float = 15, cell_size: float = 8.5,
                 cell_leading: float = 11) -> bytes:
    """A4, Chinese in the CID font; ASCII cells (amounts, dates, numbers) in Helvetica so that they are searchable
    text in the file. Shared by the operation reports and the closing statement."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    font = _font()
    title_style = ParagraphStyle("title", fontName=font, fontSize=15, leading=20, alignment=1)
    head_style = ParagraphStyle("head", fontName=font, fontSize=11, leading=15, spaceBefore=6)
    cell_style = ParagraphStyle("cell", fontName=font, fontSize=cell_size, leading=cell_leading)
    latin_style = ParagraphStyle("latin", parent=cell_style, fontName="Helvetica")
    stream = BytesIO()
    doc = SimpleDocTemplate(stream, pagesize=A4, leftMargin=margin_mm * mm, rightMargin=margin_mm * mm,
                            topMargin=15 * mm, bottomMargin=15 * mm, title=title, author="ipfin", invariant=1,
                            pageCompression=0)
    story: list[Any] = [Paragraph(title, title_style), Spacer(1, 4 * mm)]
    for heading, header, rows in parts:
        story.append(Paragraph(heading, head_style))
        body = [[_escape(_pdf_text(v)) for v in row] for row in rows] or [["（无）"] + [""] * (len(header) - 1)]
        table = Table([[Paragraph(h, cell_style) for h in header],
                       *[[Paragraph(v, latin_style if v.isascii() else cell_style) for v in row]
                         for row in body]], repeatRows=1)
        table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                                   ("BACKGROUND", (0, 0), (-1, 0), colors.whitesmoke),
                                   ("VALIGN", (0, 0), (-1, -1), "MIDDLE")]))
        story += [table, Spacer(1, 3 * mm)]
    doc.build(story)
    return stream.getvalue()


def _escape(text: str) -> str:
    """Paragraph text is reportlab mini-markup: names and decisions typed by users must not be read as tags."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def report_pdf(report: FundReport) -> bytes:
    return sections_pdf(report.title, sections(report))


def _pdf_text(value: Any) -> str:
    if isinstance(value, Decimal):
        return format_yuan(int(value * FEN_PER_YUAN)).replace("¥", "")
    return str(value)

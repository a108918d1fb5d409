"""The generated application form (知识产权质押登记申请表) of a pledge registration (SC-1: paperless filing).

reportlab with its built-in CID font STSong-Light (Chinese without shipping font files, design §3). The
filing and registration numbers are also set in Helvetica so that they are searchable text in the PDF.
"""

from __future__ import annotations

from io import BytesIO

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from ipfin.domain.money import FEN_PER_YUAN, format_yuan
from ipfin.pledges.models import PledgeRegistration
from ipfin.registry.labels_zh import CHOICE_LABELS_ZH

FONT = "STSong-Light"
STATUS_ZH = {"filed": "已提交", "registered": "已登记", "rejected": "不予登记", "changed": "已变更",
             "released": "已注销"}
_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_UNITS = ("", "拾", "佰", "仟")
_GROUPS = ("", "万", "亿", "万亿")


def _font() -> str:
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    return FONT


def _group_cn(value: int) -> str:
    out, zero = "", False
    for position in (3, 2, 1, 0):
        digit = value // 10 ** position % 10
        if digit == 0:
            zero = bool(out)
            continue
        if zero:
            out += "零"
            zero = False
        out += _DIGITS[digit] + _UNITS[position]
    return out


def amount_in_words(amount_fen: int) -> str:
    """人民币大写 of an amount in fen: ``300000000 → "叁佰万元整"``, ``1000550 → "壹万零伍元伍角整"``."""
    if amount_fen < 0:
        return "负" + amount_in_words(-amount_fen)
    yuan, jiao, fen = amount_fen // FEN_PER_YUAN, amount_fen // 10 % 10, amount_fen % 10
    groups = []
    rest = yuan
    while rest:
        groups.append(rest % 10000)
        rest //= 10000
    text, zero_pending = "", False
    for index in range(len(groups) - 1, -1, -1):
        group = groups[index]
        if group == 0:
            zero_pending = bool(text)
            continue
        if text and (group < 1000 or zero_pending):
            text += "零"
        text += _group_cn(group) + _GROUPS[index]
        zero_pending = False
    if not text:
        text = "零" if not (jiao or fen) else ""
    if text:
        text += "元"
    if jiao:
        text += _DIGITS[jiao] + "角"
    elif fen and yuan:
        text += "零"
    if fen:
        text += _DIGITS[fen] + "分"
    else:
        text += "整"
    return text


def _asset_kind_zh(kind: str) -> str:
    return CHOICE_LABELS_ZH["AssetKind"].get(kind, kind)


def application_form_pdf(registration: PledgeRegistration) -> bytes:
    """The application form as PDF bytes (A4, one or more pages)."""
    font = _font()
    body = ParagraphStyle("body", fontName=font, fontSize=10.5, leading=15)
    title = ParagraphStyle("title", parent=body, fontSize=18, leading=24, alignment=1, spaceAfter=6)
    small = ParagraphStyle("small", parent=body, fontSize=9, leading=13)
    latin = ParagraphStyle("latin", parent=body, fontName="Helvetica")
    pledgor = registration.pledgor
    org = pledgor.organisation
    assets = list(registration.assets.select_related("asset").order_by("asset_id"))

    def p(text: str, style: ParagraphStyle = body) -> Paragraph:
        return Paragraph(text, style)

    head = [
        [p("申请编号"), p(registration.filing_number, latin), p("提交日期"), p(registration.filed_on.isoformat(), latin)],
        [p("登记机关"), p(registration.registry_office.name), p("状态"), p(STATUS_ZH.get(registration.status,
                                                                                     registration.status))],
    ]
    if registration.registration_number:
        head.append([p("登记号"), p(registration.registration_number, latin), p("登记日期"),
                     p(registration.registered_on.isoformat() if registration.registered_on else "", latin)])
    parties = [
        [p("出质人"), p(org.name)],
        [p("统一社会信用代码"), p(pledgor.uscc, latin)],
        [p("住所"), p(pledgor.registered_address or org.region_name)],
        [p("法定代表人"), p(pledgor.legal_representative or "")],
        [p("质权人"), p(registration.pledgee.name)],
        [p("质权人所在地"), p(registration.pledgee.region_name)],
    ]
    ip_rows = [[p("序号"), p("知识产权类别"), p("号码"), p("名称")]]
    for index, link in enumerate(assets, start=1):
        ip_rows.append([p(str(index)), p(_asset_kind_zh(link.asset.kind)), p(link.asset.number, latin),
                        p(link.asset.title)])
    secured = [
        [p("被担保债权数额"), p(f"人民币 {format_yuan(registration.secured_amount_fen).lstrip('¥')} 元")],
        [p("大写"), p(f"人民币{amount_in_words(registration.secured_amount_fen)}")],
        [p("质押期限"), p(f"{registration.term_start:%Y年%m月%d日} 至 {registration.term_end:%Y年%m月%d日}")],
        [p("借款合同编号"), p(registration.contract.number, latin)],
    ]
    grid = TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.black), ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                       ("BACKGROUND", (0, 0), (0, -1), colors.whitesmoke)])
    ip_style = TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                           ("BACKGROUND", (0, 0), (-1, 0), colors.whitesmoke)])
    width = A4[0] - 40 * mm
    story = [
        p("知识产权质押登记申请表", title),
        p("（依据《专利权质押登记办法》《注册商标专用权质押登记程序规定》，网上办理，无纸化）", small),
        Spacer(1, 4 * mm),
        Table(head, colWidths=[25 * mm, width / 2 - 25 * mm, 25 * mm, width / 2 - 25 * mm], style=grid),
        Spacer(1, 4 * mm),
        p("一、当事人"),
        Table(parties, colWidths=[35 * mm, width - 35 * mm], style=grid),
        Spacer(1, 4 * mm),
        p("二、出质的知识产权"),
        Table(ip_rows, colWidths=[12 * mm, 28 * mm, 45 * mm, width - 85 * mm], style=ip_style, repeatRows=1),
        Spacer(1, 4 * mm),
        p("三、被担保的主债权"),
        Table(secured, colWidths=[35 * mm, width - 35 * mm], style=grid),
        Spacer(1, 8 * mm),
        p("出质人与质权人保证以上内容真实、合法、有效。"),
        Spacer(1, 10 * mm),
        Table([[p("出质人（盖章）："), p("质权人（盖章）：")],
               [p("法定代表人或授权代表（签字）："), p("法定代表人或授权代表（签字）：")],
               [p("日期：    年    月    日"), p("日期：    年    月    日")]],
              colWidths=[width / 2, width / 2], rowHeights=[12 * mm, 12 * mm, 10 * mm]),
    ]
    buffer = BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=20 * mm, rightMargin=20 * mm, topMargin=18 * mm,
                            bottomMargin=18 * mm, title=f"知识产权质押登记申请表 {registration.filing_number}",
                            author="ipfin", invariant=1, pageCompression=0)
    doc.build(story)
    return buffer.getvalue()

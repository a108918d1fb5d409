"""Excel (.xlsx) export of registry lists and the import templates (openpyxl write-only).

Cells that begin with ``=``, ``+``, ``-``, ``@`` (or a tab / carriage return) are neutralised with a
leading apostrophe, so that a spreadsheet never evaluates text typed by a user as a formula (CSV/formula
injection, OWASP). Personal data goes through :mod:`ipfin.registry.presenters` like everywhere else.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch, QuerySet

from ipfin.accounts.models import User
from ipfin.registry.importing import ASSET_COLUMNS, COLUMNS, ENTERPRISE_COLUMNS, READ_ONLY_COLUMNS, Column
from ipfin.registry.labels_zh import zh
from ipfin.registry.models import Enterprise, IpAsset, IpAssetOwner
from ipfin.registry.presenters import personal_data_check, present_enterprise

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def neutralise(value: Any) -> Any:
    """Text that a spreadsheet would read as a formula gets a leading apostrophe; other values pass."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def _cell_value(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)
    if isinstance(value, date | int):
        return value
    return neutralise(str(value))


def write_xlsx(sheets: Sequence[tuple[str, Sequence[str], Iterable[Sequence[Any]]]]) -> bytes:
    """A workbook with one sheet per ``(title, headers, rows)``; every text cell neutralised."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    for title, headers, rows in sheets:
        sheet = workbook.create_sheet(title=title)
        header_cells = []
        for header in headers:
            cell = WriteOnlyCell(sheet, value=neutralise(header))
            cell.font = Font(bold=True)
            header_cells.append(cell)
        sheet.append(header_cells)
        for row in rows:
            cells = []
            for value in row:
                cell = WriteOnlyCell(sheet, value=_cell_value(value))
                if isinstance(value, date):
                    cell.number_format = "yyyy-mm-dd"
                if isinstance(cell.value, str):
                    cell.data_type = "s"  # never a formula, whatever the text
                cells.append(cell)
            sheet.append(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- templates ------------------------------------------------------------------------------------------


def template_xlsx(target: str) -> bytes:
    """The import template: the header row to fill in, and a 说明 sheet with each column's rules and an example."""
    columns: list[Column] = COLUMNS[target]
    notes = [(c.header, "必填" if c.required else "选填", c.note, c.example) for c in columns]
    return write_xlsx([
        ("数据", [c.header for c in columns], []),
        ("说明", ["列名", "是否必填", "说明", "示例"], notes),
    ])


def template_csv(target: str) -> bytes:
    """The CSV template: UTF-8 with BOM (so Excel opens Chinese headers correctly), header row only."""
    buffer = io.StringIO()
    csv.writer(buffer).writerow([c.header for c in COLUMNS[target]])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


# --- exports --------------------------------------------------------------------------------------------


def enterprise_rows(user: User, enterprises: QuerySet[Enterprise]) -> Iterable[list[Any]]:
    check = personal_data_check(user)
    for enterprise in enterprises.select_related("organisation").iterator(chunk_size=2000):
        data = present_enterprise(enterprise, check)
        data["size_class"] = zh("SizeClass", data["size_class"]) if data["size_class"] else ""
        yield [data[c.key] for c in ENTERPRISE_COLUMNS] + [data["region_name"]]


def export_enterprises(user: User, enterprises: QuerySet[Enterprise]) -> bytes:
    """The enterprises ``user`` may read (the caller passes a ``visible()`` queryset), as .xlsx."""
    headers = [c.header for c in ENTERPRISE_COLUMNS] + READ_ONLY_COLUMNS["enterprises"]
    return write_xlsx([("企业", headers, enterprise_rows(user, enterprises))])


def _owners_cell(owners: Iterable[IpAssetOwner]) -> str:
    parts = []
    for owner in owners:
        who = owner.enterprise.uscc if owner.enterprise_id and owner.enterprise else owner.owner_name
        share = format(owner.share.normalize(), "f")
        parts.append(f"{who}:{share}")
    return ";".join(parts)


def asset_rows(assets: QuerySet[IpAsset]) -> Iterable[list[Any]]:
    queryset = assets.select_related("patent", "trademark").prefetch_related(
        Prefetch("owners", queryset=IpAssetOwner.objects.select_related("enterprise").order_by("position")))
    for asset in queryset.iterator(chunk_size=2000):
        patent = getattr(asset, "patent", None) if asset.kind == "patent" else None
        trademark = getattr(asset, "trademark", None) if asset.kind == "trademark" else None
        values: dict[str, Any] = {
            "kind": zh("AssetKind", asset.kind), "number": asset.number, "title": asset.title,
            "owners": _owners_cell(asset.owners.all()), "filing_date": asset.filing_date,
            "registration_date": asset.registration_date, "expiry_date": asset.expiry_date,
            "work_type": zh("CopyrightWorkType", asset.details.get("work_type", "")) if asset.details.get(
                "work_type") else "",
            "note": asset.details.get("note", ""),
        }
        if patent is not None:
            values.update({
                "ipc_main": patent.ipc_main, "ipc_codes": patent.ipc_codes, "claims_count": patent.claims_count,
                "independent_claims": patent.independent_claims, "forward_citations": patent.forward_citations,
                "backward_citations": patent.backward_citations, "family_size": patent.family_size,
                "family_countries": patent.family_countries, "fee_paid_through": patent.fee_paid_through,
                "open_licence": patent.open_licence,
            })
        if trademark is not None:
            values.update({"mark_type": zh("MarkType", trademark.mark_type), "nice_classes": trademark.nice_classes,
                           "is_geographical_indication": trademark.is_geographical_indication})
        yield [values.get(c.key) for c in ASSET_COLUMNS] + [
            zh("LegalStatus", asset.status), asset.status_since, asset.pledged, asset.frozen,
            asset.invalidation_pending, asset.in_litigation,
        ]


def export_assets(assets: QuerySet[IpAsset]) -> bytes:
    """IP assets (the caller passes a ``visible()`` queryset) as .xlsx, re-importable as is."""
    headers = [c.header for c in ASSET_COLUMNS] + READ_ONLY_COLUMNS["ip-assets"]
    return write_xlsx([("知识产权", headers, asset_rows(assets))])

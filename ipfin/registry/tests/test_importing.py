"""Bulk import: every bad input gets a clear Chinese error and writes nothing; re-import changes nothing."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from ipfin.accounts.models import AuditEvent, Organisation
from ipfin.core.testing.world import World
from ipfin.domain.registry.patent_number import build_patent_number, check_character
from ipfin.domain.registry.uscc import build_uscc
from ipfin.registry.importing import run_import
from ipfin.registry.models import Enterprise, IpAsset, IpAssetOwner, LegalStatusEvent, Patent
from ipfin.registry.tests.conftest import csv_bytes, xlsx_bytes

pytestmark = pytest.mark.django_db

ASSET_HEADER = ["类型", "号码", "名称", "权利人", "申请日", "授权/注册日", "主分类号", "权利要求数", "独立权利要求数"]


def patent_row(owner: str, serial: int, **overrides: Any) -> list[Any]:
    row = {"kind": "专利", "number": build_patent_number(2019, "1", serial), "title": f"一种稀土合金的制备方法{serial}",
           "owners": owner, "filing": "2019-03-01", "granted": "2021-01-05", "ipc": "H01F1/057", "claims": "8",
           "independent": "2"}
    row.update(overrides)
    return list(row.values())


def asset_counts() -> tuple[int, int, int, int]:
    return (IpAsset.objects.count(), Patent.objects.count(), IpAssetOwner.objects.count(),
            LegalStatusEvent.objects.count())


def errors_of(report: Any) -> list[str]:
    return [str(e) for e in report.errors]


# --- enterprises ----------------------------------------------------------------------------------------

ENTERPRISE_HEADER = ["企业名称", "统一社会信用代码", "行政区划代码", "成立日期", "企业规模", "联系电话"]


def test_enterprise_import_creates_organisations_and_is_idempotent() -> None:
    rows = [ENTERPRISE_HEADER,
            ["包头北方稀土磁材有限公司", build_uscc("9", "1", "150203", "MA000001"), "150203", "2012-05-18", "小型",
             "13812345678"],
            ["攀枝花钒钛新材料有限公司", build_uscc("9", "1", "510402", "MA000002"), "510402", "2015-01-01", "中型", ""]]
    report = run_import("enterprises", csv_bytes(rows), "e.csv", actor=None)
    assert report.ok, report.messages
    assert (report.created, report.updated, report.unchanged) == (2, 0, 0)
    enterprise = Enterprise.objects.get(organisation__name="包头北方稀土磁材有限公司")
    assert enterprise.organisation.kind == "enterprise" and enterprise.organisation.uscc == enterprise.uscc
    assert enterprise.size_class == "small" and enterprise.contact_phone == "13812345678"
    audit = AuditEvent.objects.filter(action="registry.import.enterprises").get()
    assert audit.after["created"] == 2 and len(audit.after["sha256"]) == 64

    again = run_import("enterprises", csv_bytes(rows), "e.csv", actor=None)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert AuditEvent.objects.filter(action="registry.import.enterprises").count() == 1

    rows[1][4] = "中型"
    changed = run_import("enterprises", csv_bytes(rows), "e.csv", actor=None)
    assert (changed.created, changed.updated, changed.unchanged) == (0, 1, 1)
    enterprise.refresh_from_db()
    assert enterprise.size_class == "medium"


def test_enterprise_errors_in_chinese_by_row_and_column() -> None:
    good = build_uscc("9", "1", "150203", "MA000003")
    rows = [ENTERPRISE_HEADER,
            ["甲公司", good[:-1] + ("0" if good[-1] != "0" else "1"), "150203", "2012-05-18", "", ""],
            ["乙公司", build_uscc("9", "1", "150203", "MA000004"), "15020", "2031-01-01", "巨型", "12345"],
            ["丙公司", good, "150203", "2012-02-30", "", ""]]
    report = run_import("enterprises", csv_bytes(rows), "e.csv", actor=None)
    assert not report.ok
    assert errors_of(report) == [
        "第 2 行，列「统一社会信用代码」：校验位错误",
        "第 3 行，列「行政区划代码」：行政区划代码应为 6 位 GB/T 2260 代码",
        "第 3 行，列「成立日期」：日期晚于今天",
        "第 3 行，列「企业规模」：不是允许的取值",
        "第 3 行，列「联系电话」：电话号码格式错误",
        "第 4 行，列「成立日期」：日期不存在",
    ]
    assert Enterprise.objects.count() == 0 and Organisation.objects.count() == 0


def test_enterprise_import_by_ip_office_is_limited_to_its_region(world: World) -> None:
    rows = [ENTERPRISE_HEADER, ["攀枝花某公司", build_uscc("9", "1", "510402", "MA000005"), "510402", "2012-05-18", "", ""]]
    report = run_import("enterprises", csv_bytes(rows), "e.csv", actor=world.users["ipo_bt.clerk"])
    assert errors_of(report) == ["第 2 行，列「行政区划代码」：不在本机构辖区内"]
    from ipfin.domain.errors import PermissionDenied

    with pytest.raises(PermissionDenied):
        run_import("enterprises", csv_bytes(rows), "e.csv", actor=world.users["bank_a.loan_officer"])


# --- IP assets ------------------------------------------------------------------------------------------


def test_asset_import_all_or_nothing_and_idempotent(baotou_enterprise: Enterprise) -> None:
    owner = baotou_enterprise.uscc
    rows = [ASSET_HEADER + ["尼斯分类"]] + [patent_row(owner, n) + [""] for n in range(1, 6)]
    rows.append(["商标", "第 12345678 号", "稀土之城", owner, "", "2016-03-14", "", "", "", "6;40"])
    report = run_import("ip-assets", csv_bytes(rows), "a.csv", actor=None)
    assert report.ok, report.messages
    assert report.created == 6
    patent = IpAsset.objects.get(number=build_patent_number(2019, "1", 1))
    assert patent.status == "in_force" and patent.status_since == date(2021, 1, 5)
    assert patent.expiry_date == date(2039, 2, 28)  # 20 years from 2019-03-01, last day
    assert patent.patent.patent_type == "invention" and patent.patent.claims_count == 8
    mark = IpAsset.objects.get(kind="trademark")
    assert mark.number == "12345678" and mark.expiry_date == date(2026, 3, 13)

    before = asset_counts()
    again = run_import("ip-assets", csv_bytes(rows), "a.csv", actor=None)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 6)
    assert asset_counts() == before

    rows[1][2] = "一种改进的稀土合金制备方法"
    changed = run_import("ip-assets", csv_bytes(rows), "a.csv", actor=None)
    assert (changed.created, changed.updated, changed.unchanged) == (0, 1, 5)
    assert IpAsset.objects.get(number=build_patent_number(2019, "1", 1)).title == "一种改进的稀土合金制备方法"


def test_one_bad_row_writes_nothing(baotou_enterprise: Enterprise) -> None:
    owner = baotou_enterprise.uscc
    rows = [ASSET_HEADER] + [patent_row(owner, n) for n in range(1, 50)]
    good_number = build_patent_number(2019, "1", 99)
    bad_check = good_number[:-1] + ("0" if good_number[-1] != "0" else "1")
    rows.append(patent_row(owner, 99, number=bad_check))
    report = run_import("ip-assets", csv_bytes(rows), "a.csv", actor=None, chunk_rows=10)
    assert errors_of(report) == ["第 51 行，列「号码」：校验位错误"]
    assert report.summary() == "知识产权导入失败：1 个错误，未写入任何数据"
    assert asset_counts() == (0, 0, 0, 0)
    assert not AuditEvent.objects.filter(action__startswith="registry.import").exists()


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"number": "2019100000011"[:-1] + "X"}, "列「号码」："),  # replaced below by the real check
        ({"number": "20191000001.1"}, "列「号码」：位数错误（应为 12 位数字加校验位，2003 年以前为 8 位数字加校验位）"),
        ({"filing": "2019-13-01"}, "列「申请日」：日期不存在"),
        ({"filing": "2019/3/1x"}, "列「申请日」：日期格式错误（应为 YYYY-MM-DD）"),
        ({"granted": "2099-01-01"}, "列「授权/注册日」：日期晚于今天"),
        ({"granted": "2018-01-01"}, "列「授权/注册日」：早于申请日"),
        ({"filing": "2020-03-01"}, "列「申请日」：申请日年份与申请号不符"),
        ({"ipc": "H1M"}, "列「主分类号」：IPC 分类号格式错误"),
        ({"claims": "-3"}, "列「权利要求数」：应为非负整数"),
        ({"independent": "9"}, "列「独立权利要求数」：独立权利要求数大于权利要求数"),
        ({"title": ""}, "列「名称」：必填"),
        ({"kind": "专利权"}, "列「类型」：不是允许的取值"),
    ],
)
def test_bad_asset_rows(baotou_enterprise: Enterprise, overrides: dict[str, str], expected: str) -> None:
    if overrides.get("number", "").endswith("X") and len(overrides["number"]) == 13:
        digits = "201910000001"
        wrong = "0" if check_character(digits) != "0" else "1"
        overrides = {"number": f"{digits}.{wrong}"}
        expected = "列「号码」：校验位错误"
    rows = [ASSET_HEADER, patent_row(baotou_enterprise.uscc, 1, **overrides)]
    report = run_import("ip-assets", csv_bytes(rows), "a.csv", actor=None)
    assert errors_of(report) == [f"第 2 行，{expected}"]
    assert asset_counts() == (0, 0, 0, 0)


def test_future_filing_year_in_the_number(baotou_enterprise: Enterprise) -> None:
    digits = f"{date.today().year + 1}10000001"
    rows = [ASSET_HEADER, patent_row(baotou_enterprise.uscc, 1, number=f"{digits}.{check_character(digits)}")]
    report = run_import("ip-assets", csv_bytes(rows), "a.csv", actor=None)
    assert errors_of(report) == ["第 2 行，列「号码」：申请年份晚于今年"]


def test_duplicate_numbers_in_the_file(baotou_enterprise: Enterprise) -> None:
    number = build_patent_number(2019, "1", 7)
    rows = [ASSET_HEADER, patent_row(baotou_enterprise.uscc, 7), patent_row(baotou_enterprise.uscc, 8),
            patent_row(baotou_enterprise.uscc, 9, number="ZL " + number)]
    report = run_import("ip-assets", csv_bytes(rows), "a.csv", actor=None)
    assert errors_of(report) == ["第 4 行，列「号码」：号码重复（与第 2 行相同）"]
    assert asset_counts() == (0, 0, 0, 0)


def test_shares_must_sum_to_100(baotou_enterprise: Enterprise, panzhihua_enterprise: Enterprise) -> None:
    owners = f"{baotou_enterprise.uscc}:60;{panzhihua_enterprise.uscc}:30"
    rows = [ASSET_HEADER, patent_row(owners, 1), patent_row("某研究院:100", 2),
            patent_row(f"{baotou_enterprise.uscc}:50;包头稀土研究院:50", 3)]
    report = run_import("ip-assets", csv_bytes(rows), "a.csv", actor=None)
    assert errors_of(report) == [
        "第 2 行，列「权利人」：共有份额合计为 90%，应为 100%",
        "第 3 行，列「权利人」：至少一个权利人须为平台已登记的企业",
    ]
    assert asset_counts() == (0, 0, 0, 0)
    rows = [ASSET_HEADER, rows[3]]
    assert run_import("ip-assets", csv_bytes(rows), "a.csv", actor=None).ok
    owners_of = IpAssetOwner.objects.order_by("position").values_list("enterprise_id", "owner_name", "share")
    assert list(owners_of) == [(baotou_enterprise.pk, baotou_enterprise.name, Decimal("50.0000")),
                               (None, "包头稀土研究院", Decimal("50.0000"))]


def test_unknown_and_missing_columns() -> None:
    rows = [["类型", "号码", "名称", "申请人国籍"], ["专利", "200310102344.5", "x", "中国"]]
    report = run_import("ip-assets", csv_bytes(rows), "a.csv", actor=None)
    assert errors_of(report) == ["第 1 行，列「申请人国籍」：未知的列", "第 1 行，列「权利人」：缺少必填列"]


def test_empty_file_and_header_only() -> None:
    report = run_import("ip-assets", io.BytesIO(b""), "a.csv", actor=None)
    assert errors_of(report) == ["文件：文件为空"]
    report = run_import("ip-assets", csv_bytes([ASSET_HEADER]), "a.csv", actor=None)
    assert errors_of(report) == ["文件：文件中没有数据行"]


def test_non_excel_file_named_xlsx() -> None:
    report = run_import("ip-assets", io.BytesIO(b"name,number\nfoo,bar\n"), "a.xlsx", actor=None)
    assert errors_of(report) == ["文件：不是有效的 Excel (.xlsx) 文件"]
    # a zip that is not a workbook
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "not a workbook")
    report = run_import("ip-assets", io.BytesIO(buffer.getvalue()), "a.xlsx", actor=None)
    assert errors_of(report) == ["文件：不是有效的 Excel (.xlsx) 文件"]


def test_other_extension_refused() -> None:
    report = run_import("ip-assets", io.BytesIO(b"abc"), "a.pdf", actor=None)
    assert errors_of(report) == ["文件：只支持 .xlsx 或 .csv 文件"]


def test_file_above_the_configured_size_is_refused(settings: Any, baotou_enterprise: Enterprise) -> None:
    settings.IPFIN_MAX_UPLOAD_BYTES = 100  # stands for the 200 MB file: refused before it is read
    rows = [ASSET_HEADER] + [patent_row(baotou_enterprise.uscc, n) for n in range(1, 5)]
    stream = csv_bytes(rows)
    report = run_import("ip-assets", stream, "a.csv", actor=None)
    size = len(stream.getvalue())
    assert errors_of(report) == [f"文件：文件大小 {size} 字节，超过上限 100 字节"]
    assert asset_counts() == (0, 0, 0, 0)


def test_xlsx_import_with_date_cells(baotou_enterprise: Enterprise) -> None:
    row = patent_row(baotou_enterprise.uscc, 1)
    row[4], row[5], row[7] = date(2019, 3, 1), date(2021, 1, 5), 8
    report = run_import("ip-assets", xlsx_bytes([ASSET_HEADER, row]), "a.xlsx", actor=None)
    assert report.ok, report.messages
    assert IpAsset.objects.get().filing_date == date(2019, 3, 1)


def test_dry_run_reports_without_writing(baotou_enterprise: Enterprise) -> None:
    rows = [ASSET_HEADER] + [patent_row(baotou_enterprise.uscc, n) for n in range(1, 4)]
    report = run_import("ip-assets", csv_bytes(rows), "a.csv", actor=None, dry_run=True)
    assert report.ok and report.created == 3 and not report.committed
    assert report.summary() == "知识产权试导入（未写入）：共 3 行，新增 3，更新 0，未变化 0"
    assert asset_counts() == (0, 0, 0, 0)


def test_gb18030_csv(baotou_enterprise: Enterprise) -> None:
    import csv as csv_module

    text = io.StringIO()
    csv_module.writer(text).writerows([ASSET_HEADER, patent_row(baotou_enterprise.uscc, 1)])
    report = run_import("ip-assets", io.BytesIO(text.getvalue().encode("gb18030")), "a.csv", actor=None)
    assert report.ok, report.messages


# --- legal-status events --------------------------------------------------------------------------------

EVENT_HEADER = ["号码", "事件", "生效日", "文号", "许可类型"]


def test_event_import_derives_status_and_is_idempotent(baotou_enterprise: Enterprise) -> None:
    rows = [ASSET_HEADER, patent_row(baotou_enterprise.uscc, 1), patent_row(baotou_enterprise.uscc, 2, granted="")]
    assert run_import("ip-assets", csv_bytes(rows), "a.csv", actor=None).ok
    granted, pending = build_patent_number(2019, "1", 1), build_patent_number(2019, "1", 2)
    events = [EVENT_HEADER,
              [granted, "许可备案", "2022-01-10", "L-1", "开放许可"],
              [granted, "质押登记", "2023-05-01", "Z-1", ""],
              [pending, "授权", "2022-06-01", "", ""]]
    report = run_import("legal-events", csv_bytes(events), "ev.csv", actor=None)
    assert report.ok, report.messages
    assert report.created == 3
    asset = IpAsset.objects.get(number=granted)
    assert asset.pledged and asset.status == "in_force" and asset.patent.open_licence
    later = IpAsset.objects.get(number=pending)
    assert later.status == "in_force" and later.registration_date == date(2022, 6, 1)

    again = run_import("legal-events", csv_bytes(events), "ev.csv", actor=None)
    assert (again.created, again.unchanged) == (0, 3)
    assert LegalStatusEvent.objects.count() == 3


def test_illegal_event_sequence_writes_nothing(baotou_enterprise: Enterprise) -> None:
    rows = [ASSET_HEADER, patent_row(baotou_enterprise.uscc, 1)]
    assert run_import("ip-assets", csv_bytes(rows), "a.csv", actor=None).ok
    number = build_patent_number(2019, "1", 1)
    events = [EVENT_HEADER, [number, "质押登记", "2023-05-01", "Z-1", ""], [number, "质押登记", "2023-06-01", "Z-2", ""],
              ["201910000099.9", "转让", "2023-01-01", "", ""]]
    report = run_import("legal-events", csv_bytes(events), "ev.csv", actor=None)
    messages = errors_of(report)
    assert "第 3 行，列「事件」：质押状态不允许该事件（已质押不能再次质押，未质押不能注销）" in messages
    assert any(m.startswith("第 4 行，列「号码」：") for m in messages)
    assert LegalStatusEvent.objects.count() == 0
    assert not IpAsset.objects.get().pledged

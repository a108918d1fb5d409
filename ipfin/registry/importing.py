"""Bulk import of enterprises, IP assets and legal-status events from .xlsx or .csv files.

The rules (issue 3, "Bulk in and out"):

- the file is checked before it is parsed: not above ``settings.IPFIN_MAX_UPLOAD_BYTES``, not empty, a
  real xlsx (zip magic and openpyxl opens it) when named ``.xlsx``, UTF-8 (with or without BOM) or
  GB 18030 when ``.csv``; unknown and missing columns are refused;
- every row is validated with the same functions as the actions, and every error is reported with its
  row and column in Chinese (``第 12 行，列「申请号」：校验位错误``);
- all-or-nothing: rows are validated and written in chunks inside ONE transaction, which is rolled back
  if any row is bad (and always on a dry run, so a dry run reports exactly what an import would do);
- upsert by number (assets: kind + number; enterprises: USCC; events: asset + kind + date + reference):
  re-importing the same file changes nothing and says so;
- set-based writes: ids are reserved in one statement, new rows go in with PostgreSQL ``COPY`` (or one
  ``executemany`` on SQLite), changed rows with ``bulk_update``; one audit event per batch with the
  file's SHA-256 and the counts.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import time
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.db.models import Model
from django.utils import timezone

from ipfin.accounts.audit import record_event
from ipfin.accounts.choices import OrganisationKind, Role
from ipfin.accounts.models import Organisation, User
from ipfin.accounts.permissions import is_platform_admin
from ipfin.core.dates import business_date
from ipfin.domain.errors import IpfinError, PermissionDenied, _
from ipfin.domain.regions import InvalidRegionCode, is_within, validate_region_code
from ipfin.domain.registry.assets import InvalidCode
from ipfin.domain.registry.legal_status import STATUS_LABELS_ZH, IllegalLegalEvent, LegalStatus
from ipfin.domain.registry.patent_number import InvalidPatentNumber
from ipfin.domain.registry.shares import InvalidShares, parse_share
from ipfin.domain.registry.terms import add_years, trademark_valid_to
from ipfin.domain.registry.uscc import InvalidUscc, parse_uscc
from ipfin.registry.actions import clean_enterprise_facts, derive_asset_state
from ipfin.registry.choices import AssetKind, CopyrightWorkType, LegalEventKind, LicenceType, MarkType
from ipfin.registry.models import Enterprise, IpAsset, IpAssetOwner, LegalStatusEvent, Patent, Trademark
from ipfin.registry.validation import (
    DateError,
    FieldError,
    OwnerInput,
    clean_asset,
    clean_owners,
    normalise_number,
    parse_bool,
    parse_choice,
    parse_date,
)

CHUNK_ROWS = 20_000
ANALYZE_AFTER_ROWS = 50_000  # a load this large makes the planner's statistics stale
MAX_REPORTED_ERRORS = 10_000
TARGETS = ("enterprises", "ip-assets", "legal-events")


# --- columns --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    key: str
    header: str  # Chinese header written in templates and named in errors
    required: bool = False
    note: str = ""  # explanation in the template's 说明 sheet
    example: str = ""


ENTERPRISE_COLUMNS = [
    Column("name", "企业名称", True, "与营业执照一致", "包头稀土新材料有限公司"),
    Column("uscc", "统一社会信用代码", True, "18 位，GB 32100-2015，含校验位", "91150203MA0N00017B"),
    Column("region_code", "行政区划代码", True, "6 位 GB/T 2260 代码", "150203"),
    Column("established_on", "成立日期", True, "YYYY-MM-DD", "2012-05-18"),
    Column("is_independent_legal_person", "独立法人", False, "是/否，默认是", "是"),
    Column("industry_code", "行业代码", False, "GB/T 4754-2017，如 C3240", "C3240"),
    Column("size_class", "企业规模", False, "大型/中型/小型/微型", "小型"),
    Column("registered_address", "注册地址", False, "", "包头市昆都仑区钢铁大街 1 号"),
    Column("legal_representative", "法定代表人", False, "", "王建国"),
    Column("legal_rep_id_number", "法定代表人身份证号", False, "18 位，含校验位（个人信息，按角色脱敏显示）", ""),
    Column("contact_name", "联系人", False, "", "李明"),
    Column("contact_phone", "联系电话", False, "手机号或座机（个人信息，按角色脱敏显示）", "13812345678"),
]

ASSET_COLUMNS = [
    Column("kind", "类型", True, "专利/商标/著作权/植物新品种权/地理标志/数据知识产权", "专利"),
    Column("number", "号码", True, "专利申请号（可带 ZL、CN、空格、小数点）、商标注册号或登记号", "ZL201910123456.X"),
    Column("title", "名称", True, "", "一种稀土永磁材料的制备方法"),
    Column("owners", "权利人", True, "统一社会信用代码或名称，可加“:份额”，多个用“;”分隔，份额合计 100",
           "91150203MA0N00017B:60;包头稀土研究院:40"),
    Column("filing_date", "申请日", False, "专利必填，YYYY-MM-DD", "2019-04-01"),
    Column("registration_date", "授权/注册日", False, "授权公告日、注册日或登记日", "2021-05-10"),
    Column("expiry_date", "到期日", False, "专利按法定期限计算；商标默认注册日起 10 年", ""),
    Column("ipc_main", "主分类号", False, "专利 IPC 主分类号，如 H01F1/057", "H01F1/057"),
    Column("ipc_codes", "分类号", False, "其他 IPC 分类号，用“;”分隔", "C22C38/00;H01F41/02"),
    Column("claims_count", "权利要求数", False, "", "10"),
    Column("independent_claims", "独立权利要求数", False, "", "2"),
    Column("forward_citations", "被引证次数", False, "", "3"),
    Column("backward_citations", "引证次数", False, "", "8"),
    Column("family_size", "同族数", False, "", "2"),
    Column("family_countries", "同族国家", False, "国家代码，用“;”分隔", "CN;US"),
    Column("fee_paid_through", "年费缴至", False, "已缴年费所覆盖的最后一天", "2025-03-31"),
    Column("open_licence", "开放许可", False, "是/否", "否"),
    Column("mark_type", "商标类型", False, "普通商标/集体商标/证明商标", ""),
    Column("nice_classes", "尼斯分类", False, "商标必填，1–45，用“;”分隔", ""),
    Column("is_geographical_indication", "地理标志商标", False, "是/否", ""),
    Column("work_type", "作品类别", False, "著作权：计算机软件/文字作品/美术作品……", ""),
    Column("note", "备注", False, "", ""),
]

EVENT_COLUMNS = [
    Column("kind", "类型", False, "资产类型，默认专利", "专利"),
    Column("number", "号码", True, "已登记资产的号码", "201910123456.X"),
    Column("event", "事件", True, "授权/转让/许可备案/续展/质押登记/质押注销/保全冻结/解除保全/无效宣告请求/……", "许可备案"),
    Column("effective_date", "生效日", True, "YYYY-MM-DD", "2023-06-01"),
    Column("reference", "文号", False, "备案号、决定号或案号", "X2023150000123"),
    Column("licence_type", "许可类型", False, "许可备案：独占许可/排他许可/普通许可/开放许可", "普通许可"),
    Column("counterparty", "相对方", False, "被许可人、受让人、质权人等", "包头钢铁（集团）有限责任公司"),
    Column("source", "来源", False, "", "国家知识产权局公告"),
    Column("note", "备注", False, "", ""),
]

COLUMNS: dict[str, list[Column]] = {
    "enterprises": ENTERPRISE_COLUMNS,
    "ip-assets": ASSET_COLUMNS,
    "legal-events": EVENT_COLUMNS,
}
# Columns an export adds after the template's; the importer recognises and ignores them (round trip).
READ_ONLY_COLUMNS: dict[str, list[str]] = {
    "enterprises": ["行政区划名称"],
    "ip-assets": ["法律状态", "状态日期", "已质押", "已冻结", "无效宣告中", "诉讼中"],
    "legal-events": [],
}
TARGET_LABELS = {"enterprises": "企业", "ip-assets": "知识产权", "legal-events": "法律状态事件"}


# --- report ---------------------------------------------------------------------------------------------


@dataclass
class RowError:
    row: int | None  # spreadsheet row number (the header is row 1); None for the file as a whole
    column: str  # Chinese header, or "" for the whole row / file
    message: str

    def __str__(self) -> str:
        if self.row is None:
            return f"文件：{self.message}"
        if not self.column:
            return f"第 {self.row} 行：{self.message}"
        return f"第 {self.row} 行，列「{self.column}」：{self.message}"


@dataclass
class ImportReport:
    target: str
    filename: str = ""
    sha256: str = ""
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    error_count: int = 0
    dry_run: bool = False
    committed: bool = False
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.error_count == 0

    def add_error(self, row: int | None, column: str, message: str) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_REPORTED_ERRORS:
            self.errors.append(RowError(row, column, message))

    @property
    def messages(self) -> list[str]:
        lines = [str(e) for e in self.errors]
        if self.error_count > len(self.errors):
            lines.append(f"……以及另外 {self.error_count - len(self.errors)} 个错误")
        return lines

    def summary(self) -> str:
        label = TARGET_LABELS.get(self.target, self.target)
        if not self.ok:
            return f"{label}导入失败：{self.error_count} 个错误，未写入任何数据"
        verb = "试导入（未写入）" if self.dry_run else "导入完成"
        return (f"{label}{verb}：共 {self.rows} 行，新增 {self.created}，更新 {self.updated}，"
                f"未变化 {self.unchanged}")

    def as_dict(self) -> dict[str, Any]:
        return {
            "target": self.target, "filename": self.filename, "sha256": self.sha256, "rows": self.rows,
            "created": self.created, "updated": self.updated, "unchanged": self.unchanged, "ok": self.ok,
            "dry_run": self.dry_run, "committed": self.committed, "error_count": self.error_count,
            "errors": [{"row": e.row, "column": e.column, "message": e.message, "text": str(e)} for e in self.errors],
            "summary": self.summary(), "seconds": round(self.seconds, 3),
        }


class ImportRejected(IpfinError):
    """The file was refused; nothing was written. ``details["errors"]`` lists every problem."""

    code = "import_rejected"
    message_template = _("The import was refused: {count} errors; nothing was written.")

    def __init__(self, report: ImportReport) -> None:
        self.report = report
        super().__init__(count=report.error_count, errors=report.messages[:200], summary=report.summary())


class _Rollback(Exception):
    pass


# --- Chinese messages for typed errors ------------------------------------------------------------------

_ZH: dict[str, dict[str, str]] = {
    InvalidPatentNumber.code: {
        "empty": "不能为空", "length": "位数错误（应为 12 位数字加校验位，2003 年以前为 8 位数字加校验位）",
        "charset": "含有非法字符", "check": "校验位错误", "kind": "专利类型位错误（应为 1、2、3、8 或 9）",
        "year": "年份与号码格式不符", "future": "申请年份晚于今年", "format": "小数点位置错误",
    },
    InvalidUscc.code: {
        "empty": "不能为空", "length": "长度应为 18 位", "charset": "含有非法字符（不使用 I、O、Z、S、V）",
        "authority": "登记管理部门代码错误", "org_type": "机构类别代码错误", "region": "行政区划码错误",
        "org_code_check": "组织机构代码校验位错误", "check": "校验位错误",
    },
    DateError.code: {
        "format": "日期格式错误（应为 YYYY-MM-DD）", "impossible": "日期不存在", "future": "日期晚于今天",
        "before_filing": "早于申请日", "year_mismatch": "申请日年份与申请号不符", "required": "必填",
        "term_mismatch": "与法定保护期限不符", "order": "结束日期早于开始日期", "period_end": "期末日期错误",
        "grant_mismatch": "与已登记的授权日不符",
    },
    FieldError.code: {
        "required": "必填", "choice": "不是允许的取值", "integer": "应为非负整数", "negative": "不能为负数",
        "bool": "应为“是”或“否”", "type_mismatch": "专利类型与申请号不符", "claims": "独立权利要求数大于权利要求数",
        "no_enterprise": "至少一个权利人须为平台已登记的企业", "duplicate_owner": "同一企业重复出现",
        "owner_name": "权利人名称为空", "unknown_enterprise": "统一社会信用代码对应的企业未登记",
    },
    InvalidShares.code: {
        "sum": "共有份额合计为 {total}%，应为 100%", "range": "份额应大于 0 且不超过 100", "places": "份额最多 4 位小数",
        "not_number": "份额不是数字", "empty": "缺少权利人",
    },
    InvalidCode.code: {
        "ipc": "IPC 分类号格式错误", "industry": "行业代码格式错误（GB/T 4754）", "trademark_number": "商标注册号应为 1–9 位数字",
        "registration_number": "登记号格式错误", "nice": "尼斯分类应为 1–45 的整数", "id_number": "身份证号码校验错误",
        "phone": "电话号码格式错误",
    },
}


def zh_message(error: IpfinError) -> str:
    """The Chinese text of a typed validation error, for the import report."""
    if isinstance(error, InvalidRegionCode):
        return "行政区划代码应为 6 位 GB/T 2260 代码"
    if isinstance(error, IllegalLegalEvent):
        status = STATUS_LABELS_ZH.get(LegalStatus(error.details.get("status", "pending")), "")
        reason_code = error.details.get("reason_code", "")
        if reason_code == "frozen":
            return "资产处于保全冻结状态，不能登记该事件"
        if reason_code.startswith("flag_"):
            flag = reason_code.removeprefix("flag_")
            return {"pledged": "质押状态不允许该事件（已质押不能再次质押，未质押不能注销）",
                    "frozen": "资产未处于保全冻结状态", "invalidation_pending": "没有待决的无效宣告请求",
                    "in_litigation": "资产没有进行中的诉讼"}.get(flag, "当前状态不允许该事件")
        return f"当前法律状态（{status}）下不能登记该事件"
    messages = _ZH.get(error.code, {})
    template = messages.get(str(error.details.get("reason_code", "")))
    if template is None:
        return error.message
    try:
        return template.format(**error.details)
    except (KeyError, IndexError, ValueError):
        return template


# --- reading files --------------------------------------------------------------------------------------

ZIP_MAGIC = b"PK\x03\x04"


@dataclass
class Table:
    headers: list[str]
    rows: Iterator[tuple[int, Sequence[Any]]]  # (spreadsheet row number, cells)
    close: Callable[[], None] = lambda: None


class FileRefused(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _size_of(stream: IO[bytes]) -> int:
    position = stream.tell()
    stream.seek(0, io.SEEK_END)
    size = stream.tell()
    stream.seek(position)
    return size


def _sha256(stream: IO[bytes]) -> str:
    digest = hashlib.sha256()
    stream.seek(0)
    for block in iter(lambda: stream.read(1 << 20), b""):
        digest.update(block)
    stream.seek(0)
    return digest.hexdigest()


def check_size(stream: IO[bytes], max_bytes: int | None) -> None:
    """Refuse an empty file, or one above the limit, before reading any of it."""
    size = _size_of(stream)
    if max_bytes is not None and size > max_bytes:
        raise FileRefused(f"文件大小 {size} 字节，超过上限 {max_bytes} 字节")
    if size == 0:
        raise FileRefused("文件为空")


def open_table(stream: IO[bytes], filename: str) -> Table:
    """Check the real format of the file and return its header and rows."""
    name = filename.lower()
    if name.endswith(".xlsx"):
        rows, close = _xlsx_rows(stream)
    elif name.endswith(".csv"):
        rows, close = _csv_rows(stream), lambda: None
    else:
        raise FileRefused("只支持 .xlsx 或 .csv 文件")
    for _number, cells in rows:
        if any(c is not None and str(c).strip() for c in cells):
            headers = [("" if c is None else str(c)).strip().lstrip("\ufeff") for c in cells]
            while headers and not headers[-1]:
                headers.pop()
            return Table(headers, rows, close)
    close()
    raise FileRefused("文件中没有表头和数据")


def _xlsx_rows(stream: IO[bytes]) -> tuple[Iterator[tuple[int, Sequence[Any]]], Callable[[], None]]:
    import openpyxl

    stream.seek(0)
    if stream.read(4) != ZIP_MAGIC:
        raise FileRefused("不是有效的 Excel (.xlsx) 文件")
    stream.seek(0)
    try:
        workbook = openpyxl.load_workbook(stream, read_only=True, data_only=True)
        sheet = workbook.worksheets[0]
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, IndexError, TypeError) as exc:
        raise FileRefused("不是有效的 Excel (.xlsx) 文件") from exc
    except Exception as exc:  # openpyxl raises a variety of errors on corrupt files
        raise FileRefused("不是有效的 Excel (.xlsx) 文件") from exc

    def rows() -> Iterator[tuple[int, Sequence[Any]]]:
        yield from enumerate(sheet.iter_rows(values_only=True), start=1)

    return rows(), workbook.close


def _csv_rows(stream: IO[bytes]) -> Iterator[tuple[int, Sequence[Any]]]:
    stream.seek(0)
    head = stream.read(1 << 16)
    stream.seek(0)
    if b"\x00" in head or head.startswith(ZIP_MAGIC):
        raise FileRefused("不是有效的 CSV 文本文件")
    encoding = "utf-8-sig"
    try:
        head.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 4:  # not just a character cut at the block end
            encoding = "gb18030"
    text = io.TextIOWrapper(stream, encoding=encoding, newline="")
    reader = csv.reader(text)

    def rows() -> Iterator[tuple[int, Sequence[Any]]]:
        try:
            yield from enumerate(reader, start=1)
        except (UnicodeDecodeError, csv.Error) as exc:
            raise FileRefused(f"CSV 文件无法读取（{exc.__class__.__name__}）") from exc
        finally:
            text.detach()

    return rows()


def map_headers(headers: list[str], columns: list[Column], report: ImportReport,
                ignored: Sequence[str] = ()) -> dict[str, int]:
    """Header position of each known column; unknown, duplicate and missing required columns are errors."""
    by_name: dict[str, Column] = {}
    for column in columns:
        by_name[column.header] = column
        by_name[column.key] = column
    positions: dict[str, int] = {}
    for index, header in enumerate(headers):
        if not header or header in ignored:
            continue
        column = by_name.get(header)
        if column is None:
            report.add_error(1, header, "未知的列")
            continue
        if column.key in positions:
            report.add_error(1, header, "重复的列")
            continue
        positions[column.key] = index
    for column in columns:
        if column.required and column.key not in positions:
            report.add_error(1, column.header, "缺少必填列")
    return positions


# --- bulk writing ---------------------------------------------------------------------------------------


class BulkWriter:
    """Reserves ids and inserts rows set-based: COPY on PostgreSQL, one executemany elsewhere.

    On PostgreSQL the COPYs of a chunk run in one background thread on the SAME connection (psycopg 3
    connections are thread-safe; statements are serialised by the connection's lock), so the server
    ingests chunk N while Python validates chunk N+1 — the two cores work at once. Foreign keys are
    checked immediately (``SET CONSTRAINTS ALL IMMEDIATE``) so that this work overlaps too, instead of
    piling up at COMMIT; :meth:`close` waits for the last chunk and restores the deferred mode.
    """

    def __init__(self) -> None:
        self.vendor = connection.vendor
        self._next_id: dict[str, int] = {}
        self._executor: ThreadPoolExecutor | None = None
        self._pending: Future[None] | None = None
        if self.vendor == "postgresql":
            connection.ensure_connection()
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ipfin-copy")

    def wait(self) -> None:
        """Block until the chunk in flight is written; re-raise its error."""
        if self._pending is not None:
            pending, self._pending = self._pending, None
            pending.result()

    def close(self) -> None:
        try:
            self.wait()
        finally:
            if self._executor is not None:
                self._executor.shutdown(wait=True)
                self._executor = None
                if connection.connection is not None and not connection.needs_rollback:
                    try:
                        with connection.cursor() as cursor:
                            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
                    except DatabaseError:
                        pass

    def insert_batch(self, batch: list[tuple[type[Model], list[str], list[tuple[Any, ...]]]]) -> None:
        """Insert several tables' rows in order (parents first); in the background on PostgreSQL."""
        batch = [item for item in batch if item[2]]
        if self._executor is None:
            for model, columns, rows in batch:
                self.insert(model, columns, rows)
            return
        self.wait()  # at most one chunk in flight: bounded memory, errors surface at the next chunk
        raw = connection.connection  # the psycopg 3 connection holding this transaction

        def copy_all() -> None:
            with raw.cursor() as cursor:
                for model, columns, rows in batch:
                    quoted = ", ".join(f'"{c}"' for c in columns)
                    with cursor.copy(f'COPY "{model._meta.db_table}" ({quoted}) FROM STDIN') as copy:
                        for row in rows:
                            copy.write_row(row)

        self._pending = self._executor.submit(copy_all)

    def reserve_ids(self, model: type[Model], count: int) -> list[int]:
        if count == 0:
            return []
        table = model._meta.db_table
        with connection.cursor() as cursor:
            if self.vendor == "postgresql":
                cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                               [table, count])
                return [row[0] for row in cursor.fetchall()]
            if table not in self._next_id:
                # The import holds the database's write lock (SQLite IMMEDIATE transaction), so MAX is stable.
                cursor.execute(f'SELECT COALESCE(MAX("id"), 0) FROM "{table}"')  # noqa: S608
                self._next_id[table] = cursor.fetchone()[0] + 1
        first = self._next_id[table]
        self._next_id[table] = first + count
        return list(range(first, first + count))

    def insert(self, model: type[Model], columns: list[str], rows: list[tuple[Any, ...]]) -> None:
        """Insert now (synchronously), after any chunk still in flight."""
        if not rows:
            return
        self.wait()
        table = model._meta.db_table
        quoted = ", ".join(f'"{c}"' for c in columns)
        with connection.cursor() as cursor:
            if self.vendor == "postgresql":
                raw = cursor.cursor  # the psycopg 3 cursor under Django's wrapper
                with raw.copy(f'COPY "{table}" ({quoted}) FROM STDIN') as copy:
                    for row in rows:
                        copy.write_row(row)
                return
            # sqlite3 adapts date and Decimal itself (Django registers the adapters); datetimes come
            # pre-adapted through adapt(); bools are ints.
            marks = ", ".join(["%s"] * len(columns))
            cursor.executemany(f'INSERT INTO "{table}" ({quoted}) VALUES ({marks})', rows)  # noqa: S608

    def json(self, value: dict[str, Any]) -> Any:
        return "{}" if not value else json.dumps(value, ensure_ascii=False, sort_keys=True)

    def adapt(self, moment: datetime) -> Any:
        """A timestamp as this backend stores it (SQLite: naive UTC text, as Django writes it)."""
        if self.vendor == "postgresql":
            return moment
        return connection.ops.adapt_datetimefield_value(moment)


def _chunks(rows: Iterator[tuple[int, Sequence[Any]]], size: int) -> Iterator[list[tuple[int, Sequence[Any]]]]:
    chunk: list[tuple[int, Sequence[Any]]] = []
    for item in rows:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


# --- permission -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportScope:
    """What an importing actor may touch: everything (platform, system) or one IP office's region."""

    region_prefix_of: str | None  # the IP office's region code; None = unrestricted

    def allows(self, region_code: str) -> bool:
        return self.region_prefix_of is None or is_within(region_code, self.region_prefix_of)


def import_scope(actor: User | None) -> ImportScope:
    """Bulk import is for the platform (and system jobs) and the IP office, within its region."""
    if actor is None or is_platform_admin(actor):
        return ImportScope(None)
    org = actor.organisation
    if actor.is_active and org is not None and org.kind == OrganisationKind.IP_OFFICE and actor.has_role(
            Role.CLERK, Role.LEADER):
        return ImportScope(org.region_code)
    raise PermissionDenied()


# --- the importers --------------------------------------------------------------------------------------


def run_import(
    target: str,
    stream: IO[bytes],
    filename: str,
    *,
    actor: User | None,
    dry_run: bool = False,
    max_bytes: int | None | bool = True,
    today: date | None = None,
    chunk_rows: int = CHUNK_ROWS,
) -> ImportReport:
    """Validate and (unless ``dry_run``) write a whole file, all-or-nothing. Never raises for bad rows:
    the report lists them (callers turn a failed report into :class:`ImportRejected` where they need to).

    ``max_bytes=True`` applies ``settings.IPFIN_MAX_UPLOAD_BYTES``; ``None`` no limit (benchmarks).
    """
    if target not in COLUMNS:
        raise FieldError(field="target", reason=f"unknown import target {target!r}", reason_code="choice")
    scope = import_scope(actor)
    started = time.perf_counter()
    report = ImportReport(target=target, filename=Path(filename).name, dry_run=dry_run)
    limit = settings.IPFIN_MAX_UPLOAD_BYTES if max_bytes is True else max_bytes
    today = today or business_date()
    try:
        check_size(stream, limit if isinstance(limit, int) else None)
        report.sha256 = _sha256(stream)
        table = open_table(stream, filename)
    except FileRefused as refused:
        report.add_error(None, "", refused.message)
        report.seconds = time.perf_counter() - started
        return report
    try:
        positions = map_headers(table.headers, COLUMNS[target], report, READ_ONLY_COLUMNS[target])
        if not report.ok:
            return report
        importer_class = {"enterprises": EnterpriseImporter, "ip-assets": AssetImporter,
                          "legal-events": EventImporter}[target]
        try:
            with transaction.atomic():
                importer = importer_class(report, positions, scope, today)
                try:
                    for chunk in _chunks(table.rows, chunk_rows):
                        importer.process(chunk)
                    importer.finish()
                finally:
                    importer.writer.close()  # the last chunk is written (or failed) before commit/rollback
                if report.rows == 0 and report.ok:
                    report.add_error(None, "", "文件中没有数据行")
                if not report.ok or dry_run:
                    raise _Rollback
                if report.created or report.updated:  # an import that changes nothing leaves no trace
                        record_event(actor=actor, action=f"registry.import.{target}", clause="PZA-2.2.2",
                                 after={"file": report.filename, "sha256": report.sha256, "rows": report.rows,
                                        "created": report.created, "updated": report.updated,
                                        "unchanged": report.unchanged})
                report.committed = True
        except _Rollback:
            pass
        except FileRefused as refused:
            report.add_error(None, "", refused.message)
        except DatabaseError as exc:
            report.add_error(None, "", f"数据库拒绝写入（{exc.__class__.__name__}），未写入任何数据")
    finally:
        table.close()
        report.seconds = time.perf_counter() - started
    return report


# The column a code-format error belongs to, when the error does not name its field.
REASON_COLUMNS = {"nice": "nice_classes", "ipc": "ipc_main", "industry": "industry_code",
                  "id_number": "legal_rep_id_number", "phone": "contact_phone"}


class _Importer:
    columns: list[Column]

    def __init__(self, report: ImportReport, positions: dict[str, int], scope: ImportScope, today: date) -> None:
        self.report = report
        self.positions = positions
        self.scope = scope
        self.today = today
        self.writer = BulkWriter()
        self.headers = {c.key: c.header for c in self.columns}
        self.position_items = list(positions.items())
        self.now = timezone.now()
        self.now_value = self.writer.adapt(self.now)

    def error(self, row: int, key: str, message: str) -> None:
        self.report.add_error(row, self.headers.get(key, key), message)

    def error_from(self, row: int, key: str, exc: IpfinError) -> None:
        field_key = str(exc.details.get("field") or REASON_COLUMNS.get(str(exc.details.get("reason_code")), key))
        self.error(row, field_key if field_key in self.headers else key, zh_message(exc))

    @property
    def writing(self) -> bool:
        return self.report.ok

    def values(self, cells: Sequence[Any]) -> dict[str, Any]:
        """The row's cells by column key: text stripped, empty text as None (hot path: no helper calls)."""
        width = len(cells)
        out: dict[str, Any] = {}
        for key, position in self.position_items:
            value = cells[position] if position < width else None
            if value.__class__ is str:
                value = value.strip() or None
            out[key] = value
        return out

    @staticmethod
    def get(values: dict[str, Any], key: str) -> Any:
        return values.get(key)

    def rows_of(self, chunk: list[tuple[int, Sequence[Any]]]) -> Iterator[tuple[int, dict[str, Any]]]:
        """Non-blank rows as ``(row number, values)``; each one counted in the report."""
        for number, cells in chunk:
            values = self.values(cells)
            if all(v is None for v in values.values()):
                continue
            self.report.rows += 1
            yield number, values

    def process(self, chunk: list[tuple[int, Sequence[Any]]]) -> None:
        raise NotImplementedError

    def finish(self) -> None:
        pass

    def analyze(self, models: list[type[Model]]) -> None:
        """After a large load, refresh PostgreSQL's statistics so later lookups use the indexes."""
        if self.writer.vendor == "postgresql" and self.report.created >= ANALYZE_AFTER_ROWS:
            self.writer.wait()
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE " + ", ".join(f'"{m._meta.db_table}"' for m in models))


# .. enterprises ..........................................................................................


class EnterpriseImporter(_Importer):
    columns = ENTERPRISE_COLUMNS
    FACTS = ["established_on", "is_independent_legal_person", "industry_code", "size_class", "registered_address",
             "legal_representative", "legal_rep_id_number", "contact_name", "contact_phone"]

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.seen_uscc: dict[str, int] = {}
        self.seen_names: dict[str, int] = {}

    def _parse(self, number: int, cells: dict[str, Any]) -> dict[str, Any] | None:
        ok = True
        data: dict[str, Any] = {}
        name = _text(self.get(cells, "name"))
        if not name:
            self.error(number, "name", "必填")
            ok = False
        elif name in self.seen_names:
            self.error(number, "name", f"与第 {self.seen_names[name]} 行重复")
            ok = False
        else:
            self.seen_names[name] = number
        data["name"] = name
        try:
            uscc = parse_uscc(_text(self.get(cells, "uscc")))
            data["uscc"] = uscc.code
            if uscc.code in self.seen_uscc:
                self.error(number, "uscc", f"与第 {self.seen_uscc[uscc.code]} 行重复")
                ok = False
            else:
                self.seen_uscc[uscc.code] = number
        except IpfinError as exc:
            self.error_from(number, "uscc", exc)
            ok = False
        try:
            data["region_code"] = validate_region_code(_text(self.get(cells, "region_code")))
            if not self.scope.allows(data["region_code"]):
                self.error(number, "region_code", "不在本机构辖区内")
                ok = False
        except IpfinError as exc:
            self.error_from(number, "region_code", exc)
            ok = False
        raw: dict[str, Any] = {}
        for key in self.FACTS:
            if key not in self.positions and key != "established_on":
                continue
            value = self.get(cells, key)
            try:
                if key == "established_on":
                    raw[key] = parse_date(value, field=key)
                    if raw[key] is None:
                        raise DateError(field=key, reason="required", reason_code="required")
                elif key == "is_independent_legal_person":
                    raw[key] = parse_bool(value, field=key, default=True)
                else:
                    raw[key] = _text(value)
                raw.update(clean_enterprise_facts({key: raw[key]}, today=self.today))
            except IpfinError as exc:
                self.error_from(number, key, exc)
                ok = False
        data.update(raw)
        return data if ok else None

    def process(self, chunk: list[tuple[int, Sequence[Any]]]) -> None:
        parsed: list[tuple[int, dict[str, Any]]] = []
        for number, values in self.rows_of(chunk):
            data = self._parse(number, values)
            if data is not None:
                parsed.append((number, data))
        if not parsed:
            return
        existing = {e.uscc: e for e in Enterprise.objects.select_related("organisation").filter(
            uscc__in=[d["uscc"] for _n, d in parsed])}
        names = dict(Organisation.objects.filter(name__in=[d["name"] for _n, d in parsed]).values_list("name", "pk"))
        new_orgs: list[tuple[int, dict[str, Any]]] = []
        changed_enterprises: list[Enterprise] = []
        changed_orgs: list[Organisation] = []
        for number, data in parsed:
            enterprise = existing.get(data["uscc"])
            owner_of_name = names.get(data["name"])
            if enterprise is None:
                if owner_of_name is not None:
                    self.error(number, "name", "名称已被其他机构使用")
                    continue
                new_orgs.append((number, data))
                continue
            org = enterprise.organisation
            if owner_of_name is not None and owner_of_name != org.pk:
                self.error(number, "name", "名称已被其他机构使用")
                continue
            if not self.scope.allows(org.region_code):
                self.error(number, "uscc", "该企业不在本机构辖区内")
                continue
            org_changed = (org.name, org.region_code) != (data["name"], data["region_code"])
            facts_changed = any(getattr(enterprise, k) != data[k] for k in self.FACTS if k in data)
            if org_changed:
                org.name, org.region_code = data["name"], data["region_code"]
                changed_orgs.append(org)
            if facts_changed:
                for key in self.FACTS:
                    if key in data:
                        setattr(enterprise, key, data[key])
                changed_enterprises.append(enterprise)
            if org_changed or facts_changed:
                self.report.updated += 1
            else:
                self.report.unchanged += 1
        self.report.created += len(new_orgs)
        if not self.writing:
            return
        orgs = Organisation.objects.bulk_create([
            Organisation(name=d["name"], kind=OrganisationKind.ENTERPRISE, region_code=d["region_code"], uscc=d["uscc"])
            for _n, d in new_orgs
        ])
        if orgs and orgs[0].pk is None:  # a backend that does not return ids
            by_uscc = dict(Organisation.objects.filter(uscc__in=[o.uscc for o in orgs]).values_list("uscc", "pk"))
            for org in orgs:
                org.pk = by_uscc[org.uscc]
        Enterprise.objects.bulk_create([
            Enterprise(organisation_id=org.pk, uscc=d["uscc"], **{k: d[k] for k in self.FACTS if k in d})
            for org, (_n, d) in zip(orgs, new_orgs, strict=True)
        ])
        if changed_orgs:
            Organisation.objects.bulk_update(changed_orgs, ["name", "region_code"])
        if changed_enterprises:
            Enterprise.objects.bulk_update(changed_enterprises, [k for k in self.FACTS])


# .. IP assets ...........................................................................................

ASSET_BASE_COLUMNS = ["id", "kind", "number", "title", "status", "status_since", "pledged", "frozen",
                      "invalidation_pending", "in_litigation", "filing_date", "registration_date", "expiry_date",
                      "details", "created_at", "updated_at"]
PATENT_COLUMNS = ["asset_id", "patent_type", "is_pct", "ipc_main", "ipc_codes", "claims_count", "independent_claims",
                  "forward_citations", "backward_citations", "family_size", "family_countries", "fee_paid_through",
                  "open_licence"]
TRADEMARK_COLUMNS = ["asset_id", "mark_type", "nice_classes", "is_geographical_indication"]
OWNER_COLUMNS = ["asset_id", "enterprise_id", "owner_name", "share", "position"]
# What an import controls (compared to decide "unchanged"): base, per-kind and owners.
COMPARED_BASE = ["title", "filing_date", "registration_date", "expiry_date", "details"]


@dataclass
class AssetRow:
    row: int
    kind: str
    number: str
    title: str
    filing_date: date | None
    registration_date: date | None
    expiry_date: date | None
    details: dict[str, Any]
    extra: tuple[Any, ...]  # per-kind columns in PATENT_COLUMNS / TRADEMARK_COLUMNS order (without asset_id)
    owners: tuple[tuple[int | None, str, Decimal], ...]


class AssetImporter(_Importer):
    columns = ASSET_COLUMNS

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.seen: dict[tuple[str, str], int] = {}
        self.owner_cache: dict[str, tuple[tuple[int | None, str, Decimal], ...] | IpfinError] = {}
        rows = Enterprise.objects.values_list("pk", "uscc", "organisation__name", "organisation__region_code")
        self.by_uscc = {uscc: (pk, name, region) for pk, uscc, name, region in rows}
        self.by_name = {name: (pk, name, region) for pk, _uscc, name, region in rows}
        self.region_by_id = {pk: region for pk, _uscc, _name, region in rows}
        self.kind_cache: dict[Any, str] = {}
        self.initial_states: dict[tuple[str, date | None], Any] = {}
        self.kinds_present: dict[str, bool] = {}

    def _owners(self, cell: str) -> tuple[tuple[int | None, str, Decimal], ...]:
        cached = self.owner_cache.get(cell)
        if cached is None:
            try:
                cached = self._parse_owners(cell)
            except IpfinError as exc:
                cached = exc
            self.owner_cache[cell] = cached
        if isinstance(cached, IpfinError):
            raise cached
        return cached

    def _parse_owners(self, cell: str) -> tuple[tuple[int | None, str, Decimal], ...]:
        parts = [p.strip() for p in cell.replace("；", ";").split(";") if p.strip()]
        if not parts:
            raise FieldError(field="owners", reason="required", reason_code="required")
        owners: list[tuple[int | None, str, Decimal]] = []
        for part in parts:
            who, _sep, share_text = part.replace("：", ":").partition(":")
            who = who.strip()
            share = parse_share(share_text) if share_text.strip() else (Decimal(100) if len(parts) == 1 else None)
            if share is None:
                raise InvalidShares(reason="every co-owner needs a share", reason_code="sum", total="?")
            found = self.by_uscc.get(who) or self.by_name.get(who)
            if found is None and len(who) == 18 and who[:1].isalnum() and who.upper() == who:
                parse_uscc(who)  # a malformed code gets its own message
                raise FieldError(field="owners", reason="unknown enterprise", reason_code="unknown_enterprise")
            if found is not None:
                if not self.scope.allows(found[2]):
                    raise FieldError(field="owners", reason="outside the region", reason_code="region")
                owners.append((found[0], found[1], share))
            else:
                owners.append((None, who, share))
        clean_owners([OwnerInput(share=s, enterprise_id=e, name=n) for e, n, s in owners])
        return tuple(owners)

    def _kind(self, value: Any) -> str:
        kind = self.kind_cache.get(value)
        if kind is None:
            kind = parse_choice(value, AssetKind, field="kind")
            self.kind_cache[value] = kind
        return kind

    def _parse(self, number: int, cells: dict[str, Any]) -> AssetRow | None:
        get = cells.get
        ok = True
        try:
            kind = self._kind(get("kind"))
        except IpfinError as exc:
            self.error_from(number, "kind", exc)
            return None
        title = _text(get("title"))
        if not title:
            self.error(number, "title", "必填")
            ok = False
        owners: tuple[tuple[int | None, str, Decimal], ...] = ()
        try:
            owners = self._owners(_text(get("owners")))
        except IpfinError as exc:
            if exc.details.get("reason_code") == "region":
                self.error(number, "owners", "权利人不在本机构辖区内")
            else:
                self.error(number, "owners", zh_message(exc))
            ok = False
        dates: dict[str, date | None] = {}
        for key in ("filing_date", "registration_date", "expiry_date"):
            try:
                dates[key] = parse_date(get(key), field=key)
            except IpfinError as exc:
                self.error_from(number, key, exc)
                ok = False
        patent: dict[str, Any] = {}
        trademark: dict[str, Any] = {}
        details: dict[str, Any] = {}
        try:
            if kind == AssetKind.PATENT:
                patent = {
                    "ipc_main": _text(get("ipc_main")), "ipc_codes": _text(get("ipc_codes")),
                    "claims_count": get("claims_count"), "independent_claims": get("independent_claims"),
                    "forward_citations": get("forward_citations"),
                    "backward_citations": get("backward_citations"),
                    "family_size": get("family_size"), "family_countries": _text(get("family_countries")),
                    "fee_paid_through": parse_date(get("fee_paid_through"), field="fee_paid_through"),
                    "open_licence": parse_bool(get("open_licence"), field="open_licence"),
                }
            elif kind == AssetKind.TRADEMARK:
                trademark = {
                    "mark_type": parse_choice(get("mark_type"), MarkType, field="mark_type",
                                              default=MarkType.ORDINARY),
                    "nice_classes": _text(get("nice_classes")),
                    "is_geographical_indication": parse_bool(get("is_geographical_indication"),
                                                             field="is_geographical_indication"),
                }
            elif kind == AssetKind.COPYRIGHT and get("work_type"):
                details["work_type"] = parse_choice(get("work_type"), CopyrightWorkType, field="work_type")
            note = _text(get("note"))
            if note:
                details["note"] = note
        except IpfinError as exc:
            self.error_from(number, "number", exc)
            ok = False
        if not ok:  # still check the number, so that its error is reported with the others
            try:
                normalise_number(kind, _text(get("number")), today=self.today)
            except IpfinError as exc:
                self.error_from(number, "number", exc)
            return None
        try:
            clean = clean_asset(kind=kind, number=_text(get("number")), today=self.today, patent=patent,
                                trademark=trademark, details=details, **dates)
        except IpfinError as exc:
            key = str(exc.details.get("field") or "number")
            self.error_from(number, key if key in self.headers else "number", exc)
            return None
        seen_key = (clean.kind, clean.number)
        if seen_key in self.seen:
            self.error(number, "number", f"号码重复（与第 {self.seen[seen_key]} 行相同）")
            return None
        self.seen[seen_key] = number
        if kind == AssetKind.PATENT:
            extra = tuple(clean.patent[c] for c in PATENT_COLUMNS[1:])
        elif kind == AssetKind.TRADEMARK:
            extra = tuple(clean.trademark[c] for c in TRADEMARK_COLUMNS[1:])
        else:
            extra = ()
        return AssetRow(number, clean.kind, clean.number, title, clean.filing_date, clean.registration_date,
                        clean.expiry_date, clean.details, extra, owners)

    def process(self, chunk: list[tuple[int, Sequence[Any]]]) -> None:
        parsed: list[AssetRow] = []
        for number, values in self.rows_of(chunk):
            row = self._parse(number, values)
            if row is not None:
                parsed.append(row)
        if not parsed:
            return
        existing: dict[tuple[str, str], int] = {}
        by_kind: dict[str, list[str]] = {}
        for row in parsed:
            by_kind.setdefault(row.kind, []).append(row.number)
        for kind, numbers in by_kind.items():
            if kind not in self.kinds_present:  # known before this import wrote anything
                self.kinds_present[kind] = IpAsset.objects.filter(kind=kind).exists()
            if not self.kinds_present[kind]:
                continue  # nothing of this kind was registered: every row is new (the file has no duplicates)
            for start in range(0, len(numbers), 5000):
                for pk, number in IpAsset.objects.filter(kind=kind, number__in=numbers[start:start + 5000]) \
                        .values_list("pk", "number"):
                    existing[(kind, number)] = pk
        new_rows = [r for r in parsed if (r.kind, r.number) not in existing]
        old_rows = [r for r in parsed if (r.kind, r.number) in existing]
        self.report.created += len(new_rows)
        if old_rows:
            self._upsert_existing(old_rows, existing)
        if self.writing:
            self._insert_new(new_rows)

    def finish(self) -> None:
        if self.writing:
            self.analyze([IpAsset, Patent, Trademark, IpAssetOwner])

    def _insert_new(self, rows: list[AssetRow]) -> None:
        ids = self.writer.reserve_ids(IpAsset, len(rows))
        now = self.now_value
        base, patents, trademarks, owners = [], [], [], []
        states = self.initial_states
        for pk, row in zip(ids, rows, strict=True):
            state = states.get((row.kind, row.registration_date))
            if state is None:
                state = states[(row.kind, row.registration_date)] = derive_asset_state(row.kind, row.registration_date,
                                                                                       [])
            base.append((pk, row.kind, row.number, row.title, state.status.value, state.status_since, False, False,
                         False, False, row.filing_date, row.registration_date, row.expiry_date,
                         self.writer.json(row.details), now, now))
            if row.kind == AssetKind.PATENT:
                patents.append((pk, *row.extra))
            elif row.kind == AssetKind.TRADEMARK:
                trademarks.append((pk, *row.extra))
            for position, (enterprise_id, name, share) in enumerate(row.owners):
                owners.append((pk, enterprise_id, name, share, position))
        self.writer.insert_batch([(IpAsset, ASSET_BASE_COLUMNS, base), (Patent, PATENT_COLUMNS, patents),
                                  (Trademark, TRADEMARK_COLUMNS, trademarks), (IpAssetOwner, OWNER_COLUMNS, owners)])

    def _upsert_existing(self, rows: list[AssetRow], existing: dict[tuple[str, str], int]) -> None:
        """Compare rows with what is stored (as plain tuples: no model instances unless something changed)."""
        ids = [existing[(r.kind, r.number)] for r in rows]
        base: dict[int, tuple[Any, ...]] = {}
        patents: dict[int, tuple[Any, ...]] = {}
        trademarks: dict[int, tuple[Any, ...]] = {}
        current_owners: dict[int, list[tuple[int | None, str, Decimal]]] = {}
        for start in range(0, len(ids), 5000):
            part = ids[start:start + 5000]
            for pk, *values in IpAsset.objects.filter(pk__in=part).values_list("pk", *COMPARED_BASE):
                base[pk] = tuple(values)
            for pk, *values in Patent.objects.filter(asset_id__in=part).values_list("asset_id", *PATENT_COLUMNS[1:]):
                patents[pk] = tuple(values)
            for pk, *values in Trademark.objects.filter(asset_id__in=part).values_list("asset_id",
                                                                                         *TRADEMARK_COLUMNS[1:]):
                trademarks[pk] = tuple(values)
            for asset_id, enterprise_id, name, share in IpAssetOwner.objects.filter(asset_id__in=part).order_by(
                    "asset_id", "position").values_list("asset_id", "enterprise_id", "owner_name", "share"):
                current_owners.setdefault(asset_id, []).append((enterprise_id, name, share))
        changed_assets: list[IpAsset] = []
        changed_patents: list[Patent] = []
        changed_trademarks: list[Trademark] = []
        owner_changes: dict[int, tuple[tuple[int | None, str, Decimal], ...]] = {}
        row_of: dict[int, AssetRow] = {}
        for row, pk in zip(rows, ids, strict=True):
            owners_now = current_owners.get(pk, [])
            if self.scope.region_prefix_of is not None and not all(
                    self.scope.allows(self.region_by_id.get(e, "")) for e, _n, _s in owners_now if e):
                self.error(row.row, "number", "该资产的权利人不在本机构辖区内")
                continue
            changed = False
            new_base = (row.title, row.filing_date, row.registration_date, row.expiry_date, row.details)
            if new_base != base[pk]:
                changed_assets.append(IpAsset(pk=pk, kind=row.kind, number=row.number, title=row.title,
                                              filing_date=row.filing_date, registration_date=row.registration_date,
                                              expiry_date=row.expiry_date, details=row.details))
                row_of[pk] = row
                changed = True
            if row.kind == AssetKind.PATENT and patents.get(pk) != row.extra:
                changed_patents.append(Patent(asset_id=pk, **dict(zip(PATENT_COLUMNS[1:], row.extra, strict=True))))
                changed = True
            elif row.kind == AssetKind.TRADEMARK and trademarks.get(pk) != row.extra:
                changed_trademarks.append(Trademark(asset_id=pk, **dict(zip(TRADEMARK_COLUMNS[1:], row.extra,
                                                                            strict=True))))
                changed = True
            if owners_now != list(row.owners):
                owner_changes[pk] = row.owners
                changed = True
            if changed:
                self.report.updated += 1
            else:
                self.report.unchanged += 1
        if not self.writing:
            return
        if changed_assets:
            events: dict[int, list[tuple[str, date]]] = {}
            for asset_id, kind, day in LegalStatusEvent.objects.filter(
                    asset_id__in=[a.pk for a in changed_assets]).order_by("effective_date", "id").values_list(
                    "asset_id", "kind", "effective_date"):
                events.setdefault(asset_id, []).append((kind, day))
            for asset in changed_assets:
                try:
                    state = derive_asset_state(asset.kind, asset.registration_date, events.get(asset.pk, []))
                except IllegalLegalEvent as exc:
                    self.error(row_of[asset.pk].row, "registration_date", zh_message(exc))
                    continue
                asset.status, asset.status_since = state.status.value, state.status_since
                asset.pledged, asset.frozen = state.pledged, state.frozen
                asset.invalidation_pending, asset.in_litigation = state.invalidation_pending, state.in_litigation
                asset.updated_at = self.now
            if not self.writing:
                return
            IpAsset.objects.bulk_update(changed_assets, [*COMPARED_BASE, "status", "status_since", "pledged", "frozen",
                                                         "invalidation_pending", "in_litigation", "updated_at"],
                                        batch_size=1000)
        if changed_patents:
            Patent.objects.bulk_update(changed_patents, PATENT_COLUMNS[1:], batch_size=1000)
        if changed_trademarks:
            Trademark.objects.bulk_update(changed_trademarks, TRADEMARK_COLUMNS[1:], batch_size=1000)
        if owner_changes:
            IpAssetOwner.objects.filter(asset_id__in=list(owner_changes)).delete()
            self.writer.insert(IpAssetOwner, OWNER_COLUMNS, [
                (pk, e, n, s, position) for pk, owners in owner_changes.items()
                for position, (e, n, s) in enumerate(owners)
            ])


# .. legal-status events ..................................................................................


@dataclass
class EventRow:
    row: int
    asset_id: int
    kind: str
    effective_date: date
    reference: str
    details: dict[str, Any]
    source: str


class EventImporter(_Importer):
    columns = EVENT_COLUMNS

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.seen: dict[tuple[int, str, date, str], int] = {}
        self.new_events: list[EventRow] = []
        self.asset_cache: dict[tuple[str, str], tuple[int, date | None, list[str]] | None] = {}

    def process(self, chunk: list[tuple[int, Sequence[Any]]]) -> None:
        raw_rows: list[tuple[int, str, str, dict[str, Any]]] = []
        for number, cells in self.rows_of(chunk):
            try:
                kind = parse_choice(self.get(cells, "kind"), AssetKind, field="kind", default=AssetKind.PATENT)
                asset_number, _facts = normalise_number(kind, _text(self.get(cells, "number")), today=self.today)
            except IpfinError as exc:
                self.error_from(number, "number", exc)
                continue
            raw_rows.append((number, kind, asset_number, cells))
        self._load_assets({(k, n) for _r, k, n, _c in raw_rows})
        existing_keys = self._existing_event_keys([a[0] for a in self.asset_cache.values() if a])
        for number, kind, asset_number, cells in raw_rows:
            asset = self.asset_cache.get((kind, asset_number))
            if asset is None:
                self.error(number, "number", "未找到该号码的已登记资产")
                continue
            asset_id, filing_date, owner_regions = asset
            if not any(self.scope.allows(r) for r in owner_regions) and self.scope.region_prefix_of is not None:
                self.error(number, "number", "该资产的权利人不在本机构辖区内")
                continue
            try:
                event = parse_choice(self.get(cells, "event"), LegalEventKind, field="event")
            except IpfinError as exc:
                self.error_from(number, "event", exc)
                continue
            try:
                day = parse_date(self.get(cells, "effective_date"), field="effective_date")
                if day is None:
                    raise DateError(field="effective_date", reason="required", reason_code="required")
                if day > self.today:
                    raise DateError(field="effective_date", reason="future", reason_code="future")
                if filing_date and day < filing_date:
                    raise DateError(field="effective_date", reason="before filing", reason_code="before_filing")
            except IpfinError as exc:
                self.error_from(number, "effective_date", exc)
                continue
            details: dict[str, Any] = {}
            try:
                if self.get(cells, "licence_type"):
                    details["licence_type"] = parse_choice(self.get(cells, "licence_type"), LicenceType,
                                                           field="licence_type")
            except IpfinError as exc:
                self.error_from(number, "licence_type", exc)
                continue
            for key in ("counterparty", "note"):
                if self.get(cells, key):
                    details[key] = _text(self.get(cells, key))
            reference = _text(self.get(cells, "reference"))
            key = (asset_id, event, day, reference)
            if key in self.seen:
                self.error(number, "event", f"事件重复（与第 {self.seen[key]} 行相同）")
                continue
            self.seen[key] = number
            if key in existing_keys:
                self.report.unchanged += 1
                continue
            self.new_events.append(EventRow(number, asset_id, event, day, reference, details,
                                            _text(self.get(cells, "source"))))
            self.report.created += 1

    def _load_assets(self, keys: set[tuple[str, str]]) -> None:
        wanted = [k for k in keys if k not in self.asset_cache]
        by_kind: dict[str, list[str]] = {}
        for kind, number in wanted:
            by_kind.setdefault(kind, []).append(number)
        found: dict[tuple[str, str], int] = {}
        for kind, numbers in by_kind.items():
            for pk, number, filing in IpAsset.objects.filter(kind=kind, number__in=numbers).values_list(
                    "pk", "number", "filing_date"):
                found[(kind, number)] = pk
                self.asset_cache[(kind, number)] = (pk, filing, [])
        regions: dict[int, list[str]] = {}
        for asset_id, region in IpAssetOwner.objects.filter(asset_id__in=list(found.values()),
                                                            enterprise__isnull=False).values_list(
                "asset_id", "enterprise__organisation__region_code"):
            regions.setdefault(asset_id, []).append(region)
        for key, pk in found.items():
            cached = self.asset_cache[key]
            assert cached is not None
            self.asset_cache[key] = (pk, cached[1], regions.get(pk, []))
        for key in wanted:
            self.asset_cache.setdefault(key, None)

    def _existing_event_keys(self, asset_ids: list[int]) -> set[tuple[int, str, date, str]]:
        keys: set[tuple[int, str, date, str]] = set()
        for start in range(0, len(asset_ids), 5000):
            keys.update(LegalStatusEvent.objects.filter(asset_id__in=asset_ids[start:start + 5000]).values_list(
                "asset_id", "kind", "effective_date", "reference"))
        return keys

    def finish(self) -> None:
        """Replay every affected asset's events (recorded + new); write the events and the derived states."""
        if not self.new_events:
            return
        affected = sorted({e.asset_id for e in self.new_events})
        assets = IpAsset.objects.in_bulk(affected)
        recorded: dict[int, list[tuple[str, date]]] = {}
        for start in range(0, len(affected), 5000):
            for asset_id, kind, day in LegalStatusEvent.objects.filter(
                    asset_id__in=affected[start:start + 5000]).order_by("effective_date", "id").values_list(
                    "asset_id", "kind", "effective_date"):
                recorded.setdefault(asset_id, []).append((kind, day))
        new_by_asset: dict[int, list[EventRow]] = {}
        for event in self.new_events:
            new_by_asset.setdefault(event.asset_id, []).append(event)
        open_licences: list[int] = []
        for asset_id, new in new_by_asset.items():
            asset = assets[asset_id]
            new.sort(key=lambda e: (e.effective_date, e.row))
            registration_date = asset.registration_date
            grants = [e for e in new if e.kind == LegalEventKind.GRANT]
            if grants:
                if registration_date is not None and grants[0].effective_date != registration_date:
                    self.error(grants[0].row, "effective_date", "与已登记的授权日不符")
                    continue
                registration_date = grants[0].effective_date
            combined = sorted(recorded.get(asset_id, []) + [(e.kind, e.effective_date) for e in new],
                              key=lambda pair: pair[1])
            try:
                state = derive_asset_state(asset.kind, registration_date, combined)
            except IllegalLegalEvent as exc:
                bad_kind, bad_date = exc.details.get("event"), exc.details.get("effective_date")
                culprit = next((e.row for e in new if e.kind == bad_kind and e.effective_date.isoformat() == bad_date),
                               new[0].row)
                self.error(culprit, "event", zh_message(exc))
                continue
            if asset.registration_date is None and registration_date is not None:
                asset.registration_date = registration_date
                if asset.kind == AssetKind.TRADEMARK and asset.expiry_date is None:
                    asset.expiry_date = trademark_valid_to(registration_date)
            if asset.kind == AssetKind.TRADEMARK and asset.expiry_date:
                for _renewal in (e for e in new if e.kind == LegalEventKind.RENEWAL):
                    asset.expiry_date = add_years(asset.expiry_date, 10)
            if any(e.details.get("licence_type") == LicenceType.OPEN for e in new):
                open_licences.append(asset_id)
            asset.status, asset.status_since = state.status.value, state.status_since
            asset.pledged, asset.frozen = state.pledged, state.frozen
            asset.invalidation_pending, asset.in_litigation = state.invalidation_pending, state.in_litigation
        if not self.writing:
            return
        ids = self.writer.reserve_ids(LegalStatusEvent, len(self.new_events))
        self.writer.insert(LegalStatusEvent, ["id", "asset_id", "kind", "effective_date", "reference", "details",
                                              "source", "recorded_by_id", "created_at"], [
            (pk, e.asset_id, e.kind, e.effective_date, e.reference, self.writer.json(e.details), e.source, None,
             self.now_value) for pk, e in zip(ids, self.new_events, strict=True)
        ])
        IpAsset.objects.bulk_update(list(assets.values()), ["status", "status_since", "pledged", "frozen",
                                                            "invalidation_pending", "in_litigation",
                                                            "registration_date", "expiry_date"], batch_size=1000)
        if open_licences:
            Patent.objects.filter(asset_id__in=open_licences).update(open_licence=True)


# --- convenience ----------------------------------------------------------------------------------------


def import_file(target: str, path: str | Path, *, actor: User | None, dry_run: bool = False,
                max_bytes: int | None | bool = True) -> ImportReport:
    path = Path(path)
    with path.open("rb") as stream:
        return run_import(target, stream, path.name, actor=actor, dry_run=dry_run, max_bytes=max_bytes)


def iter_messages(report: ImportReport) -> Iterable[str]:
    yield report.summary()
    yield from report.messages

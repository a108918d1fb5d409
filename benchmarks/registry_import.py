"""Benchmark: bulk import of generated patent rows into the registry, with full validation.

* set-based path (:func:`ipfin.registry.importing.run_import`): ``int(1_000_000 * scale)`` patent rows from
  a generated CSV file — every row validated (check digit, dates, IPC, owners and their shares,
  duplicates), then written with PostgreSQL ``COPY`` (SQLite: ``executemany``) inside one transaction;
  target ≥ 20,000 rows/s into PostgreSQL (issue 3);
* the same file imported again: every row compared, nothing written (idempotence);
* baseline in the same run: the naive import, one ``save()`` per row (asset, patent, owner), with the
  same validation, on ``int(20_000 * scale)`` further rows, in one transaction.

The run uses a fresh test database (Django's ``create_test_db``) on the server that ``DATABASE_URL``
names and destroys it afterwards. Run: ``python -m benchmarks.registry_import --scale 1.0``.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import sys
import tempfile
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEED = 20250630
TODAY = date(2025, 6, 30)
ENTERPRISES = 1000
IPC = ["H01M", "H01F", "C22B", "C22C", "G06F", "C21D", "C01G", "B22F", "C04B", "G01N", "H02K", "B01J"]
TITLE_HEADS = ["一种", "基于", "用于"]
TITLE_TOPICS = ["稀土永磁材料", "钒钛磁铁矿", "高强度钢板", "锂离子电池正极材料", "钛白粉", "储氢合金", "数据处理",
                "轨道交通用钢", "抛光粉", "钒电池电解液"]
TITLE_TAILS = ["的制备方法", "及其应用", "的检测装置", "的冶炼工艺", "的控制系统"]
HEADERS = ["类型", "号码", "名称", "权利人", "申请日", "授权/注册日", "主分类号", "分类号", "权利要求数", "独立权利要求数",
           "被引证次数", "引证次数", "同族数", "同族国家", "年费缴至"]


def _setup_django() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def _enterprise_usccs(count: int) -> list[tuple[str, str]]:
    from ipfin.domain.registry.uscc import build_uscc

    regions = ["150203", "150204", "150207", "510402", "510403", "510411"]
    return [(build_uscc("9", "1", regions[i % len(regions)], f"MB{i:06d}"), regions[i % len(regions)])
            for i in range(count)]


def write_enterprises(path: Path, usccs: list[tuple[str, str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["企业名称", "统一社会信用代码", "行政区划代码", "成立日期", "行业代码", "企业规模"])
        for index, (uscc, region) in enumerate(usccs):
            writer.writerow([f"基准测试企业{index:05d}有限公司", uscc, region, "2010-01-01", "C3240", "小型"])


def patent_rows(count: int, usccs: list[str], *, serial_offset: int, seed: int) -> list[list[str]]:
    """``count`` valid patent rows (unique numbers from ``serial_offset``), deterministic for ``seed``."""
    from ipfin.domain.registry.patent_number import build_patent_number
    from ipfin.domain.registry.terms import add_years

    rng = random.Random(seed)
    rows = []
    for i in range(count):
        year = 2005 + i % 19
        kind_digit = "1" if i % 10 < 6 else ("2" if i % 10 < 9 else "3")
        number = build_patent_number(year, kind_digit, serial_offset + i // 19)
        filing = date(year, 1 + rng.randrange(12), 1 + rng.randrange(28))
        granted = min(filing + timedelta(days=300 + rng.randrange(900)), TODAY)
        if rng.random() < 0.1:
            a, b = rng.sample(usccs, 2)
            owners = f"{a}:60;{b}:40"
        else:
            owners = rng.choice(usccs)
        paid_through = add_years(filing, (TODAY.year - year) + 1) - timedelta(days=1)
        claims = 1 + rng.randrange(20)
        rows.append([
            "专利", number, f"{rng.choice(TITLE_HEADS)}{rng.choice(TITLE_TOPICS)}{rng.choice(TITLE_TAILS)}", owners,
            filing.isoformat(), granted.isoformat(), f"{rng.choice(IPC)}1/0{rng.randrange(10)}",
            f"{rng.choice(IPC)};{rng.choice(IPC)}", str(claims), str(1 + rng.randrange(min(claims, 3))),
            str(rng.randrange(30)), str(rng.randrange(40)), str(1 + rng.randrange(5)), "CN;US", paid_through.isoformat(),
        ])
    return rows


def write_csv(path: Path, rows: list[list[str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADERS)
        writer.writerows(rows)


def naive_import(rows: list[list[str]]) -> None:
    """The baseline: the same validation, then one ORM ``save()`` per record (asset, patent, owners)."""
    from django.db import transaction

    from ipfin.domain.registry.uscc import parse_uscc
    from ipfin.registry.actions import derive_asset_state
    from ipfin.registry.models import Enterprise, IpAsset, IpAssetOwner, Patent
    from ipfin.registry.validation import clean_asset, parse_date

    with transaction.atomic():
        for row in rows:
            (_kind, number, title, owners, filing, granted, ipc_main, ipc_codes, claims, independent, forward,
             backward, family, countries, paid) = row
            clean = clean_asset(kind="patent", number=number, filing_date=parse_date(filing, field="f"),
                                registration_date=parse_date(granted, field="g"), expiry_date=None, today=TODAY,
                                patent={"ipc_main": ipc_main, "ipc_codes": ipc_codes, "claims_count": claims,
                                        "independent_claims": independent, "forward_citations": forward,
                                        "backward_citations": backward, "family_size": family,
                                        "family_countries": countries,
                                        "fee_paid_through": parse_date(paid, field="p")})
            state = derive_asset_state("patent", clean.registration_date, [])
            asset = IpAsset(kind="patent", number=clean.number, title=title, status=state.status.value,
                            status_since=state.status_since, filing_date=clean.filing_date,
                            registration_date=clean.registration_date, expiry_date=clean.expiry_date)
            asset.save()
            Patent(asset=asset, **clean.patent).save()
            for position, part in enumerate(owners.split(";")):
                code, _sep, share = part.partition(":")
                enterprise = Enterprise.objects.get(uscc=parse_uscc(code).code)
                IpAssetOwner(asset=asset, enterprise=enterprise, owner_name=enterprise.name,
                             share=Decimal(share or 100), position=position).save()


def run(scale: float = 1.0) -> str:
    """Run the benchmark against the database ``DATABASE_URL`` names; return a Markdown section."""
    _setup_django()
    from django.conf import settings
    from django.db import connection

    from ipfin.registry.importing import import_file
    from ipfin.registry.models import IpAsset, IpAssetOwner

    n = max(1000, int(1_000_000 * scale))
    n_baseline = max(200, int(20_000 * scale))
    vendor = connection.vendor
    workdir = Path(tempfile.mkdtemp(prefix="ipfin-bench-"))
    if vendor == "sqlite":
        settings.DATABASES["default"].setdefault("TEST", {})["NAME"] = str(workdir / "bench.sqlite3")
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        # the test runner's settings, not the request path: nothing here is DEBUG-logged
        usccs = _enterprise_usccs(ENTERPRISES)
        enterprises_csv = workdir / "enterprises.csv"
        write_enterprises(enterprises_csv, usccs)
        report = import_file("enterprises", enterprises_csv, actor=None, max_bytes=None)
        assert report.ok and report.created == ENTERPRISES, report.messages[:5]
        codes = [code for code, _region in usccs]

        started = time.perf_counter()
        rows = patent_rows(n, codes, serial_offset=0, seed=SEED)
        patents_csv = workdir / "patents.csv"
        write_csv(patents_csv, rows)
        generated_in = time.perf_counter() - started
        del rows
        size_mb = patents_csv.stat().st_size / 1e6

        started = time.perf_counter()
        report = import_file("ip-assets", patents_csv, actor=None, max_bytes=None)
        bulk_s = time.perf_counter() - started
        assert report.ok and report.created == n, report.messages[:5]
        owners = IpAssetOwner.objects.count()

        started = time.perf_counter()
        again = import_file("ip-assets", patents_csv, actor=None, max_bytes=None)
        again_s = time.perf_counter() - started
        assert again.ok and again.unchanged == n and again.created == again.updated == 0

        baseline_rows = patent_rows(n_baseline, codes, serial_offset=600_000, seed=SEED + 1)
        started = time.perf_counter()
        naive_import(baseline_rows)
        naive_s = time.perf_counter() - started
        assert IpAsset.objects.count() == n + n_baseline
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0, keepdb=False)
        for path in workdir.iterdir():
            path.unlink()
        workdir.rmdir()

    bulk_rate, again_rate, naive_rate = n / bulk_s, n / again_s, n_baseline / naive_s
    database = "PostgreSQL" if vendor == "postgresql" else vendor.capitalize()
    return "\n".join([
        f"## Registry import ({database})",
        "",
        "Target (issue 3): import 1,000,000 generated patent rows with full validation at ≥ 20,000 rows/s into",
        "PostgreSQL; report SQLite too. Baseline in the same run: naive import, one `save()` per row.",
        "",
        f"- database: {database}; rows: {n:,} patents ({size_mb:.0f} MB CSV, generated in {generated_in:.1f} s), "
        f"{ENTERPRISES:,} enterprises, {owners:,} owner rows (10 % co-owned 60/40)",
        "",
        "| path | rows | seconds | rows/s |",
        "| --- | ---: | ---: | ---: |",
        f"| set-based import (validate all, then {'COPY' if vendor == 'postgresql' else 'executemany'} in chunks, "
        f"one transaction) | {n:,} | {bulk_s:.1f} | {bulk_rate:,.0f} |",
        f"| re-import of the same file (all rows compared, nothing written) | {n:,} | {again_s:.1f} | "
        f"{again_rate:,.0f} |",
        f"| baseline: same validation, one `save()` per row | {n_baseline:,} | {naive_s:.1f} | {naive_rate:,.0f} |",
        "",
        f"Speed-up of the set-based path over the baseline: {bulk_rate / naive_rate:.1f}×.",
    ])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    args = parser.parse_args()
    print(run(args.scale))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

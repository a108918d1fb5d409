"""Demo registry data: enterprise facts, patents, trademarks, copyrights, legal events, bank customers.

Called by ``ipfin demo-data`` (``ipfin.demo.data``) with its seeded ``random.Random``. Deterministic for the
seed and idempotent: an enterprise that already has registry facts is left as it is (its share of random
numbers is still drawn, so the others come out the same).
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction

from ipfin.accounts.models import Organisation
from ipfin.core.dates import business_date
from ipfin.domain.registry.assets import ID_CHECK, ID_WEIGHTS
from ipfin.domain.registry.patent_number import build_patent_number
from ipfin.domain.registry.terms import add_years
from ipfin.domain.registry.uscc import CHARSET, build_uscc
from ipfin.registry import actions
from ipfin.registry.models import Enterprise
from ipfin.registry.validation import OwnerInput

BAOTOU, PANZHIHUA = "1502", "5104"

INDUSTRIES = {
    BAOTOU: ["C3240", "C3120", "C3130", "C3985", "C3340", "I6513"],  # 稀土冶炼、炼钢、钢压延、电子材料……
    PANZHIHUA: ["C3140", "C3240", "C2643", "C3311", "C3841", "I6513"],  # 铁合金、钛、钛白粉、钒电池……
}
PATENTS = {
    BAOTOU: [
        ("H01F1/057", "一种高矫顽力钕铁硼永磁材料的制备方法"), ("C22B59/00", "一种从稀土精矿中回收稀土的方法"),
        ("C22C38/00", "一种含稀土的高强度耐磨钢及其制备方法"), ("H01M4/38", "一种稀土储氢合金电极材料"),
        ("C21D8/02", "一种稀土处理的轨道交通用钢板的热处理工艺"), ("C09K3/14", "一种稀土抛光粉的制备方法"),
        ("G06F16/00", "一种钢铁生产数据的处理系统"), ("B22F9/04", "一种稀土永磁粉末的气流磨装置"),
    ],
    PANZHIHUA: [
        ("C22B34/12", "一种钒钛磁铁矿中提取钛的方法"), ("C22B34/22", "一种从钒渣中提钒的清洁工艺"),
        ("C01G23/047", "一种氯化法钛白粉的生产方法"), ("H01M8/18", "一种全钒液流电池电解液的制备方法"),
        ("C21B13/00", "一种钒钛磁铁矿的冶炼装置"), ("C22C14/00", "一种高强度钛合金及其制备方法"),
        ("B03C1/00", "一种钒钛磁铁矿的磁选装置"), ("C22C27/02", "一种钒铝合金的制备方法"),
    ],
}
MARKS = {BAOTOU: ["鹿城", "北方稀磁", "草原钢", "稀都"], PANZHIHUA: ["钒都", "攀钛", "阳光花城", "金沙江"]}
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = ["建国", "志强", "秀英", "海燕", "晓明", "丽娟", "国华", "立新", "文军", "春梅"]


def _id_number(rng: random.Random, region_code: str) -> str:
    birth = date(1960, 1, 1) + timedelta(days=rng.randrange(30 * 365))
    body = f"{region_code}{birth:%Y%m%d}{rng.randrange(1000):03d}"
    return body + ID_CHECK[sum(int(d) * w for d, w in zip(body, ID_WEIGHTS, strict=True)) % 11]


def _city(org: Organisation) -> str:
    return org.region_code[:4]


def seed_registry(rng: random.Random, enterprises: list[Organisation], banks: list[Organisation],
                  as_of: date) -> dict[str, int]:
    """Create the registry facts of ``enterprises``; returns counts of what was created."""
    as_of = min(as_of, business_date())
    counts = {"enterprises": 0, "patents": 0, "trademarks": 0, "copyrights": 0, "legal_events": 0,
              "customer_links": 0, "statements": 0}
    serials: dict[tuple[int, str], int] = {}
    with transaction.atomic():
        for index, org in enumerate(enterprises):
            sub = random.Random(rng.getrandbits(64))  # drawn even when skipped: the others stay the same
            if Enterprise.objects.filter(organisation=org).exists():
                continue
            _seed_enterprise(sub, index, org, banks, as_of, counts, serials)
    return counts


def _seed_enterprise(rng: random.Random, index: int, org: Organisation, banks: list[Organisation], as_of: date,
                     counts: dict[str, int], serials: dict[tuple[int, str], int]) -> None:
    city = _city(org) if _city(org) in PATENTS else BAOTOU
    body = f"MA{index:03d}" + "".join(rng.choice(CHARSET) for _ in range(3))
    established = date(1998 + rng.randrange(20), 1 + rng.randrange(12), 1 + rng.randrange(28))
    contact = rng.choice(SURNAMES) + rng.choice(GIVEN)
    enterprise = actions.create_enterprise(
        None, organisation=org, uscc=build_uscc("9", "1", org.region_code, body), established_on=established,
        industry_code=rng.choice(INDUSTRIES[city]), size_class=rng.choice(["medium", "small", "small", "micro"]),
        registered_address=f"{org.region_name}{rng.choice(['钢铁大街', '稀土大街', '炳草岗大道', '机场路'])}{1 + rng.randrange(200)}号",
        legal_representative=rng.choice(SURNAMES) + rng.choice(GIVEN),
        legal_rep_id_number=_id_number(rng, org.region_code), contact_name=contact,
        contact_phone=f"1{rng.choice('3589')}{rng.randrange(10**9):09d}",
    )
    counts["enterprises"] += 1
    if rng.random() < 0.45:
        actions.add_qualification(None, enterprise.pk, kind="high_tech", valid_from=date(as_of.year - 2, 11, 1),
                                  valid_to=date(as_of.year + 1, 10, 31), certificate_number=f"GR{as_of.year - 2}15{index:06d}")
    if rng.random() < 0.25:
        actions.add_qualification(None, enterprise.pk, kind="specialised", valid_from=date(as_of.year - 1, 6, 1))
    if rng.random() < 0.35:
        actions.add_qualification(None, enterprise.pk, kind="tech_sme", valid_from=date(as_of.year, 1, 1)
                                  if date(as_of.year, 1, 1) <= as_of else date(as_of.year - 1, 1, 1))
    _statements(rng, enterprise, as_of, counts)

    city_banks = [b for b in banks if _city(b) == city] or banks
    for bank in rng.sample(city_banks, k=min(len(city_banks), 1 + (rng.random() < 0.3))):
        actions.link_customer(None, bank=bank, enterprise=enterprise, since=as_of - timedelta(days=30 + rng.randrange(900)),
                              source="demo")
        counts["customer_links"] += 1

    owners = [OwnerInput(share=Decimal(100), enterprise_id=enterprise.pk)]
    pledge_bank = city_banks[0]
    for n in range(2 + rng.randrange(5)):
        ipc, title = rng.choice(PATENTS[city])
        kind_digit = "1" if rng.random() < 0.6 else "2"
        year = max(2005, min(as_of.year - 1, established.year + 1 + rng.randrange(18)))
        serial = serials[(year, kind_digit)] = serials.get((year, kind_digit), 100_000 + 7919 * index) + 1
        filing = date(year, 1 + rng.randrange(12), 1 + rng.randrange(28))
        granted = filing + timedelta(days=(600 if kind_digit == "1" else 240) + rng.randrange(400))
        granted_on = granted if granted <= as_of else None
        patent_owners = owners
        if rng.random() < 0.15:
            patent_owners = [OwnerInput(share=Decimal(70), enterprise_id=enterprise.pk),
                             OwnerInput(share=Decimal(30), name=rng.choice(["包头稀土研究院", "攀钢集团研究院", "内蒙古科技大学"]))]
        paid_years = max(0, as_of.year - year) + (1 if rng.random() < 0.9 else 0)
        asset = actions.add_ip_asset(
            None, kind="patent", number=build_patent_number(year, kind_digit, serial),
            title=title if n == 0 else f"{title}（{['改进型', '二代', '低能耗', '连续式', '自动化'][n % 5]}）",
            owners=patent_owners, filing_date=filing, registration_date=granted_on,
            patent={"ipc_main": ipc, "ipc_codes": rng.choice(PATENTS[city])[0], "claims_count": 3 + rng.randrange(15),
                    "independent_claims": 1 + rng.randrange(3), "forward_citations": rng.randrange(25),
                    "backward_citations": rng.randrange(30), "family_size": 1 + (rng.random() < 0.2),
                    "family_countries": "CN;US" if rng.random() < 0.2 else "CN",
                    "fee_paid_through": (add_years(filing, paid_years) - timedelta(days=1)) if granted_on else None},
        )
        counts["patents"] += 1
        if granted_on is None:
            continue
        roll = rng.random()
        when = min(as_of, granted_on + timedelta(days=30 + rng.randrange(600)))
        if roll < 0.2:
            actions.record_legal_event(None, asset.pk, kind="licence_recordal", effective_date=when,
                                       reference=f"X{when.year}{org.region_code}{serial % 10000:04d}",
                                       details={"licence_type": rng.choice(["ordinary", "exclusive", "open_licence"]),
                                                "counterparty": rng.choice(["包头钢铁（集团）有限责任公司",
                                                                            "攀钢集团有限公司", "北方稀土股份有限公司"])},
                                       source="国家知识产权局专利实施许可合同备案公告")
            counts["legal_events"] += 1
        elif roll < 0.35:
            actions.record_legal_event(None, asset.pk, kind="pledge", effective_date=when,
                                       reference=f"Y{when.year}{serial % 100000:05d}",
                                       details={"counterparty": pledge_bank.name}, source="专利权质押登记")
            counts["legal_events"] += 1
        elif roll < 0.40:
            actions.record_legal_event(None, asset.pk, kind="invalidation_request", effective_date=when,
                                       reference=f"4W{serial % 1000000:06d}", source="复审和无效审理部")
            counts["legal_events"] += 1
        elif roll < 0.44 and asset.expiry_date and when < asset.expiry_date:
            actions.record_legal_event(None, asset.pk, kind="lapse", effective_date=when, source="未缴年费专利权终止公告")
            counts["legal_events"] += 1

    if rng.random() < 0.5:
        registered = date(2012 + rng.randrange(min(10, max(1, as_of.year - 2012))), 1 + rng.randrange(12),
                          1 + rng.randrange(28))
        actions.add_ip_asset(None, kind="trademark", number=str(10_000_000 + index * 1000 + rng.randrange(1000)),
                             title=rng.choice(MARKS[city]), owners=owners, registration_date=registered,
                             trademark={"nice_classes": rng.choice(["6;40", "1;6", "9;42", "6"])})
        counts["trademarks"] += 1
    if rng.random() < 0.3:
        year = max(2015, as_of.year - 1 - rng.randrange(5))
        actions.add_ip_asset(None, kind="copyright", number=f"{year}SR{index:03d}{rng.randrange(10000):04d}",
                             title=rng.choice(["稀土生产过程监控系统 V1.0", "钒钛冶炼数据管理平台 V2.0", "设备巡检管理软件 V1.0"]),
                             owners=owners, registration_date=date(year, 1 + rng.randrange(12), 1 + rng.randrange(28)),
                             details={"work_type": "software"})
        counts["copyrights"] += 1


def _statements(rng: random.Random, enterprise: Enterprise, as_of: date, counts: dict[str, int]) -> None:
    revenue = (5 + rng.randrange(200)) * 1_000_000 * 100  # 500 万 – 2 亿元, in fen
    for year in range(as_of.year - 3, as_of.year):
        revenue = int(revenue * (0.9 + rng.random() * 0.4))
        actions.record_financial_statement(
            None, enterprise.pk, period_kind="year", period_end=date(year, 12, 31), revenue_fen=revenue,
            profit_fen=int(revenue * (rng.random() * 0.2 - 0.03)), rd_spend_fen=int(revenue * (0.02 + rng.random() * 0.06)),
            tax_fen=int(revenue * 0.04))
        counts["statements"] += 1
    quarter_ends = [date(as_of.year - 1, 12, 31)] + [d for d in (date(as_of.year, 3, 31), date(as_of.year, 6, 30),
                                                              date(as_of.year, 9, 30)) if d <= as_of]
    for end in quarter_ends[-2:]:
        quarter = int(revenue / 4 * (0.8 + rng.random() * 0.4))
        actions.record_financial_statement(
            None, enterprise.pk, period_kind="quarter", period_end=end, revenue_fen=quarter,
            profit_fen=int(quarter * 0.08), rd_spend_fen=int(quarter * 0.04), tax_fen=int(quarter * 0.04))
        counts["statements"] += 1

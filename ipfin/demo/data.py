"""Demo data: every kind of organisation, about 50 enterprises in 包头 and 攀枝花, one login per role.

Deterministic for a seed (``random.Random(seed)``) and idempotent: organisations and users are looked up
by name before they are created, so a second run adds nothing. All writes go through the action
functions, so the demo leaves the same audit trail a real onboarding would.
"""

from __future__ import annotations

import random
import zlib
from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.test.utils import override_settings
from django.utils import translation

from ipfin.accounts.actions import create_organisation, create_user
from ipfin.accounts.choices import OrganisationKind as K
from ipfin.accounts.choices import Role
from ipfin.accounts.models import Organisation, User
from ipfin.fund.demo import seed_funds
from ipfin.market.demo import seed_market
from ipfin.origination.demo import seed_origination
from ipfin.servicing.demo import seed_servicing

DEMO_PASSWORD = "ipfin-demo-2026"

# (key, name, kind, region, head office key)
INSTITUTIONS: list[tuple[str, str, str, str, str | None]] = [
    ("platform", "ipfin 平台运营中心", K.PLATFORM, "150200", None),
    ("bank1", "鹿城银行", K.BANK, "150200", None),
    ("bank1_kdl", "鹿城银行昆都仑支行", K.BANK, "150203", "bank1"),
    ("bank1_qs", "鹿城银行青山支行", K.BANK, "150204", "bank1"),
    ("bank2", "攀西银行", K.BANK, "510400", None),
    ("bank2_dq", "攀西银行东区支行", K.BANK, "510402", "bank2"),
    ("bank2_rh", "攀西银行仁和支行", K.BANK, "510411", "bank2"),
    ("guarantor", "包头市科技融资担保有限公司", K.GUARANTOR, "150200", None),
    ("insurer", "钢城财产保险股份有限公司包头中心支公司", K.INSURER, "150200", None),
    ("appraiser1", "北疆知识产权资产评估有限公司", K.APPRAISER, "150200", None),
    ("appraiser2", "攀西资产评估事务所（普通合伙）", K.APPRAISER, "510400", None),
    ("fund", "包头市知识产权质押融资风险补偿资金管理中心", K.FUND_MANAGER, "150200", None),
    ("ipo_bt", "包头市市场监督管理局（知识产权局）", K.IP_OFFICE, "150200", None),
    ("ipo_pzh", "攀枝花市市场监督管理局（知识产权局）", K.IP_OFFICE, "510400", None),
    ("regulator", "金融监管总局包头监管分局", K.REGULATOR, "150200", None),
]

# (username, organisation key, role, display name) — one login per role.
LOGINS: list[tuple[str, str, str, str]] = [
    ("platform", "platform", Role.PLATFORM_ADMIN, "平台管理员"),
    ("bank.officer", "bank1_kdl", Role.LOAN_OFFICER, "王客户经理"),
    ("bank.approver", "bank1", Role.APPROVER, "李审批"),
    ("bank.head", "bank1_kdl", Role.BRANCH_HEAD, "赵行长"),
    ("bank2.officer", "bank2_dq", Role.LOAN_OFFICER, "陈客户经理"),
    ("bank2.approver", "bank2", Role.APPROVER, "林审批"),
    ("guarantor", "guarantor", Role.GUARANTOR_OFFICER, "孙担保"),
    ("insurer", "insurer", Role.INSURER_OFFICER, "周保险"),
    ("appraiser", "appraiser1", Role.APPRAISER, "吴评估师"),
    ("expert", "appraiser1", Role.EXPERT, "郑专家"),
    ("fund", "fund", Role.FUND_OFFICER, "冯资金管理人"),
    ("ipo.clerk", "ipo_bt", Role.CLERK, "何科员"),
    ("ipo.leader", "ipo_bt", Role.LEADER, "吕组长"),
    ("ipo.pzh", "ipo_pzh", Role.CLERK, "施科员"),
    ("regulator", "regulator", Role.SUPERVISOR, "张监管"),
]

ENTERPRISE_LOGIN = ("enterprise", Role.ENTERPRISE_ADMIN, "刘企业管理员")
ENTERPRISE_STAFF_LOGIN = ("enterprise.staff", Role.ENTERPRISE_STAFF, "钱企业专员")

# Name parts for enterprises; 包头: rare earths and steel; 攀枝花: vanadium-titanium (the cities' industries).
_PLACES = {"150200": ["包头", "鹿城", "北方", "稀宝", "钢城", "昆仑", "九原", "黄河"],
           "510400": ["攀枝花", "攀西", "钒都", "金沙", "仁和", "阳光", "攀钢", "米易"]}
_TRADES = {"150200": ["稀土新材料", "永磁电机", "稀土抛光", "特种钢材", "储氢合金", "智能装备", "光伏材料", "新能源"],
           "510400": ["钒钛新材料", "钛白粉", "钒电池", "钛合金", "康养科技", "芒果生物", "矿冶装备", "清洁能源"]}
_SUFFIX = ["科技有限公司", "股份有限公司", "有限责任公司", "新材料有限公司", "技术有限公司"]
_DISTRICTS = {"150200": ["150203", "150204", "150207"], "510400": ["510402", "510403", "510411"]}


@dataclass
class DemoResult:
    organisations_created: int = 0
    users_created: int = 0
    enterprises: int = 0
    registry: dict[str, int] | None = None
    market: dict[str, int] | None = None
    funds: dict[str, int] | None = None
    origination: dict[str, int] | None = None
    servicing: dict[str, int] | None = None


def _enterprise_names(rng: random.Random, region: str, count: int) -> list[tuple[str, str]]:
    names: list[tuple[str, str]] = []
    seen: set[str] = set()
    while len(names) < count:
        name = rng.choice(_PLACES[region]) + rng.choice(_TRADES[region]) + rng.choice(_SUFFIX)
        if name not in seen:
            seen.add(name)
            names.append((name, rng.choice(_DISTRICTS[region])))
    return names


def _get_or_create_org(result: DemoResult, name: str, kind: str, region: str,
                       head: Organisation | None) -> Organisation:
    existing = Organisation.objects.filter(name=name).first()
    if existing is not None:
        return existing
    result.organisations_created += 1
    return create_organisation(None, name=name, kind=kind, region_code=region, head_office=head)


def _get_or_create_user(result: DemoResult, username: str, org: Organisation, role: str, display: str) -> None:
    if User.objects.filter(username=username).exists():
        return
    create_user(None, organisation=org, username=username, password=DEMO_PASSWORD, roles=[role],
                display_name=display, phone=f"138{zlib.crc32(username.encode()) % 100_000_000:08d}",
                email=f"{username}@demo.ipfin.local", check_password_strength=False)
    result.users_created += 1


def load_demo_data(seed: int = 42, enterprises_per_city: tuple[int, int] = (30, 20),
                   as_of: date | None = None) -> DemoResult:
    rng = random.Random(seed)
    result = DemoResult()
    # The demo's notifications stay in-app: the demo addresses (…@demo.ipfin.local) get no e-mail.
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"), transaction.atomic():
        orgs: dict[str, Organisation] = {}
        for key, name, kind, region, head in INSTITUTIONS:
            orgs[key] = _get_or_create_org(result, name, kind, region, orgs[head] if head else None)
        for username, org_key, role, display in LOGINS:
            _get_or_create_user(result, username, orgs[org_key], role, display)

        enterprises: list[Organisation] = []
        for region, count in zip(("150200", "510400"), enterprises_per_city, strict=True):
            for name, district in _enterprise_names(rng, region, count):
                enterprises.append(_get_or_create_org(result, name, K.ENTERPRISE, district, None))
        result.enterprises = len(enterprises)
        first = enterprises[0]
        for username, role, display in (ENTERPRISE_LOGIN, ENTERPRISE_STAFF_LOGIN):
            _get_or_create_user(result, username, first, role, display)

        banks = [orgs[k] for k in ("bank1", "bank1_kdl", "bank1_qs", "bank2", "bank2_dq", "bank2_rh")]
        today = as_of or date.today()
        result.registry = _seed_registry(rng, enterprises, banks, today)
        result.market = seed_market(orgs, as_of=today)
        result.funds = seed_funds(orgs, as_of=today)
        result.origination = seed_origination(orgs, as_of=today)
    # Close of business commits step by step (it must not run inside another transaction).
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
        result.servicing = seed_servicing(today)
    return result


def _seed_registry(rng: random.Random, enterprises: list[Organisation], banks: list[Organisation],
                   as_of: date) -> dict[str, int] | None:
    try:
        from ipfin.registry.demo import seed_registry
    except ImportError:
        return None
    return seed_registry(rng, enterprises, banks, as_of)


def login_table() -> list[dict[str, str]]:
    """One row per demo login, for ``make demo`` and the README."""
    enterprise_org = (
        User.objects.filter(username=ENTERPRISE_LOGIN[0]).values_list("organisation__name", flat=True).first()
    )
    rows = []
    with translation.override("zh-hans"):
        for username, org_key, role, _display in LOGINS:
            org_name = next(i[1] for i in INSTITUTIONS if i[0] == org_key)
            rows.append({"username": username, "role": role, "role_label": str(Role(role).label),
                         "organisation": org_name})
        for username, role, _display in (ENTERPRISE_LOGIN, ENTERPRISE_STAFF_LOGIN):
            rows.append({"username": username, "role": role, "role_label": str(Role(role).label),
                         "organisation": enterprise_org or "?"})
    return rows

"""A small origination world for the page tests and the browser test (no tests in this module).

攀枝花 (5104xx): an enterprise with two granted patents valued by negotiation, a second enterprise, a bank
with a loan officer, an approver and a branch head, a second bank, the IP office, the regulator, a guarantor
and an insurer; an active product under the panzhihua-agreement and sichuan-2025 profiles (in force on
today's date) drawing on a credit plan with room; the working calendar of this year and the next and the
reference LPR fixings. Made through the actions where they exist, with the ORM for reference data."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from ipfin.accounts.actions import create_organisation, create_user
from ipfin.accounts.choices import OrganisationKind as K
from ipfin.accounts.choices import Role
from ipfin.accounts.models import Organisation, User
from ipfin.calendar.models import CalendarDay, CalendarSource, CalendarYear
from ipfin.calendar.reference import load_lpr_reference, seed_calendar
from ipfin.calendar.services import invalidate_calendar_cache
from ipfin.domain.calendar import year_dates
from ipfin.market.choices import ProductStatus, RepaymentMethod
from ipfin.market.models import CreditPlan, Product
from ipfin.registry.models import Enterprise, IpAsset
from ipfin.registry.tests.factories import make_enterprise, make_patent
from ipfin.valuation.choices import ValuationSource, ValuationTrigger
from ipfin.valuation.models import Valuation

PASSWORD = "Pledge-Platform-2025!"
CITY = "510400"  # 攀枝花市
DISTRICT = "510402"
PROFILES = ["panzhihua-agreement", "sichuan-2025"]
ASSET_VALUE_FEN = 500_000_000  # 500 万元 per patent (a negotiated value, SC-3)


@dataclass
class Scenario:
    today: date
    enterprise: Enterprise
    other_enterprise: Enterprise
    bank: Organisation
    other_bank: Organisation
    guarantor: Organisation
    insurer: Organisation
    product: Product
    assets: list[IpAsset]  # three bundles of two: bundle(n) = assets[2n:2n+2]
    users: dict[str, User]

    def bundle(self, n: int = 0) -> list[IpAsset]:
        return self.assets[2 * n:2 * n + 2]


def publish_calendar(years: list[int]) -> None:
    """Seed the years chinesecalendar covers; a year it does not cover yet gets a Monday–Friday calendar
    (test data only: the page tests need a clock that never stops for lack of a calendar)."""
    invalidate_calendar_cache()
    seed_calendar(years)
    for year in years:
        if CalendarYear.objects.filter(year=year).exists():
            continue
        CalendarDay.objects.bulk_create([CalendarDay(date=day, is_working_day=day.weekday() < 5, name="")
                                         for day in year_dates(year)])
        CalendarYear.objects.create(year=year, source=CalendarSource.ADMIN, loaded_at=timezone.now(), notice="test weekdays")
    invalidate_calendar_cache()


def _user(org: Organisation, username: str, role: str, name: str) -> User:
    return create_user(None, organisation=org, username=username, password=PASSWORD, roles=[role],
                       display_name=name, check_password_strength=False)


def build_scenario(today: date | None = None) -> Scenario:
    today = today or timezone.localdate()
    publish_calendar([today.year, today.year + 1])
    load_lpr_reference()
    org = {
        "ent": create_organisation(None, name="攀枝花钒钛新材料有限公司", kind=K.ENTERPRISE, region_code=DISTRICT),
        "ent2": create_organisation(None, name="攀枝花阳光科技有限公司", kind=K.ENTERPRISE, region_code=DISTRICT),
        "bank": create_organisation(None, name="四川天府银行攀枝花分行", kind=K.BANK, region_code=CITY),
        "bank2": create_organisation(None, name="攀枝花农商银行", kind=K.BANK, region_code=CITY),
        "ipo": create_organisation(None, name="攀枝花市市场监督管理局", kind=K.IP_OFFICE, region_code=CITY),
        "reg": create_organisation(None, name="攀枝花金融监管分局", kind=K.REGULATOR, region_code=CITY),
        "guarantor": create_organisation(None, name="攀枝花融资担保有限公司", kind=K.GUARANTOR, region_code=CITY),
        "insurer": create_organisation(None, name="示范财产保险攀枝花支公司", kind=K.INSURER, region_code=CITY),
    }
    users = {
        "ent": _user(org["ent"], "pzh_ent", Role.ENTERPRISE_ADMIN, "王建国"),
        "ent2": _user(org["ent2"], "pzh_ent2", Role.ENTERPRISE_ADMIN, "李晓梅"),
        "officer": _user(org["bank"], "pzh_officer", Role.LOAN_OFFICER, "张伟"),
        "approver": _user(org["bank"], "pzh_approver", Role.APPROVER, "刘洋"),
        "head": _user(org["bank"], "pzh_head", Role.BRANCH_HEAD, "陈静"),
        "officer2": _user(org["bank2"], "pzh_officer2", Role.LOAN_OFFICER, "赵敏"),
        "clerk": _user(org["ipo"], "pzh_clerk", Role.CLERK, "徐丽"),
        "supervisor": _user(org["reg"], "pzh_supervisor", Role.SUPERVISOR, "马超"),
    }
    enterprise = make_enterprise(org["ent"], established_on=date(2015, 3, 1))
    other = make_enterprise(org["ent2"], established_on=date(2016, 5, 1))
    # Granted in 2021/2022: 20-year terms run far past any loan term; fees paid well beyond today.
    fees_paid = date(today.year + 1, 12, 31)
    # Three bundles of two patents: an asset may be offered in one open application only (PZA-2.2.2).
    titles = ["一种钒钛磁铁矿综合利用方法", "一种高钛型高炉渣提钛工艺", "一种钒电池电解液的制备方法",
              "一种钛白粉废酸回收装置", "一种攀西稀土精矿焙烧工艺", "一种高炉煤气余热发电系统"]
    assets = [make_patent(enterprise, year=2019 + i % 3, title=title, patent={"fee_paid_through": fees_paid})
              for i, title in enumerate(titles)]
    make_patent(other, year=2020, patent={"fee_paid_through": fees_paid})
    for asset in assets:
        Valuation.objects.create(asset=asset, source=ValuationSource.NEGOTIATED, trigger=ValuationTrigger.NEGOTIATION,
                                 method="negotiated", as_of=today - timedelta(days=10), value_fen=ASSET_VALUE_FEN,
                                 organisation=org["bank"], created_by=users["officer"])
    plan = CreditPlan.objects.create(bank=org["bank"], year=today.year, amount_fen=100_000_000_000, region_code=CITY)
    product = Product.objects.create(
        bank=org["bank"], code="zscq-zhiya", name="知识产权质押贷", status=ProductStatus.ACTIVE,
        accepted_kinds=["patent", "trademark"], combined_pledge_allowed=True, max_loan_to_value=Decimal("0.60"),
        rate_min=Decimal("3.00"), rate_max=Decimal("5.00"), min_term_months=6, max_term_months=36,
        amount_min_fen=10_000_000, amount_max_fen=1_000_000_000,
        repayment_methods=[RepaymentMethod.EQUAL_INSTALLMENT, RepaymentMethod.INTEREST_ONLY],
        regions=[CITY], industries=[], risk_sharing_options=["guarantor", "insurer"], policy_profiles=PROFILES,
        credit_plan=plan,
    )
    return Scenario(today=today, enterprise=enterprise, other_enterprise=other, bank=org["bank"],
                    other_bank=org["bank2"], guarantor=org["guarantor"], insurer=org["insurer"], product=product,
                    assets=assets, users=users)

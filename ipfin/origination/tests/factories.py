"""Test data for origination: products, credit plans, funds and valued patents made with the ORM (reference
data and other apps' records), applications through the actions. No tests in this module."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from ipfin.accounts.actions import create_organisation, create_user
from ipfin.accounts.choices import OrganisationKind as K
from ipfin.accounts.choices import Role
from ipfin.accounts.models import Organisation, User
from ipfin.calendar.models import CalendarDay, CalendarSource, CalendarYear
from ipfin.calendar.reference import load_lpr_reference, seed_calendar
from ipfin.calendar.services import invalidate_calendar_cache
from ipfin.domain.calendar import year_dates
from ipfin.fund.models import Cooperation, Fund
from ipfin.market.choices import ProductStatus, RepaymentMethod
from ipfin.market.models import CreditPlan, Product
from ipfin.origination import actions
from ipfin.origination.models import Application
from ipfin.registry.models import Enterprise, IpAsset
from ipfin.registry.tests.factories import make_enterprise, make_patent
from ipfin.valuation.choices import ValuationSource, ValuationTrigger
from ipfin.valuation.models import Valuation

PZH_PROFILES = ["panzhihua-agreement", "sichuan-2025"]
ASSET_VALUE_FEN = 500_000_000  # 500 万元 per patent
AMOUNT_FEN = 300_000_000  # 300 万元: 30 % of two such patents
RATE = Decimal("3.50")
_serial = itertools.count(1)


def publish_calendar(years: list[int]) -> None:
    """Seed the years chinesecalendar covers; a year it does not cover gets Monday–Friday (test data only)."""
    invalidate_calendar_cache()
    seed_calendar(years)
    for year in years:
        if CalendarYear.objects.filter(year=year).exists():
            continue
        CalendarDay.objects.bulk_create([CalendarDay(date=day, is_working_day=day.weekday() < 5, name="")
                                         for day in year_dates(year)])
        CalendarYear.objects.create(year=year, source=CalendarSource.ADMIN, loaded_at=timezone.now(),
                                    notice="test weekdays")
    invalidate_calendar_cache()


def user(org: Organisation, role: str, name: str | None = None) -> User:
    username = name or f"o{next(_serial)}-{role}"
    return create_user(None, organisation=org, username=username, password="x", roles=[role],
                       check_password_strength=False)


def make_product(bank: Organisation, *, plan: CreditPlan | None = None, **overrides: Any) -> Product:
    data: dict[str, Any] = dict(
        code=f"p{next(_serial)}", name="知识产权质押贷", status=ProductStatus.ACTIVE,
        accepted_kinds=["patent", "trademark"], combined_pledge_allowed=True, max_loan_to_value=Decimal("0.70"),
        rate_min=Decimal("3.00"), rate_max=Decimal("6.00"), min_term_months=6, max_term_months=120,
        amount_min_fen=10_000_000, amount_max_fen=2_000_000_000,
        repayment_methods=[RepaymentMethod.EQUAL_INSTALLMENT, RepaymentMethod.BULLET],
        regions=[bank.region_code[:4] + "00"], industries=[], risk_sharing_options=["guarantor", "insurer", "fund"],
        policy_profiles=PZH_PROFILES, credit_plan=plan)
    data.update(overrides)
    return Product.objects.create(bank=bank, **data)


def valued_patent(enterprise: Enterprise, *, as_of: date, value_fen: int = ASSET_VALUE_FEN,
                  source: str = ValuationSource.NEGOTIATED, year: int = 2019, **extra: Any) -> IpAsset:
    patent = {"fee_paid_through": date(as_of.year + 1, 12, 31)}
    patent.update(extra.pop("patent", {}))
    asset = make_patent(enterprise, year=year, patent=patent, **extra)
    Valuation.objects.create(asset=asset, source=source, trigger=ValuationTrigger.NEGOTIATION, method=str(source),
                             as_of=as_of - timedelta(days=5), value_fen=value_fen)
    return asset


@dataclass
class Setup:
    today: date
    enterprise: Enterprise
    bank: Organisation
    product: Product
    plan: CreditPlan
    fund: Fund
    guarantor: Organisation
    insurer: Organisation
    assets: list[IpAsset]
    users: dict[str, User] = field(default_factory=dict)

    def draft(self, applicant: str = "ent", **overrides: Any) -> Application:
        data: dict[str, Any] = dict(product_id=self.product.pk, amount_fen=AMOUNT_FEN, term_months=12,
                                    purpose="research_and_development", repayment_method="equal-installment",
                                    asset_ids=[a.pk for a in self.assets], co_owner_consent=True, today=self.today)
        data.update(overrides)
        return actions.create_application(self.users[applicant], **data)

    def to(self, application: Application, status: str, rate: Decimal = RATE) -> Application:
        """Move along the happy path up to ``status``."""
        u, t, pk = self.users, self.today, application.pk
        steps = [
            ("submitted", lambda: actions.submit_application(u["ent"], pk, today=t)),
            ("complete", lambda: actions.mark_complete(u["officer"], pk, today=t)),
            ("under_review", lambda: actions.start_review(u["officer"], pk, today=t)),
            ("approved", lambda: actions.approve_application(u["approver"], pk, annual_rate=rate, today=t)),
            ("contract_signed", lambda: actions.sign_contract(u["officer"], pk, signed_on=t, start_on=t)),
            ("pledge_registered", lambda: actions.on_pledge_registered(pk, registered_on=t, actor=u["clerk"])),
            ("disbursed", lambda: actions.disburse(u["officer"], pk, disbursed_on=t)),
        ]
        for state, step in steps:
            step()
            if state == status:
                break
        application.refresh_from_db()
        return application


def make_setup(today: date = date(2025, 9, 30)) -> Setup:
    """攀枝花 (5104xx): an enterprise with two valued patents, a bank with officer, two approvers and a branch
    head, a second bank, guarantor, insurer, the IP office, a fund under panzhihua-agreement that admitted the
    bank, a credit plan of ``today``'s year and an active product; calendar and LPR loaded."""
    publish_calendar(sorted({today.year - 1, today.year, today.year + 1}))
    load_lpr_reference()
    n = next(_serial)
    ent_org = create_organisation(None, name=f"攀枝花钒钛{n}", kind=K.ENTERPRISE, region_code="510402")
    bank = create_organisation(None, name=f"天府银行攀枝花分行{n}", kind=K.BANK, region_code="510400")
    bank2 = create_organisation(None, name=f"攀枝花农商银行{n}", kind=K.BANK, region_code="510400")
    guarantor = create_organisation(None, name=f"攀枝花担保{n}", kind=K.GUARANTOR, region_code="510400")
    insurer = create_organisation(None, name=f"示范保险{n}", kind=K.INSURER, region_code="510400")
    ipo = create_organisation(None, name=f"攀枝花市场监管局{n}", kind=K.IP_OFFICE, region_code="510400")
    manager = create_organisation(None, name=f"攀枝花资金管理人{n}", kind=K.FUND_MANAGER, region_code="510400")
    users = {
        "ent": user(ent_org, Role.ENTERPRISE_ADMIN), "officer": user(bank, Role.LOAN_OFFICER),
        "approver": user(bank, Role.APPROVER), "approver2": user(bank, Role.APPROVER),
        "head": user(bank, Role.BRANCH_HEAD), "officer2": user(bank2, Role.LOAN_OFFICER),
        "guarantor": user(guarantor, Role.GUARANTOR_OFFICER), "clerk": user(ipo, Role.CLERK),
        "fund": user(manager, Role.FUND_OFFICER),
    }
    enterprise = make_enterprise(ent_org, established_on=date(2015, 3, 1), industry_code="C3240")
    assets = [valued_patent(enterprise, as_of=today, year=2019 + i) for i in range(2)]
    plan = CreditPlan.objects.create(bank=bank, year=today.year, amount_fen=5_000_000_000, region_code="510400")
    product = make_product(bank, plan=plan)
    fund = Fund.objects.create(code=f"pzh-fund-{n}", name=f"攀枝花风险补偿基金{n}", profile_name="panzhihua-agreement",
                               region_code="510400", manager=manager, opened_on=date(2025, 1, 1))
    Cooperation.objects.create(fund=fund, institution=bank, admitted_on=date(2025, 1, 1),
                               status_since=date(2025, 1, 1))
    return Setup(today=today, enterprise=enterprise, bank=bank, product=product, plan=plan, fund=fund,
                 guarantor=guarantor, insurer=insurer, assets=assets, users=users)

"""Demo applications, contracts, pledges and loans, driven through the action functions (so the demo leaves the
audit trail, SLA clocks, notifications and public announcements a real day would).

攀枝花 (profiles in force in 2026): for the first Panzhihua enterprises with patents in force and fees paid, 攀西银行
applies on their behalf to 攀西知识产权质押贷 and takes each file to a different stage — two loans disbursed (pledges
registered, on the public page), one pledge filed and waiting for the IP office, one under review, one submitted,
one returned for documents. 包头: the enterprise login's enterprise has a draft. Dates run back from ``as_of`` so
that the clocks show on-time, due-soon and overdue files.

Idempotent: nothing is added when the demo already has applications.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from ipfin.accounts.models import Organisation, User
from ipfin.core.scoping import visible
from ipfin.market.models import Product
from ipfin.origination import actions
from ipfin.origination.models import Application
from ipfin.pledges import actions as pledge_actions
from ipfin.registry.models import Enterprise, IpAsset
from ipfin.valuation.actions import record_negotiated_value

WAN = 1_000_000  # fen in 1 万元
ASSET_VALUE_FEN = 450 * WAN  # negotiated value per patent (协商估值, SC-3)
RATE = Decimal("3.65")


@dataclass(frozen=True)
class Plan:
    stage: str
    days_ago: int  # calendar days before as_of at which the file was created
    amount_fen: int
    term_months: int
    method: str


PANZHIHUA_FILES = [
    Plan("disbursed", 75, 300 * WAN, 12, "equal-installment"),
    Plan("disbursed", 40, 250 * WAN, 24, "equal-principal"),
    Plan("pledge_filed", 12, 200 * WAN, 12, "interest-only"),
    Plan("under_review", 6, 180 * WAN, 12, "equal-installment"),
    Plan("submitted", 2, 150 * WAN, 12, "equal-installment"),
    Plan("returned", 5, 120 * WAN, 12, "interest-only"),
]


def _eligible_patents(user: User, enterprise: Enterprise, on: date) -> list[IpAsset]:
    """Up to two of the enterprise's patents that pass the asset checks and that ``user`` may see (a bank sees
    its customers' assets)."""
    return list(visible(user, IpAsset).filter(owners__enterprise=enterprise, kind="patent", status="in_force", pledged=False,
                                       frozen=False, patent__fee_paid_through__gte=on + timedelta(days=60),
                                       expiry_date__gte=on + timedelta(days=3 * 366)).order_by("id")[:2])


def seed_origination(orgs: dict[str, Organisation], as_of: date) -> dict[str, int]:
    created = {"applications": 0, "loans": 0, "pledges": 0}
    if Application.objects.exists():
        return created
    officer = User.objects.filter(username="bank2.officer").first()
    approver = User.objects.filter(username="bank2.approver").first()
    clerk = User.objects.filter(username="ipo.pzh").first()
    product = Product.objects.filter(bank=orgs.get("bank2"), code="px-ip-pledge").first()
    if None in (officer, approver, clerk, product):
        return created
    assert officer is not None and approver is not None and clerk is not None and product is not None
    plans = iter(PANZHIHUA_FILES)
    plan = next(plans, None)
    for enterprise in Enterprise.objects.filter(organisation__region_code__startswith="5104").order_by("id"):
        if plan is None:
            break
        created_on = as_of - timedelta(days=plan.days_ago)
        assets = _eligible_patents(officer, enterprise, as_of)
        if not assets:
            continue
        for asset in assets:
            record_negotiated_value(officer, asset.pk, value_fen=ASSET_VALUE_FEN, as_of=created_on,
                                    note="银企协商估值（演示数据）")
        application = actions.create_application(
            officer, product_id=product.pk, enterprise_id=enterprise.pk, amount_fen=plan.amount_fen,
            term_months=plan.term_months, purpose="working_capital", purpose_detail="采购原材料、支付研发费用",
            repayment_method=plan.method, asset_ids=[a.pk for a in assets], co_owner_consent=True,
            today=created_on)
        created["applications"] += 1
        _advance(application.pk, plan, created_on, officer=officer, approver=approver, clerk=clerk,
                 created=created)
        plan = next(plans, None)
    created["applications"] += _baotou_draft(orgs, as_of)
    return created


def _advance(pk: int, plan: Plan, on: date, *, officer: User, approver: User, clerk: User,
             created: dict[str, int]) -> None:
    if plan.stage == "draft":
        return
    actions.submit_application(officer, pk, today=on)
    if plan.stage == "submitted":
        return
    actions.mark_complete(officer, pk, today=on + timedelta(days=1))
    if plan.stage == "returned":
        actions.return_application(officer, pk, reason="请补充近两年财务报表及专利年费缴纳凭证。",
                                   today=on + timedelta(days=2))
        return
    actions.start_review(officer, pk, today=on + timedelta(days=1))
    if plan.stage == "under_review":
        return
    decided = on + timedelta(days=3)
    actions.approve_application(approver, pk, annual_rate=RATE, today=decided)
    actions.sign_contract(officer, pk, signed_on=decided + timedelta(days=1), start_on=decided + timedelta(days=1))
    application = Application.objects.select_related("contract").get(pk=pk)
    registration = pledge_actions.file_registration(officer, application.contract.pk,
                                                    today=decided + timedelta(days=1))
    created["pledges"] += 1
    if plan.stage == "pledge_filed":
        return
    registered_on = decided + timedelta(days=4)
    pledge_actions.register_pledge(clerk, registration.pk, registered_on=registered_on)
    actions.disburse(officer, pk, disbursed_on=registered_on + timedelta(days=1))
    created["loans"] += 1


def _baotou_draft(orgs: dict[str, Organisation], as_of: date) -> int:
    """The enterprise login's own draft, to 鹿城知识产权质押贷, for the enterprise's pages."""
    user = User.objects.filter(username="enterprise").first()
    product = Product.objects.filter(bank=orgs.get("bank1"), code="lc-ip-pledge").first()
    enterprise = Enterprise.objects.filter(organisation=user.organisation).first() if user else None
    if user is None or product is None or enterprise is None:
        return 0
    assets = _eligible_patents(user, enterprise, as_of)[:1]
    if not assets:
        return 0
    actions.create_application(user, product_id=product.pk, amount_fen=100 * WAN, term_months=12,
                               purpose="research_and_development", purpose_detail="稀土永磁材料中试线建设",
                               repayment_method="equal-installment", asset_ids=[a.pk for a in assets],
                               co_owner_consent=True, today=as_of)
    return 1

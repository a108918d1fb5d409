"""Test helpers: signed contracts awaiting pledge registration, written with the ORM directly.

The origination actions are written in parallel; these rows have the shape ``sign_contract`` leaves behind
(application ``contract_signed``, contract ``signed`` with start and maturity dates).
"""

from __future__ import annotations

import itertools
from datetime import date
from decimal import Decimal
from typing import Any

from ipfin.core.testing.world import World
from ipfin.market.models import Product
from ipfin.origination.choices import ApplicationStatus, ContractStatus
from ipfin.origination.models import Application, ApplicationAsset, Contract
from ipfin.registry.models import Enterprise, IpAsset
from ipfin.registry.tests.factories import make_enterprise, make_patent

_serial = itertools.count(1)

# Default pledging bank of each world enterprise (its local bank).
BANK_OF = {"ent_bt": "bank_a_branch", "ent_pzh": "bank_b"}
# Patents paid up far beyond any test date (the registry refuses a patent with fees unpaid).
PAID_UP = {"fee_paid_through": date(2034, 3, 31)}


def paid_patent(enterprise: Enterprise, **extra: Any) -> IpAsset:
    patent = {**PAID_UP, **extra.pop("patent", {})}
    return make_patent(enterprise, patent=patent, **extra)


def add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, 28))


def make_product(bank: Any, *, profiles: list[str] | None = None) -> Product:
    n = next(_serial)
    return Product.objects.create(
        bank=bank, code=f"ip-loan-{n}", name=f"知识产权质押贷{n}", status="active", accepted_kinds=["patent"],
        max_loan_to_value=Decimal("0.60"), rate_min=Decimal("3.0"), rate_max=Decimal("6.0"), max_term_months=36,
        amount_min_fen=100_000_00, amount_max_fen=10_000_000_00, repayment_methods=["interest-only"],
        regions=[bank.region_code], policy_profiles=["panzhihua-agreement"] if profiles is None else profiles)


def make_signed_contract(world: World, enterprise_key: str = "ent_bt", *, bank_key: str | None = None,
                         assets: list[IpAsset] | None = None, profiles: list[str] | None = None,
                         start_on: date = date(2025, 9, 1), term_months: int = 12,
                         principal_fen: int = 3_000_000_00, co_owner_consent: bool = False,
                         application_status: str = ApplicationStatus.CONTRACT_SIGNED,
                         contract_status: str = ContractStatus.SIGNED) -> Contract:
    """A signed contract of ``enterprise_key`` with ``bank_key`` over ``assets`` (one paid-up patent by default)."""
    enterprise = make_enterprise(world.orgs[enterprise_key])
    bank = world.orgs[bank_key or BANK_OF[enterprise_key]]
    if assets is None:
        assets = [paid_patent(enterprise)]
    n = next(_serial)
    officer = world.users["bank_b.loan_officer" if bank.region_code.startswith("51") else
                          "bank_a_branch.loan_officer"]
    application = Application.objects.create(
        number=f"SQ-T{n:06d}", enterprise=enterprise, product=make_product(bank, profiles=profiles), bank=bank,
        amount_fen=principal_fen, term_months=term_months, purpose="working_capital",
        repayment_method="interest-only", co_owner_consent=co_owner_consent, status=application_status,
        status_since=start_on, approved_amount_fen=principal_fen, approved_rate=Decimal("3.85"), created_by=officer)
    ApplicationAsset.objects.bulk_create(ApplicationAsset(application=application, asset=a, value_fen=principal_fen * 2)
                                         for a in assets)
    return Contract.objects.create(
        application=application, number=f"HT-T{n:06d}", status=contract_status, principal_fen=principal_fen,
        annual_rate=Decimal("3.85"), term_months=term_months, repayment_method="interest-only",
        payment_frequency="monthly", day_count="act360", penalty_rate_uplift=Decimal("0.50"),
        max_loan_to_value=Decimal("0.60"), collateral_value_fen=principal_fen * 2, signed_on=start_on,
        start_on=start_on, maturity_on=add_months(start_on, term_months))

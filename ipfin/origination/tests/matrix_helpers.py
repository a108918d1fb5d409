"""Applications, contracts and loans owned by the role-matrix world's two enterprises (no tests here).

ent_bt applies to a product of bank_a_branch (包头) naming the world's guarantor and the fund managed by fund_bt;
ent_pzh applies to a product of bank_b (攀枝花) naming the world's insurer."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from ipfin.core.testing.world import World
from ipfin.fund.models import Fund
from ipfin.origination import actions
from ipfin.origination.models import Application, Contract
from ipfin.origination.tests.factories import make_product, valued_patent
from ipfin.registry.tests.factories import make_enterprise
from ipfin.servicing.models import Loan

TODAY = date(2025, 9, 30)


def fund_bt(world: World) -> Fund:
    fund = Fund.objects.filter(manager=world.orgs["fund_bt"]).first()
    return fund or Fund.objects.create(code="bt-fund", name="包头风险补偿资金", profile_name="baotou-2021",
                                       region_code="150200", manager=world.orgs["fund_bt"], opened_on=date(2021, 1, 1))


def application_of(world: World, owner_key: str) -> Application:
    enterprise = make_enterprise(world.orgs[owner_key])
    asset = valued_patent(enterprise, as_of=TODAY)
    if owner_key == "ent_bt":
        product = make_product(world.orgs["bank_a_branch"], regions=["150200"])
        extra = {"guarantor_id": world.orgs["guarantor"].pk, "fund_id": fund_bt(world).pk}
        applicant = world.users["ent_bt.admin"]
    else:
        product = make_product(world.orgs["bank_b"], regions=["510400"])
        extra = {"insurer_id": world.orgs["insurer"].pk}
        applicant = world.users["ent_pzh.admin"]
    return actions.create_application(applicant, product_id=product.pk, amount_fen=100_000_000, term_months=12,
                                      purpose="working_capital", repayment_method="bullet", asset_ids=[asset.pk],
                                      today=TODAY, **extra)


def contract_of(world: World, owner_key: str) -> Contract:
    """A contract row for the matrix (reads only; the actions' path is tested in test_actions)."""
    application = application_of(world, owner_key)
    return Contract.objects.create(
        application=application, number=f"HT{application.number[2:]}", principal_fen=application.amount_fen,
        annual_rate=Decimal("3.5"), term_months=12, repayment_method="bullet", payment_frequency="monthly",
        day_count="act360", penalty_rate_uplift=Decimal("0.5"), max_loan_to_value=Decimal("0.6"),
        collateral_value_fen=500_000_000, risk_shares={"bank": "1"}, signed_on=TODAY)


def loan_of(world: World, owner_key: str) -> Loan:
    contract = contract_of(world, owner_key)
    application = contract.application
    return Loan.objects.create(
        number=f"DK{application.number[2:]}", contract=contract, enterprise=application.enterprise,
        bank=application.bank, product=application.product, fund=application.fund,
        principal_fen=contract.principal_fen, outstanding_principal_fen=contract.principal_fen,
        annual_rate=contract.annual_rate, term_months=12, repayment_method="bullet", payment_frequency="monthly",
        day_count="act360", penalty_rate_uplift=Decimal("0.5"), max_loan_to_value=Decimal("0.6"),
        disbursed_on=TODAY, maturity_on=date(2026, 9, 30))

"""Products and credit plans: every check at its boundary, transitions, ownership, utilisation."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from itertools import count
from typing import Any

import pytest

from ipfin.accounts.models import AuditEvent
from ipfin.core.testing.world import World
from ipfin.domain.errors import IllegalTransition, InvalidInput, NotFound, PermissionDenied
from ipfin.market import actions
from ipfin.market.choices import ProductStatus
from ipfin.market.selectors import credit_plan_utilisation, with_utilisation
from ipfin.market.tests.helpers import ON, product_fields
from ipfin.origination.models import Application
from ipfin.registry.tests.factories import make_enterprise

pytestmark = pytest.mark.django_db
_numbers = count(1)


def _product(world: World, user: str = "bank_b.loan_officer", **overrides: Any) -> Any:
    return actions.create_product(world.users[user], today=ON, **product_fields(**overrides))


def test_create_product_in_draft_with_audit(world: World) -> None:
    product = _product(world)
    assert product.status == ProductStatus.DRAFT and product.bank == world.orgs["bank_b"]
    assert product.max_loan_to_value == Decimal("0.60") and product.regions == ["510400"]
    event = AuditEvent.objects.get(action="market.product.create")
    assert event.clause == "PZA-2.1.2" and event.after["code"] == "ip-loan"


@pytest.mark.parametrize(("ltv", "ok"), [("0.60", True), ("0.6001", False)])
def test_loan_to_value_cap_of_the_profile(world: World, ltv: str, ok: bool) -> None:
    if ok:
        assert _product(world, max_loan_to_value=Decimal(ltv)).max_loan_to_value == Decimal(ltv)
    else:
        with pytest.raises(actions.AbovePolicyCap) as exc:
            _product(world, max_loan_to_value=Decimal(ltv))
        assert exc.value.details["clause"] == "PZA-2.1.2" and exc.value.details["profile"] == "panzhihua-agreement"


@pytest.mark.parametrize(("months", "ok"), [(120, True), (121, False)])
def test_term_cap_of_the_profile(world: World, months: int, ok: bool) -> None:
    if ok:
        assert _product(world, max_term_months=months).max_term_months == months
    else:
        with pytest.raises(actions.AbovePolicyCap) as exc:
            _product(world, max_term_months=months)
        assert exc.value.details["clause"] == "SC-6"


def test_a_profile_not_in_force_states_no_cap(world: World) -> None:
    # baotou-2021 runs 2021–2022 (assumed); on a 2026 date it has nothing to say, so no cap applies.
    product = _product(world, "bank_a.loan_officer", policy_profiles=["baotou-2021"], max_term_months=180,
                       max_loan_to_value=Decimal("0.80"), regions=["150200"])
    assert product.max_term_months == 180


@pytest.mark.parametrize(("field", "value", "error"), [
    ("accepted_kinds", ["patent", "car"], actions.ProductInvalid),
    ("accepted_kinds", [], actions.ProductInvalid),
    ("repayment_methods", ["monthly"], actions.ProductInvalid),
    ("regions", ["5104"], InvalidInput),
    ("regions", [], actions.ProductInvalid),
    ("industries", ["C3X"], InvalidInput),
    ("policy_profiles", ["nowhere-2030"], actions.UnknownPolicyProfile),
    ("rate_min", Decimal("5.00"), actions.ProductInvalid),
    ("rate_max", 4.85, actions.ProductInvalid),
    ("amount_min_fen", 2_000_000_000, actions.ProductInvalid),
    ("amount_max_fen", "100", actions.ProductInvalid),
    ("min_term_months", 121, actions.ProductInvalid),
    ("max_loan_to_value", Decimal("0"), actions.ProductInvalid),
    ("code", "知识产权", actions.ProductInvalid),
    ("combined_pledge_allowed", "yes", actions.ProductInvalid),
    ("risk_sharing_options", ["bank"], actions.ProductInvalid),
])
def test_invalid_fields_are_refused(world: World, field: str, value: Any, error: type[Exception]) -> None:
    with pytest.raises(error):
        _product(world, **{field: value})


def test_duplicates_unknown_fields_and_roles(world: World) -> None:
    _product(world)
    with pytest.raises(actions.DuplicateProductCode):
        _product(world)
    with pytest.raises(actions.ProductInvalid):
        _product(world, code="x2", colour="red")
    for key in ("bank_b.loan_officer", "bank_a.approver", "ent_pzh.admin", "platform.admin", "ipo_pzh.clerk"):
        if key == "bank_b.loan_officer":
            continue
        with pytest.raises(PermissionDenied):
            _product(world, key, code="x3")


def test_head_office_creates_for_its_branch_not_for_another_bank(world: World) -> None:
    product = actions.create_product(world.users["bank_a.branch_head"], bank=world.orgs["bank_a_branch"], today=ON,
                                     **product_fields(regions=["150203"], policy_profiles=[]))
    assert product.bank == world.orgs["bank_a_branch"]
    with pytest.raises(PermissionDenied):
        actions.create_product(world.users["bank_a_branch.loan_officer"], bank=world.orgs["bank_a"], today=ON,
                               **product_fields(policy_profiles=[]))
    with pytest.raises(PermissionDenied):
        actions.create_product(world.users["bank_a.loan_officer"], bank=world.orgs["bank_b"], today=ON,
                               **product_fields())


def test_update_revalidates_and_transitions(world: World) -> None:
    product = _product(world)
    user = world.users["bank_b.loan_officer"]
    assert actions.update_product(user, product.pk, today=ON, name="新名称").name == "新名称"
    with pytest.raises(actions.AbovePolicyCap):
        actions.update_product(user, product.pk, today=ON, max_loan_to_value=Decimal("0.65"))
    assert actions.activate_product(user, product.pk, today=ON).status == ProductStatus.ACTIVE
    with pytest.raises(IllegalTransition):
        actions.activate_product(user, product.pk, today=ON)
    assert actions.update_product(user, product.pk, today=ON, rate_max=Decimal("5.20")).rate_max == Decimal("5.20")
    assert actions.withdraw_product(user, product.pk).status == ProductStatus.WITHDRAWN
    with pytest.raises(actions.ProductNotEditable):
        actions.update_product(user, product.pk, today=ON, name="x")
    assert actions.activate_product(user, product.pk, today=ON).status == ProductStatus.ACTIVE
    moves = list(AuditEvent.objects.filter(action__startswith="market.product.").values_list("action", flat=True))
    assert moves.count("market.product.activate") == 2 and "market.product.withdraw" in moves


def test_another_bank_cannot_touch_the_product(world: World) -> None:
    product = _product(world)
    with pytest.raises(NotFound):
        actions.update_product(world.users["bank_a.loan_officer"], product.pk, name="x")
    with pytest.raises(PermissionDenied):
        actions.withdraw_product(world.users["ipo_pzh.clerk"], product.pk)


# --- credit plans (PZA-3.乙1) ------------------------------------------------------------------------------


@pytest.mark.parametrize(("amount", "ok"), [(5_000_000_000, True), (4_999_999_999, False)])
def test_plan_minimum_of_the_agreement(world: World, amount: int, ok: bool) -> None:
    user = world.users["bank_b.loan_officer"]
    if ok:
        assert actions.create_credit_plan(user, year=2026, amount_fen=amount, region_code="510400").amount_fen == amount
    else:
        with pytest.raises(actions.CreditPlanBelowMinimum) as exc:
            actions.create_credit_plan(user, year=2026, amount_fen=amount, region_code="510402")
        assert exc.value.details["clause"] == "PZA-3.乙1" and exc.value.details["minimum_fen"] == 5_000_000_000


def test_plan_minimum_applies_only_where_and_when_a_profile_states_it(world: World) -> None:
    user = world.users["bank_a.loan_officer"]
    assert actions.create_credit_plan(user, year=2026, amount_fen=100, region_code="150200").amount_fen == 100
    assert actions.plan_minimum("510400", 2024) is None  # the agreement runs 2025–2027 (assumed)
    assert actions.plan_minimum("510400", 2027) is not None


def test_plan_duplicates_update_and_ownership(world: World) -> None:
    user = world.users["bank_b.loan_officer"]
    plan = actions.create_credit_plan(user, year=2026, amount_fen=5_000_000_000, region_code="510400")
    with pytest.raises(actions.DuplicateCreditPlan):
        actions.create_credit_plan(user, year=2026, amount_fen=6_000_000_000, region_code="510400")
    assert actions.update_credit_plan(user, plan.pk, amount_fen=8_000_000_000).amount_fen == 8_000_000_000
    with pytest.raises(actions.CreditPlanBelowMinimum):
        actions.update_credit_plan(user, plan.pk, amount_fen=1)
    with pytest.raises(NotFound):
        actions.update_credit_plan(world.users["bank_a.loan_officer"], plan.pk, amount_fen=9_000_000_000)
    with pytest.raises(actions.CreditPlanNotOwn):
        _product(world, "bank_a.loan_officer", credit_plan_id=plan.pk, regions=["150200"])
    assert _product(world, credit_plan_id=plan.pk).credit_plan == plan
    with pytest.raises(actions.CreditPlanInvalid):
        actions.create_credit_plan(user, year=2026, amount_fen=-5, region_code="510400")


def test_branch_product_may_draw_on_the_head_office_plan(world: World) -> None:
    plan = actions.create_credit_plan(world.users["bank_a.branch_head"], year=2026, amount_fen=10**9,
                                      region_code="150200")
    product = _product(world, "bank_a_branch.loan_officer", credit_plan_id=plan.pk, regions=["150203"],
                       policy_profiles=[])
    assert product.credit_plan == plan


def _application(world: World, product: Any, status: str, amount: int | None, decided: date | None) -> Application:
    enterprise = make_enterprise(world.orgs["ent_pzh"])
    return Application.objects.create(
        number=f"T{next(_numbers):06d}", enterprise=enterprise, product=product, bank=product.bank,
        amount_fen=amount or 1, term_months=12, purpose="working_capital", repayment_method="bullet",
        status=status, status_since=decided or ON, decided_on=decided, approved_amount_fen=amount,
        created_by=world.users["bank_b.loan_officer"])


def test_utilisation_counts_approved_amounts_decided_in_the_year(world: World) -> None:
    user = world.users["bank_b.loan_officer"]
    plan = actions.create_credit_plan(user, year=2026, amount_fen=5_000_000_000, region_code="510400")
    other_plan = actions.create_credit_plan(user, year=2027, amount_fen=5_000_000_000, region_code="510400")
    product = _product(world, credit_plan_id=plan.pk)
    _application(world, product, "approved", 100_000_00, date(2026, 1, 1))
    _application(world, product, "disbursed", 200_000_00, date(2026, 12, 31))
    _application(world, product, "contract_signed", 50_000_00, date(2026, 6, 1))
    _application(world, product, "pledge_registered", 1_00, date(2026, 6, 2))
    _application(world, product, "rejected", None, date(2026, 6, 1))
    _application(world, product, "under_review", None, None)
    _application(world, product, "approved", 999_00, date(2027, 1, 1))  # next year's plan
    _application(world, product, "withdrawn", 777_00, date(2026, 5, 1))  # approved once, then withdrawn
    assert credit_plan_utilisation(plan) == 35_000_100
    annotated = {p.pk: p for p in with_utilisation(type(plan).objects.all())}
    assert annotated[plan.pk].utilised_fen == 35_000_100  # type: ignore[attr-defined]
    assert annotated[plan.pk].remaining_fen == 5_000_000_000 - 35_000_100  # type: ignore[attr-defined]
    assert annotated[other_plan.pk].utilised_fen == 0  # type: ignore[attr-defined]

"""Market actions: bank products (金融产品) and annual dedicated credit plans (专项信贷计划).

Each action runs in one transaction, locks the row it changes, checks the role and the reader's scope, applies
the transition table of :mod:`ipfin.market.choices` and writes an audit event with its clause:

- a product's caps are checked against every in-force policy profile it lists (PZA-2.1.2: loan-to-value ≤ 60 %;
  SC-6: term ≤ 120 months), its collateral kinds against the registry's kinds (XT-5, SC-7);
- a credit plan's amount is at least the ``credit_plan_min_fen`` of any in-force profile whose jurisdiction covers
  the plan's region (PZA-3.乙1: ≥ 0.5 亿元 a year).

``user`` may be ``None`` for the system (demo data, tests); then ``bank`` must be given.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from ipfin.accounts.audit import record_event, snapshot
from ipfin.accounts.choices import OrganisationKind, Role
from ipfin.accounts.models import Organisation, User
from ipfin.accounts.permissions import require_role
from ipfin.core.actions import lock, transition
from ipfin.core.dates import business_date
from ipfin.domain.errors import Conflict, InvalidInput, IpfinError, NotFound, PermissionDenied
from ipfin.domain.money import format_amount_cn
from ipfin.domain.regions import is_within, validate_region_code
from ipfin.domain.registry.assets import normalise_industry_code
from ipfin.market.choices import (
    PRODUCT_ALLOWED,
    DayCount,
    PaymentFrequency,
    ProductStatus,
    RepaymentMethod,
    RiskSharing,
)
from ipfin.market.models import CreditPlan, Product
from ipfin.policy.loader import load_profiles
from ipfin.policy.policyset import policy_set
from ipfin.registry.choices import AssetKind

# Bank roles that manage products and credit plans (a head office also manages its branches').
MANAGER_ROLES = (Role.LOAN_OFFICER, Role.BRANCH_HEAD)
EDITABLE_STATES = (ProductStatus.DRAFT, ProductStatus.ACTIVE)
_CODE = re.compile(r"^[-a-zA-Z0-9_]{1,40}$")
MAX_RATE = Decimal("100")  # % per year; a sanity bound on input, not a policy number

PRODUCT_FIELDS = [
    "code", "name", "description", "accepted_kinds", "combined_pledge_allowed", "max_loan_to_value", "rate_min",
    "rate_max", "min_term_months", "max_term_months", "amount_min_fen", "amount_max_fen", "repayment_methods",
    "payment_frequency", "day_count", "penalty_rate_uplift", "regions", "industries", "risk_sharing_options",
    "policy_profiles", "credit_plan_id",
]
REQUIRED_FIELDS = ["code", "name", "accepted_kinds", "max_loan_to_value", "rate_min", "rate_max", "max_term_months",
                   "amount_min_fen", "amount_max_fen", "repayment_methods", "regions"]


class ProductInvalid(InvalidInput):
    code = "product_invalid"
    message_template = _("The product is not valid: {field}: {reason}")


class AbovePolicyCap(InvalidInput):
    code = "above_policy_cap"
    message_template = _("{field} {value} is above the cap {cap} of policy profile {profile} ({clause}).")


class UnknownPolicyProfile(InvalidInput):
    code = "unknown_policy_profile"
    message_template = _("Unknown policy profile {name}.")


class CreditPlanNotOwn(InvalidInput):
    code = "credit_plan_not_own"
    message_template = _("The credit plan belongs to another bank; a product draws only on its own bank's plan.")


class CreditPlanInvalid(InvalidInput):
    code = "credit_plan_invalid"
    message_template = _("The credit plan is not valid: {field}: {reason}")


class CreditPlanBelowMinimum(InvalidInput):
    code = "credit_plan_below_minimum"
    message_template = _("The plan amount {amount} is below the minimum {minimum} of policy profile {profile} "
                         "({clause}).")


class DuplicateProductCode(Conflict):
    code = "duplicate_product_code"
    message_template = _("The bank already has a product with code {code}.")


class DuplicateCreditPlan(Conflict):
    code = "duplicate_credit_plan"
    message_template = _("The bank already has a credit plan for {year} in region {region}.")


class ProductNotEditable(Conflict):
    code = "product_not_editable"
    message_template = _("A withdrawn product cannot be edited; put it on offer again first.")


def _today() -> date:
    return business_date()


# ---------------------------------------------------------------------------------------------------------
# Who acts for which bank


def _acting_bank(user: User | None, bank: Organisation | None) -> Organisation:
    """The bank a new record belongs to: the user's own bank, or one of its branches for a head office."""
    if user is None:
        if bank is None or bank.kind != OrganisationKind.BANK:
            raise ProductInvalid(field="bank", reason="a bank is required")
        return bank
    require_role(user, *MANAGER_ROLES)
    own = user.organisation
    if own is None or own.kind != OrganisationKind.BANK:
        raise PermissionDenied()
    if bank is None or bank.pk == own.pk:
        return own
    if bank.kind == OrganisationKind.BANK and own.head_office_id is None and bank.head_office_id == own.pk:
        return bank
    raise PermissionDenied()


def _check_manages(user: User | None, bank_id: int) -> None:
    """Raise :class:`NotFound` unless ``user`` manages records of bank ``bank_id`` (own bank or, for a head
    office, a branch). Other users who may read the record get :class:`PermissionDenied`."""
    if user is None:
        return
    require_role(user, *MANAGER_ROLES)
    own = user.organisation
    if own is None or own.kind != OrganisationKind.BANK:
        raise PermissionDenied()
    if bank_id == own.pk:
        return
    if own.head_office_id is None and Organisation.objects.filter(pk=bank_id, head_office=own).exists():
        return
    raise NotFound()


# ---------------------------------------------------------------------------------------------------------
# Field cleaning (the same rules for create, update and activation)


def _decimal(field: str, value: Any, places: int = 4) -> Decimal:
    if isinstance(value, bool) or isinstance(value, float):
        raise ProductInvalid(field=field, reason="give a decimal number as text, not a float")
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ProductInvalid(field=field, reason=f"{value!r} is not a number") from None
    if not number.is_finite():
        raise ProductInvalid(field=field, reason="not a finite number")
    if number != number.quantize(Decimal(1).scaleb(-places)):
        raise ProductInvalid(field=field, reason=f"at most {places} decimal places")
    return number


def _int(field: str, value: Any, error: type[IpfinError] = ProductInvalid) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise error(field=field, reason="a whole number is required")
    return value


def _choice_list(field: str, value: Any, allowed: Iterable[str], *, required: bool) -> list[str]:
    if not isinstance(value, (list, tuple)):
        raise ProductInvalid(field=field, reason="a list is required")
    allowed_set = set(allowed)
    out: list[str] = []
    for item in value:
        if not isinstance(item, str) or item not in allowed_set:
            raise ProductInvalid(field=field, reason=f"{item!r} is not one of {', '.join(sorted(allowed_set))}")
        if item not in out:
            out.append(item)
    if required and not out:
        raise ProductInvalid(field=field, reason="choose at least one")
    return out


def _string_list(field: str, value: Any) -> list[str]:
    if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
        raise ProductInvalid(field=field, reason="a list of codes is required")
    return [v.strip() for v in value if v.strip()]


def clean_product(data: dict[str, Any], bank: Organisation, on: date) -> dict[str, Any]:
    """Validate a complete set of product fields for ``bank`` on business date ``on``; returns clean values.

    Caps from the listed policy profiles in force on ``on``: every profile stating ``max_loan_to_value``
    (PZA-2.1.2) and ``max_term_months`` (SC-6) must hold. A profile not in force (e.g. ``baotou-2021`` after
    2022) states nothing on that date, so its caps are honestly not applicable.
    """
    missing = [f for f in REQUIRED_FIELDS if data.get(f) in (None, "")]
    if missing:
        raise ProductInvalid(field=missing[0], reason="required")
    clean: dict[str, Any] = {}
    code = str(data["code"]).strip()
    if not _CODE.match(code):
        raise ProductInvalid(field="code", reason="1–40 letters, digits, '-' or '_'")
    clean["code"] = code
    name = str(data["name"]).strip()
    if not name or len(name) > 100:
        raise ProductInvalid(field="name", reason="1–100 characters")
    clean["name"] = name
    clean["description"] = str(data.get("description") or "").strip()

    # Collateral (XT-5, SC-7): the registry's asset kinds, single or combined pledge.
    clean["accepted_kinds"] = _choice_list("accepted_kinds", data["accepted_kinds"], AssetKind.values, required=True)
    combined = data.get("combined_pledge_allowed", True)
    if not isinstance(combined, bool):
        raise ProductInvalid(field="combined_pledge_allowed", reason="true or false")
    clean["combined_pledge_allowed"] = combined

    ltv = _decimal("max_loan_to_value", data["max_loan_to_value"])
    if not Decimal(0) < ltv <= Decimal(1):
        raise ProductInvalid(field="max_loan_to_value", reason="a share above 0 and at most 1 (0.60 = 60 %)")
    clean["max_loan_to_value"] = ltv

    rate_min, rate_max = _decimal("rate_min", data["rate_min"]), _decimal("rate_max", data["rate_max"])
    if not Decimal(0) < rate_min <= rate_max < MAX_RATE:
        raise ProductInvalid(field="rate_min", reason="0 < lowest rate ≤ highest rate < 100 (% per year)")
    clean["rate_min"], clean["rate_max"] = rate_min, rate_max

    min_term = _int("min_term_months", data.get("min_term_months", 1) or 1)
    max_term = _int("max_term_months", data["max_term_months"])
    if not 1 <= min_term <= max_term:
        raise ProductInvalid(field="min_term_months", reason="1 ≤ shortest term ≤ longest term (months)")
    clean["min_term_months"], clean["max_term_months"] = min_term, max_term

    amount_min, amount_max = _int("amount_min_fen", data["amount_min_fen"]), _int("amount_max_fen",
                                                                                    data["amount_max_fen"])
    if not 0 < amount_min <= amount_max:
        raise ProductInvalid(field="amount_min_fen", reason="0 < smallest amount ≤ largest amount (fen)")
    clean["amount_min_fen"], clean["amount_max_fen"] = amount_min, amount_max

    clean["repayment_methods"] = _choice_list("repayment_methods", data["repayment_methods"],
                                              RepaymentMethod.values, required=True)
    frequency = data.get("payment_frequency") or PaymentFrequency.MONTHLY
    if frequency not in PaymentFrequency.values:
        raise ProductInvalid(field="payment_frequency", reason=f"{frequency!r} is not a payment frequency")
    clean["payment_frequency"] = frequency
    day_count = data.get("day_count") or DayCount.ACT_360
    if day_count not in DayCount.values:
        raise ProductInvalid(field="day_count", reason=f"{day_count!r} is not a day count")
    clean["day_count"] = day_count
    uplift = _decimal("penalty_rate_uplift", data.get("penalty_rate_uplift", Decimal("0.50")))
    if not Decimal(0) <= uplift <= Decimal(1):
        raise ProductInvalid(field="penalty_rate_uplift", reason="a share from 0 to 1 (0.50 = +50 %)")
    clean["penalty_rate_uplift"] = uplift

    regions = _string_list("regions", data["regions"])
    if not regions:
        raise ProductInvalid(field="regions", reason="choose at least one region")
    clean["regions"] = list(dict.fromkeys(validate_region_code(r) for r in regions))
    clean["industries"] = list(dict.fromkeys(normalise_industry_code(c)
                                             for c in _string_list("industries", data.get("industries") or [])))
    clean["risk_sharing_options"] = _choice_list("risk_sharing_options", data.get("risk_sharing_options") or [],
                                                 RiskSharing.values, required=False)

    profiles = _string_list("policy_profiles", data.get("policy_profiles") or [])
    known = load_profiles()
    for name in profiles:
        if name not in known:
            raise UnknownPolicyProfile(name=name)
    clean["policy_profiles"] = list(dict.fromkeys(profiles))
    _check_caps(clean, on)

    plan_id = data.get("credit_plan_id")
    clean["credit_plan_id"] = None
    if plan_id not in (None, ""):
        plan = CreditPlan.objects.filter(pk=_int("credit_plan_id", plan_id)).select_related("bank").first()
        if plan is None:
            raise CreditPlanNotOwn()
        # The bank's own plan, or its head office's plan that the branch draws on.
        if plan.bank_id not in {bank.pk, bank.head_office_id}:
            raise CreditPlanNotOwn()
        clean["credit_plan_id"] = plan.pk
    return clean


def _check_caps(clean: dict[str, Any], on: date) -> None:
    profiles = policy_set(clean["policy_profiles"], on=on)
    for cap in profiles.find_all("max_loan_to_value"):  # PZA-2.1.2
        if clean["max_loan_to_value"] > cap.decimal:
            raise AbovePolicyCap(field="max_loan_to_value", value=clean["max_loan_to_value"], cap=cap.value,
                                 profile=cap.profile, clause=cap.clause)
    for cap in profiles.find_all("max_term_months"):  # SC-6
        if clean["max_term_months"] > int(cap.value):
            raise AbovePolicyCap(field="max_term_months", value=clean["max_term_months"], cap=cap.value,
                                 profile=cap.profile, clause=cap.clause)


def _product_state(product: Product) -> dict[str, Any]:
    return snapshot(product, [*PRODUCT_FIELDS, "status"])


# ---------------------------------------------------------------------------------------------------------
# Products


def create_product(user: User | None, *, bank: Organisation | None = None, today: date | None = None,
                   **fields: Any) -> Product:
    """A new product in draft for the user's bank (or, for a head office, one of its branches)."""
    unknown = set(fields) - set(PRODUCT_FIELDS)
    if unknown:
        raise ProductInvalid(field=sorted(unknown)[0], reason="unknown field")
    owner = _acting_bank(user, bank)
    clean = clean_product(fields, owner, today or _today())
    with transaction.atomic():
        if Product.objects.filter(bank=owner, code=clean["code"]).exists():
            raise DuplicateProductCode(code=clean["code"])
        product = Product.objects.create(bank=owner, status=ProductStatus.DRAFT, **clean)
        record_event(actor=user, action="market.product.create", obj=product, after=_product_state(product),
                     clause="PZA-2.1.2", organisation=owner)
    return product


def update_product(user: User | None, product_id: int, *, today: date | None = None, **fields: Any) -> Product:
    """Change a draft or active product; the whole product is checked again against its profiles."""
    unknown = set(fields) - set(PRODUCT_FIELDS)
    if unknown:
        raise ProductInvalid(field=sorted(unknown)[0], reason="unknown field")
    with transaction.atomic():
        product = lock(Product, product_id)
        _check_manages(user, product.bank_id)
        if product.status not in EDITABLE_STATES:
            raise ProductNotEditable()
        before = _product_state(product)
        merged = {f: getattr(product, f) for f in PRODUCT_FIELDS} | fields
        clean = clean_product(merged, product.bank, today or _today())
        if clean["code"] != product.code and Product.objects.filter(bank_id=product.bank_id,
                                                                    code=clean["code"]).exists():
            raise DuplicateProductCode(code=clean["code"])
        for name, value in clean.items():
            setattr(product, name, value)
        product.save()
        record_event(actor=user, action="market.product.update", obj=product, before=before,
                     after=_product_state(product), clause="PZA-2.1.2", organisation=product.bank)
    return product


def _move_product(user: User | None, product_id: int, target: str, today: date | None) -> Product:
    with transaction.atomic():
        product = lock(Product, product_id)
        _check_manages(user, product.bank_id)
        if target == ProductStatus.ACTIVE:
            # The caps may have changed since the draft was saved (a profile came into force): check again.
            clean_product({f: getattr(product, f) for f in PRODUCT_FIELDS}, product.bank, today or _today())
        previous = transition(product, "status", target, PRODUCT_ALLOWED)
        product.save(update_fields=["status", "updated_at"])
        verb = "activate" if target == ProductStatus.ACTIVE else "withdraw"
        record_event(actor=user, action=f"market.product.{verb}", obj=product, before={"status": previous}, after={"status": target}, clause="PZA-2.1.2",
                     organisation=product.bank)
    return product


def activate_product(user: User | None, product_id: int, *, today: date | None = None) -> Product:
    """Put a draft (or withdrawn) product on offer; it becomes visible to every signed-in user."""
    return _move_product(user, product_id, ProductStatus.ACTIVE, today)


def withdraw_product(user: User | None, product_id: int, *, today: date | None = None) -> Product:
    """Take a product off offer; applications already made keep it."""
    return _move_product(user, product_id, ProductStatus.WITHDRAWN, today)


# ---------------------------------------------------------------------------------------------------------
# Credit plans (PZA-3.乙1)


def plan_minimum(region_code: str, year: int) -> tuple[int, str, str] | None:
    """The highest ``credit_plan_min_fen`` among profiles in force at some time in ``year`` whose
    jurisdiction covers ``region_code``: ``(minimum_fen, profile, clause)``, or ``None`` where no such
    profile states one (then any positive amount is accepted)."""
    first, last = date(year, 1, 1), date(year, 12, 31)
    best: tuple[int, str, str] | None = None
    for profile in load_profiles().values():
        if not profile.has("credit_plan_min_fen") or not is_within(region_code, profile.jurisdiction):
            continue
        if profile.effective_from > last or (profile.effective_to is not None and profile.effective_to < first):
            continue
        minimum = int(profile.param("credit_plan_min_fen"))
        if best is None or minimum > best[0]:
            best = (minimum, profile.name, profile.clause_of("credit_plan_min_fen"))
    return best


def _clean_plan(year: Any, amount_fen: Any, region_code: Any) -> tuple[int, int, str]:
    year = _int("year", year, CreditPlanInvalid)
    if not 2000 <= year <= 2100:
        raise CreditPlanInvalid(field="year", reason="a calendar year")
    amount_fen = _int("amount_fen", amount_fen, CreditPlanInvalid)
    if amount_fen <= 0:
        raise CreditPlanInvalid(field="amount_fen", reason="a positive amount in fen")
    region = validate_region_code(str(region_code or ""))
    minimum = plan_minimum(region, year)
    if minimum is not None and amount_fen < minimum[0]:
        raise CreditPlanBelowMinimum(amount=format_amount_cn(amount_fen), minimum=format_amount_cn(minimum[0]),
                                     profile=minimum[1], clause=minimum[2], amount_fen=amount_fen,
                                     minimum_fen=minimum[0])
    return year, amount_fen, region


def create_credit_plan(user: User | None, *, year: int, amount_fen: int, region_code: str,
                       bank: Organisation | None = None) -> CreditPlan:
    """The bank's dedicated IP-pledge credit plan for ``year`` in ``region_code`` (PZA-3.乙1)."""
    owner = _acting_bank(user, bank)
    year, amount_fen, region = _clean_plan(year, amount_fen, region_code)
    with transaction.atomic():
        if CreditPlan.objects.filter(bank=owner, year=year, region_code=region).exists():
            raise DuplicateCreditPlan(year=year, region=region)
        plan = CreditPlan.objects.create(bank=owner, year=year, amount_fen=amount_fen, region_code=region)
        record_event(actor=user, action="market.credit_plan.create", obj=plan,
                     after={"year": year, "amount_fen": amount_fen, "region_code": region}, clause="PZA-3.乙1",
                     organisation=owner)
    return plan


def update_credit_plan(user: User | None, plan_id: int, *, amount_fen: int | None = None,
                       region_code: str | None = None) -> CreditPlan:
    """Change a plan's amount or region; the minimum of PZA-3.乙1 is checked again."""
    with transaction.atomic():
        plan = lock(CreditPlan, plan_id)
        _check_manages(user, plan.bank_id)
        before = {"amount_fen": plan.amount_fen, "region_code": plan.region_code}
        _, new_amount, new_region = _clean_plan(plan.year, plan.amount_fen if amount_fen is None else amount_fen,
                                                plan.region_code if region_code is None else region_code)
        if new_region != plan.region_code and CreditPlan.objects.filter(
                bank_id=plan.bank_id, year=plan.year, region_code=new_region).exclude(pk=plan.pk).exists():
            raise DuplicateCreditPlan(year=plan.year, region=new_region)
        plan.amount_fen, plan.region_code = new_amount, new_region
        plan.save(update_fields=["amount_fen", "region_code"])
        record_event(actor=user, action="market.credit_plan.update", obj=plan, before=before,
                     after={"amount_fen": new_amount, "region_code": new_region}, clause="PZA-3.乙1",
                     organisation=plan.bank)
    return plan


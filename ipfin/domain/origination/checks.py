"""The policy checks of a loan application (贷款申请), run on submission and again on approval.

Each check is a pure function whose docstring names its clause. It returns a :class:`CheckResult`: a stable
``code``, the ``clause``, an outcome (passed / failed / not applicable), whether a failure ``blocking`` the
move at that stage, and a translatable message template with its parameters. Policy numbers arrive as
:class:`Param` values taken from the policy profiles in force (never literals here); a parameter no profile in
force sets makes its check "not applicable", never a default.

Which checks block at which stage (:data:`BLOCKING_STAGES`):

* at submission and at approval: product offer, amount and term limits (SC-6), purpose (BT-5), fund
  eligibility, dishonest list and the bank's standing with the fund (BT-4, BT-18, BT-13b, only when coverage is
  requested), loan-to-value (PZA-2.1.2), collateral kinds, ownership, legal status, annual fees, encumbrances
  and the remaining term of every asset;
* at approval only: the valuation route (SC-3 — the bank may still order a third-party appraisal while it
  reviews), the rate against the product range and the fund cap (PZA-2.3.1b — the rate is the bank's decision)
  and the credit plan's room (PZA-3.乙1 — the room is used by approvals). On submission these run too when
  they can (a proposed rate, a plan on record) and are shown to the bank, without refusing the submission.

Pure Python: no Django imports.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from ipfin.domain.errors import InvalidInput, _
from ipfin.domain.rates import Tenor, applicable_tenor, cap_lpr_plus_spread, format_pct
from ipfin.domain.regions import is_within
from ipfin.domain.registry.terms import add_months, add_years
from ipfin.domain.valuation.route import ValuationSource, required_route, source_satisfies_route


class Stage(enum.StrEnum):
    SUBMIT = "submit"
    APPROVE = "approve"


class Outcome(enum.StrEnum):
    PASSED = "passed"
    FAILED = "failed"
    NOT_APPLICABLE = "not_applicable"


BOTH = frozenset({Stage.SUBMIT, Stage.APPROVE})
APPROVAL_ONLY = frozenset({Stage.APPROVE})

# Stages at which a failure of each check refuses the move (module docstring says why).
BLOCKING_STAGES: dict[str, frozenset[Stage]] = {
    "product_offer": BOTH,
    "amount_limits": BOTH,
    "term_limit": BOTH,
    "purpose_allowed": BOTH,
    "fund_eligibility": BOTH,
    "not_dishonest": BOTH,
    "fund_standing": BOTH,
    "loan_to_value": BOTH,
    "collateral_kinds": BOTH,
    "asset_ownership": BOTH,
    "asset_in_force": BOTH,
    "asset_fees_paid": BOTH,
    "asset_unencumbered": BOTH,
    "asset_term_covers_loan": BOTH,
    "valuation_route": APPROVAL_ONLY,
    "rate_in_product_range": APPROVAL_ONLY,
    "rate_cap": APPROVAL_ONLY,
    "credit_plan_room": APPROVAL_ONLY,
}

# Annual-fee positions (ipfin.domain.registry.annual_fee.FeePosition.state) that count as paid: nothing is late.
FEES_PAID_STATES = frozenset({"paid", "due", "term_over"})
IN_FORCE = "in_force"
# Cooperation states in which the fund still covers every loan of the bank (BT-13).
COOPERATING_STATES = frozenset({"admitted", "warned"})
SUSPENDED = "suspended"


# ---------------------------------------------------------------------------------------------------------
# Inputs


@dataclass(frozen=True)
class Param:
    """One policy parameter with the clause that sets it and the profile it came from."""

    value: Any
    clause: str
    profile: str = ""

    @property
    def decimal(self) -> Decimal:
        return Decimal(str(self.value))


@dataclass(frozen=True)
class ProductTerms:
    """A bank product's own limits (PZA-2.1.2, SC-6, SC-7)."""

    active: bool
    accepted_kinds: tuple[str, ...]
    combined_pledge_allowed: bool
    max_loan_to_value: Decimal
    rate_min: Decimal
    rate_max: Decimal
    min_term_months: int
    max_term_months: int
    amount_min_fen: int
    amount_max_fen: int
    repayment_methods: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    industries: tuple[str, ...] = ()  # GB/T 4754 prefixes; empty = every industry
    period_months: int = 1  # the product's repayment period (monthly 1, quarterly 3): the term is whole periods


@dataclass(frozen=True)
class PolicyParams:
    """The parameters of the profiles in force for this application (product's, then the fund's)."""

    allowed_purposes: Param | None = None
    prohibited_purposes: Param | None = None
    max_loan_to_value: tuple[Param, ...] = ()  # every in-force cap; all must hold
    max_term_months: tuple[Param, ...] = ()
    internal_valuation_threshold_fen: Param | None = None
    internal_valuation_threshold_inclusive: Param | None = None
    rate_cap_spread_bp: Param | None = None


@dataclass(frozen=True)
class FundRules:
    """The requested fund and its profile's eligibility parameters (BT-4); ``in_force`` False when the fund's
    profile is not in force on the business date."""

    name: str
    region_code: str
    profile: str
    in_force: bool
    min_registered_years: Param | None = None
    credit_clean_years: Param | None = None
    eligible_collateral_kinds: Param | None = None


@dataclass(frozen=True)
class EnterpriseFacts:
    region_code: str
    industry_code: str
    established_on: date
    is_independent_legal_person: bool
    bad_credit_dates: tuple[date, ...] = ()
    on_dishonest_list: bool = False


@dataclass(frozen=True)
class AssetFacts:
    """One asset of the bundle as the registry and valuation records show it on the business date."""

    asset_id: int
    number: str
    kind: str
    legal_status: str
    owned_by_applicant: bool = True
    co_owned: bool = False
    pledged: bool = False
    frozen: bool = False
    in_other_open_application: bool = False
    fee_state: str | None = None  # FeePosition.state of a granted patent; None where no annual fee applies
    term_end: date | None = None
    value_fen: int | None = None
    valuation_source: str | None = None
    valuation_as_of: date | None = None


@dataclass(frozen=True)
class FundStanding:
    """The bank's standing with the requested fund (BT-13b) and since when the enterprise is its customer."""

    status: str | None  # CooperationStatus value; None: the bank does not cooperate with the fund
    status_since: date | None
    customer_since: date | None  # None: not yet the bank's customer


@dataclass(frozen=True)
class PlanRoom:
    """The bank's dedicated credit plan of the year (PZA-3.乙1) and what approvals already used of it."""

    year: int
    plan_amount_fen: int
    approved_fen: int

    @property
    def room_fen(self) -> int:
        return self.plan_amount_fen - self.approved_fen


@dataclass(frozen=True)
class LoanRequest:
    amount_fen: int
    term_months: int
    purpose: str
    repayment_method: str
    co_owner_consent: bool = False
    annual_rate: Decimal | None = None
    start_on: date | None = None  # expected start; the business date when not known


@dataclass(frozen=True)
class LprInForce:
    fixing_date: date
    tenor: Tenor
    rate: Decimal


@dataclass(frozen=True)
class CheckInput:
    stage: Stage
    today: date
    request: LoanRequest
    product: ProductTerms
    policy: PolicyParams
    enterprise: EnterpriseFacts
    assets: tuple[AssetFacts, ...]
    fund: FundRules | None = None  # None: no fund coverage requested
    standing: FundStanding | None = None
    plan: PlanRoom | None = None
    lpr: LprInForce | None = None


# ---------------------------------------------------------------------------------------------------------
# Result


@dataclass(frozen=True)
class CheckResult:
    code: str
    clause: str
    outcome: Outcome
    blocking: bool
    message_template: str
    params: Mapping[str, Any] = field(default_factory=dict)

    @property
    def failed(self) -> bool:
        return self.outcome is Outcome.FAILED

    @property
    def blocks(self) -> bool:
        """A failure that refuses the move at this stage."""
        return self.failed and self.blocking

    @property
    def message(self) -> str:
        return render(self.message_template, self.params)

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "clause": self.clause, "outcome": self.outcome.value, "blocking": self.blocking,
                "message": self.message, "template": self.message_template,
                "params": {k: _plain(v) for k, v in self.params.items()}}


def render(template: str, params: Mapping[str, Any]) -> str:
    try:
        return template.format(**params)
    except (KeyError, IndexError, ValueError):
        return template


def _plain(value: Any) -> Any:
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if value is None or isinstance(value, (bool, int, str)):
        return value
    return str(value)


def _result(code: str, clause: str, outcome: Outcome, stage: Stage, template: str, **params: Any) -> CheckResult:
    blocking = stage in BLOCKING_STAGES.get(code, BOTH)
    return CheckResult(code, clause, outcome, blocking, template, params)


def _passed(code: str, clause: str, stage: Stage, template: str, **params: Any) -> CheckResult:
    return _result(code, clause, Outcome.PASSED, stage, template, **params)


def _failed(code: str, clause: str, stage: Stage, template: str, **params: Any) -> CheckResult:
    return _result(code, clause, Outcome.FAILED, stage, template, **params)


def _not_applicable(code: str, clause: str, stage: Stage, template: str, **params: Any) -> CheckResult:
    return _result(code, clause, Outcome.NOT_APPLICABLE, stage, template, **params)


def _numbers(assets: Sequence[AssetFacts]) -> str:
    return ", ".join(a.number for a in assets)


def _yuan(amount_fen: int | Decimal) -> str:
    value = Decimal(amount_fen) / 100
    return f"{value:,.2f}"


def loan_maturity(start_on: date, term_months: int) -> date:
    """The maturity date of a loan of ``term_months`` starting on ``start_on`` (same day of the month,
    clipped to the month's end)."""
    return add_months(start_on, term_months)


# ---------------------------------------------------------------------------------------------------------
# Product


def check_product_offer(stage: Stage, product: ProductTerms, enterprise: EnterpriseFacts,
                        repayment_method: str) -> CheckResult:
    """SC-6 (products on offer): the product is on offer, serves the enterprise's region and industry and
    offers the repayment method."""
    code, clause = "product_offer", "SC-6"
    if not product.active:
        return _failed(code, clause, stage, _("The product is not on offer."))
    if product.regions and not any(is_within(enterprise.region_code, r) for r in product.regions):
        return _failed(code, clause, stage, _("The product does not serve region {region}."),
                       region=enterprise.region_code)
    if product.industries and not any(enterprise.industry_code.startswith(p) for p in product.industries):
        return _failed(code, clause, stage, _("The product does not serve industry {industry}."),
                       industry=enterprise.industry_code or "—")
    if product.repayment_methods and repayment_method not in product.repayment_methods:
        return _failed(code, clause, stage, _("The product does not offer the repayment method {method}."),
                       method=repayment_method)
    return _passed(code, clause, stage, _("The product is on offer for this enterprise."))


def check_amount_limits(stage: Stage, product: ProductTerms, amount_fen: int) -> CheckResult:
    """SC-6 (product terms): the product's smallest ≤ amount ≤ largest amount (both inclusive)."""
    code, clause = "amount_limits", "SC-6"
    params = {"amount": _yuan(amount_fen), "minimum": _yuan(product.amount_min_fen),
              "maximum": _yuan(product.amount_max_fen)}
    if product.amount_min_fen <= amount_fen <= product.amount_max_fen:
        return _passed(code, clause, stage, _("Amount {amount} yuan is within {minimum}–{maximum} yuan."), **params)
    return _failed(code, clause, stage, _("Amount {amount} yuan is outside the product's {minimum}–{maximum} yuan."),
                   **params)


def check_term_limit(stage: Stage, product: ProductTerms, policy: PolicyParams, term_months: int) -> CheckResult:
    """SC-6: the term is at least the product's shortest and at most the product's longest term and every
    profile's ``max_term_months`` (10 years in sichuan-2025)."""
    code = "term_limit"
    caps = [(product.max_term_months, "SC-6")] + [(int(p.value), p.clause) for p in policy.max_term_months]
    cap, clause = min(caps, key=lambda c: c[0])
    params = {"term": term_months, "minimum": product.min_term_months, "maximum": cap}
    if term_months < product.min_term_months or term_months > cap:
        return _failed(code, clause, stage, _("A term of {term} months is outside {minimum}–{maximum} months."),
                       **params)
    if term_months % product.period_months:
        # A schedule needs whole repayment periods; caught here rather than at disbursement.
        return _failed(code, clause, stage, _("A term of {term} months is not a whole number of {period}-month "
                                              "repayment periods."), term=term_months, period=product.period_months)
    return _passed(code, clause, stage, _("A term of {term} months is within {minimum}–{maximum} months."), **params)


# ---------------------------------------------------------------------------------------------------------
# Purpose and the fund


def check_purpose(stage: Stage, policy: PolicyParams, purpose: str) -> CheckResult:
    """BT-5: the loan serves an allowed use and never a prohibited one (equity investment, securities, funds,
    futures, uses the regulator forbids)."""
    code = "purpose_allowed"
    allowed, prohibited = policy.allowed_purposes, policy.prohibited_purposes
    if allowed is None and prohibited is None:
        return _not_applicable(code, "BT-5", stage, _("No policy in force restricts the loan purpose."))
    if prohibited is not None and purpose in prohibited.value:
        return _failed(code, prohibited.clause, stage, _("The purpose {purpose} is prohibited."), purpose=purpose)
    if allowed is not None and purpose not in allowed.value:
        return _failed(code, allowed.clause, stage, _("The purpose {purpose} is not an allowed use."),
                       purpose=purpose)
    clause = (allowed or prohibited).clause  # type: ignore[union-attr]
    return _passed(code, clause, stage, _("The purpose {purpose} is an allowed use."), purpose=purpose)


def check_fund_eligibility(stage: Stage, fund: FundRules | None, enterprise: EnterpriseFacts,
                           assets: Sequence[AssetFacts], today: date) -> CheckResult:
    """BT-4: for fund coverage the enterprise is an independent legal person registered in the fund's region
    for at least ``min_registered_years`` (inclusive: 一年以上（含一年）), with no bad credit record in the
    ``credit_clean_years`` before the business date (or since founding when younger), pledging kinds the fund
    accepts. A bad record exactly N years before the business date is outside the window."""
    code, clause = "fund_eligibility", "BT-4"
    if fund is None:
        return _not_applicable(code, clause, stage, _("No fund coverage is requested."))
    if not fund.in_force:
        return _failed(code, clause, stage,
                       _("The rules of fund {fund} (profile {profile}) are not in force on {date}; "
                         "it cannot cover this loan."), fund=fund.name, profile=fund.profile, date=today.isoformat())
    if not enterprise.is_independent_legal_person:
        return _failed(code, "BT-4", stage, _("Fund coverage needs an independent legal person."))
    if not is_within(enterprise.region_code, fund.region_code):
        return _failed(code, "BT-4a", stage, _("The enterprise is not registered in the fund's region {region}."),
                       region=fund.region_code)
    if fund.min_registered_years is not None:
        years = int(fund.min_registered_years.value)
        if add_years(enterprise.established_on, years) > today:
            return _failed(code, fund.min_registered_years.clause, stage,
                           _("Registered on {established}: less than {years} year(s) before {date}."),
                           established=enterprise.established_on.isoformat(), years=years, date=today.isoformat())
    if fund.credit_clean_years is not None:
        years = int(fund.credit_clean_years.value)
        # The N years before the business date: (today − N years, today]; a younger enterprise's records all
        # lie after its founding, so "since founding" needs no separate test.
        window_start = add_years(today, -years)
        bad = sorted(d for d in enterprise.bad_credit_dates if window_start < d <= today)
        if bad:
            return _failed(code, fund.credit_clean_years.clause, stage,
                           _("A bad credit record of {record} lies within the last {years} year(s)."),
                           record=bad[-1].isoformat(), years=years)
    if fund.eligible_collateral_kinds is not None:
        wrong = sorted({a.kind for a in assets if a.kind not in fund.eligible_collateral_kinds.value})
        if wrong:
            return _failed(code, fund.eligible_collateral_kinds.clause, stage,
                           _("The fund does not cover pledges of {kinds}."), kinds=", ".join(wrong))
    return _passed(code, clause, stage, _("Eligible for coverage by fund {fund}."), fund=fund.name)


def check_not_dishonest(stage: Stage, fund: FundRules | None, enterprise: EnterpriseFacts) -> CheckResult:
    """BT-18: an enterprise on the dishonest list (失信名单) is disqualified from fund coverage."""
    code, clause = "not_dishonest", "BT-18"
    if fund is None:
        return _not_applicable(code, clause, stage, _("No fund coverage is requested."))
    if enterprise.on_dishonest_list:
        return _failed(code, clause, stage, _("The enterprise is on the dishonest list."))
    return _passed(code, clause, stage, _("The enterprise is not on the dishonest list."))


def customer_is_new(standing: FundStanding) -> bool:
    """BT-13b: a customer is new when it became the bank's customer on or after the latest notice (or is not
    a customer yet)."""
    return standing.customer_since is None or (standing.status_since is not None
                                               and standing.customer_since >= standing.status_since)


def fund_covers_bank_customer(standing: FundStanding | None) -> bool:
    """BT-13b: whether the fund covers a loan of this bank to this customer: the bank cooperates (admitted or
    warned), or it is suspended and the enterprise was its customer before the suspension notice."""
    if standing is None or standing.status is None:
        return False
    if standing.status in COOPERATING_STATES:
        return True
    return standing.status == SUSPENDED and not customer_is_new(standing)


def check_fund_standing(stage: Stage, fund: FundRules | None, standing: FundStanding | None) -> CheckResult:
    """BT-13b: after a suspension notice the fund does not cover the bank's new customers (those who became
    its customers on or after the notice date); a removed bank (BT-22) or one not cooperating is not covered."""
    code, clause = "fund_standing", "BT-13b"
    if fund is None:
        return _not_applicable(code, clause, stage, _("No fund coverage is requested."))
    if standing is None or standing.status is None:
        return _failed(code, clause, stage, _("The bank does not cooperate with fund {fund}."), fund=fund.name)
    if fund_covers_bank_customer(standing):
        return _passed(code, clause, stage, _("Fund {fund} covers this bank's loans to this enterprise."),
                       fund=fund.name)
    if standing.status == SUSPENDED:
        return _failed(code, clause, stage,
                       _("Fund {fund} suspended the bank on {since}: new customers are not covered."),
                       fund=fund.name, since=standing.status_since.isoformat() if standing.status_since else "—")
    return _failed(code, clause, stage, _("The bank's cooperation with fund {fund} is {status}."),
                   fund=fund.name, status=standing.status)


# ---------------------------------------------------------------------------------------------------------
# Collateral


def bundle_value_fen(assets: Sequence[AssetFacts]) -> int | None:
    """The current value of the whole bundle, or None when an asset has no valuation."""
    if not assets or any(a.value_fen is None for a in assets):
        return None
    return sum(a.value_fen for a in assets if a.value_fen is not None)


def loan_to_value_cap(product: ProductTerms, policy: PolicyParams) -> tuple[Decimal, str]:
    """min(product cap, every in-force profile's ``max_loan_to_value``) and the clause of the binding cap."""
    caps = [(product.max_loan_to_value, "PZA-2.1.2")] + [(p.decimal, p.clause) for p in policy.max_loan_to_value]
    return min(caps, key=lambda c: c[0])


def check_loan_to_value(stage: Stage, product: ProductTerms, policy: PolicyParams, assets: Sequence[AssetFacts],
                        amount_fen: int) -> CheckResult:
    """PZA-2.1.2: amount ÷ current value of the whole bundle ≤ min(product cap, profile ``max_loan_to_value``);
    compared exactly (amount ≤ cap × value, no rounding), so the cap itself passes and one fen more fails.
    Every asset needs a current valuation."""
    code = "loan_to_value"
    cap, clause = loan_to_value_cap(product, policy)
    missing = [a for a in assets if a.value_fen is None]
    if missing or not assets:
        return _failed(code, clause, stage, _("No current valuation for {assets}."),
                       assets=_numbers(missing) or "—")
    value = bundle_value_fen(assets) or 0
    limit = cap * Decimal(value)
    params = {"amount": _yuan(amount_fen), "value": _yuan(value), "cap": f"{cap * 100:.2f}",
              "limit": _yuan(limit.quantize(Decimal("1")))}
    if Decimal(amount_fen) <= limit:
        return _passed(code, clause, stage,
                       _("{amount} yuan ≤ the bundle's value {value} yuan × {cap}% = {limit} yuan."),
                       **params)
    return _failed(code, clause, stage,
                   _("{amount} yuan exceeds the bundle's value {value} yuan × {cap}% = {limit} yuan."),
                   **params)


def check_valuation_route(stage: Stage, policy: PolicyParams, assets: Sequence[AssetFacts],
                          amount_fen: int) -> CheckResult:
    """SC-3: below the profile's ``internal_valuation_threshold_fen`` an internal or negotiated value is enough;
    at or above it every asset needs a third-party appraisal (``internal_valuation_threshold_inclusive`` moves
    the threshold itself to the internal route)."""
    code = "valuation_route"
    threshold = policy.internal_valuation_threshold_fen
    if threshold is None:
        return _not_applicable(code, "SC-3", stage, _("No policy in force sets a valuation route."))
    inclusive = bool(policy.internal_valuation_threshold_inclusive.value) \
        if policy.internal_valuation_threshold_inclusive is not None else False
    route = required_route(amount_fen, int(threshold.value), inclusive=inclusive)
    wrong = [a for a in assets
             if a.valuation_source is None or a.valuation_source not in {s.value for s in ValuationSource}
             or not source_satisfies_route(a.valuation_source, route)]
    params = {"route": route.value, "threshold": _yuan(int(threshold.value))}
    if wrong:
        return _failed(code, threshold.clause, stage,
                       _("Route {route} (threshold {threshold} yuan) is not met by the valuation of {assets}."),
                       assets=_numbers(wrong), **params)
    return _passed(code, threshold.clause, stage, _("Every valuation meets route {route} (threshold {threshold} yuan)."),
                   **params)


def check_collateral_kinds(stage: Stage, product: ProductTerms, assets: Sequence[AssetFacts]) -> CheckResult:
    """PZA-2.1.2, XT-5, SC-7: the product accepts every asset's kind; a bundle of several assets needs a product
    that allows combined pledges."""
    code, clause = "collateral_kinds", "PZA-2.1.2"
    if not assets:
        return _failed(code, clause, stage, _("The bundle has no IP asset."))
    wrong = sorted({a.kind for a in assets if a.kind not in product.accepted_kinds})
    if wrong:
        return _failed(code, clause, stage, _("The product does not accept {kinds}."), kinds=", ".join(wrong))
    if len(assets) > 1 and not product.combined_pledge_allowed:
        return _failed(code, clause, stage, _("The product does not allow a combined pledge of {count} assets."),
                       count=len(assets))
    return _passed(code, clause, stage, _("The product accepts the {count} asset(s) of the bundle."),
                   count=len(assets))


def check_asset_ownership(stage: Stage, assets: Sequence[AssetFacts], co_owner_consent: bool) -> CheckResult:
    """PZA-2.1.2 (collateral of the borrower): every asset is owned by the applicant; a co-owned asset needs
    the co-owners' consent."""
    code, clause = "asset_ownership", "PZA-2.1.2"
    foreign = [a for a in assets if not a.owned_by_applicant]
    if foreign:
        return _failed(code, clause, stage, _("Not owned by the applicant: {assets}."), assets=_numbers(foreign))
    shared = [a for a in assets if a.co_owned]
    if shared and not co_owner_consent:
        return _failed(code, clause, stage, _("Co-owned without the co-owners' consent: {assets}."),
                       assets=_numbers(shared))
    return _passed(code, clause, stage, _("Every asset is owned by the applicant."))


def check_asset_in_force(stage: Stage, assets: Sequence[AssetFacts]) -> CheckResult:
    """PZA-2.2.2 (legal status): every asset is in force (granted or registered, not lapsed, invalidated or
    expired)."""
    code, clause = "asset_in_force", "PZA-2.2.2"
    wrong = [a for a in assets if a.legal_status != IN_FORCE]
    if wrong:
        return _failed(code, clause, stage, _("Not in force: {assets}."), assets=_numbers(wrong))
    return _passed(code, clause, stage, _("Every asset is in force."))


def check_asset_fees_paid(stage: Stage, assets: Sequence[AssetFacts]) -> CheckResult:
    """SC-11 / PZA-2.2.2: the annual fees of every patent are paid — none is in its grace period or lapsed for
    unpaid fees (a fee due on the business date itself is not late yet)."""
    code, clause = "asset_fees_paid", "SC-11"
    wrong = [a for a in assets if a.fee_state is not None and a.fee_state not in FEES_PAID_STATES]
    if wrong:
        return _failed(code, clause, stage, _("Annual fees are late for {assets}."), assets=_numbers(wrong))
    return _passed(code, clause, stage, _("No annual fee is late."))


def check_asset_unencumbered(stage: Stage, assets: Sequence[AssetFacts]) -> CheckResult:
    """PZA-2.2.2, SC-13: no asset is already pledged, frozen, or offered in another open application."""
    code, clause = "asset_unencumbered", "PZA-2.2.2"
    pledged = [a for a in assets if a.pledged]
    if pledged:
        return _failed(code, clause, stage, _("Already pledged: {assets}."), assets=_numbers(pledged))
    frozen = [a for a in assets if a.frozen]
    if frozen:
        return _failed(code, clause, stage, _("Frozen: {assets}."), assets=_numbers(frozen))
    offered = [a for a in assets if a.in_other_open_application]
    if offered:
        return _failed(code, clause, stage, _("Offered in another open application: {assets}."),
                       assets=_numbers(offered))
    return _passed(code, clause, stage, _("No asset is pledged, frozen or offered elsewhere."))


def check_asset_term_covers_loan(stage: Stage, assets: Sequence[AssetFacts], start_on: date,
                                 term_months: int) -> CheckResult:
    """SC-6 (term) with the registry's refusal ground "loan term beyond the IP term": every asset with a term
    end stays in force at least until the loan's maturity (term end ≥ maturity)."""
    code, clause = "asset_term_covers_loan", "SC-6"
    maturity = loan_maturity(start_on, term_months)
    short = [a for a in assets if a.term_end is not None and a.term_end < maturity]
    if short:
        return _failed(code, clause, stage, _("The term of {assets} ends before the loan matures on {maturity}."),
                       assets=_numbers(short), maturity=maturity.isoformat())
    return _passed(code, clause, stage, _("Every asset stays in force past the maturity {maturity}."),
                   maturity=maturity.isoformat())


# ---------------------------------------------------------------------------------------------------------
# Rate and plan


def check_rate_in_product_range(stage: Stage, product: ProductTerms, annual_rate: Decimal | None) -> CheckResult:
    """SC-6 (product terms): the annual rate lies within the product's rate range (both ends inclusive)."""
    code, clause = "rate_in_product_range", "SC-6"
    if annual_rate is None:
        return _not_applicable(code, clause, stage, _("No rate is set yet."))
    params = {"rate": format_pct(annual_rate), "minimum": format_pct(product.rate_min),
              "maximum": format_pct(product.rate_max)}
    if product.rate_min <= annual_rate <= product.rate_max:
        return _passed(code, clause, stage, _("{rate}%/yr is within {minimum}–{maximum}%/yr."), **params)
    return _failed(code, clause, stage, _("{rate}%/yr is outside the product's {minimum}–{maximum}%/yr."), **params)


def check_rate_cap(stage: Stage, policy: PolicyParams, fund: FundRules | None, annual_rate: Decimal | None,
                   lpr: LprInForce | None) -> CheckResult:
    """PZA-2.3.1b: a loan inside the fund's compensation scope bears at most LPR + ``rate_cap_spread_bp``
    (140 bp), the LPR of the loan's tenor (1-year up to 5 years, 5-year above) in force on the contract date.
    The cap itself passes; one basis point more fails."""
    code = "rate_cap"
    spread = policy.rate_cap_spread_bp
    if fund is None:
        return _not_applicable(code, "PZA-2.3.1b", stage, _("No fund coverage is requested."))
    if spread is None:
        return _not_applicable(code, "PZA-2.3.1b", stage, _("No policy in force caps the rate of covered loans."))
    if annual_rate is None:
        return _not_applicable(code, spread.clause, stage, _("No rate is set yet."))
    if lpr is None:
        return _failed(code, spread.clause, stage, _("No LPR fixing is in force to check the rate cap."))
    cap = cap_lpr_plus_spread(lpr.rate, int(spread.value))
    params = {"rate": format_pct(annual_rate), "cap": format_pct(cap), "lpr": format_pct(lpr.rate),
              "tenor": lpr.tenor.value, "spread": int(spread.value), "fixing": lpr.fixing_date.isoformat()}
    if annual_rate <= cap:
        return _passed(code, spread.clause, stage,
                       _("{rate}%/yr ≤ the cap {cap}%/yr (LPR {tenor} of {fixing}: {lpr}%/yr + {spread} bp)."), **params)
    return _failed(code, spread.clause, stage,
                   _("{rate}%/yr exceeds the cap {cap}%/yr (LPR {tenor} of {fixing}: {lpr}%/yr + {spread} bp)."), **params)


def check_credit_plan_room(stage: Stage, plan: PlanRoom | None, amount_fen: int) -> CheckResult:
    """PZA-3.乙1: the bank's dedicated credit plan of the year has room: plan − approved this year ≥ amount."""
    code, clause = "credit_plan_room", "PZA-3.乙1"
    if plan is None:
        return _not_applicable(code, clause, stage, _("No credit plan is on record for this year."))
    params = {"amount": _yuan(amount_fen), "room": _yuan(plan.room_fen), "year": plan.year}
    if amount_fen <= plan.room_fen:
        return _passed(code, clause, stage, _("The {year} credit plan has {room} yuan left for {amount} yuan."),
                       **params)
    return _failed(code, clause, stage, _("The {year} credit plan has only {room} yuan left for {amount} yuan."),
                   **params)


# ---------------------------------------------------------------------------------------------------------
# All of them


def lpr_for(term_months: int, fixing_date: date, lpr_1y: Decimal, lpr_5y: Decimal) -> LprInForce:
    """The LPR a loan of ``term_months`` references under a fixing (1-year up to 60 months, else 5-year)."""
    tenor = applicable_tenor(term_months)
    return LprInForce(fixing_date, tenor, lpr_1y if tenor is Tenor.ONE_YEAR else lpr_5y)


def run_checks(inp: CheckInput) -> list[CheckResult]:
    """Every check of an application at ``inp.stage``, in the order the approver reads them."""
    s, req, assets = inp.stage, inp.request, inp.assets
    start_on = req.start_on or inp.today
    return [
        check_product_offer(s, inp.product, inp.enterprise, req.repayment_method),
        check_amount_limits(s, inp.product, req.amount_fen),
        check_term_limit(s, inp.product, inp.policy, req.term_months),
        check_purpose(s, inp.policy, req.purpose),
        check_fund_eligibility(s, inp.fund, inp.enterprise, assets, inp.today),
        check_not_dishonest(s, inp.fund, inp.enterprise),
        check_fund_standing(s, inp.fund, inp.standing),
        check_collateral_kinds(s, inp.product, assets),
        check_asset_ownership(s, assets, req.co_owner_consent),
        check_asset_in_force(s, assets),
        check_asset_fees_paid(s, assets),
        check_asset_unencumbered(s, assets),
        check_asset_term_covers_loan(s, assets, start_on, req.term_months),
        check_loan_to_value(s, inp.product, inp.policy, assets, req.amount_fen),
        check_valuation_route(s, inp.policy, assets, req.amount_fen),
        check_rate_in_product_range(s, inp.product, req.annual_rate),
        check_rate_cap(s, inp.policy, inp.fund, req.annual_rate, inp.lpr),
        check_credit_plan_room(s, inp.plan, req.amount_fen),
    ]


def blocking_failures(results: Sequence[CheckResult]) -> list[CheckResult]:
    return [r for r in results if r.blocks]


def risk_shares(*, fund_ratio: Decimal | None, guarantor_ratio: Decimal | None = None,
                insurer_ratio: Decimal | None = None) -> dict[str, Decimal]:
    """PZP-3.4.2, PZA-2.3.1a, BT-12a: shares of a principal loss; the bank keeps the rest, and they sum to 1.

    ``fund_ratio`` is the fund profile's ``compensation_ratio`` when coverage is granted; guarantor and insurer
    ratios are those agreed with them. A sum above 1 is refused.
    """
    shares: dict[str, Decimal] = {}
    for name, ratio in (("fund", fund_ratio), ("guarantor", guarantor_ratio), ("insurer", insurer_ratio)):
        if ratio is not None and ratio > 0:
            shares[name] = ratio
    taken = sum(shares.values(), Decimal(0))
    if taken > 1:
        raise InvalidInput(reason=f"risk shares sum to {taken}, above 1")
    return {"bank": Decimal(1) - taken, **shares}

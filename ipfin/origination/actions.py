"""Origination actions: one function per move of an application (贷款申请) and its contract (借款合同).

Each action runs in one transaction, locks the application row, checks the role, the scope and the
transition table (:data:`~ipfin.origination.choices.APPLICATION_ALLOWED`), writes an audit event with the
clause and notifies every party after commit. The policy checks themselves are pure functions in
:mod:`ipfin.domain.origination.checks`; this module gathers their facts from the database.

Decision clock (PZA-2.2.1b): ``complete_on`` is the day the clock last (re)started — when the bank marked the
application complete, or when the applicant resubmitted after a return — and ``sla_working_days_used`` the
working days spent before the latest return. The due date is ``approval_sla_working_days`` (from the product's
in-force profiles) minus the days used, counted from ``complete_on`` on the working-day calendar; no profile
setting it means no clock; a calendar year not yet published leaves ``decision_due_on`` empty
(state "calendar not published") until it is.

Risk shares (PZP-3.4.2): the fund takes its profile's ``compensation_ratio`` (PZA-2.3.1a, BT-12a) when coverage
is approved; a named guarantor or insurer takes the share the approver records (``guarantor_share`` /
``insurer_share``, no policy number exists for them); the bank keeps the rest, so the shares sum to 1.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Max
from django.utils import translation
from django.utils.text import format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ipfin.accounts.audit import record_event
from ipfin.accounts.choices import OrganisationKind, Role
from ipfin.accounts.models import Organisation, User
from ipfin.accounts.permissions import require_role
from ipfin.calendar.services import lpr_on, working_calendar
from ipfin.core.actions import lock, transition
from ipfin.core.dates import business_date
from ipfin.core.idempotency import run_idempotent
from ipfin.core.numbering import next_number
from ipfin.core.scoping import get_visible
from ipfin.domain.calendar import CalendarNotPublished
from ipfin.domain.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from ipfin.domain.origination import checks as rules
from ipfin.domain.rates import LprNotAvailable, applicable_tenor
from ipfin.domain.registry.annual_fee import fee_position
from ipfin.domain.schedule import Frequency
from ipfin.domain.sla import due_date_or_none, working_days_used
from ipfin.fund.models import Cooperation, Fund
from ipfin.market.choices import LoanPurpose, ProductStatus, RepaymentMethod
from ipfin.market.models import CreditPlan, Product
from ipfin.origination.choices import (
    APPLICATION_ALLOWED,
    CONTRACT_ALLOWED,
    DECISION_CLOCK_STATES,
    OPEN_STATES,
    ApplicationStatus,
    CheckStage,
    ContractStatus,
    DocumentKind,
)
from ipfin.origination.models import (
    Application,
    ApplicationAsset,
    ApplicationCheck,
    ApplicationDocument,
    Contract,
)
from ipfin.policy.policyset import PolicySet, merged, policy_set
from ipfin.registry.choices import AssetKind, LegalStatus
from ipfin.registry.models import (
    CreditEvent,
    CustomerRelationship,
    DishonestListEntry,
    Enterprise,
    IpAsset,
    IpAssetOwner,
)

S = ApplicationStatus
ENTERPRISE_ROLES = (Role.ENTERPRISE_ADMIN, Role.ENTERPRISE_STAFF)
OFFICER_ROLES = (Role.LOAN_OFFICER, Role.BRANCH_HEAD)  # handle the file: complete, review, return, sign, disburse
DECIDER_ROLES = (Role.APPROVER, Role.BRANCH_HEAD)  # decide: approve, reject (four eyes: never the creator)
BANK_ROLES = (Role.LOAN_OFFICER, Role.APPROVER, Role.BRANCH_HEAD)
APPLICANT_ROLES = (*ENTERPRISE_ROLES, *OFFICER_ROLES)
LANGUAGE = "zh-hans"  # check messages are stored in the platform's language (design §5)
EDITABLE_STATES = frozenset({S.DRAFT, S.RETURNED})
DOCUMENT_STATES = frozenset({S.DRAFT, S.SUBMITTED, S.COMPLETE, S.UNDER_REVIEW, S.RETURNED})


class ChecksFailed(InvalidInput):
    """A blocking policy check failed; ``details["failures"]`` lists code, clause and message of each."""

    code = "checks_failed"
    http_status = 422
    message_template = _("The application fails {count} policy check(s): {summary}")


class FourEyes(PermissionDenied):
    code = "four_eyes"
    message_template = _("The person who created an application cannot approve or reject it.")


class BadDocument(InvalidInput):
    code = "bad_application_document"
    message_template = _("The document is not acceptable: {reason}")


class IpPledgePortionInvalid(InvalidInput):
    """BT-12a: the IP-pledge portion of a combined loan must be a whole number of fen in (0, principal]."""

    code = "ip_pledge_portion_invalid"


class AssetNotAvailable(InvalidInput):
    code = "asset_not_available"
    message_template = _("Asset {asset} cannot be offered by this applicant.")


def _today() -> date:
    return business_date()


# ---------------------------------------------------------------------------------------------------------
# Who may act


def _bank_side(user: User, application: Application) -> bool:
    """The user works for the application's bank or for its head office."""
    org_id = user.organisation_id
    return org_id is not None and org_id in (application.bank_id, application.bank.head_office_id)


def _enterprise_side(user: User, application: Application) -> bool:
    return user.organisation_id is not None and user.organisation_id == application.enterprise.organisation_id


# One question per kind of move: the actions below ask it (PermissionDenied when False) and the web pages ask
# the same one to decide which buttons to show (``views.available_actions``). State is checked separately.

RETURN_ROLES = (*OFFICER_ROLES, Role.APPROVER)  # return for more documents
REVIEW_ROLES = BANK_ROLES  # start the review


def _bank_user(user: User, application: Application, roles: Sequence[str]) -> bool:
    return user.has_role(*roles) and _bank_side(user, application)


def can_apply(user: User, product: Product) -> bool:
    """Create an application to ``product``: an enterprise user for its own enterprise; a loan officer or branch
    head of the product's bank, of its head office, or of a branch of the product's bank (the branch lends)."""
    org = user.organisation
    if org is None:
        return False
    if org.kind == OrganisationKind.ENTERPRISE:
        return user.has_role(*ENTERPRISE_ROLES)
    return user.has_role(*OFFICER_ROLES) and (
        org.pk in (product.bank_id, product.bank.head_office_id) or product.bank_id == org.head_office_id)


def _bank_made(application: Application) -> bool:
    """The application was created by the bank on the enterprise's behalf (not by the enterprise itself)."""
    creator = application.created_by
    return creator is not None and creator.organisation_id != application.enterprise.organisation_id


def can_edit(user: User, application: Application) -> bool:
    """Edit or submit: the enterprise's users; for an application the bank made on the enterprise's behalf also
    any loan officer or branch head of the bank side (not only its creator). The bank never edits or submits an
    application the enterprise made itself."""
    return (_enterprise_side(user, application) and user.has_role(*ENTERPRISE_ROLES)
            or _bank_made(application) and _bank_user(user, application, OFFICER_ROLES))


def can_withdraw(user: User, application: Application) -> bool:
    """Withdraw: the enterprise's users, or a loan officer / branch head of the bank side."""
    return (_enterprise_side(user, application) and user.has_role(*ENTERPRISE_ROLES)
            or _bank_user(user, application, OFFICER_ROLES))


def can_add_document(user: User, application: Application) -> bool:
    return (_enterprise_side(user, application) and user.has_role(*ENTERPRISE_ROLES)
            or _bank_user(user, application, BANK_ROLES))


def can_handle(user: User, application: Application) -> bool:
    """Mark complete, expire, sign, file the pledge, disburse: a loan officer or branch head of the bank side."""
    return _bank_user(user, application, OFFICER_ROLES)


def can_return(user: User, application: Application) -> bool:
    return _bank_user(user, application, RETURN_ROLES)


def can_review(user: User, application: Application) -> bool:
    """Start the review: any bank role of the bank side (an approver may pick up a complete file)."""
    return _bank_user(user, application, REVIEW_ROLES)


def can_decide(user: User, application: Application) -> bool:
    """Approve or reject: an approver or branch head of the bank side who did not create the application."""
    return _bank_user(user, application, DECIDER_ROLES) and application.created_by_id != user.pk


def _locked(user: User, application_id: int) -> Application:
    """Scope check (NotFound for those who may not see it), then the row lock."""
    get_visible(user, Application, pk=application_id)
    return lock(Application, application_id)


def _as_applicant(user: User, application_id: int, may: Any = can_edit) -> Application:
    require_role(user, *APPLICANT_ROLES)
    application = _locked(user, application_id)
    if not may(user, application):
        raise PermissionDenied()
    return application


def _as_bank(user: User, application_id: int, roles: Sequence[str] = OFFICER_ROLES) -> Application:
    require_role(user, *roles)
    application = _locked(user, application_id)
    if not _bank_user(user, application, roles):
        raise PermissionDenied()
    return application


# ---------------------------------------------------------------------------------------------------------
# Facts for the checks


def policy_names(product: Product, fund: Fund | None) -> list[str]:
    """The product's profiles (most specific first), then the requested fund's."""
    return merged(list(product.policy_profiles or []), [fund.profile_name] if fund is not None else [])


def _param(pset: PolicySet, key: str) -> rules.Param | None:
    found = pset.find(key)
    return rules.Param(found.value, found.clause, found.profile) if found is not None else None


def _params(pset: PolicySet, key: str) -> tuple[rules.Param, ...]:
    return tuple(rules.Param(v.value, v.clause, v.profile) for v in pset.find_all(key))


def policy_params(pset: PolicySet) -> rules.PolicyParams:
    return rules.PolicyParams(
        allowed_purposes=_param(pset, "allowed_purposes"),
        prohibited_purposes=_param(pset, "prohibited_purposes"),
        max_loan_to_value=_params(pset, "max_loan_to_value"),
        max_term_months=_params(pset, "max_term_months"),
        internal_valuation_threshold_fen=_param(pset, "internal_valuation_threshold_fen"),
        internal_valuation_threshold_inclusive=_param(pset, "internal_valuation_threshold_inclusive"),
        rate_cap_spread_bp=_param(pset, "rate_cap_spread_bp"),
    )


def fund_rules(fund: Fund, on: date) -> rules.FundRules:
    """The fund's own profile on ``on`` (BT-4 eligibility numbers); not in force → ``in_force`` False."""
    pset = policy_set([fund.profile_name], on)
    in_force = bool(pset.profiles) and fund.status == "open" and fund.opened_on <= on \
        and (fund.closes_on is None or on <= fund.closes_on)
    return rules.FundRules(
        name=fund.name, region_code=fund.region_code, profile=fund.profile_name, in_force=in_force,
        min_registered_years=_param(pset, "min_registered_years"),
        credit_clean_years=_param(pset, "credit_clean_years"),
        eligible_collateral_kinds=_param(pset, "eligible_collateral_kinds"))


def compensation_ratio(fund: Fund, on: date) -> rules.Param | None:
    """The fund profile's ``compensation_ratio`` in force on ``on`` (PZA-2.3.1a, BT-12a)."""
    return _param(policy_set([fund.profile_name], on), "compensation_ratio")


def enterprise_facts(enterprise: Enterprise, on: date) -> rules.EnterpriseFacts:
    bad = tuple(CreditEvent.objects.filter(enterprise=enterprise, occurred_on__lte=on)
                .values_list("occurred_on", flat=True))
    listed = DishonestListEntry.objects.filter(enterprise=enterprise, listed_on__lte=on).exclude(
        removed_on__lte=on).exists()
    return rules.EnterpriseFacts(
        region_code=enterprise.organisation.region_code, industry_code=enterprise.industry_code,
        established_on=enterprise.established_on, is_independent_legal_person=enterprise.is_independent_legal_person,
        bad_credit_dates=bad, on_dishonest_list=listed)


def _fee_state(asset: IpAsset, on: date) -> str | None:
    """The annual-fee position of a granted patent in force (None where no annual fee applies)."""
    patent = getattr(asset, "patent", None) if asset.kind == AssetKind.PATENT else None
    if patent is None or asset.filing_date is None or asset.registration_date is None:
        return None
    if asset.status != LegalStatus.IN_FORCE:
        return None  # the legal-status check reports it
    from ipfin.registry.actions import fee_schedule

    return fee_position(fee_schedule(), patent.patent_type, asset.filing_date, asset.registration_date,
                        patent.fee_paid_through, on).state


def asset_facts(application: Application, on: date) -> tuple[rules.AssetFacts, ...]:
    from ipfin.valuation.actions import latest_valuation

    links = list(application.assets.select_related("asset", "asset__patent").order_by("id"))
    asset_ids = [link.asset_id for link in links]
    owners: dict[int, list[IpAssetOwner]] = {}
    for owner in IpAssetOwner.objects.filter(asset_id__in=asset_ids):
        owners.setdefault(owner.asset_id, []).append(owner)
    elsewhere = set(ApplicationAsset.objects.filter(asset_id__in=asset_ids, application__status__in=OPEN_STATES)
                    .exclude(application=application).values_list("asset_id", flat=True))
    out = []
    for link in links:
        asset = link.asset
        asset_owners = owners.get(asset.pk, [])
        valuation = latest_valuation(asset, on)
        out.append(rules.AssetFacts(
            asset_id=asset.pk, number=asset.number, kind=asset.kind, legal_status=asset.status,
            owned_by_applicant=any(o.enterprise_id == application.enterprise_id for o in asset_owners),
            co_owned=len(asset_owners) > 1, pledged=asset.pledged, frozen=asset.frozen,
            in_other_open_application=asset.pk in elsewhere, fee_state=_fee_state(asset, on),
            term_end=asset.expiry_date,
            value_fen=valuation.value_fen if valuation is not None else None,
            valuation_source=valuation.source if valuation is not None else None,
            valuation_as_of=valuation.as_of if valuation is not None else None))
    return tuple(out)


def _bank_and_head(bank: Organisation) -> list[int]:
    return [bank.pk] + ([bank.head_office_id] if bank.head_office_id else [])


def customer_since(bank: Organisation, enterprise: Enterprise) -> date | None:
    row = (CustomerRelationship.objects.filter(bank_id__in=_bank_and_head(bank), enterprise=enterprise)
           .order_by("since").first())
    return row.since if row is not None else None


def fund_standing(application: Application, fund: Fund) -> rules.FundStanding:
    """The bank's (or its head office's) cooperation with ``fund`` (BT-13b)."""
    ids = _bank_and_head(application.bank)
    rows = {c.institution_id: c for c in Cooperation.objects.filter(fund=fund, institution_id__in=ids)}
    row = next((rows[i] for i in ids if i in rows), None)
    return rules.FundStanding(status=row.status if row else None, status_since=row.status_since if row else None,
                              customer_since=customer_since(application.bank, application.enterprise))


def plan_for(product: Product, enterprise: Enterprise, on: date) -> CreditPlan | None:
    """The credit plan the product draws on in ``on``'s year (PZA-3.乙1): the product's own plan when it is of
    that year, else the bank's plan of that year for the enterprise's region."""
    plan = product.credit_plan
    if plan is not None and plan.year == on.year:
        return plan
    region = enterprise.organisation.region_code
    for candidate in CreditPlan.objects.filter(bank=product.bank, year=on.year):
        if region.startswith(candidate.region_code.rstrip("0")[:4] or candidate.region_code):
            return candidate
    return None


def plan_room(application: Application, on: date) -> rules.PlanRoom | None:
    from ipfin.market.selectors import credit_plan_utilisation

    plan = plan_for(application.product, application.enterprise, on)
    if plan is None:
        return None
    used = credit_plan_utilisation(plan)
    if (application.approved_amount_fen and application.decided_on and application.decided_on.year == plan.year
            and application.status in ("approved", "contract_signed", "pledge_registered", "disbursed")):
        used -= application.approved_amount_fen  # never count the application against itself
    return rules.PlanRoom(plan.year, plan.amount_fen, used)


def lpr_in_force(term_months: int, on: date) -> rules.LprInForce | None:
    try:
        fixing = lpr_on(on)
    except LprNotAvailable:
        return None
    tenor = applicable_tenor(term_months)
    return rules.LprInForce(fixing.fixing_date, tenor, fixing.rate(tenor))


def product_terms(product: Product) -> rules.ProductTerms:
    return rules.ProductTerms(
        active=product.status == ProductStatus.ACTIVE, accepted_kinds=tuple(product.accepted_kinds or ()),
        combined_pledge_allowed=product.combined_pledge_allowed, max_loan_to_value=product.max_loan_to_value,
        rate_min=product.rate_min, rate_max=product.rate_max, min_term_months=product.min_term_months,
        max_term_months=product.max_term_months, amount_min_fen=product.amount_min_fen,
        amount_max_fen=product.amount_max_fen, repayment_methods=tuple(product.repayment_methods or ()),
        regions=tuple(product.regions or ()), industries=tuple(product.industries or ()),
        period_months=Frequency(product.payment_frequency).months)


def evaluate(application: Application, stage: str, on: date, *, annual_rate: Decimal | None = None,
             amount_fen: int | None = None, with_fund: bool = True, rate_date: date | None = None,
             start_on: date | None = None) -> list[rules.CheckResult]:
    """Run every check of ``application`` at ``stage`` on business date ``on`` (nothing written)."""
    fund = application.fund if with_fund else None
    pset = policy_set(policy_names(application.product, fund), on)
    term = application.term_months
    request = rules.LoanRequest(
        amount_fen=amount_fen if amount_fen is not None else application.amount_fen, term_months=term,
        purpose=application.purpose, repayment_method=application.repayment_method,
        co_owner_consent=application.co_owner_consent,
        annual_rate=annual_rate if annual_rate is not None else application.proposed_rate, start_on=start_on or on)
    return rules.run_checks(rules.CheckInput(
        stage=rules.Stage(stage), today=on, request=request, product=product_terms(application.product),
        policy=policy_params(pset), enterprise=enterprise_facts(application.enterprise, on),
        assets=asset_facts(application, on), fund=fund_rules(fund, on) if fund is not None else None,
        standing=fund_standing(application, fund) if fund is not None else None,
        plan=plan_room(application, on), lpr=lpr_in_force(term, rate_date or on)))


def _failure_rows(failures: Iterable[rules.CheckResult]) -> list[dict[str, Any]]:
    return [{"code": r.code, "clause": r.clause,
             "message": rules.render(gettext(r.message_template), r.params)} for r in failures]


def _refuse_on_failures(results: Sequence[rules.CheckResult]) -> None:
    failures = rules.blocking_failures(results)
    if failures:
        rows = _failure_rows(failures)
        raise ChecksFailed(count=len(rows), summary="; ".join(f"{r['clause']} {r['message']}" for r in rows),
                           failures=rows)


def _record_checks(application: Application, stage: str, results: Sequence[rules.CheckResult], on: date) -> int:
    run = (application.checks.aggregate(last=Max("run"))["last"] or 0) + 1
    with translation.override(LANGUAGE):
        rows = [ApplicationCheck(
            application=application, stage=stage, run=run, code=r.code, clause=r.clause, outcome=r.outcome.value,
            message=rules.render(gettext(r.message_template), r.params), checked_on=on,
            details={"blocking": r.blocking, "template": r.message_template,
                     "params": r.as_dict()["params"]}) for r in results]
    ApplicationCheck.objects.bulk_create(rows)
    return run


# ---------------------------------------------------------------------------------------------------------
# Decision clock (PZA-2.2.1b)


def approval_sla(product: Product, on: date) -> rules.Param | None:
    """``approval_sla_working_days`` from the product's profiles in force on ``on`` (None: no clock)."""
    return _param(policy_set(list(product.policy_profiles or []), on), "approval_sla_working_days")


def compute_decision_due(application: Application) -> date | None:
    """The decision due date from ``complete_on`` and the days used; None without a clock or calendar."""
    if application.complete_on is None:
        return None
    sla = approval_sla(application.product, application.complete_on)
    if sla is None:
        return None
    return due_date_or_none(working_calendar(), application.complete_on, int(sla.value),
                            application.sla_working_days_used)


def _clock_running(application: Application) -> bool:
    return application.complete_on is not None and (
        application.status in DECISION_CLOCK_STATES or application.status == S.SUBMITTED)


def _pause_clock(application: Application, on: date) -> None:
    """Keep the working days used so far (the due date stays for the record)."""
    if not _clock_running(application):
        return
    assert application.complete_on is not None
    try:
        application.sla_working_days_used = working_days_used(working_calendar(), application.complete_on,
                                                              max(on, application.complete_on),
                                                              application.sla_working_days_used)
    except CalendarNotPublished:
        pass  # the days cannot be counted yet; the clock resumes with what was known


# ---------------------------------------------------------------------------------------------------------
# Notifications


def _url(application: Application) -> str:
    return f"/origination/applications/{application.pk}/"


def _bank_orgs(application: Application) -> list[Organisation | None]:
    """The lending bank and its head office (whose approvers decide branch files, see ``_bank_side``)."""
    return [application.bank, application.bank.head_office]


def _parties(application: Application) -> list[Organisation | None]:
    return [application.enterprise.organisation, *_bank_orgs(application), application.guarantor,
            application.insurer]


def _notify(application: Application, verb: str, title: Any, body: Any = "", *, actor: User | None = None,
            organisations: Iterable[Organisation | None] | None = None, roles: Iterable[str] | None = None) -> None:
    from ipfin.notifications.services import notify

    notify(organisations=list(organisations) if organisations is not None else _parties(application),
           verb=f"origination.{verb}", title=title, body=body, url=_url(application), roles=roles, exclude=actor)


def _title(template: Any, application: Application, **extra: Any) -> Any:
    return format_lazy(template, number=application.number, enterprise=application.enterprise.organisation.name,
                       bank=application.bank.name, **extra)


# ---------------------------------------------------------------------------------------------------------
# Input cleaning


def _clean_amount(value: Any, field: str = "amount_fen") -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise InvalidInput(reason=f"{field} must be a whole number of fen > 0")
    return value


def _clean_ip_pledge_portion(value: Any, principal_fen: int) -> int | None:
    """BT-12a: None (the whole principal is secured by the IP pledge) or 0 < portion ≤ principal, in fen."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise IpPledgePortionInvalid(reason="ip_pledge_portion_fen must be a whole number of fen > 0 (BT-12a)")
    if value > principal_fen:
        raise IpPledgePortionInvalid(reason="ip_pledge_portion_fen cannot exceed the principal (BT-12a)")
    return value


def _clean_rate(value: Any, field: str) -> Decimal | None:
    if value is None or value == "":
        return None
    if isinstance(value, (bool, float)):
        raise InvalidInput(reason=f"{field} must be a decimal percent such as 3.85")
    try:
        rate = Decimal(str(value))
    except InvalidOperation:
        raise InvalidInput(reason=f"{field} must be a decimal percent such as 3.85") from None
    if not rate.is_finite() or rate <= 0 or rate >= 100 or rate != rate.quantize(Decimal("0.0001")):
        raise InvalidInput(reason=f"{field} must be a positive percent with at most 4 decimal places")
    return rate


def _clean_share(value: Any, field: str) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        share = Decimal(str(value))
    except InvalidOperation:
        raise InvalidInput(reason=f"{field} must be a ratio between 0 and 1") from None
    if isinstance(value, float) or not share.is_finite() or not Decimal(0) <= share <= Decimal(1):
        raise InvalidInput(reason=f"{field} must be a ratio between 0 and 1")
    return share


def _org_of_kind(org_id: Any, kind: str, field: str) -> Organisation | None:
    if org_id in (None, ""):
        return None
    org = Organisation.objects.filter(pk=org_id, kind=kind).first()
    if org is None:
        raise InvalidInput(reason=f"{field} is not a known {kind}")
    return org


@dataclass
class _Fields:
    amount_fen: int
    term_months: int
    purpose: str
    purpose_detail: str
    repayment_method: str
    fund: Fund | None
    guarantor: Organisation | None
    insurer: Organisation | None
    co_owner_consent: bool
    proposed_rate: Decimal | None


FIELD_NAMES = ("amount_fen", "term_months", "purpose", "purpose_detail", "repayment_method", "fund_id",
               "guarantor_id", "insurer_id", "co_owner_consent", "proposed_rate", "asset_ids")


def _clean_fields(values: dict[str, Any]) -> _Fields:
    term = values["term_months"]
    if isinstance(term, bool) or not isinstance(term, int) or not 1 <= term <= 600:
        raise InvalidInput(reason="term_months must be a whole number of months between 1 and 600")
    if values["purpose"] not in LoanPurpose.values:
        raise InvalidInput(reason=f"unknown purpose {values['purpose']!r}")
    if values["repayment_method"] not in RepaymentMethod.values:
        raise InvalidInput(reason=f"unknown repayment method {values['repayment_method']!r}")
    fund = None
    if values.get("fund_id") not in (None, ""):
        fund = Fund.objects.filter(pk=values["fund_id"]).first()
        if fund is None:
            raise InvalidInput(reason="fund_id is not a known fund")
    return _Fields(
        amount_fen=_clean_amount(values["amount_fen"]), term_months=term, purpose=values["purpose"],
        purpose_detail=str(values.get("purpose_detail") or "")[:2000], repayment_method=values["repayment_method"],
        fund=fund, guarantor=_org_of_kind(values.get("guarantor_id"), OrganisationKind.GUARANTOR, "guarantor_id"),
        insurer=_org_of_kind(values.get("insurer_id"), OrganisationKind.INSURER, "insurer_id"),
        co_owner_consent=bool(values.get("co_owner_consent")),
        proposed_rate=_clean_rate(values.get("proposed_rate"), "proposed_rate"))


def _clean_assets(asset_ids: Any, enterprise: Enterprise) -> list[IpAsset]:
    """The bundle: distinct assets of which the enterprise is an owner (NotFound hides others' assets)."""
    if not isinstance(asset_ids, (list, tuple)) or not asset_ids:
        raise InvalidInput(reason="asset_ids must list at least one IP asset")
    try:
        ids = list(dict.fromkeys(int(i) for i in asset_ids))
    except (TypeError, ValueError):
        raise InvalidInput(reason="asset_ids must be asset ids") from None
    assets = {a.pk: a for a in IpAsset.objects.filter(pk__in=ids, owners__enterprise=enterprise).distinct()}
    for asset_id in ids:
        if asset_id not in assets:
            raise AssetNotAvailable(asset=asset_id)
    return [assets[i] for i in ids]


def _set_assets(application: Application, assets: list[IpAsset]) -> None:
    application.assets.all().delete()
    ApplicationAsset.objects.bulk_create(ApplicationAsset(application=application, asset=a) for a in assets)


def _snapshot(application: Application) -> dict[str, Any]:
    return {"status": application.status, "amount_fen": application.amount_fen,
            "term_months": application.term_months, "purpose": application.purpose,
            "fund": application.fund_id, "assets": sorted(application.assets.values_list("asset_id", flat=True))}


# ---------------------------------------------------------------------------------------------------------
# Numbers


def _create_numbered(model: Any, prefix: str, on: date, build: Any) -> Any:
    """Create a row numbered ``prefix`` + year + 6-digit serial (``ipfin.core.numbering``: concurrent creates
    get consecutive numbers)."""
    return build(next_number(model, f"{prefix}{on.year}"))


# ---------------------------------------------------------------------------------------------------------
# Applications: create, update, documents


def create_application(user: User, *, product_id: int, amount_fen: int, term_months: int, purpose: str,
                       repayment_method: str, asset_ids: Sequence[int], enterprise_id: int | None = None,
                       purpose_detail: str = "", fund_id: int | None = None, guarantor_id: int | None = None,
                       insurer_id: int | None = None, co_owner_consent: bool = False, proposed_rate: Any = None,
                       idempotency_key: str | None = None, today: date | None = None) -> Application:
    """A draft application of an enterprise to a product (enterprise users for their own enterprise; a loan
    officer or branch head of the product's bank on behalf of ``enterprise_id``). With ``idempotency_key`` a
    repeated request returns the application the first one created."""
    require_role(user, *APPLICANT_ROLES)
    today = today or _today()
    payload = {"product_id": product_id, "amount_fen": amount_fen, "term_months": term_months, "purpose": purpose,
               "repayment_method": repayment_method, "asset_ids": list(asset_ids), "enterprise_id": enterprise_id,
               "purpose_detail": purpose_detail, "fund_id": fund_id, "guarantor_id": guarantor_id,
               "insurer_id": insurer_id, "co_owner_consent": co_owner_consent, "proposed_rate": str(proposed_rate)}

    def create() -> Application:
        from ipfin.core.scoping import visible

        product = visible(user, Product).select_related("bank").filter(pk=product_id).first()
        if product is None:
            raise NotFound()
        if not can_apply(user, product):
            raise PermissionDenied()
        org = user.organisation
        assert org is not None
        if org.kind == OrganisationKind.ENTERPRISE:
            enterprise = Enterprise.objects.filter(organisation=org).first()
            if enterprise is None or (enterprise_id is not None and enterprise_id != enterprise.pk):
                raise PermissionDenied()
            lender = product.bank
        else:
            # A branch's officer may sell its head office's product: the branch lends, and the head office's
            # approvers see the file too (``_bank_side``). A head office may file for its branch's product.
            lender = org if product.bank_id == org.head_office_id else product.bank
            if enterprise_id is None:
                raise InvalidInput(reason="enterprise_id is required when a bank applies on an enterprise's behalf")
            enterprise = get_visible(user, Enterprise, pk=enterprise_id)
        fields = _clean_fields({"amount_fen": amount_fen, "term_months": term_months, "purpose": purpose,
                                "purpose_detail": purpose_detail, "repayment_method": repayment_method,
                                "fund_id": fund_id, "guarantor_id": guarantor_id, "insurer_id": insurer_id,
                                "co_owner_consent": co_owner_consent, "proposed_rate": proposed_rate})
        assets = _clean_assets(asset_ids, enterprise)
        with transaction.atomic():
            application = _create_numbered(Application, "SQ", today, lambda number: Application.objects.create(
                number=number, enterprise=enterprise, product=product, bank=lender, status_since=today,
                created_by=user, **vars(fields)))
            _set_assets(application, assets)
            record_event(actor=user, action="origination.application.create", obj=application,
                         after=_snapshot(application), clause="PZA-2.2.1b")
        return application

    application, _created = run_idempotent(user, "origination.application", idempotency_key, payload, Application,
                                           create)
    return application


def update_application(user: User, application_id: int, **fields: Any) -> Application:
    """Change a draft or returned application (same field names as :func:`create_application`)."""
    unknown = set(fields) - set(FIELD_NAMES)
    if unknown:
        raise InvalidInput(reason=f"unknown field(s): {', '.join(sorted(unknown))}")
    with transaction.atomic():
        application = _as_applicant(user, application_id)
        if application.status not in EDITABLE_STATES:
            raise Conflict()
        before = _snapshot(application)
        current = {"amount_fen": application.amount_fen, "term_months": application.term_months,
                   "purpose": application.purpose, "purpose_detail": application.purpose_detail,
                   "repayment_method": application.repayment_method, "fund_id": application.fund_id,
                   "guarantor_id": application.guarantor_id, "insurer_id": application.insurer_id,
                   "co_owner_consent": application.co_owner_consent, "proposed_rate": application.proposed_rate}
        current.update({k: v for k, v in fields.items() if k != "asset_ids"})
        for name, value in vars(_clean_fields(current)).items():
            setattr(application, name, value)
        application.save()
        if "asset_ids" in fields:
            _set_assets(application, _clean_assets(fields["asset_ids"], application.enterprise))
        record_event(actor=user, action="origination.application.update", obj=application, before=before,
                     after=_snapshot(application), clause="PZA-2.2.1b")
    return application


def add_document(user: User, application_id: int, *, kind: str, uploaded_file: UploadedFile) -> ApplicationDocument:
    """Attach a document (size-limited by ``IPFIN_MAX_UPLOAD_BYTES``; its SHA-256 is kept)."""
    if kind not in DocumentKind.values:
        raise BadDocument(reason=f"unknown kind {kind!r}")
    limit = int(getattr(settings, "IPFIN_MAX_UPLOAD_BYTES", 20 * 1024 * 1024))
    size = uploaded_file.size or 0
    if size <= 0:
        raise BadDocument(reason="the file is empty")
    if size > limit:
        raise BadDocument(reason=f"larger than {limit // (1024 * 1024)} MiB")
    digest = hashlib.sha256()
    for chunk in uploaded_file.chunks():
        digest.update(chunk)
    uploaded_file.seek(0)
    with transaction.atomic():
        application = _locked(user, application_id)
        if not can_add_document(user, application):
            raise PermissionDenied()
        if application.status not in DOCUMENT_STATES:
            raise Conflict()
        name = (uploaded_file.name or "document").rsplit("/", 1)[-1][:200]
        document = ApplicationDocument(application=application, kind=kind, original_name=name, size_bytes=size,
                                       sha256=digest.hexdigest(), uploaded_by=user)
        document.file.save(name, uploaded_file, save=False)
        document.save()
        record_event(actor=user, action="origination.document.add", obj=document,
                     after={"application": application.number, "kind": kind, "sha256": document.sha256},
                     clause="SC-1")
        others = _bank_orgs(application) if _enterprise_side(user, application) \
            else [application.enterprise.organisation]
        _notify(application, "document", _title(_("New document for application {number}"), application),
                actor=user, organisations=others)
    return document


# ---------------------------------------------------------------------------------------------------------
# Moves


def _move(application: Application, target: str, on: date) -> str:
    previous = transition(application, "status", target, APPLICATION_ALLOWED)
    application.status_since = on
    return previous


def submit_application(user: User, application_id: int, *, today: date | None = None) -> Application:
    """draft | returned → submitted: runs the submission checks (a failed blocking one refuses, nothing written),
    links the enterprise as the bank's customer, and resumes a paused decision clock (PZA-2.2.1b)."""
    today = today or _today()
    with transaction.atomic():
        application = _as_applicant(user, application_id)
        previous = _move(application, S.SUBMITTED, today)
        results = evaluate(application, CheckStage.SUBMIT, today)
        _refuse_on_failures(results)
        run = _record_checks(application, CheckStage.SUBMIT, results, today)
        application.submitted_on = today
        if previous == S.RETURNED and application.complete_on is not None:
            application.complete_on = today  # the clock resumes with the working days left
            application.decision_due_on = compute_decision_due(application)
        application.save()
        if customer_since(application.bank, application.enterprise) is None:
            from ipfin.registry.actions import link_customer

            link_customer(None, bank=application.bank, enterprise=application.enterprise, since=today,
                          source="application")
        record_event(actor=user, action="origination.application.submit", obj=application,
                     before={"status": previous}, after={"status": S.SUBMITTED, "check_run": run,
                                                         "decision_due_on": application.decision_due_on},
                     clause="PZA-2.2.1b")
        _notify(application, "submitted", _title(_("Application {number} of {enterprise} submitted"), application),
                actor=user)
        if application.fund is not None:  # coverage requested: the fund manager follows the file (BT-13b)
            _notify(application, "fund_requested",
                    _title(_("Application {number} of {enterprise} asks for coverage by fund {fund}"), application,
                           fund=application.fund.name), actor=user, organisations=[application.fund.manager])
    return application


def mark_complete(user: User, application_id: int, *, today: date | None = None) -> Application:
    """submitted → complete (bank): the file is complete; the decision clock starts (PZA-2.2.1b)."""
    today = today or _today()
    with transaction.atomic():
        application = _as_bank(user, application_id)
        previous = _move(application, S.COMPLETE, today)
        if application.complete_on is None:
            application.complete_on = today
            application.sla_working_days_used = 0
        application.decision_due_on = compute_decision_due(application)
        application.save()
        sla = approval_sla(application.product, application.complete_on or today)
        record_event(actor=user, action="origination.application.complete", obj=application,
                     before={"status": previous},
                     after={"status": S.COMPLETE, "complete_on": application.complete_on,
                            "decision_due_on": application.decision_due_on,
                            "sla_working_days": sla.value if sla else None},
                     clause=sla.clause if sla else "PZA-2.2.1b")
        _notify(application, "complete", _title(_("Application {number} is complete; decision due {due}"),
                                                application, due=application.decision_due_on or "—"), actor=user)
    return application


def return_application(user: User, application_id: int, *, reason: str, today: date | None = None) -> Application:
    """submitted | complete | under_review → returned (bank) for more documents; the clock pauses."""
    today = today or _today()
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(reason="a reason for the return is required")
    with transaction.atomic():
        application = _as_bank(user, application_id, RETURN_ROLES)
        _pause_clock(application, today)
        previous = _move(application, S.RETURNED, today)
        application.return_reason = reason
        application.save()
        record_event(actor=user, action="origination.application.return", obj=application,
                     before={"status": previous},
                     after={"status": S.RETURNED, "reason": reason,
                            "sla_working_days_used": application.sla_working_days_used}, clause="PZA-2.2.1b")
        _notify(application, "returned", _title(_("Application {number} returned: {reason}"), application,
                                                reason=reason), actor=user)
    return application


def start_review(user: User, application_id: int, *, today: date | None = None) -> Application:
    """complete → under_review (bank); the reviewer is the user."""
    today = today or _today()
    with transaction.atomic():
        application = _as_bank(user, application_id, REVIEW_ROLES)
        previous = _move(application, S.UNDER_REVIEW, today)
        application.reviewer = user
        application.save()
        record_event(actor=user, action="origination.application.review", obj=application,
                     before={"status": previous}, after={"status": S.UNDER_REVIEW, "reviewer": user.pk},
                     clause="PZA-2.2.1b")
        _notify(application, "review", _title(_("Application {number} is under review"), application), actor=user,
                organisations=[application.enterprise.organisation])
    return application


def _as_decider(user: User, application_id: int) -> Application:
    """``can_decide``, with the four-eyes refusal told apart from a plain PermissionDenied."""
    application = _as_bank(user, application_id, DECIDER_ROLES)
    if not can_decide(user, application):
        raise FourEyes()
    return application


def _pin_valuations(application: Application, on: date) -> int:
    """Record on each bundle link the valuation the approval relied on; the bundle's value in fen."""
    from ipfin.valuation.actions import latest_valuation

    total = 0
    for link in application.assets.select_related("asset").order_by("id"):
        valuation = latest_valuation(link.asset, on)
        link.valuation, link.value_fen = valuation, valuation.value_fen if valuation is not None else None
        link.save(update_fields=["valuation", "value_fen"])
        total += link.value_fen or 0
    return total


def _contract_number(application: Application) -> str:
    return f"HT{application.number[2:]}"


def approve_application(user: User, application_id: int, *, annual_rate: Any, amount_fen: int | None = None,
                        note: str = "", drop_fund_coverage: bool = False, today: date | None = None,
                        guarantor_share: Any = None, insurer_share: Any = None,
                        ip_pledge_portion_fen: int | None = None) -> Application:
    """under_review → approved (approver or branch head, never the creator): re-runs every check at stage
    approve with the rate (LPR of the approval date; signing re-checks it, PZA-2.3.1b); a failed blocking check
    refuses; stops the decision clock and drafts the contract with risk shares. ``ip_pledge_portion_fen``: the
    part of a combined loan secured by the IP pledge (BT-12a), 0 < portion ≤ approved amount; None = all of it."""
    today = today or _today()
    rate = _clean_rate(annual_rate, "annual_rate")
    if rate is None:
        raise InvalidInput(reason="annual_rate is required")
    g_share, i_share = _clean_share(guarantor_share, "guarantor_share"), _clean_share(insurer_share, "insurer_share")
    with transaction.atomic():
        application = _as_decider(user, application_id)
        amount = _clean_amount(amount_fen) if amount_fen is not None else application.amount_fen
        if amount > application.amount_fen:
            raise InvalidInput(reason="the approved amount cannot exceed the amount applied for")
        portion = _clean_ip_pledge_portion(ip_pledge_portion_fen, amount)
        previous = _move(application, S.APPROVED, today)
        if drop_fund_coverage:
            application.fund = None
        results = evaluate(application, CheckStage.APPROVE, today, annual_rate=rate, amount_fen=amount)
        _refuse_on_failures(results)
        run = _record_checks(application, CheckStage.APPROVE, results, today)
        fund_ratio = None
        if application.fund is not None:
            ratio = compensation_ratio(application.fund, today)
            fund_ratio = ratio.decimal if ratio is not None else None
        shares = rules.risk_shares(fund_ratio=fund_ratio,
                                   guarantor_ratio=g_share if application.guarantor_id else None,
                                   insurer_ratio=i_share if application.insurer_id else None)
        application.decided_on = today
        application.decision_note = note
        application.approved_amount_fen = amount
        application.approved_rate = rate
        application.save()
        product = application.product
        bundle = _pin_valuations(application, today)
        cap, _clause = rules.loan_to_value_cap(product_terms(product),
                                               policy_params(policy_set(policy_names(product, application.fund),
                                                                        today)))
        lpr = lpr_in_force(application.term_months, today)
        contract = Contract.objects.create(
            application=application, number=_contract_number(application), principal_fen=amount, annual_rate=rate,
            term_months=application.term_months, repayment_method=application.repayment_method,
            payment_frequency=product.payment_frequency, day_count=product.day_count,
            penalty_rate_uplift=product.penalty_rate_uplift, max_loan_to_value=cap, collateral_value_fen=bundle,
            lpr_fixing_date=lpr.fixing_date if lpr else None, lpr_tenor=lpr.tenor.value if lpr else "",
            lpr_rate=lpr.rate if lpr else None, risk_shares={k: str(v) for k, v in shares.items()},
            ip_pledge_portion_fen=portion)
        record_event(actor=user, action="origination.application.approve", obj=application,
                     before={"status": previous},
                     after={"status": S.APPROVED, "amount_fen": amount, "annual_rate": rate, "check_run": run,
                            "fund": application.fund_id, "contract": contract.number,
                            "risk_shares": contract.risk_shares, "ip_pledge_portion_fen": portion},
                     clause="PZA-2.2.1b")
        _notify(application, "approved", _title(_("Application {number} approved"), application), actor=user)
        if application.fund is not None:
            _notify(application, "approved", _title(_("Application {number} approved"), application),
                    actor=user, organisations=[application.fund.manager])
    return application


def reject_application(user: User, application_id: int, *, reason: str, today: date | None = None) -> Application:
    """under_review → rejected (approver or branch head, never the creator); stops the decision clock."""
    today = today or _today()
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(reason="a reason for the rejection is required")
    with transaction.atomic():
        application = _as_decider(user, application_id)
        previous = _move(application, S.REJECTED, today)
        application.decided_on = today
        application.decision_note = reason
        application.save()
        record_event(actor=user, action="origination.application.reject", obj=application,
                     before={"status": previous}, after={"status": S.REJECTED, "reason": reason},
                     clause="PZA-2.2.1b")
        _notify(application, "rejected", _title(_("Application {number} rejected: {reason}"), application,
                                                reason=reason), actor=user)
    return application


def _cancel_contract(application: Application) -> None:
    contract = Contract.objects.select_for_update().filter(application=application).first()
    if contract is not None and contract.status != ContractStatus.CANCELLED:
        transition(contract, "status", ContractStatus.CANCELLED, CONTRACT_ALLOWED)
        contract.save(update_fields=["status"])


def withdraw_application(user: User, application_id: int, *, reason: str = "",
                         today: date | None = None) -> Application:
    """Any open state before the pledge is registered → withdrawn (the enterprise, or a bank officer). A pledge
    filing still open at the registry office (contract signed) is withdrawn with it, in this transaction."""
    today = today or _today()
    with transaction.atomic():
        application = _as_applicant(user, application_id, can_withdraw)
        _pause_clock(application, today)
        previous = _move(application, S.WITHDRAWN, today)
        application.decision_note = (reason or "").strip() or application.decision_note
        application.save()
        if previous == S.CONTRACT_SIGNED:
            from ipfin.pledges.actions import withdraw_open_filing

            withdraw_open_filing(application, actor=user, on=today, reason=reason or "")
        _cancel_contract(application)
        record_event(actor=user, action="origination.application.withdraw", obj=application,
                     before={"status": previous}, after={"status": S.WITHDRAWN, "reason": reason},
                     clause="PZA-2.2.1b")
        _notify(application, "withdrawn", _title(_("Application {number} withdrawn"), application), actor=user)
    return application


def expire_application(user: User, application_id: int, *, today: date | None = None) -> Application:
    """returned | approved → expired (bank): the applicant never came back, or the approval was not taken up."""
    today = today or _today()
    with transaction.atomic():
        application = _as_bank(user, application_id)
        previous = _move(application, S.EXPIRED, today)
        application.save()
        _cancel_contract(application)
        record_event(actor=user, action="origination.application.expire", obj=application,
                     before={"status": previous}, after={"status": S.EXPIRED}, clause="PZA-2.2.1b")
        _notify(application, "expired", _title(_("Application {number} expired"), application), actor=user)
    return application


def sign_contract(user: User, application_id: int, *, signed_on: date | None = None,
                  start_on: date | None = None) -> Contract:
    """approved → contract_signed; contract draft → signed (bank). Re-checks the fund rate cap with the LPR in
    force on the signing date (PZA-2.3.1b) and the assets' terms against the maturity; sets the dates."""
    signed_on = signed_on or _today()
    start_on = start_on or signed_on
    if start_on < signed_on:
        raise InvalidInput(reason="the loan cannot start before the contract is signed")
    with transaction.atomic():
        application = _as_bank(user, application_id)
        contract = Contract.objects.select_for_update().filter(application=application).first()
        if contract is None:
            raise Conflict()
        previous = _move(application, S.CONTRACT_SIGNED, signed_on)
        if application.decided_on is not None and signed_on < application.decided_on:
            raise InvalidInput(reason=f"signed_on cannot be before the approval ({application.decided_on})")
        transition(contract, "status", ContractStatus.SIGNED, CONTRACT_ALLOWED)
        results = evaluate(application, CheckStage.APPROVE, signed_on, annual_rate=contract.annual_rate,
                           amount_fen=contract.principal_fen, rate_date=signed_on, start_on=start_on)
        at_signing = [r for r in results if r.code in ("rate_cap", "asset_term_covers_loan")]
        _refuse_on_failures(at_signing)
        lpr = lpr_in_force(contract.term_months, signed_on)
        if lpr is not None:
            contract.lpr_fixing_date, contract.lpr_tenor, contract.lpr_rate = lpr.fixing_date, lpr.tenor.value, lpr.rate
        contract.signed_on, contract.start_on = signed_on, start_on
        contract.maturity_on = rules.loan_maturity(start_on, contract.term_months)
        contract.save()
        application.save()
        record_event(actor=user, action="origination.contract.sign", obj=contract,
                     before={"status": previous},
                     after={"application": application.number, "signed_on": signed_on, "start_on": start_on,
                            "maturity_on": contract.maturity_on, "lpr_rate": contract.lpr_rate,
                            "lpr_fixing_date": contract.lpr_fixing_date}, clause="PZA-2.3.1b")
        _notify(application, "signed", _title(_("Contract {contract} of application {number} signed"), application,
                                              contract=contract.number), actor=user)
    return contract


def on_pledge_registered(application_id: int, *, registered_on: date, actor: User | None) -> Application:
    """contract_signed → pledge_registered. INTERNAL: called by the pledges app inside its own transaction when
    the IP office registers the pledge of the bundle (PZA-2.2.1a)."""
    with transaction.atomic():
        application = lock(Application, application_id)
        previous = _move(application, S.PLEDGE_REGISTERED, registered_on)
        application.save()
        record_event(actor=actor, action="origination.application.pledge_registered", obj=application,
                     before={"status": previous}, after={"status": S.PLEDGE_REGISTERED,
                                                         "registered_on": registered_on}, clause="PZA-2.2.1a")
        _notify(application, "pledge_registered",
                _title(_("The pledge of application {number} is registered"), application), actor=actor)
    return application


def disburse(user: User, application_id: int, *, disbursed_on: date | None = None) -> Any:
    """pledge_registered → disbursed (bank): creates the loan (贷款) with number ``DK`` + year + 6 digits,
    maturity by term, outstanding = principal; enrolled in the fund where coverage was approved and the fund
    still covers this bank's loans to this customer (BT-13b)."""
    from ipfin.servicing.models import Loan

    disbursed_on = disbursed_on or _today()
    with transaction.atomic():
        application = _as_bank(user, application_id)
        contract = Contract.objects.select_for_update().filter(application=application).first()
        if contract is None or contract.status != ContractStatus.SIGNED:
            raise Conflict()
        if contract.signed_on and disbursed_on < contract.signed_on:
            raise InvalidInput(reason="a loan cannot be disbursed before its contract is signed")
        previous = _move(application, S.DISBURSED, disbursed_on)
        application.save()
        fund = application.fund
        covered = fund is not None and "fund" in (contract.risk_shares or {}) \
            and rules.fund_covers_bank_customer(fund_standing(application, fund))
        start = contract.start_on if contract.start_on and contract.start_on >= disbursed_on else disbursed_on
        loan = _create_numbered(Loan, "DK", disbursed_on, lambda number: Loan.objects.create(
            number=number, contract=contract, enterprise=application.enterprise, bank=application.bank,
            product=application.product, fund=fund if covered else None, principal_fen=contract.principal_fen,
            ip_pledge_portion_fen=contract.ip_pledge_portion_fen,
            outstanding_principal_fen=contract.principal_fen, annual_rate=contract.annual_rate,
            term_months=contract.term_months, repayment_method=contract.repayment_method,
            payment_frequency=contract.payment_frequency, day_count=contract.day_count,
            penalty_rate_uplift=contract.penalty_rate_uplift, max_loan_to_value=contract.max_loan_to_value,
            disbursed_on=disbursed_on, maturity_on=rules.loan_maturity(start, contract.term_months)))
        from ipfin.servicing.actions import open_loan_schedule

        open_loan_schedule(loan)  # schedule version 1 (还款计划), in this transaction
        record_event(actor=user, action="origination.application.disburse", obj=loan,
                     before={"status": previous},
                     after={"application": application.number, "loan": loan.number,
                            "principal_fen": loan.principal_fen, "fund": loan.fund_id,
                            "maturity_on": loan.maturity_on}, clause="BT-13b" if fund is not None else "PZA-2.2.1b")
        _notify(application, "disbursed", _title(_("Loan {loan} of application {number} disbursed"), application,
                                                 loan=loan.number), actor=user)
        if covered and fund is not None:
            _notify(application, "disbursed", _title(_("Loan {loan} of application {number} disbursed"),
                                                     application, loan=loan.number),
                    actor=user, organisations=[fund.manager])
    return loan

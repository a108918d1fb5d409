"""The application checks at their boundaries: exactly at a cap passes, one fen / bp / day / month over fails."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

import pytest

from ipfin.domain.errors import InvalidInput
from ipfin.domain.origination.checks import (
    BLOCKING_STAGES,
    AssetFacts,
    CheckInput,
    EnterpriseFacts,
    FundRules,
    FundStanding,
    LoanRequest,
    Outcome,
    Param,
    PlanRoom,
    PolicyParams,
    ProductTerms,
    Stage,
    blocking_failures,
    check_amount_limits,
    check_asset_fees_paid,
    check_asset_in_force,
    check_asset_ownership,
    check_asset_term_covers_loan,
    check_asset_unencumbered,
    check_collateral_kinds,
    check_credit_plan_room,
    check_fund_eligibility,
    check_fund_standing,
    check_loan_to_value,
    check_not_dishonest,
    check_product_offer,
    check_purpose,
    check_rate_cap,
    check_rate_in_product_range,
    check_term_limit,
    check_valuation_route,
    fund_covers_bank_customer,
    loan_maturity,
    lpr_for,
    risk_shares,
    run_checks,
)
from ipfin.domain.rates import Tenor

TODAY = date(2025, 9, 30)
SUBMIT, APPROVE = Stage.SUBMIT, Stage.APPROVE
PASSED, FAILED, NA = Outcome.PASSED, Outcome.FAILED, Outcome.NOT_APPLICABLE

PRODUCT = ProductTerms(
    active=True, accepted_kinds=("patent", "trademark"), combined_pledge_allowed=True,
    max_loan_to_value=Decimal("0.70"), rate_min=Decimal("3.00"), rate_max=Decimal("6.00"), min_term_months=6,
    max_term_months=240, amount_min_fen=10_000_000, amount_max_fen=2_000_000_000,
    repayment_methods=("equal-installment", "bullet"), regions=("510400",), industries=("C3",))
POLICY = PolicyParams(
    allowed_purposes=Param(["research_and_development", "working_capital"], "BT-5", "baotou-2021"),
    prohibited_purposes=Param(["equity_investment", "securities"], "BT-5", "baotou-2021"),
    max_loan_to_value=(Param("0.60", "PZA-2.1.2", "panzhihua-agreement"),),
    max_term_months=(Param(120, "SC-6", "sichuan-2025"),),
    internal_valuation_threshold_fen=Param(1_000_000_000, "SC-3", "sichuan-2025"),
    internal_valuation_threshold_inclusive=Param(False, "SC-3", "sichuan-2025"),
    rate_cap_spread_bp=Param(140, "PZA-2.3.1b", "panzhihua-agreement"),
)
ENTERPRISE = EnterpriseFacts(region_code="510402", industry_code="C3240", established_on=date(2015, 3, 1),
                             is_independent_legal_person=True)
FUND = FundRules(name="攀枝花风险补偿基金", region_code="510400", profile="panzhihua-agreement", in_force=True,
                 min_registered_years=Param(1, "BT-4a"), credit_clean_years=Param(3, "BT-4b"),
                 eligible_collateral_kinds=Param(["patent", "trademark"], "BT-4"))


def asset(n: int = 1, **kw: object) -> AssetFacts:
    base = dict(asset_id=n, number=f"ZL2019100{n:05d}.X", kind="patent", legal_status="in_force",
                fee_state="paid", term_end=date(2039, 3, 31), value_fen=500_000_000,
                valuation_source="negotiated", valuation_as_of=date(2025, 9, 1))
    base.update(kw)
    return AssetFacts(**base)  # type: ignore[arg-type]


# --- product, amount, term --------------------------------------------------------------------------------


def test_product_offer_passes_and_each_reason_fails() -> None:
    assert check_product_offer(SUBMIT, PRODUCT, ENTERPRISE, "bullet").outcome is PASSED
    assert check_product_offer(SUBMIT, replace(PRODUCT, active=False), ENTERPRISE, "bullet").outcome is FAILED
    other_city = replace(ENTERPRISE, region_code="150203")
    assert check_product_offer(SUBMIT, PRODUCT, other_city, "bullet").params["region"] == "150203"
    assert check_product_offer(SUBMIT, PRODUCT, replace(ENTERPRISE, industry_code="I65"), "bullet").failed
    assert check_product_offer(SUBMIT, PRODUCT, ENTERPRISE, "interest-only").failed
    assert check_product_offer(SUBMIT, replace(PRODUCT, industries=()), replace(ENTERPRISE, industry_code=""),
                               "bullet").outcome is PASSED


@pytest.mark.parametrize(("amount", "outcome"), [(10_000_000, PASSED), (9_999_999, FAILED),
                                                 (2_000_000_000, PASSED), (2_000_000_001, FAILED)])
def test_amount_limits_inclusive(amount: int, outcome: Outcome) -> None:
    result = check_amount_limits(SUBMIT, PRODUCT, amount)
    assert result.outcome is outcome and result.clause == "SC-6" and result.blocking


@pytest.mark.parametrize(("term", "outcome"), [(6, PASSED), (5, FAILED), (120, PASSED), (121, FAILED)])
def test_term_limit_is_the_smaller_of_product_and_profile(term: int, outcome: Outcome) -> None:
    result = check_term_limit(SUBMIT, PRODUCT, POLICY, term)
    assert result.outcome is outcome
    assert result.params["maximum"] == 120 and result.clause == "SC-6"


def test_term_limit_product_cap_below_profile() -> None:
    product = replace(PRODUCT, max_term_months=36)
    assert check_term_limit(SUBMIT, product, POLICY, 36).outcome is PASSED
    assert check_term_limit(SUBMIT, product, POLICY, 37).outcome is FAILED


# --- purpose and fund ------------------------------------------------------------------------------------


def test_purpose_allowed_prohibited_and_not_applicable() -> None:
    assert check_purpose(SUBMIT, POLICY, "working_capital").outcome is PASSED
    prohibited = check_purpose(SUBMIT, POLICY, "securities")
    assert prohibited.failed and prohibited.clause == "BT-5" and prohibited.blocking
    assert check_purpose(SUBMIT, POLICY, "futures").failed  # not in the allowed list either
    assert check_purpose(SUBMIT, PolicyParams(), "securities").outcome is NA


def test_fund_eligibility_registered_years_inclusive() -> None:
    one_year_ago = replace(ENTERPRISE, established_on=date(2024, 9, 30))
    assert check_fund_eligibility(SUBMIT, FUND, one_year_ago, [asset()], TODAY).outcome is PASSED
    a_day_short = replace(ENTERPRISE, established_on=date(2024, 10, 1))
    result = check_fund_eligibility(SUBMIT, FUND, a_day_short, [asset()], TODAY)
    assert result.failed and result.clause == "BT-4a"


def test_fund_eligibility_bad_credit_window() -> None:
    exactly_three_years = replace(ENTERPRISE, bad_credit_dates=(date(2022, 9, 30),))
    assert check_fund_eligibility(SUBMIT, FUND, exactly_three_years, [asset()], TODAY).outcome is PASSED
    a_day_inside = replace(ENTERPRISE, bad_credit_dates=(date(2022, 10, 1),))
    result = check_fund_eligibility(SUBMIT, FUND, a_day_inside, [asset()], TODAY)
    assert result.failed and result.clause == "BT-4b"
    # A young enterprise: any record since founding counts.
    young = replace(ENTERPRISE, established_on=date(2024, 1, 1), bad_credit_dates=(date(2024, 2, 1),))
    assert check_fund_eligibility(SUBMIT, FUND, young, [asset()], TODAY).failed


def test_fund_eligibility_other_conditions() -> None:
    assert check_fund_eligibility(SUBMIT, None, ENTERPRISE, [asset()], TODAY).outcome is NA
    assert check_fund_eligibility(SUBMIT, FUND, replace(ENTERPRISE, is_independent_legal_person=False),
                                  [asset()], TODAY).failed
    assert check_fund_eligibility(SUBMIT, FUND, replace(ENTERPRISE, region_code="150203"), [asset()], TODAY).failed
    assert check_fund_eligibility(SUBMIT, FUND, ENTERPRISE, [asset(kind="copyright")], TODAY).failed
    lapsed = check_fund_eligibility(SUBMIT, replace(FUND, in_force=False), ENTERPRISE, [asset()], TODAY)
    assert lapsed.failed and "not in force" in lapsed.message


def test_dishonest_list_only_for_fund_coverage() -> None:
    listed = replace(ENTERPRISE, on_dishonest_list=True)
    assert check_not_dishonest(SUBMIT, FUND, listed).failed
    assert check_not_dishonest(SUBMIT, FUND, listed).clause == "BT-18"
    assert check_not_dishonest(SUBMIT, None, listed).outcome is NA
    assert check_not_dishonest(SUBMIT, FUND, ENTERPRISE).outcome is PASSED


def test_fund_standing_suspension_and_customer_date() -> None:
    notice = date(2025, 6, 1)
    before = FundStanding("suspended", notice, date(2025, 5, 31))
    on_the_day = FundStanding("suspended", notice, notice)
    assert check_fund_standing(SUBMIT, FUND, before).outcome is PASSED
    result = check_fund_standing(SUBMIT, FUND, on_the_day)
    assert result.failed and result.clause == "BT-13b"
    assert check_fund_standing(SUBMIT, FUND, FundStanding("suspended", notice, None)).failed
    assert check_fund_standing(SUBMIT, FUND, FundStanding("warned", notice, None)).outcome is PASSED
    assert check_fund_standing(SUBMIT, FUND, FundStanding("removed", notice, date(2020, 1, 1))).failed
    assert check_fund_standing(SUBMIT, FUND, FundStanding(None, None, None)).failed
    assert check_fund_standing(SUBMIT, None, None).outcome is NA
    assert fund_covers_bank_customer(before) and not fund_covers_bank_customer(on_the_day)


# --- collateral ------------------------------------------------------------------------------------------


def test_loan_to_value_exact_cap_passes_one_fen_over_fails() -> None:
    bundle = [asset(1, value_fen=333_333_333), asset(2, value_fen=166_666_667)]  # 5,000,000.00 yuan
    at_cap = check_loan_to_value(SUBMIT, PRODUCT, POLICY, bundle, 300_000_000)  # 60 % exactly
    assert at_cap.outcome is PASSED and at_cap.clause == "PZA-2.1.2"
    assert check_loan_to_value(SUBMIT, PRODUCT, POLICY, bundle, 300_000_001).failed


def test_loan_to_value_uses_the_product_cap_when_lower() -> None:
    product = replace(PRODUCT, max_loan_to_value=Decimal("0.50"))
    assert check_loan_to_value(SUBMIT, product, POLICY, [asset()], 250_000_000).outcome is PASSED
    assert check_loan_to_value(SUBMIT, product, POLICY, [asset()], 250_000_001).failed


def test_loan_to_value_needs_every_valuation() -> None:
    result = check_loan_to_value(SUBMIT, PRODUCT, POLICY, [asset(1), asset(2, value_fen=None)], 1)
    assert result.failed and "00002" in result.message


def test_valuation_route_threshold() -> None:
    negotiated = [asset(value_fen=5_000_000_000)]
    below = check_valuation_route(APPROVE, POLICY, negotiated, 999_999_999)
    assert below.outcome is PASSED and below.clause == "SC-3"
    at = check_valuation_route(APPROVE, POLICY, negotiated, 1_000_000_000)
    assert at.failed and at.blocking
    appraised = [asset(valuation_source="third_party_appraisal")]
    assert check_valuation_route(APPROVE, POLICY, appraised, 1_000_000_000).outcome is PASSED
    inclusive = replace(POLICY, internal_valuation_threshold_inclusive=Param(True, "SC-3"))
    assert check_valuation_route(APPROVE, inclusive, negotiated, 1_000_000_000).outcome is PASSED
    assert check_valuation_route(APPROVE, PolicyParams(), negotiated, 1).outcome is NA
    # On submission the route is shown but does not refuse (the bank may still order an appraisal).
    assert not check_valuation_route(SUBMIT, POLICY, negotiated, 1_000_000_000).blocks


def test_collateral_kinds_and_combined_pledge() -> None:
    assert check_collateral_kinds(SUBMIT, PRODUCT, [asset(1), asset(2, kind="trademark")]).outcome is PASSED
    assert check_collateral_kinds(SUBMIT, PRODUCT, [asset(kind="copyright")]).failed
    single = replace(PRODUCT, combined_pledge_allowed=False)
    assert check_collateral_kinds(SUBMIT, single, [asset(1)]).outcome is PASSED
    assert check_collateral_kinds(SUBMIT, single, [asset(1), asset(2)]).failed
    assert check_collateral_kinds(SUBMIT, PRODUCT, []).failed


def test_ownership_and_co_owner_consent() -> None:
    assert check_asset_ownership(SUBMIT, [asset()], False).outcome is PASSED
    assert check_asset_ownership(SUBMIT, [asset(owned_by_applicant=False)], True).failed
    assert check_asset_ownership(SUBMIT, [asset(co_owned=True)], False).failed
    assert check_asset_ownership(SUBMIT, [asset(co_owned=True)], True).outcome is PASSED


def test_legal_status_fees_and_encumbrances() -> None:
    assert check_asset_in_force(SUBMIT, [asset()]).outcome is PASSED
    assert check_asset_in_force(SUBMIT, [asset(legal_status="lapsed")]).failed
    for state, outcome in (("paid", PASSED), ("due", PASSED), ("term_over", PASSED), ("grace", FAILED),
                           ("lapsed", FAILED)):
        assert check_asset_fees_paid(SUBMIT, [asset(fee_state=state)]).outcome is outcome, state
    assert check_asset_fees_paid(SUBMIT, [asset(kind="trademark", fee_state=None)]).outcome is PASSED
    assert check_asset_unencumbered(SUBMIT, [asset()]).outcome is PASSED
    assert "Already pledged" in check_asset_unencumbered(SUBMIT, [asset(pledged=True)]).message
    assert "Frozen" in check_asset_unencumbered(SUBMIT, [asset(frozen=True)]).message
    assert "another open application" in check_asset_unencumbered(
        SUBMIT, [asset(in_other_open_application=True)]).message


def test_asset_term_covers_loan_to_the_day() -> None:
    start = date(2025, 10, 15)
    maturity = loan_maturity(start, 36)
    assert maturity == date(2028, 10, 15)
    assert check_asset_term_covers_loan(SUBMIT, [asset(term_end=maturity)], start, 36).outcome is PASSED
    short = check_asset_term_covers_loan(SUBMIT, [asset(term_end=maturity - timedelta(days=1))], start, 36)
    assert short.failed and short.params["maturity"] == "2028-10-15"
    assert check_asset_term_covers_loan(SUBMIT, [asset(term_end=None)], start, 36).outcome is PASSED


def test_loan_maturity_clips_to_month_end() -> None:
    assert loan_maturity(date(2025, 1, 31), 1) == date(2025, 2, 28)


# --- rate and plan ----------------------------------------------------------------------------------------


def test_rate_in_product_range_inclusive() -> None:
    assert check_rate_in_product_range(APPROVE, PRODUCT, Decimal("3.00")).outcome is PASSED
    assert check_rate_in_product_range(APPROVE, PRODUCT, Decimal("2.99")).failed
    assert check_rate_in_product_range(APPROVE, PRODUCT, Decimal("6.00")).outcome is PASSED
    assert check_rate_in_product_range(APPROVE, PRODUCT, Decimal("6.01")).failed
    assert check_rate_in_product_range(SUBMIT, PRODUCT, None).outcome is NA


def test_rate_cap_lpr_plus_140bp() -> None:
    lpr = lpr_for(36, date(2025, 9, 22), Decimal("3.00"), Decimal("3.50"))
    assert lpr.tenor is Tenor.ONE_YEAR
    at_cap = check_rate_cap(APPROVE, POLICY, FUND, Decimal("4.40"), lpr)
    assert at_cap.outcome is PASSED and at_cap.clause == "PZA-2.3.1b"
    over = check_rate_cap(APPROVE, POLICY, FUND, Decimal("4.41"), lpr)
    assert over.failed and over.blocking and over.params["cap"] == "4.40"
    assert check_rate_cap(APPROVE, POLICY, None, Decimal("9"), lpr).outcome is NA
    assert check_rate_cap(APPROVE, PolicyParams(), FUND, Decimal("9"), lpr).outcome is NA
    assert check_rate_cap(APPROVE, POLICY, FUND, Decimal("4"), None).failed
    # On submission a proposed rate over the cap is shown, not refused.
    assert not check_rate_cap(SUBMIT, POLICY, FUND, Decimal("4.41"), lpr).blocks


def test_rate_cap_tenor_by_term() -> None:
    assert lpr_for(60, TODAY, Decimal("3.00"), Decimal("3.50")).tenor is Tenor.ONE_YEAR
    five = lpr_for(61, TODAY, Decimal("3.00"), Decimal("3.50"))
    assert five.tenor is Tenor.FIVE_YEAR and five.rate == Decimal("3.50")
    assert check_rate_cap(APPROVE, POLICY, FUND, Decimal("4.90"), five).outcome is PASSED
    assert check_rate_cap(APPROVE, POLICY, FUND, Decimal("4.91"), five).failed


def test_credit_plan_room() -> None:
    plan = PlanRoom(2025, 5_000_000_000, 4_700_000_000)
    assert check_credit_plan_room(APPROVE, plan, 300_000_000).outcome is PASSED
    over = check_credit_plan_room(APPROVE, plan, 300_000_001)
    assert over.failed and over.blocks and over.clause == "PZA-3.乙1"
    assert not check_credit_plan_room(SUBMIT, plan, 300_000_001).blocks
    assert check_credit_plan_room(APPROVE, None, 1).outcome is NA


# --- all together ---------------------------------------------------------------------------------------


def _input(stage: Stage, **kw: object) -> CheckInput:
    base: dict[str, object] = dict(
        stage=stage, today=TODAY,
        request=LoanRequest(300_000_000, 12, "research_and_development", "bullet", annual_rate=Decimal("4.00")),
        product=PRODUCT, policy=POLICY, enterprise=ENTERPRISE, assets=(asset(1), asset(2)), fund=FUND,
        standing=FundStanding("admitted", date(2024, 1, 1), None), plan=PlanRoom(2025, 5_000_000_000, 0),
        lpr=lpr_for(12, date(2025, 9, 22), Decimal("3.00"), Decimal("3.50")))
    base.update(kw)
    return CheckInput(**base)  # type: ignore[arg-type]


def test_run_checks_all_pass_and_list_every_code() -> None:
    results = run_checks(_input(APPROVE))
    assert sorted(r.code for r in results) == sorted(BLOCKING_STAGES)
    assert not blocking_failures(results), [r.message for r in results if r.failed]
    assert all(r.clause for r in results)


def test_run_checks_stage_decides_blocking() -> None:
    request = LoanRequest(300_000_000, 12, "research_and_development", "bullet", annual_rate=Decimal("4.50"))
    submit = run_checks(_input(SUBMIT, request=request))
    approve = run_checks(_input(APPROVE, request=request))
    assert [r.code for r in submit if r.failed] == ["rate_cap"]
    assert not blocking_failures(submit)
    assert [r.code for r in blocking_failures(approve)] == ["rate_cap"]


def test_result_as_dict_is_json_ready() -> None:
    data = check_loan_to_value(SUBMIT, PRODUCT, POLICY, [asset()], 1).as_dict()
    assert data["outcome"] == "passed" and data["template"].startswith("{amount}")
    assert all(isinstance(v, (str, int, bool, list)) for v in data["params"].values())


def test_risk_shares_sum_to_one() -> None:
    shares = risk_shares(fund_ratio=Decimal("0.40"), guarantor_ratio=Decimal("0.20"))
    assert shares == {"bank": Decimal("0.40"), "fund": Decimal("0.40"), "guarantor": Decimal("0.20")}
    assert sum(shares.values()) == 1
    assert risk_shares(fund_ratio=None) == {"bank": Decimal(1)}
    with pytest.raises(InvalidInput):
        risk_shares(fund_ratio=Decimal("0.7"), insurer_ratio=Decimal("0.4"))


def test_term_limit_needs_whole_repayment_periods() -> None:
    quarterly = replace(PRODUCT, period_months=3)
    assert check_term_limit(SUBMIT, quarterly, POLICY, 12).outcome is PASSED
    result = check_term_limit(SUBMIT, quarterly, POLICY, 13)
    assert result.outcome is FAILED and result.blocking and result.params["period"] == 3

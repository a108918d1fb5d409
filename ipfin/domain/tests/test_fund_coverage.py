"""Coverage at disbursement (BT-4, BT-5, BT-18, BT-13b) and risk shares (PZP-3.4.2, BT-12a)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ipfin.domain.fund.coverage import (
    StatusNotice,
    covered_at,
    enrollment,
    shares,
    split_loss,
    standing_on,
    validate_shares,
)
from ipfin.domain.fund.errors import InvalidRiskShares
from ipfin.domain.origination.checks import AssetFacts, EnterpriseFacts, FundRules, Param, PolicyParams
from ipfin.policy.loader import get_profile

BT = get_profile("baotou-2021")


def _param(key: str) -> Param:
    p = BT.parameter(key)
    return Param(p.value, p.clause, BT.name)


FUND = FundRules(name="包头风险补偿资金", region_code="150200", profile=BT.name, in_force=True,
                 min_registered_years=_param("min_registered_years"), credit_clean_years=_param("credit_clean_years"),
                 eligible_collateral_kinds=_param("eligible_collateral_kinds"))
POLICY = PolicyParams(allowed_purposes=_param("allowed_purposes"), prohibited_purposes=_param("prohibited_purposes"))
ENTERPRISE = EnterpriseFacts(region_code="150203", industry_code="C3240", established_on=date(2019, 3, 1),
                             is_independent_legal_person=True)
PATENT = AssetFacts(asset_id=1, number="ZL201910000001.X", kind="patent", legal_status="in_force")
RATIO = BT.parameter("compensation_ratio").value
NOTICES = [StatusNotice(date(2021, 1, 10), "admitted"), StatusNotice(date(2022, 6, 1), "suspended")]


def _enrol(*, on: date = date(2022, 3, 1), customer_since: date | None = date(2021, 5, 1),
           enterprise: EnterpriseFacts = ENTERPRISE, purpose: str = "research_and_development",
           assets: tuple[AssetFacts, ...] = (PATENT,)):  # type: ignore[no-untyped-def]
    return enrollment(fund=FUND, enterprise=enterprise, assets=assets, purpose=purpose, policy=POLICY,
                      standing=standing_on(NOTICES, on, customer_since), disbursed_on=on,
                      loan_principal_fen=1_000_000_000, ip_pledge_portion_fen=400_000_000,
                      compensation_ratio=RATIO, guarantor_ratio=Decimal("0.20"))


def test_an_eligible_loan_is_enrolled_with_its_portion_and_shares() -> None:
    e = _enrol()
    assert e.covered and not e.failures
    assert e.ip_pledge_portion_fen == 400_000_000
    assert e.risk_shares == {"bank": Decimal("0.50"), "fund": Decimal("0.30"), "guarantor": Decimal("0.20")}


def test_bt4_registered_less_than_a_year_before() -> None:
    young = EnterpriseFacts(region_code="150203", industry_code="C3240", established_on=date(2021, 3, 2),
                            is_independent_legal_person=True)
    e = _enrol(enterprise=young)
    assert not e.covered and e.failures[0].clause == "BT-4a"
    assert _enrol(enterprise=young, on=date(2022, 3, 2)).covered  # one year exactly: 一年以上（含一年）


def test_bt5_prohibited_purpose() -> None:
    e = _enrol(purpose="securities")
    assert not e.covered and e.failures[0].code == "purpose_allowed"


def test_bt18_dishonest_enterprise() -> None:
    listed = EnterpriseFacts(region_code="150203", industry_code="C3240", established_on=date(2019, 3, 1),
                             is_independent_legal_person=True, on_dishonest_list=True)
    assert not _enrol(enterprise=listed).covered


def test_bt4_copyright_is_not_a_covered_collateral_kind() -> None:
    copyright_ = AssetFacts(asset_id=2, number="2020-A-1", kind="copyright", legal_status="in_force")
    assert not _enrol(assets=(copyright_,)).covered


def test_not_covered_means_the_bank_bears_it_all() -> None:
    e = _enrol(purpose="futures")
    assert e.risk_shares == {"bank": Decimal("0.80"), "guarantor": Decimal("0.20")}


# -- BT-13b: before and after a suspension notice -----------------------------------------------------------


def test_before_the_suspension_notice_everyone_is_covered() -> None:
    assert _enrol(on=date(2022, 5, 31), customer_since=None).covered  # a new customer the day before


def test_after_the_notice_a_new_customer_is_not_covered() -> None:
    e = _enrol(on=date(2022, 6, 1), customer_since=date(2022, 6, 1))
    assert not e.covered and e.failures[0].clause == "BT-13b"
    assert not _enrol(on=date(2022, 7, 1), customer_since=None).covered


def test_after_the_notice_an_existing_customer_stays_covered() -> None:
    assert _enrol(on=date(2022, 7, 1), customer_since=date(2021, 5, 1)).covered


def test_a_loan_disbursed_before_the_notice_is_judged_as_before_it() -> None:
    # the notice exists now, but coverage is decided on the disbursement date: earlier loans stay covered
    assert covered_at(NOTICES, date(2022, 5, 31), None)
    assert not covered_at(NOTICES, date(2022, 6, 1), None)


def test_no_cooperation_yet_and_removed_banks() -> None:
    assert not covered_at(NOTICES, date(2021, 1, 9), None)
    removed = [*NOTICES, StatusNotice(date(2022, 9, 1), "removed")]
    assert not covered_at(removed, date(2022, 9, 1), date(2020, 1, 1))
    assert standing_on(removed, date(2022, 8, 31), None).status == "suspended"


# -- risk shares (PZP-3.4.2) --------------------------------------------------------------------------------


def test_shares_sum_to_one() -> None:
    s = shares(fund_ratio=RATIO, guarantor_ratio=Decimal("0.40"), insurer_ratio=Decimal("0.10"))
    assert sum(s.values()) == 1 and s["bank"] == Decimal("0.20")
    validate_shares(s)


def test_shares_above_one_are_refused() -> None:
    with pytest.raises(InvalidRiskShares):
        shares(fund_ratio=RATIO, guarantor_ratio=Decimal("0.50"), insurer_ratio=Decimal("0.30"))
    with pytest.raises(InvalidRiskShares):
        validate_shares({"fund": Decimal("0.3"), "bank": Decimal("0.6")})
    with pytest.raises(InvalidRiskShares):
        validate_shares({"fund": Decimal("0.3"), "bank": Decimal("0.7"), "broker": Decimal("0")})


def test_split_a_loss_with_the_fund_capped() -> None:
    risk = shares(fund_ratio=RATIO, guarantor_ratio=Decimal("0.20"))
    parts = split_loss(800_000_000, risk, fund_cap_fen=BT.parameter("claim_cap_fen").value)
    assert parts == {"fund": 150_000_000, "guarantor": 160_000_000, "bank": 490_000_000}


@given(loss=st.integers(0, 10**12), fund=st.integers(0, 100), guarantor=st.integers(0, 100),
       insurer=st.integers(0, 100), cap=st.none() | st.integers(0, 10**9))
def test_split_always_sums_to_the_loss(loss: int, fund: int, guarantor: int, insurer: int, cap: int | None) -> None:
    if fund + guarantor + insurer > 100:
        return
    risk = shares(fund_ratio=Decimal(fund) / 100, guarantor_ratio=Decimal(guarantor) / 100,
                  insurer_ratio=Decimal(insurer) / 100)
    parts = split_loss(loss, risk, fund_cap_fen=cap)
    assert sum(parts.values()) == loss
    assert all(v >= 0 for v in parts.values())
    if cap is not None:
        assert parts.get("fund", 0) <= cap

"""Every number of clauses.md §1 is in the profile of the document that states it, with its clause id."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from ipfin.policy.loader import get_profile, load_profiles, profile_names
from ipfin.policy.schema import CLAUSE_ID, ParameterNotStated, UnknownParameter, UnknownProfile

NOT_STATED = object()

# (profile, key, value, unit, clause) — written out from clauses.md §1 and the seed documents.
EXPECTED = [
    ("panzhihua-agreement", "max_loan_to_value", Decimal("0.60"), "ratio", "PZA-2.1.2"),
    ("panzhihua-agreement", "registration_sla_working_days", 5, "working_days", "PZA-2.2.1a"),
    ("panzhihua-agreement", "approval_sla_working_days", 5, "working_days", "PZA-2.2.1b"),
    ("panzhihua-agreement", "compensation_ratio", Decimal("0.40"), "ratio", "PZA-2.3.1a"),
    ("panzhihua-agreement", "rate_cap_spread_bp", 140, "bp", "PZA-2.3.1b"),
    ("panzhihua-agreement", "credit_plan_min_fen", 5_000_000_000, "fen", "PZA-3.乙1"),  # 0.5 亿元
    ("panzhihua-agreement", "npl_tolerance_ratio", Decimal("0.03"), "ratio", "PZA-3.乙2"),
    ("panzhihua-agreement", "joint_meeting_interval_months", 3, "months", "PZA-4.1"),
    ("panzhihua-agreement", "agreement_term_years", 3, "years", "PZA-5.1"),
    ("panzhihua-agreement", "renewal_notice_days", 30, "days", "PZA-5.1"),
    ("xiangtan-2020", "bank_guarantor_subsidy_ratio", NOT_STATED, "ratio", "XT-7"),
    ("xiangtan-2020", "enterprise_loan_subsidy_ratio", NOT_STATED, "ratio", "XT-8"),
    ("xiangtan-2020", "npl_tolerance_spread_pp", Decimal("3"), "percentage_points", "XT-10"),
    ("xiangtan-2020", "premium_subsidy_ratio", NOT_STATED, "ratio", "XT-11"),
    ("xiangtan-2020", "registration_sla_working_days", 5, "working_days", "XT-14"),
    ("panzhihua-pilot-2016", "commercialisation_target_min_per_year", 2, "count", "PZP-1.2.3"),
    ("panzhihua-pilot-2016", "commercialisation_target_max_per_year", 3, "count", "PZP-1.2.3"),
    ("panzhihua-pilot-2016", "annual_report_due", "12-20", "month_day", "PZP-4.3"),
    ("sichuan-2025", "internal_valuation_threshold_fen", 1_000_000_000, "fen", "SC-3"),  # 1000 万元
    ("sichuan-2025", "max_term_months", 120, "months", "SC-6"),
    ("sichuan-2025", "transfer_fee_waiver_years", 3, "years", "SC-8"),
    ("sichuan-2025", "whitelist_size", 100, "count", "SC-14"),
    ("baotou-2021", "fund_initial_size_fen", 1_000_000_000, "fen", "BT-3"),  # 1000 万元
    ("baotou-2021", "min_registered_years", 1, "years", "BT-4a"),
    ("baotou-2021", "credit_clean_years", 3, "years", "BT-4b"),
    ("baotou-2021", "management_fee_cap_ratio", Decimal("0.015"), "ratio", "BT-8.7"),
    ("baotou-2021", "annual_management_fee_cap_fen", 15_000_000, "fen", "BT-8.7"),  # 150,000 CNY
    ("baotou-2021", "fund_interest_retained", True, "boolean", "BT-11"),
    ("baotou-2021", "compensation_ratio", Decimal("0.30"), "ratio", "BT-12a"),
    ("baotou-2021", "claim_cap_fen", 150_000_000, "fen", "BT-12b"),  # 150 万元
    ("baotou-2021", "warning_ratio", Decimal("0.03"), "ratio", "BT-13a"),
    ("baotou-2021", "suspension_ratio", Decimal("0.05"), "ratio", "BT-13b"),
    ("baotou-2021", "claim_min_days_past_due", 60, "days", "BT-15"),
    ("baotou-2021", "recovery_share_ratio", Decimal("0.30"), "ratio", "BT-16"),
    ("baotou-2021", "recovery_share_due_working_days", 15, "working_days", "BT-16"),
    ("baotou-2021", "evaluation_interval_months", 6, "months", "BT-20"),
    ("baotou-2021", "fund_closing_distribution", "pro_rata_to_contributors", "text", "BT-21"),
    ("baotou-2021", "validity_years", 2, "years", "BT-23"),
    ("baotou-2021", "prohibited_purposes", ("equity_investment", "securities", "funds", "futures",
                                            "regulator_prohibited"), "list", "BT-5"),
]

# The clause ids of clauses.md §1 (XT-7/8/11 share a row there).
SECTION_1_CLAUSES = {
    "PZA-2.1.2", "PZA-2.2.1a", "PZA-2.2.1b", "PZA-2.3.1a", "PZA-2.3.1b", "PZA-3.乙1", "PZA-3.乙2", "PZA-4.1",
    "PZA-5.1", "XT-10", "XT-14", "XT-7", "XT-8", "XT-11", "PZP-1.2.3", "PZP-4.3", "SC-3", "SC-6", "SC-8", "SC-14",
    "BT-3", "BT-4a", "BT-4b", "BT-8.7", "BT-11", "BT-12a", "BT-12b", "BT-13a", "BT-13b", "BT-15", "BT-16",
    "BT-20", "BT-21", "BT-23",
}


def test_the_five_documents_have_a_profile_each() -> None:
    assert profile_names() == ["baotou-2021", "panzhihua-agreement", "panzhihua-pilot-2016", "sichuan-2025",
                               "xiangtan-2020"]
    jurisdictions = {name: profile.jurisdiction for name, profile in load_profiles().items()}
    assert jurisdictions == {"baotou-2021": "150200", "panzhihua-agreement": "510400",
                             "panzhihua-pilot-2016": "510400", "sichuan-2025": "510000", "xiangtan-2020": "430300"}


@pytest.mark.parametrize(("name", "key", "value", "unit", "clause"), EXPECTED,
                         ids=[f"{row[0]}:{row[1]}" for row in EXPECTED])
def test_every_section_1_number_is_in_its_profile(name: str, key: str, value: object, unit: str,
                                                  clause: str) -> None:
    profile = get_profile(name)
    parameter = profile.parameter(key)
    assert (parameter.unit, parameter.clause) == (unit, clause)
    assert profile.clause_of(key) == clause
    if value is NOT_STATED:
        assert not parameter.stated and parameter.value is None
        with pytest.raises(ParameterNotStated, match=clause):
            profile.param(key)
    else:
        assert profile.param(key) == value
        assert type(profile.param(key)) is type(value)  # Decimal stays Decimal, never float


def test_every_section_1_clause_is_cited_by_some_profile() -> None:
    cited = {p.clause for profile in load_profiles().values() for p in profile.parameters.values()}
    assert SECTION_1_CLAUSES - cited == set()
    assert {row[4] for row in EXPECTED} >= SECTION_1_CLAUSES


def test_every_clause_id_of_clauses_md_matches_the_pattern() -> None:
    for clause in [*SECTION_1_CLAUSES, "PZA-2.1.1", "BT-12", "SC-III", "BT-4", "PZP-3.4.2", "PZA-2.2.2"]:
        assert CLAUSE_ID.match(clause), clause
    for wrong in ["BT12", "bt-12", "XX-1", "BT-", "BT-12A", "BT-1..2", "PZA-3.乙"[:-1]]:
        assert not CLAUSE_ID.match(wrong), wrong


def test_attribute_access_reads_typed_values() -> None:
    baotou = get_profile("baotou-2021")
    assert baotou.compensation_ratio == Decimal("0.30")
    assert baotou.decimal("warning_ratio") < baotou.decimal("suspension_ratio")
    assert baotou.integer("claim_cap_fen") == 150_000_000
    assert "futures" in baotou.identifiers("prohibited_purposes")
    assert baotou.has("claim_cap_fen") and not baotou.has("rate_cap_spread_bp")
    assert baotou.get("rate_cap_spread_bp") is None
    with pytest.raises(TypeError):
        baotou.integer("compensation_ratio")


def test_a_missing_parameter_raises_a_clear_error_naming_profile_and_key() -> None:
    xiangtan = get_profile("xiangtan-2020")
    with pytest.raises(UnknownParameter) as caught:
        xiangtan.compensation_ratio  # noqa: B018
    assert caught.value.message == "Policy profile 'xiangtan-2020' has no parameter 'compensation_ratio'."
    assert caught.value.code == "unknown_parameter"
    assert not hasattr(xiangtan, "compensation_ratio")  # also an AttributeError
    with pytest.raises(UnknownParameter):
        xiangtan.clause_of("claim_cap_fen")


def test_unknown_profile_lists_the_known_names() -> None:
    with pytest.raises(UnknownProfile) as caught:
        get_profile("ordos-2024")
    assert caught.value.code == "unknown_profile"
    assert caught.value.http_status == 404
    assert "'ordos-2024'" in caught.value.message and "baotou-2021, panzhihua-agreement" in caught.value.message


@pytest.mark.parametrize(("name", "day", "effective"), [
    ("baotou-2021", date(2020, 12, 31), False),
    ("baotou-2021", date(2021, 1, 1), True),
    ("baotou-2021", date(2022, 12, 31), True),  # effective_to is inclusive
    ("baotou-2021", date(2023, 1, 1), False),
    ("panzhihua-pilot-2016", date(2018, 12, 31), True),
    ("panzhihua-pilot-2016", date(2019, 1, 1), False),
    ("sichuan-2025", date(2025, 5, 19), False),
    ("sichuan-2025", date(2099, 1, 1), True),  # open-ended
    ("xiangtan-2020", date(2020, 4, 17), True),
])
def test_is_effective_on(name: str, day: date, effective: bool) -> None:
    assert get_profile(name).is_effective_on(day) is effective


def test_profiles_are_cached_and_read_only() -> None:
    assert load_profiles() is load_profiles()
    with pytest.raises(TypeError):
        load_profiles()["x"] = get_profile("baotou-2021")  # type: ignore[index]
    with pytest.raises(ValueError, match="frozen"):
        get_profile("baotou-2021").profile.name = "other"  # type: ignore[misc]


def test_management_fee_cap_matches_the_fund_size() -> None:
    """BT-8.7: the yearly fee cap is 1.5 % of the 10,000,000 CNY fund, i.e. 150,000 CNY."""
    baotou = get_profile("baotou-2021")
    assert baotou.fund_initial_size_fen * baotou.management_fee_cap_ratio == baotou.annual_management_fee_cap_fen


def test_profiles_json_shape() -> None:
    data = get_profile("baotou-2021").as_json()
    assert data["parameters"]["claim_cap_fen"] == {"value": 150000000, "unit": "fen", "clause": "BT-12b"}
    assert data["parameters"]["compensation_ratio"] == {"value": "0.30", "unit": "ratio", "clause": "BT-12a"}
    assert data["parameters"]["prohibited_purposes"]["value"][0] == "equity_investment"
    assert data["effective_from"] == "2021-01-01"
    xiangtan = get_profile("xiangtan-2020").as_json()
    assert xiangtan["parameters"]["premium_subsidy_ratio"] == {"value": None, "unit": "ratio", "clause": "XT-11"}
    assert xiangtan["effective_to"] is None

"""Looking a parameter up across the profiles a product or fund operates under."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from ipfin.policy.loader import UnknownProfile
from ipfin.policy.policyset import merged, policy_set

ON = date(2026, 6, 30)


def test_first_profile_that_states_a_key_wins_with_its_clause() -> None:
    policies = policy_set(["panzhihua-agreement", "sichuan-2025"], on=ON)
    ltv = policies.find("max_loan_to_value")
    assert ltv is not None and ltv.decimal == Decimal("0.60")
    assert (ltv.clause, ltv.profile) == ("PZA-2.1.2", "panzhihua-agreement")
    term = policies.find("max_term_months")
    assert term is not None and (term.value, term.clause, term.profile) == (120, "SC-6", "sichuan-2025")


def test_a_key_no_profile_states_is_none_not_a_default() -> None:
    assert policy_set(["sichuan-2025"], on=ON).find("max_loan_to_value") is None


def test_profiles_out_of_force_are_skipped_and_named() -> None:
    policies = policy_set(["baotou-2021", "panzhihua-agreement"], on=ON)
    assert policies.names == ("panzhihua-agreement",)
    assert policies.not_in_force == ("baotou-2021",)
    assert policies.find("claim_cap_fen") is None
    in_2022 = policy_set(["baotou-2021"], on=date(2022, 6, 30)).find("claim_cap_fen")
    assert in_2022 is not None and in_2022.value == 150_000_000 and in_2022.clause.startswith("BT-12")


def test_find_all_returns_every_in_force_value() -> None:
    values = policy_set(["panzhihua-agreement", "xiangtan-2020"], on=ON).find_all("registration_sla_working_days")
    assert [(v.profile, v.value, v.clause) for v in values] == [
        ("panzhihua-agreement", 5, "PZA-2.2.1a"), ("xiangtan-2020", 5, "XT-14")]


def test_unknown_profile_names_are_refused() -> None:
    with pytest.raises(UnknownProfile):
        policy_set(["no-such-profile"], on=ON)


def test_merged_keeps_first_occurrence_order() -> None:
    assert merged(["a", "b"], ["b", "c"], ["a"]) == ["a", "b", "c"]

"""Five-category classification under nfra-2023: overdue floors at the boundaries, manual downgrades, the
borrower-level rule, NPL and the NPL ratio; the thresholds come from the rules file, not from code."""

from __future__ import annotations

import dataclasses
import re
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import ipfin.domain.classification as classification_module
from ipfin.domain.classification import (
    BorrowerContagion,
    ClassificationRulesNotFound,
    ContagionMode,
    ManualClassAboveFloor,
    RiskClass,
    UnknownRiskClass,
    apply_borrower_contagion,
    available_rules,
    borrower_class,
    check_manual_class,
    classify,
    exceeds_overall_plus,
    exceeds_tolerance,
    floor_for,
    floor_rule_for,
    is_npl,
    load_rules,
    npl,
    npl_ratio,
)
from ipfin.domain.errors import InvalidInput
from ipfin.domain.repayment import days_past_due

D = Decimal
N, SM, SS, DF, LS = (RiskClass.NORMAL, RiskClass.SPECIAL_MENTION, RiskClass.SUBSTANDARD, RiskClass.DOUBTFUL,
                     RiskClass.LOSS)
RULES = load_rules("nfra-2023")


def test_rules_file_names_its_source_and_articles() -> None:
    assert "nfra-2023" in available_rules()
    assert RULES.title == "商业银行金融资产风险分类办法"
    assert "〔2023〕第1号" in RULES.source
    assert RULES.effective_from == date(2023, 7, 1)
    assert [(f.days_past_due_above, f.risk_class) for f in RULES.floors] == [(0, SM), (90, SS), (270, DF), (360, LS)]
    assert all(re.fullmatch(r"第.+条", f.article) for f in RULES.floors)
    assert RULES.contagion.article == "第七条第二款"


def test_no_threshold_is_a_literal_in_the_code() -> None:
    source = Path(classification_module.__file__).read_text(encoding="utf-8")
    for number in ("90", "270", "360"):
        assert not re.search(rf"\b{number}\b", source), number


@pytest.mark.parametrize(("days", "expected"), [
    (0, N), (1, SM), (90, SM), (91, SS), (270, SS), (271, DF), (360, DF), (361, LS), (5_000, LS),
])
def test_class_at_the_boundaries(days, expected) -> None:
    due = date(2024, 2, 29)
    dpd = days_past_due(due, due + timedelta(days=days))
    assert dpd == days
    assert floor_for(dpd, RULES) == expected
    assert classify(dpd, rules=RULES) == expected
    assert classify(dpd) == expected  # the default rules are nfra-2023


def test_floor_rule_carries_the_article() -> None:
    assert floor_rule_for(0, RULES) is None
    assert floor_rule_for(91, RULES).article == "第十条"


def test_manual_downgrade_lowers_but_never_lifts_above_the_floor() -> None:
    assert classify(0, SM, RULES) == SM
    assert classify(10, DF, RULES) == DF
    assert classify(100, N, RULES) == SS  # a "better" manual class cannot beat the floor
    assert classify(400, "special_mention", RULES) == LS
    assert check_manual_class(10, "doubtful", RULES) == DF
    with pytest.raises(ManualClassAboveFloor) as info:
        check_manual_class(100, N, RULES)
    assert info.value.details["floor_class"] == "substandard"


@given(days=st.integers(min_value=0, max_value=2_000), manual=st.none() | st.sampled_from(list(RiskClass)))
def test_class_is_monotonic_in_days_and_never_better_than_the_floor(days, manual) -> None:
    result = classify(days, manual, RULES)
    assert RULES.rank(result) >= RULES.rank(floor_for(days, RULES))
    assert RULES.rank(classify(days + 1, manual, RULES)) >= RULES.rank(result)
    if manual is not None:
        assert RULES.rank(result) >= RULES.rank(manual)


def test_unknown_class_and_bad_days_are_typed_errors() -> None:
    with pytest.raises(UnknownRiskClass):
        classify(0, "excellent", RULES)
    with pytest.raises(InvalidInput):
        floor_for(-1, RULES)
    with pytest.raises(ClassificationRulesNotFound):
        load_rules("nfra-1998")
    with pytest.raises(ClassificationRulesNotFound):
        load_rules("../classification_rules/nfra-2023")


def test_borrower_rule_npl_share_above_ten_percent() -> None:
    # 第七条第二款: more than 10 % of the borrower's claims non-performing → all non-performing (at least 次级)
    assert borrower_class([N, SS], RULES, [900, 100]) is None  # exactly 10 %: not above
    assert borrower_class([N, SS], RULES, [899, 101]) == SS
    assert apply_borrower_contagion([N, SM, DF], RULES, [800, 100, 101]) == [SS, SS, DF]
    assert borrower_class([N, SM], RULES, [1, 1]) is None
    assert borrower_class([], RULES, []) is None
    with pytest.raises(ValueError):
        borrower_class([N, SS], RULES)


def test_borrower_rule_worst_class_and_none_are_parameters() -> None:
    worst = dataclasses.replace(RULES, contagion=BorrowerContagion(ContagionMode.WORST_CLASS, None, None, ""))
    assert borrower_class([N, SM, DF], worst) == DF
    assert apply_borrower_contagion([N, LS, SM], worst) == [LS, LS, LS]
    off = dataclasses.replace(RULES, contagion=BorrowerContagion(ContagionMode.NONE, None, None, ""))
    assert borrower_class([N, LS], off) is None
    assert apply_borrower_contagion([N, LS], off) == [N, LS]


def test_npl_is_the_last_three_classes() -> None:
    assert [is_npl(c, RULES) for c in RiskClass] == [False, False, True, True, True]
    assert npl([N, SS, SM, LS, DF], RULES) == [SS, LS, DF]


def test_npl_ratio_weights_by_outstanding() -> None:
    book = [(N, 9_000_000), (SM, 500_000), (SS, 300_000), ("loss", 200_000)]
    assert npl_ratio(book, RULES) == D("0.05")
    assert npl_ratio([], RULES) is None
    assert npl_ratio([(SS, 0)], RULES) is None


def test_tolerance_monitors() -> None:
    # PZA-3.乙2: NPL tolerance 3 %; XT-10: not above the bank's overall NPL + 3 percentage points
    assert not exceeds_tolerance(D("0.03"), D("0.03"))
    assert exceeds_tolerance(D("0.0301"), D("0.03"))
    assert not exceeds_overall_plus(D("0.045"), D("0.015"), D("0.03"))
    assert exceeds_overall_plus(D("0.0451"), D("0.015"), D("0.03"))

"""Compensation claims (BT-12, BT-12a, BT-12b, BT-14, BT-15, BT-18, PZA-2.3.1a, SC-12) at their boundaries,
with the numbers read from the policy profiles."""

from __future__ import annotations

from decimal import Decimal

import pytest

from ipfin.domain.errors import IllegalTransition, InvalidInput
from ipfin.domain.fund.claims import (
    ALLOWED,
    ChecklistItem,
    ClaimBasis,
    ClaimState,
    Verification,
    claim_basis,
    claim_compensation,
    compensation,
    front_loaded_advance,
    front_loaded_settlement,
    ip_pledge_loss_fen,
    principal_loss_fen,
    require_claim_allowed,
    transition,
)
from ipfin.domain.fund.errors import ClaimNotAllowed
from ipfin.policy.loader import get_profile

BT = get_profile("baotou-2021")
PZA = get_profile("panzhihua-agreement")
MIN_DAYS = BT.parameter("claim_min_days_past_due").value
RATIO = BT.parameter("compensation_ratio").value
CAP = BT.parameter("claim_cap_fen").value


def test_the_profile_carries_the_documents_numbers() -> None:
    assert (MIN_DAYS, RATIO, CAP) == (60, Decimal("0.30"), 150_000_000)
    assert BT.parameter("claim_min_days_past_due").clause == "BT-15"
    assert PZA.parameter("compensation_ratio").value == Decimal("0.40")


# -- filing: BT-15 / BT-14 ----------------------------------------------------------------------------------


def test_59_days_is_too_early_and_60_is_enough() -> None:
    assert claim_basis(MIN_DAYS - 1, MIN_DAYS) is None
    assert claim_basis(MIN_DAYS, MIN_DAYS) is ClaimBasis.OVERDUE
    assert claim_basis(MIN_DAYS + 1, MIN_DAYS) is ClaimBasis.OVERDUE


def test_earlier_with_evidence_of_serious_deterioration() -> None:
    assert claim_basis(0, MIN_DAYS, deterioration_evidence=True) is ClaimBasis.DETERIORATION
    assert claim_basis(MIN_DAYS - 1, MIN_DAYS, deterioration_evidence=True) is ClaimBasis.DETERIORATION
    # overdue long enough is the stronger ground whatever the evidence
    assert claim_basis(MIN_DAYS, MIN_DAYS, deterioration_evidence=True) is ClaimBasis.OVERDUE


def test_negative_days_are_refused() -> None:
    with pytest.raises(InvalidInput):
        claim_basis(-1, MIN_DAYS)


def test_filing_refused_at_59_days_with_the_clause() -> None:
    with pytest.raises(ClaimNotAllowed) as err:
        require_claim_allowed(covered=True, days_past_due=MIN_DAYS - 1, claim_min_days_past_due=MIN_DAYS)
    assert err.value.details["clause"] == "BT-15"
    assert require_claim_allowed(covered=True, days_past_due=MIN_DAYS,
                                 claim_min_days_past_due=MIN_DAYS) is ClaimBasis.OVERDUE


def test_an_uncovered_loan_cannot_be_claimed() -> None:
    with pytest.raises(ClaimNotAllowed) as err:
        require_claim_allowed(covered=False, days_past_due=90, claim_min_days_past_due=MIN_DAYS)
    assert err.value.details["clause"] == "BT-13b"


@pytest.mark.parametrize("state", [s for s in ClaimState if s is not ClaimState.WITHDRAWN])
def test_one_claim_per_loan(state: ClaimState) -> None:
    with pytest.raises(ClaimNotAllowed):
        require_claim_allowed(covered=True, days_past_due=90, claim_min_days_past_due=MIN_DAYS,
                              existing_claim_states=[ClaimState.WITHDRAWN, state])


def test_a_new_claim_after_a_withdrawn_one() -> None:
    assert require_claim_allowed(covered=True, days_past_due=90, claim_min_days_past_due=MIN_DAYS,
                                 existing_claim_states=["withdrawn", "withdrawn"]) is ClaimBasis.OVERDUE


# -- amount: BT-12 ------------------------------------------------------------------------------------------


def test_thirty_percent_of_the_principal_loss() -> None:
    c = compensation(1_000_000_00, RATIO, CAP)  # 1,000,000 CNY loss
    assert (c.amount_fen, c.uncapped_fen, c.capped) == (300_000_00, 300_000_00, False)


def test_the_cap_itself_is_payable_and_one_fen_of_loss_more_is_capped() -> None:
    # 30 % of 5,000,000.00 CNY = 1,500,000.00 CNY exactly: "不高于150万元" is inclusive.
    at_cap = compensation(500_000_000, RATIO, CAP)
    assert (at_cap.amount_fen, at_cap.capped) == (CAP, False)
    # 5,000,000.02 CNY: 30 % = 150,000,000.6 fen → 150,000,001 fen HALF_UP, above the cap → the cap.
    above = compensation(500_000_002, RATIO, CAP)
    assert (above.uncapped_fen, above.amount_fen, above.capped) == (150_000_001, CAP, True)


def test_a_claim_whose_thirty_percent_exceeds_1_5_million() -> None:
    c = compensation(800_000_000, RATIO, CAP)  # 8,000,000 CNY loss → 2,400,000 CNY uncapped
    assert (c.uncapped_fen, c.amount_fen) == (240_000_000, 150_000_000)


def test_half_up_to_the_fen() -> None:
    assert compensation(5, RATIO, CAP).amount_fen == 2  # 1.5 fen → 2
    assert compensation(1, RATIO, CAP).amount_fen == 0  # 0.3 fen → 0
    assert compensation(0, RATIO, CAP).amount_fen == 0


def test_panzhihua_forty_percent_without_a_cap() -> None:
    ratio = PZA.parameter("compensation_ratio").value
    assert PZA.get("claim_cap_fen") is None
    c = compensation(800_000_000, ratio, None)
    assert (c.amount_fen, c.capped) == (320_000_000, False)


def test_ratio_and_amount_types_are_checked() -> None:
    with pytest.raises(TypeError):
        compensation(100, 0.3, CAP)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        compensation(100.0, RATIO, CAP)  # type: ignore[arg-type]
    with pytest.raises(InvalidInput):
        compensation(100, Decimal("1.2"), CAP)


# -- BT-12a: the IP-pledge portion of a combined loan -------------------------------------------------------


def test_a_pure_ip_loan_keeps_the_whole_loss() -> None:
    assert ip_pledge_loss_fen(3_000_000_00, 5_000_000_00, 5_000_000_00) == 3_000_000_00


def test_the_ip_portion_of_a_combined_loan_takes_its_share_of_the_loss() -> None:
    # 10,000,000 CNY loan, 4,000,000 CNY of it secured by the IP pledge; 5,000,000 CNY principal lost.
    assert ip_pledge_loss_fen(500_000_000, 1_000_000_000, 400_000_000) == 200_000_000
    # HALF_UP: 1 fen × 1/2 → 1; 1 fen × 1/3 → 0
    assert ip_pledge_loss_fen(1, 2, 1) == 1
    assert ip_pledge_loss_fen(1, 3, 1) == 0


def test_a_portion_above_the_principal_is_refused() -> None:
    with pytest.raises(InvalidInput):
        ip_pledge_loss_fen(100, 100, 101)


def test_claim_from_servicing_figures() -> None:
    c = claim_compensation(outstanding_principal_fen=600_000_000, recovered_before_claim_fen=100_000_000,
                           loan_principal_fen=1_000_000_000, ip_pledge_portion_fen=500_000_000,
                           compensation_ratio=RATIO, per_claim_cap_fen=CAP)
    # loss 5,000,000 CNY; IP half 2,500,000; 30 % = 750,000 CNY
    assert (c.loss_fen, c.amount_fen) == (250_000_000, 75_000_000)
    assert principal_loss_fen(100, 150) == 0


# -- workflow -----------------------------------------------------------------------------------------------


def test_the_happy_path() -> None:
    state = ClaimState.FILED
    for target in (ClaimState.VERIFIED, ClaimState.APPROVED, ClaimState.PAID):
        state = transition(state, target)
    assert state is ClaimState.PAID


@pytest.mark.parametrize(("current", "target"), [
    (ClaimState.FILED, ClaimState.APPROVED),  # the manager verifies first
    (ClaimState.FILED, ClaimState.PAID),
    (ClaimState.APPROVED, ClaimState.WITHDRAWN),  # too late to withdraw
    (ClaimState.APPROVED, ClaimState.REJECTED),
    (ClaimState.PAID, ClaimState.SETTLED),  # only under SC-12
    (ClaimState.REJECTED, ClaimState.FILED),
    (ClaimState.WITHDRAWN, ClaimState.VERIFIED),
])
def test_illegal_moves(current: ClaimState, target: ClaimState) -> None:
    with pytest.raises(IllegalTransition):
        transition(current, target)


def test_every_state_is_in_the_table_and_terminal_states_are_final() -> None:
    assert set(ALLOWED) == set(ClaimState)
    for final in (ClaimState.PAID, ClaimState.REJECTED, ClaimState.WITHDRAWN, ClaimState.SETTLED):
        assert ALLOWED[final] == frozenset()


def test_front_loaded_claims_settle_after_payment() -> None:
    assert transition("paid", "settled", front_loaded=True) is ClaimState.SETTLED


def test_verification_checklist_and_dishonest_listing() -> None:
    partial = Verification(frozenset({ChecklistItem.LOAN_COVERED}))
    assert not partial.complete and ChecklistItem.NO_FRAUD in partial.missing
    full = Verification(frozenset(ChecklistItem), able_but_unwilling=True)
    assert full.complete and full.dishonest_listing  # BT-18


# -- SC-12: pay a share on default, true up after disposal --------------------------------------------------


def test_front_loaded_first_share_and_true_up_upwards() -> None:
    advance = front_loaded_advance(1_000_000_00, RATIO, CAP, Decimal("0.50"))
    assert advance == 150_000_00  # half of 300,000 CNY
    settled = front_loaded_settlement(1_000_000_00, 0, RATIO, CAP, advance)
    assert (settled.final.amount_fen, settled.true_up_fen) == (300_000_00, 150_000_00)


def test_front_loaded_true_up_downwards_when_disposal_recovers_much() -> None:
    advance = front_loaded_advance(1_000_000_00, RATIO, CAP, Decimal("0.80"))
    assert advance == 240_000_00
    settled = front_loaded_settlement(1_000_000_00, 800_000_00, RATIO, CAP, advance)
    assert settled.final.amount_fen == 60_000_00  # 30 % of the 200,000 CNY still lost
    assert settled.true_up_fen == -180_000_00  # the bank refunds
    # disposal above the loss: nothing lost, everything refunded
    assert front_loaded_settlement(100, 500, RATIO, CAP, 30).true_up_fen == -30


def test_front_loaded_advance_respects_the_cap() -> None:
    assert front_loaded_advance(1_000_000_000, RATIO, CAP, Decimal("0.50")) == CAP // 2

"""Compensation claims (补偿申请): when a bank may file, how much the fund pays, and the claim's workflow.

* Filing (BT-14, BT-15): the loan is covered, ``days_past_due ≥ claim_min_days_past_due`` (60, inclusive:
  "逾期60天以上"), or — earlier — the fund manager holds evidence that the borrower's business seriously
  deteriorated or another major adverse event makes repayment at maturity unlikely (BT-14). One claim per
  loan unless the earlier one was withdrawn (a rejected claim stays the loan's claim).
* Amount (BT-12): principal loss of the IP-pledge portion × ``compensation_ratio`` (30 %, Panzhihua 40 %,
  PZA-2.3.1a), HALF_UP to the fen, at most ``per_claim_cap_fen`` (1,500,000 CNY, inclusive; none in the
  Panzhihua agreement).
* Workflow: filed → verified (fund manager's checklist; BT-18 "able but unwilling" is recorded here) →
  approved (leadership group) → paid; a claim may be rejected before approval or withdrawn by the bank
  before approval. Front-loaded claims (SC-12) go on from paid to settled after disposal.

Pure Python: no Django imports.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from ipfin.domain.errors import InvalidInput
from ipfin.domain.fund.errors import ClaimNotAllowed
from ipfin.domain.money import Fen, apply_ratio, round_fen
from ipfin.domain.statemachine import check_transition

# ---------------------------------------------------------------------------------------------------------
# State machine


class ClaimState(StrEnum):
    FILED = "filed"  # 已申请
    VERIFIED = "verified"  # 已核实
    APPROVED = "approved"  # 已审批
    PAID = "paid"  # 已拨付
    SETTLED = "settled"  # 已清算 (SC-12, after disposal)
    REJECTED = "rejected"  # 不予补偿
    WITHDRAWN = "withdrawn"  # 已撤回


ALLOWED: dict[ClaimState, frozenset[ClaimState]] = {
    ClaimState.FILED: frozenset({ClaimState.VERIFIED, ClaimState.REJECTED, ClaimState.WITHDRAWN}),
    ClaimState.VERIFIED: frozenset({ClaimState.APPROVED, ClaimState.REJECTED, ClaimState.WITHDRAWN}),
    ClaimState.APPROVED: frozenset({ClaimState.PAID}),
    ClaimState.PAID: frozenset(),
    ClaimState.SETTLED: frozenset(),
    ClaimState.REJECTED: frozenset(),
    ClaimState.WITHDRAWN: frozenset(),
}
"""BT-15: bank files → fund manager verifies → leadership group approves → fund pays."""

FRONT_LOADED_ALLOWED: dict[ClaimState, frozenset[ClaimState]] = {
    **ALLOWED,
    ClaimState.PAID: frozenset({ClaimState.SETTLED}),
}
"""SC-12: the same, and a paid first share is settled (true-up) after the collateral is disposed of."""

# States in which a claim no longer blocks a new claim on the same loan.
REFILE_ALLOWED_AFTER = frozenset({ClaimState.WITHDRAWN})


def transition(current: ClaimState | str, target: ClaimState | str, *, front_loaded: bool = False) -> ClaimState:
    """Check a move of a claim against its table (:data:`ALLOWED`, or :data:`FRONT_LOADED_ALLOWED` under
    SC-12); :class:`~ipfin.domain.errors.IllegalTransition` otherwise. Returns the new state."""
    table = FRONT_LOADED_ALLOWED if front_loaded else ALLOWED
    check_transition(table, ClaimState(current), ClaimState(target), object_name="claim")
    return ClaimState(target)


# ---------------------------------------------------------------------------------------------------------
# Filing


class ClaimBasis(StrEnum):
    OVERDUE = "overdue"  # BT-15
    DETERIORATION = "deterioration"  # BT-14


def claim_basis(days_past_due: int, claim_min_days_past_due: int, *,
                deterioration_evidence: bool = False) -> ClaimBasis | None:
    """BT-15 / BT-14: on what ground a claim may be filed today, or None.

    ``claim_min_days_past_due`` is profile ``claim_min_days_past_due`` (BT-15: 60; inclusive, so day 59 is
    too early and day 60 is enough). ``deterioration_evidence`` is the fund manager's record that the
    borrower, not yet (long enough) overdue, seriously deteriorated or suffered a major adverse event that
    makes repayment unlikely (BT-14).
    """
    if isinstance(days_past_due, bool) or not isinstance(days_past_due, int) or days_past_due < 0:
        raise InvalidInput(reason=f"days past due must be a whole number >= 0, not {days_past_due!r}")
    if days_past_due >= claim_min_days_past_due:
        return ClaimBasis.OVERDUE
    if deterioration_evidence:
        return ClaimBasis.DETERIORATION
    return None


def require_claim_allowed(*, covered: bool, days_past_due: int, claim_min_days_past_due: int,
                          deterioration_evidence: bool = False,
                          existing_claim_states: Iterable[ClaimState | str] = ()) -> ClaimBasis:
    """Everything BT-13b/BT-14/BT-15 ask before a bank may file: the loan is covered, it is overdue long
    enough (or deterioration is evidenced), and no other claim on it stands (only a withdrawn one may be
    followed by a new one). Returns the basis; :class:`ClaimNotAllowed` otherwise."""
    if not covered:
        raise ClaimNotAllowed(reason="the loan is not covered by the fund", clause="BT-13b")
    standing = [ClaimState(s) for s in existing_claim_states if ClaimState(s) not in REFILE_ALLOWED_AFTER]
    if standing:
        raise ClaimNotAllowed(reason=f"the loan already has a claim ({standing[0].value})", clause="BT-15")
    basis = claim_basis(days_past_due, claim_min_days_past_due, deterioration_evidence=deterioration_evidence)
    if basis is None:
        raise ClaimNotAllowed(
            reason=f"{days_past_due} days past due, fewer than {claim_min_days_past_due}, and no evidence of "
                   "serious deterioration", clause="BT-15")
    return basis


# ---------------------------------------------------------------------------------------------------------
# Amount


def _fen(value: object, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{what} must be an int number of fen, not {type(value).__name__}")
    if value < 0:
        raise InvalidInput(reason=f"{what} must not be negative ({value} fen)")
    return value


def _ratio(value: object, what: str) -> Decimal:
    if not isinstance(value, Decimal):
        raise TypeError(f"{what} must be a Decimal, not {type(value).__name__}")
    if not Decimal(0) <= value <= Decimal(1):
        raise InvalidInput(reason=f"{what} must lie between 0 and 1, not {value}")
    return value


def principal_loss_fen(outstanding_principal_fen: Fen, recovered_before_claim_fen: Fen = 0) -> Fen:
    """BT-15 贷款本金损失: the principal still unpaid (overdue and not yet due) less what was already
    recovered before the claim; never below 0. Interest and penalties are not compensated."""
    outstanding = _fen(outstanding_principal_fen, "outstanding_principal_fen")
    return max(outstanding - _fen(recovered_before_claim_fen, "recovered_before_claim_fen"), 0)


def ip_pledge_loss_fen(principal_loss_fen: Fen, loan_principal_fen: Fen, ip_pledge_portion_fen: Fen) -> Fen:
    """BT-12a: the part of a principal loss that falls on the IP-pledge portion of a combined loan
    (组合贷款中明确属于知识产权质押部分). The portion is recorded at enrolment; the loss is shared in proportion
    (loss × portion ÷ principal, HALF_UP) — platform reading: the document names the portion, not an order in
    which collateral absorbs the loss. A pure IP-pledge loan (portion = principal) keeps the whole loss."""
    loss = _fen(principal_loss_fen, "principal_loss_fen")
    principal = _fen(loan_principal_fen, "loan_principal_fen")
    portion = _fen(ip_pledge_portion_fen, "ip_pledge_portion_fen")
    if principal == 0 or portion > principal:
        raise InvalidInput(reason=f"the IP-pledge portion {portion} fen must lie within the principal {principal} fen")
    if portion == principal:
        return loss
    return round_fen(Decimal(loss) * portion / principal)


@dataclass(frozen=True)
class Compensation:
    """The fund's payment on one claim and how it was reached."""

    loss_fen: Fen  # the principal loss of the IP-pledge portion
    ratio: Decimal
    uncapped_fen: Fen  # ratio × loss, HALF_UP
    cap_fen: Fen | None
    amount_fen: Fen

    @property
    def capped(self) -> bool:
        return self.amount_fen < self.uncapped_fen


def compensation(loss_fen: Fen, compensation_ratio: Decimal, per_claim_cap_fen: Fen | None) -> Compensation:
    """BT-12: amount = min(``compensation_ratio`` × loss HALF_UP, ``per_claim_cap_fen``).

    ``compensation_ratio`` is profile ``compensation_ratio`` (BT-12a 30 %; PZA-2.3.1a 40 %);
    ``per_claim_cap_fen`` profile ``claim_cap_fen`` (BT-12b 150,000,000 fen = 1,500,000 CNY, "不高于":
    the cap itself is payable), None where the profile sets no cap.
    """
    loss = _fen(loss_fen, "loss_fen")
    ratio = _ratio(compensation_ratio, "compensation_ratio")
    uncapped = apply_ratio(loss, ratio)
    cap = None if per_claim_cap_fen is None else _fen(per_claim_cap_fen, "per_claim_cap_fen")
    amount = uncapped if cap is None else min(uncapped, cap)
    return Compensation(loss, ratio, uncapped, cap, amount)


def claim_compensation(*, outstanding_principal_fen: Fen, loan_principal_fen: Fen, ip_pledge_portion_fen: Fen,
                       compensation_ratio: Decimal, per_claim_cap_fen: Fen | None,
                       recovered_before_claim_fen: Fen = 0) -> Compensation:
    """BT-12, BT-12a, BT-15 together: the claim amount of a (possibly combined) loan from servicing figures."""
    loss = principal_loss_fen(outstanding_principal_fen, recovered_before_claim_fen)
    return compensation(ip_pledge_loss_fen(loss, loan_principal_fen, ip_pledge_portion_fen), compensation_ratio,
                        per_claim_cap_fen)


# ---------------------------------------------------------------------------------------------------------
# Verification (核实)


class ChecklistItem(StrEnum):
    """What the fund manager checks before a claim goes to the leadership group (BT-14, BT-15, BT-18,
    BT-19, BT-22)."""

    LOAN_COVERED = "loan_covered"  # enrolled, and the bank's standing allowed it (BT-13b)
    CONTRACTS_ON_FILE = "contracts_on_file"  # loan and pledge contracts (BT-20)
    OVERDUE_OR_DETERIORATION = "overdue_or_deterioration"  # BT-15 / BT-14 evidence
    PRINCIPAL_LOSS_CONFIRMED = "principal_loss_confirmed"  # servicing figures agree with the bank's
    COLLECTION_EFFORTS = "collection_efforts"  # the bank pursued the debt and the pledge (BT-14, BT-16)
    NO_FRAUD = "no_fraud"  # no fraud or collusion (BT-22)


@dataclass(frozen=True)
class Verification:
    """The fund manager's checklist. ``able_but_unwilling`` records that the borrower could repay and did
    not (有履行能力而到期不还款): BT-18 puts it on the dishonest list and disqualifies it from the fund."""

    checked: frozenset[ChecklistItem]
    able_but_unwilling: bool = False

    @property
    def missing(self) -> tuple[ChecklistItem, ...]:
        return tuple(i for i in ChecklistItem if i not in self.checked)

    @property
    def complete(self) -> bool:
        return not self.missing

    @property
    def dishonest_listing(self) -> bool:
        """BT-18: the borrower goes on the dishonest list."""
        return self.able_but_unwilling


# ---------------------------------------------------------------------------------------------------------
# SC-12: front-loaded compensation (风险补偿前置)


@dataclass(frozen=True)
class Settlement:
    """SC-12 settlement after disposal: the final compensation and the true-up against the first share
    (positive: the fund pays the rest; negative: the bank refunds the excess)."""

    final: Compensation
    advance_paid_fen: Fen

    @property
    def true_up_fen(self) -> Fen:
        return self.final.amount_fen - self.advance_paid_fen


def front_loaded_advance(loss_at_default_fen: Fen, compensation_ratio: Decimal, per_claim_cap_fen: Fen | None,
                         advance_ratio: Decimal) -> Fen:
    """SC-12 "先行按比例拨付补偿金": on default the fund pays ``advance_ratio`` (a profile number; the Sichuan
    plan leaves it to the cities) of the compensation computed on the loss at default, HALF_UP."""
    full = compensation(loss_at_default_fen, compensation_ratio, per_claim_cap_fen)
    return apply_ratio(full.amount_fen, _ratio(advance_ratio, "advance_ratio"))


def front_loaded_settlement(loss_at_default_fen: Fen, disposal_proceeds_fen: Fen, compensation_ratio: Decimal,
                            per_claim_cap_fen: Fen | None, advance_paid_fen: Fen) -> Settlement:
    """SC-12 "待处置后再行清算": after disposal the compensation is computed again on the loss that remains
    (loss at default − disposal proceeds, not below 0) and the first share is trued up. The disposal
    proceeds are netted here, so they do not also owe the BT-16 recovery share (no double count)."""
    remaining = max(_fen(loss_at_default_fen, "loss_at_default_fen")
                    - _fen(disposal_proceeds_fen, "disposal_proceeds_fen"), 0)
    return Settlement(compensation(remaining, compensation_ratio, per_claim_cap_fen),
                      _fen(advance_paid_fen, "advance_paid_fen"))

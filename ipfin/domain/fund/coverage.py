"""Coverage (纳入补偿范围): whether a loan is enrolled in the fund at disbursement, and who bears its loss.

At disbursement the loan is enrolled when it passes the rules of the fund's profile — the same checks
origination runs, imported from :mod:`ipfin.domain.origination.checks` (not copied):

* BT-4: independent legal person registered in the fund's region ≥ 1 year, no bad credit record in 3
  years, pledging kinds the fund accepts (``check_fund_eligibility``);
* BT-5: the purpose is an allowed use and not a prohibited one (``check_purpose``);
* BT-18: the enterprise is not on the dishonest list (``check_not_dishonest``);
* BT-13b: the bank's standing on the disbursement date: a suspended bank's *new* customers (customers since
  the suspension notice or later) are not covered (``check_fund_standing``).

A loan once enrolled stays covered whatever notice comes later (BT-13b: "在中止通知发出前，已经获得知识产权
质押融资贷款的企业，风险补偿资金继续履行风险补偿责任"). Enrolment records the IP-pledge portion of a combined
loan (BT-12a) and the risk shares of fund, bank, guarantor and insurer, which sum to 1 (PZP-3.4.2).

Pure Python: no Django imports.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from ipfin.domain.fund.errors import InvalidRiskShares
from ipfin.domain.money import Fen, apply_ratio
from ipfin.domain.origination.checks import (
    AssetFacts,
    CheckResult,
    EnterpriseFacts,
    FundRules,
    FundStanding,
    PolicyParams,
    Stage,
    check_fund_eligibility,
    check_fund_standing,
    check_not_dishonest,
    check_purpose,
    fund_covers_bank_customer,
    risk_shares,
)

# The stage whose blocking rules apply at disbursement: the approval's (all four checks block at both).
DISBURSEMENT_STAGE = Stage.APPROVE

BANK = "bank"
FUND = "fund"
GUARANTOR = "guarantor"
INSURER = "insurer"
PARTIES = (FUND, BANK, GUARANTOR, INSURER)


# ---------------------------------------------------------------------------------------------------------
# BT-13b: the bank's standing on a date


@dataclass(frozen=True)
class StatusNotice:
    """A dated change of a bank's cooperation status with the fund (admitted, warned, suspended, removed)."""

    on: date
    status: str


def standing_on(notices: Sequence[StatusNotice], on: date, customer_since: date | None) -> FundStanding:
    """BT-13b: the bank's standing with the fund on ``on``, from its dated notices: the latest notice on or
    before ``on`` (none: the bank did not cooperate yet). A notice dated after ``on`` does not count, so a
    loan disbursed the day before a suspension notice is judged as before it."""
    past = [n for n in notices if n.on <= on]
    if not past:
        return FundStanding(None, None, customer_since)
    latest = max(past, key=lambda n: n.on)
    return FundStanding(latest.status, latest.on, customer_since)


def covered_at(notices: Sequence[StatusNotice], on: date, customer_since: date | None) -> bool:
    """BT-13b: whether the fund covers a loan of this bank to this customer disbursed on ``on``."""
    return fund_covers_bank_customer(standing_on(notices, on, customer_since))


# ---------------------------------------------------------------------------------------------------------
# Risk shares (PZP-3.4.2)


def shares(*, fund_ratio: Decimal, guarantor_ratio: Decimal | None = None,
           insurer_ratio: Decimal | None = None) -> dict[str, Decimal]:
    """PZP-3.4.2 with BT-12a / PZA-2.3.1a: the shares of a principal loss, the bank keeping the rest; they
    sum to 1 (via :func:`ipfin.domain.origination.checks.risk_shares`). ``fund_ratio`` is the profile's
    ``compensation_ratio``; the guarantor's and insurer's are their agreements'."""
    for name, ratio in (("fund", fund_ratio), ("guarantor", guarantor_ratio), ("insurer", insurer_ratio)):
        if ratio is not None and not (isinstance(ratio, Decimal) and Decimal(0) <= ratio <= Decimal(1)):
            raise InvalidRiskShares(reason=f"the {name}'s share {ratio!r} is not a Decimal between 0 and 1")
    taken = sum((r for r in (fund_ratio, guarantor_ratio, insurer_ratio) if r is not None), Decimal(0))
    if taken > 1:
        raise InvalidRiskShares(reason=f"fund, guarantor and insurer take {taken}, above 1")
    return risk_shares(fund_ratio=fund_ratio, guarantor_ratio=guarantor_ratio, insurer_ratio=insurer_ratio)


def validate_shares(risk: Mapping[str, Decimal]) -> None:
    """PZP-3.4.2: known parties only, each share in [0, 1], exactly 1 in total."""
    unknown = set(risk) - set(PARTIES)
    if unknown:
        raise InvalidRiskShares(reason=f"unknown parties {sorted(unknown)}")
    for party, ratio in risk.items():
        if not isinstance(ratio, Decimal) or not Decimal(0) <= ratio <= Decimal(1):
            raise InvalidRiskShares(reason=f"the {party}'s share {ratio!r} is not a Decimal between 0 and 1")
    total = sum(risk.values(), Decimal(0))
    if total != 1:
        raise InvalidRiskShares(reason=f"they sum to {total}")


def split_loss(loss_fen: Fen, risk: Mapping[str, Decimal], *, fund_cap_fen: Fen | None = None) -> dict[str, Fen]:
    """PZP-3.4.2: a principal loss split between the parties, each share HALF_UP; the bank absorbs the
    rounding residue and whatever the fund's per-claim cap (BT-12b) keeps the fund from paying, so the parts
    sum to the loss exactly."""
    validate_shares(risk)
    if isinstance(loss_fen, bool) or not isinstance(loss_fen, int) or loss_fen < 0:
        raise InvalidRiskShares(reason=f"the loss must be a whole number of fen >= 0, not {loss_fen!r}")
    parts = {p: apply_ratio(loss_fen, r) for p, r in risk.items() if p != BANK}
    if fund_cap_fen is not None and parts.get(FUND, 0) > fund_cap_fen:
        parts[FUND] = fund_cap_fen
    parts[BANK] = loss_fen - sum(parts.values())
    if parts[BANK] < 0:  # possible only through rounding of several shares that leave the bank 0
        largest = max((p for p in parts if p != BANK), key=lambda p: parts[p])
        parts[largest] += parts[BANK]
        parts[BANK] = 0
    return parts


# ---------------------------------------------------------------------------------------------------------
# Enrolment at disbursement


@dataclass(frozen=True)
class Enrollment:
    """What to record when a loan is disbursed with fund coverage requested."""

    covered: bool
    results: tuple[CheckResult, ...]
    ip_pledge_portion_fen: Fen
    risk_shares: Mapping[str, Decimal]

    @property
    def failures(self) -> tuple[CheckResult, ...]:
        return tuple(r for r in self.results if r.failed)


def enrollment(*, fund: FundRules, enterprise: EnterpriseFacts, assets: Sequence[AssetFacts], purpose: str,
               policy: PolicyParams, standing: FundStanding | None, disbursed_on: date, loan_principal_fen: Fen,
               ip_pledge_portion_fen: Fen | None, compensation_ratio: Decimal,
               guarantor_ratio: Decimal | None = None, insurer_ratio: Decimal | None = None) -> Enrollment:
    """BT-4, BT-5, BT-18, BT-13b at disbursement (``disbursed_on``), with BT-12a and PZP-3.4.2 recorded.

    ``ip_pledge_portion_fen`` is the part of a combined loan explicitly secured by the IP pledge (None: a pure
    IP-pledge loan, the whole principal). ``standing`` is the bank's standing *on the disbursement date*
    (:func:`standing_on`). When the loan is not covered the shares are the bank's alone.
    """
    portion = loan_principal_fen if ip_pledge_portion_fen is None else ip_pledge_portion_fen
    if not 0 < portion <= loan_principal_fen:
        raise InvalidRiskShares(reason=f"the IP-pledge portion {portion} fen must lie in (0, {loan_principal_fen}]")
    stage = DISBURSEMENT_STAGE
    results = (
        check_fund_eligibility(stage, fund, enterprise, assets, disbursed_on),
        check_purpose(stage, policy, purpose),
        check_not_dishonest(stage, fund, enterprise),
        check_fund_standing(stage, fund, standing),
    )
    covered = not any(r.failed for r in results)
    risk = shares(fund_ratio=compensation_ratio, guarantor_ratio=guarantor_ratio, insurer_ratio=insurer_ratio) \
        if covered else shares(fund_ratio=Decimal(0), guarantor_ratio=guarantor_ratio, insurer_ratio=insurer_ratio)
    return Enrollment(covered, results, portion, risk)

"""Claims and bank thresholds against the database: the fund's numbers from its profile, the figures of each
bank from the loans and the journal, and the BT-13 evaluation that issues warning and suspension notices.

The rules themselves are :mod:`ipfin.domain.fund.claims` and :mod:`ipfin.domain.fund.thresholds`; this module
gathers their facts set-based (one aggregate query per figure for every bank of a fund, never one per loan).

- Issued (BT-13 denominator): the principal of the bank's loans enrolled in this fund (实际发放的知识产权质押
  贷款, platform reading: the covered loans the bank disbursed; a branch's loans count for the branch).
- Paid (numerator): ``compensation_expense:bank − compensation_payable:bank`` in the journal (net of refunds
  and reversals).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Sum
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from ipfin.accounts.audit import record_event
from ipfin.accounts.models import User
from ipfin.core.actions import transition
from ipfin.domain.errors import IpfinError
from ipfin.domain.fund import ledger as dl
from ipfin.domain.fund import thresholds as th
from ipfin.fund import ledger
from ipfin.fund.choices import COOPERATION_ALLOWED, CooperationStatus, NoticeKind
from ipfin.fund.models import BankNotice, Cooperation, Fund
from ipfin.notifications.services import notify
from ipfin.policy.policyset import PolicyValue, policy_set


class FundRuleMissing(IpfinError):
    """The fund's profile is not in force on the date, or sets no number for the rule (never guessed)."""

    code = "fund_rule_missing"
    http_status = 409
    message_template = _("The rules of fund {fund} (profile {profile}) set no {key} on {date}.")


def fund_param(fund: Fund, key: str, on: date, *, required: bool = True) -> PolicyValue | None:
    """The fund profile's ``key`` in force on ``on`` with its clause; :class:`FundRuleMissing` when required."""
    found = policy_set([fund.profile_name], on).find(key)
    if found is None and required:
        raise FundRuleMissing(fund=fund.name, profile=fund.profile_name, key=key, date=on.isoformat())
    return found


def issued_by_bank(fund: Fund) -> dict[int, int]:
    """BT-13 denominator per bank: principal of the loans enrolled in ``fund`` (one query)."""
    from ipfin.servicing.models import Loan

    rows = Loan.objects.filter(fund=fund).values("bank_id").annotate(total=Sum("principal_fen"))
    return {r["bank_id"]: int(r["total"] or 0) for r in rows}


def paid_by_bank(fund: Fund) -> dict[int, int]:
    """BT-13 numerator per bank: compensation granted − still payable (two aggregates over the journal)."""
    expense = ledger.kind_totals(fund, dl.AccountKind.COMPENSATION_EXPENSE)
    payable = ledger.kind_totals(fund, dl.AccountKind.COMPENSATION_PAYABLE)
    return {int(p): expense.get(p, 0) - payable.get(p, 0) for p in set(expense) | set(payable) if p.isdigit()}


@dataclass(frozen=True)
class Thresholds:
    warning: PolicyValue
    suspension: PolicyValue

    @property
    def warning_ratio(self) -> Decimal:
        return self.warning.decimal

    @property
    def suspension_ratio(self) -> Decimal:
        return self.suspension.decimal


def thresholds(fund: Fund, on: date) -> Thresholds | None:
    """BT-13a/b from the fund's profile on ``on``; None when it sets none (then no notice is issued)."""
    warning = fund_param(fund, "warning_ratio", on, required=False)
    suspension = fund_param(fund, "suspension_ratio", on, required=False)
    if warning is None or suspension is None:
        return None
    return Thresholds(warning, suspension)


NOTICE_STATUS = {th.Notice.WARNING: CooperationStatus.WARNED, th.Notice.SUSPENSION: CooperationStatus.SUSPENDED}


def evaluate_banks(fund: Fund, on: date, *, user: User | None = None, bank_ids: set[int] | None = None
                   ) -> list[BankNotice]:
    """BT-13 for the fund's cooperating banks (only ``bank_ids`` when given): the band of each ratio, stored on
    the cooperation; a notice on each upward crossing, moving the cooperation to warned or suspended. The
    caller holds the fund's row lock (payouts) or runs in close of business; returns the notices issued."""
    rules = thresholds(fund, on)
    if rules is None:
        return []
    cooperations = Cooperation.objects.select_for_update().filter(fund=fund).exclude(
        status=CooperationStatus.REMOVED).select_related("institution")
    if bank_ids is not None:
        cooperations = cooperations.filter(institution_id__in=bank_ids)
    issued, paid = issued_by_bank(fund), paid_by_bank(fund)
    notices: list[BankNotice] = []
    for cooperation in cooperations.order_by("pk"):
        bank_id = cooperation.institution_id
        done = th.evaluate(th.Band(cooperation.ratio_band), paid.get(bank_id, 0), issued.get(bank_id, 0),
                           rules.warning_ratio, rules.suspension_ratio)
        if int(done.band) == cooperation.ratio_band and not done.notices:
            continue
        previous_band = cooperation.ratio_band
        cooperation.ratio_band = int(done.band)
        fields = ["ratio_band"]
        for kind in done.notices:
            clause = (rules.warning if kind is th.Notice.WARNING else rules.suspension).clause
            target = NOTICE_STATUS[kind]
            previous = cooperation.status
            if previous != target and target in COOPERATION_ALLOWED[CooperationStatus(previous)]:
                transition(cooperation, "status", target, COOPERATION_ALLOWED)
                cooperation.status_since = on
                fields += ["status", "status_since"]
            notice = BankNotice.objects.create(
                fund=fund, cooperation=cooperation, bank_id=bank_id, kind=NoticeKind(kind.value), issued_on=on,
                ratio=done.ratio.quantize(Decimal("0.00000001")) if done.ratio is not None else None,
                paid_fen=paid.get(bank_id, 0), issued_fen=issued.get(bank_id, 0), clause=clause)
            record_event(actor=user, action=f"fund.notice.{kind.value}", obj=notice,
                         before={"status": previous, "band": previous_band},
                         after={"status": cooperation.status, "band": int(done.band), "ratio": str(done.ratio),
                                "paid_fen": notice.paid_fen, "issued_fen": notice.issued_fen,
                                "on": on.isoformat()},
                         clause=clause, organisation=fund.manager)
            notify(organisations=[bank_id, fund.manager_id], verb=f"fund.notice.{kind.value}",
                   title=format_lazy(_("{fund}: {kind} notice to {bank}"), fund=fund.name,
                                     kind=NoticeKind(kind.value).label, bank=cooperation.institution.name),
                   body=format_lazy(_("Compensation paid {paid} fen of {issued} fen issued ({clause})."),
                                    paid=notice.paid_fen, issued=notice.issued_fen, clause=clause),
                   url="/fund/")
            notices.append(notice)
        cooperation.save(update_fields=list(dict.fromkeys(fields)))
    return notices

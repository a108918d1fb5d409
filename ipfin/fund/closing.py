"""Closing a compensation fund (清算, BT-21, BT-23) and its closing statement.

BT-21: "风险补偿资金到期或终止后，存量余额按比例返还出资人" — at expiry (the fund's ``closes_on``; BT-23 gives
the Baotou rules two years) or on an earlier termination decided by the leadership group, the money left in
every dedicated account is returned to the contributors (出资人) in proportion to their contributions.

- :func:`closing_preview` (pure read) says what would happen on a date: what still blocks the closing, the cash
  per dedicated account, each contributor's net contribution and the return it would get
  (:func:`ipfin.domain.fund.ledger.pro_rata`: each share HALF_UP, the residue on the largest contributor, so the
  returns sum to the cash exactly).
- :func:`close_fund` is the one action: the leadership group's recorded decision; the fund row locked; the
  closing entry (:func:`ipfin.domain.fund.ledger.closing_posting` on the replayed journal) posted through
  :func:`ipfin.fund.ledger.post`; status → closed. A fund with no money left closes without an entry.
- :func:`closing_statement` reads a closed fund's figures from its journal; :func:`closing_statement_xlsx` and
  :func:`closing_statement_pdf` render it in Chinese with the fonts and formats of :mod:`ipfin.fund.reports`.

Platform readings (docs/fund.md): the distribution rule (profile ``fund_closing_distribution``) is read on the
closing date, or — when the fund's profile has lapsed by then, which is what expiry under BT-23 means — on the
last day the profile was in force; a profile that states no distribution blocks the closing (never guessed).
A closing cannot be dated before the fund's last journal entry or after today.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils.text import format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ipfin.accounts.audit import record_event
from ipfin.accounts.choices import Role
from ipfin.accounts.models import Organisation, User
from ipfin.core.actions import lock, transition
from ipfin.core.dates import business_date
from ipfin.domain.errors import Conflict, InvalidInput
from ipfin.domain.fund import ledger as dl
from ipfin.domain.money import format_yuan
from ipfin.fund import ledger
from ipfin.fund.actions import FundClosed, _is_ip_office_of, _require_leader
from ipfin.fund.choices import ClaimState, CooperationStatus, EntryKind, FundStatus
from ipfin.fund.claims import fund_param
from ipfin.fund.models import Claim, Cooperation, Fund, JournalEntry, RecoveryShare
from ipfin.notifications.services import notify
from ipfin.policy.loader import get_profile
from ipfin.policy.policyset import PolicyValue

CLAUSE = "BT-21"
DISTRIBUTION_KEY = "fund_closing_distribution"
PRO_RATA = "pro_rata_to_contributors"  # the only distribution the platform implements (BT-21)

# A fund is opened once and closed once; a closed fund is history (its cooperations and journal stay as they are).
FUND_ALLOWED: dict[str, frozenset[str]] = {
    FundStatus.OPEN: frozenset({FundStatus.CLOSED}),
    FundStatus.CLOSED: frozenset(),
}
# Claims that still await a decision or a payment (BT-15): final are paid (unless SC-12 front-loaded), settled,
# rejected and withdrawn.
NOT_FINAL_CLAIM_STATES = (ClaimState.FILED, ClaimState.VERIFIED, ClaimState.APPROVED)


class ClosingKind(StrEnum):
    EXPIRY = "expiry"  # on or after the fund's planned end (closes_on, BT-23)
    TERMINATION = "termination"  # earlier, by decision (终止)


def closing_kind(fund: Fund, on: date) -> ClosingKind:
    return ClosingKind.EXPIRY if fund.closes_on is not None and on >= fund.closes_on else ClosingKind.TERMINATION


# ---------------------------------------------------------------------------------------------------------
# Errors


class ClosingDecisionRequired(InvalidInput):
    code = "fund_closing_decision_required"
    message_template = _("Record the leadership group's decision on the expiry or termination of the fund (BT-21).")


class ClosingDateInvalid(InvalidInput):
    code = "fund_closing_date_invalid"
    message_template = _("The fund cannot be closed on {date}: {reason}")


class FundClosingBlocked(Conflict):
    code = "fund_closing_blocked"
    message_template = _("The fund cannot be closed yet ({count} open items): {summary}")


class FundNotClosed(Conflict):
    code = "fund_not_closed"
    message_template = _("The fund is not closed; its closing statement exists once it is.")


# ---------------------------------------------------------------------------------------------------------
# Preview


class BlockerKind(StrEnum):
    CLAIM_NOT_FINAL = "claim_not_final"
    FRONT_LOADED_NOT_SETTLED = "front_loaded_not_settled"
    COMPENSATION_PAYABLE = "compensation_payable"
    RECOVERY_RECEIVABLE = "recovery_receivable"
    RECOVERY_SHARE_NOT_RECEIVED = "recovery_share_not_received"
    CLOSING_RULE_MISSING = "closing_rule_missing"
    CLOSING_RULE_UNSUPPORTED = "closing_rule_unsupported"
    NO_CONTRIBUTIONS = "no_contributions"


@dataclass(frozen=True)
class Blocker:
    """One thing that must be settled before the fund can close; ``message`` is translated when shown."""

    kind: BlockerKind
    clause: str
    reference: str  # claim number, account code, recovery share id, profile key
    amount_fen: int | None
    message: Any

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind.value, "clause": self.clause, "reference": self.reference,
                "amount_fen": self.amount_fen, "message": str(self.message)}


@dataclass(frozen=True)
class AccountCash:
    """The fund's money in one dedicated account (BT-9): ``party`` a bank id or ``main``."""

    party: str
    label: str
    amount_fen: int


@dataclass(frozen=True)
class ContributorReturn:
    contributor_id: int | None
    party: str
    name: str
    contributed_fen: int  # net of reversals
    return_fen: int


@dataclass(frozen=True)
class ClosingPreview:
    fund: Fund
    on: date
    kind: ClosingKind
    rule: PolicyValue | None
    blockers: tuple[Blocker, ...]
    accounts: tuple[AccountCash, ...]
    contributors: tuple[ContributorReturn, ...]
    total_cash_fen: int
    active_covered_loans: int  # information: after the closing no claim can be filed on them

    @property
    def can_close(self) -> bool:
        return not self.blockers

    @property
    def total_contributed_fen(self) -> int:
        return sum(c.contributed_fen for c in self.contributors)

    @property
    def total_return_fen(self) -> int:
        return sum(c.return_fen for c in self.contributors)


def closing_rule(fund: Fund, on: date) -> PolicyValue | None:
    """BT-21 ``fund_closing_distribution`` of the fund's profile on ``on``; when the profile has lapsed by then
    (expiry, BT-23), as it stood on its last day in force. None when the profile states none."""
    found = fund_param(fund, DISTRIBUTION_KEY, on, required=False)
    if found is None:
        last_day = get_profile(fund.profile_name).effective_to
        if last_day is not None and last_day < on:
            found = fund_param(fund, DISTRIBUTION_KEY, last_day, required=False)
    return found


def _names(ids: set[int]) -> dict[int, str]:
    return dict(Organisation.objects.filter(pk__in=ids).values_list("pk", "name")) if ids else {}


def _party_id(party: str) -> int | None:
    return int(party) if party.isdigit() else None


def _account_label(party: str, names: dict[int, str]) -> str:
    org = _party_id(party)
    if org is None:
        return str(_("Fund's own dedicated account"))
    return names.get(org, party)


def _claim_blockers(fund: Fund) -> list[Blocker]:
    out = []
    for number, state in (Claim.objects.filter(fund=fund, state__in=NOT_FINAL_CLAIM_STATES)
                          .order_by("filed_on", "pk").values_list("number", "state")):
        out.append(Blocker(BlockerKind.CLAIM_NOT_FINAL, "BT-15", number, None,
                           format_lazy(_("Claim {number} is {state}: decide it (and pay it) or have it withdrawn."),
                                       number=number, state=ClaimState(state).label)))
    for number in (Claim.objects.filter(fund=fund, front_loaded=True, state=ClaimState.PAID)
                   .order_by("filed_on", "pk").values_list("number", flat=True)):
        out.append(Blocker(BlockerKind.FRONT_LOADED_NOT_SETTLED, "SC-12", number, None,
                           format_lazy(_("Claim {number} was front-loaded (SC-12) and is not settled after the "
                                         "disposal yet."), number=number)))
    return out


def _journal_blockers(balances: dict[dl.Account, int], names: dict[int, str]) -> list[Blocker]:
    out = []
    for account, amount in sorted(balances.items()):
        if not amount:
            continue
        bank = _account_label(account.party, names)
        if account.kind is dl.AccountKind.COMPENSATION_PAYABLE:
            out.append(Blocker(BlockerKind.COMPENSATION_PAYABLE, "BT-15", str(account), amount,
                               format_lazy(_("{amount} of approved compensation is still payable to {bank}."),
                                           amount=format_yuan(amount), bank=bank)))
        elif account.kind is dl.AccountKind.RECOVERIES_RECEIVABLE:
            out.append(Blocker(BlockerKind.RECOVERY_RECEIVABLE, "BT-16", str(account), amount,
                               format_lazy(_("{amount} of recovery shares is still receivable from {bank}."),
                                           amount=format_yuan(amount), bank=bank)))
    return out


def _share_blockers(fund: Fund) -> list[Blocker]:
    shares = (RecoveryShare.objects.filter(claim__fund=fund, received_on__isnull=True, share_fen__gt=0)
              .select_related("claim").order_by("recorded_on", "pk"))
    return [Blocker(BlockerKind.RECOVERY_SHARE_NOT_RECEIVED, "BT-16", str(s.pk), s.share_fen,
                    format_lazy(_("The recovery share of {amount} on claim {number} has not been received."),
                                amount=format_yuan(s.share_fen), number=s.claim.number)) for s in shares]


def _rule_blockers(fund: Fund, rule: PolicyValue | None, on: date) -> list[Blocker]:
    if rule is None:
        return [Blocker(BlockerKind.CLOSING_RULE_MISSING, CLAUSE, DISTRIBUTION_KEY, None,
                        format_lazy(_("The rules of the fund (profile {profile}) state no distribution of the "
                                      "remaining balance on {date}."), profile=fund.profile_name,
                                    date=on.isoformat()))]
    if str(rule.value) != PRO_RATA:
        return [Blocker(BlockerKind.CLOSING_RULE_UNSUPPORTED, rule.clause, DISTRIBUTION_KEY, None,
                        format_lazy(_("The rules of the fund distribute the remaining balance as {value}; the "
                                      "platform returns it to the contributors pro rata only."), value=rule.value))]
    return []


def closing_preview(fund: Fund, on: date) -> ClosingPreview:
    """What closing ``fund`` on ``on`` would do, from the current journal (one aggregate query for the balances):
    the blockers (claims not final, SC-12 front-loaded claims not settled, compensation payable or recovery shares
    receivable in the journal, recovery shares not received, a missing distribution rule), the cash of each
    dedicated account, each contributor's net contribution and its pro rata return (BT-21)."""
    from ipfin.servicing.choices import LoanStatus
    from ipfin.servicing.models import Loan

    balances = ledger.balances(fund)
    parties = {p for p in (_party_id(a.party) for a in balances) if p is not None}
    names = _names(parties)
    rule = closing_rule(fund, on)
    blockers = _claim_blockers(fund) + _journal_blockers(balances, names) + _share_blockers(fund)
    cash = {a.party: v for a, v in balances.items() if a.kind is dl.AccountKind.CASH}
    contributed = {a.party: v for a, v in balances.items() if a.kind is dl.AccountKind.CONTRIBUTIONS}
    total = sum(cash.values())
    returns: dict[str, int] = {}
    if total > 0:  # with nothing left there is nothing to distribute: no rule needed, no entry posted
        blockers += _rule_blockers(fund, rule, on)
        if any(contributed.values()):
            returns = dl.pro_rata(total, contributed)
        else:
            blockers.append(Blocker(BlockerKind.NO_CONTRIBUTIONS, CLAUSE, "contributions", total,
                                    format_lazy(_("The fund holds {amount} but records no contribution to return "
                                                  "it in proportion to."), amount=format_yuan(total))))
    accounts = tuple(AccountCash(party, _account_label(party, names), amount)
                     for party, amount in sorted(cash.items(), key=lambda kv: (kv[0] != ledger.MAIN_ACCOUNT, kv[0])))
    contributors = tuple(sorted(
        (ContributorReturn(_party_id(party), party, _account_label(party, names), amount, returns.get(party, 0))
         for party, amount in contributed.items() if amount or returns.get(party)),
        key=lambda c: (-c.contributed_fen, c.name)))
    return ClosingPreview(fund=fund, on=on, kind=closing_kind(fund, on), rule=rule, blockers=tuple(blockers),
                          accounts=accounts, contributors=contributors, total_cash_fen=total,
                          active_covered_loans=Loan.objects.filter(fund=fund, status=LoanStatus.ACTIVE).count())


# ---------------------------------------------------------------------------------------------------------
# The action


def may_close(user: User, fund: Fund) -> bool:
    """The leadership group (领导小组): an IP-office leader of the fund's region (``close_fund`` checks the same
    through ``_require_leader``); for showing the closing form."""
    return bool(user.is_authenticated and user.is_active and _is_ip_office_of(user, fund.region_code, Role.LEADER))


def close_fund(user: User, fund_id: int, *, on: date, decision: str) -> Fund:
    """BT-21, BT-23: the leadership group closes the fund on ``on`` (at expiry or on an earlier termination) with
    its recorded decision. Refused when the fund is not open, ``on`` lies before its opening or its last journal
    entry or after today, or anything is still open (:class:`FundClosingBlocked` lists it). The money left in
    every dedicated account is returned to the contributors pro rata in one closing entry (none when nothing is
    left); the fund's status becomes closed; cooperations and the journal stay as history. The fund manager,
    the contributors and the cooperating institutions are notified."""
    text = (decision or "").strip()
    if not text:
        raise ClosingDecisionRequired()
    with transaction.atomic():
        fund = lock(Fund, fund_id)
        _require_leader(user, fund)
        if fund.status != FundStatus.OPEN:
            raise FundClosed()
        today = business_date()
        if on > today:
            raise ClosingDateInvalid(date=on.isoformat(),
                                     reason=gettext("after today ({today})").format(today=today.isoformat()))
        if on < fund.opened_on:
            raise ClosingDateInvalid(date=on.isoformat(), reason=gettext("before the fund's opening ({opened})")
                                     .format(opened=fund.opened_on.isoformat()))
        last_entry = JournalEntry.objects.filter(fund=fund).aggregate(d=Max("entry_date"))["d"]
        if last_entry is not None and on < last_entry:
            raise ClosingDateInvalid(date=on.isoformat(), reason=gettext("before the last journal entry ({last})")
                                     .format(last=last_entry.isoformat()))
        preview = closing_preview(fund, on)
        if preview.blockers:
            raise FundClosingBlocked(count=len(preview.blockers),
                                     summary="; ".join(str(b.message) for b in preview.blockers),
                                     blockers=[b.as_dict() for b in preview.blockers])
        entry: JournalEntry | None = None
        if preview.total_cash_fen > 0:
            # The domain builds the entry from the replayed journal (every rule checked again) and refuses it
            # while anything is payable or receivable; the ledger checks it against the locked balances.
            posting = dl.closing_posting(ledger.journal(fund), on)
            entry = ledger.post(fund, posting, user=user)
        previous = transition(fund, "status", FundStatus.CLOSED, FUND_ALLOWED)
        fund.closed_on, fund.closed_by, fund.closing_decision = on, user, text
        fund.save(update_fields=["status", "closed_on", "closed_by", "closing_decision"])
        returns = {c.party: c.return_fen for c in preview.contributors if c.return_fen}
        rule = preview.rule
        record_event(actor=user, action="fund.close", obj=fund, before={"status": previous},
                     after={"status": fund.status, "on": on.isoformat(), "kind": preview.kind.value,
                            "decision": text, "entry": entry.number if entry else None,
                            "total_fen": preview.total_cash_fen, "returns_fen": returns,
                            "rule": f"{rule.profile}:{rule.clause}" if rule is not None else None},
                     clause=CLAUSE, organisation=fund.manager)
        title = format_lazy(_("{fund} closed on {date}: {amount} returned to the contributors (BT-21)"),
                            fund=fund.name, date=on.isoformat(), amount=format_yuan(preview.total_cash_fen))
        contributors = [c.contributor_id for c in preview.contributors if c.contributor_id is not None]
        notify(organisations=[fund.manager_id, *contributors], verb="fund.closed", title=title, body=text,
               url=f"/fund/{fund.code}/closing/")
        institutions = list(Cooperation.objects.filter(fund=fund).exclude(status=CooperationStatus.REMOVED)
                            .exclude(institution_id__in=[fund.manager_id, *contributors])
                            .values_list("institution_id", flat=True))
        notify(organisations=institutions, verb="fund.closed", title=title, body=text, url="/fund/")
    return fund


# ---------------------------------------------------------------------------------------------------------
# The closing statement


@dataclass(frozen=True)
class ContributorLine:
    contributor_id: int | None
    name: str
    contributed_fen: int
    returned_fen: int


@dataclass(frozen=True)
class ClosingStatement:
    fund_code: str
    fund_name: str
    profile_name: str
    manager_name: str
    opened_on: date
    closes_on: date | None
    closed_on: date
    closed_by: str
    decision: str
    kind: ClosingKind
    entry_number: int | None  # the closing entry (None: nothing was left to return)
    entry_date: date | None
    contributors: tuple[ContributorLine, ...]
    interest_income_fen: int
    compensation_paid_fen: int  # net of SC-12 refunds and reversals
    recovery_income_fen: int
    management_fees_fen: int
    accounts_after: tuple[AccountCash, ...]  # every dedicated account after the closing
    open_balances: tuple[tuple[str, int], ...]  # asset or liability accounts not at zero (should be none)

    @property
    def contributed_fen(self) -> int:
        return sum(c.contributed_fen for c in self.contributors)

    @property
    def returned_fen(self) -> int:
        return sum(c.returned_fen for c in self.contributors)

    @property
    def cash_after_fen(self) -> int:
        return sum(a.amount_fen for a in self.accounts_after)

    @property
    def computed_balance_fen(self) -> int:
        """Contributions + interest + recovery shares − compensation − fees − returns: the cash the journal's
        flows leave, which is 0 after a closing."""
        return (self.contributed_fen + self.interest_income_fen + self.recovery_income_fen
                - self.compensation_paid_fen - self.management_fees_fen - self.returned_fen)

    @property
    def balanced_to_zero(self) -> bool:
        return not self.open_balances and self.cash_after_fen == 0 and self.computed_balance_fen == 0

    @property
    def title(self) -> str:
        return f"{self.fund_name}清算报告"

    @property
    def filename_stem(self) -> str:
        return f"fund-{self.fund_code}-closing-{self.closed_on.isoformat()}"


def closing_statement(fund: Fund) -> ClosingStatement:
    """The closing statement of a closed fund, from its journal (one aggregate query for the balances)."""
    if fund.status != FundStatus.CLOSED or fund.closed_on is None:
        raise FundNotClosed()
    balances = ledger.balances(fund)
    names = _names({p for p in (_party_id(a.party) for a in balances) if p is not None}
                   | ({fund.manager_id} if fund.manager_id else set()))

    def total(kind: dl.AccountKind) -> int:
        return sum(v for a, v in balances.items() if a.kind is kind)

    def by_party(kind: dl.AccountKind) -> dict[str, int]:
        return {a.party: v for a, v in balances.items() if a.kind is kind}

    contributed, returned = by_party(dl.AccountKind.CONTRIBUTIONS), by_party(dl.AccountKind.RETURNS_TO_CONTRIBUTORS)
    contributors = tuple(sorted(
        (ContributorLine(_party_id(p), _account_label(p, names), contributed.get(p, 0), returned.get(p, 0))
         for p in set(contributed) | set(returned) if contributed.get(p) or returned.get(p)),
        key=lambda c: (-c.contributed_fen, c.name)))
    cash = by_party(dl.AccountKind.CASH)
    accounts = tuple(AccountCash(p, _account_label(p, names), v)
                     for p, v in sorted(cash.items(), key=lambda kv: (kv[0] != ledger.MAIN_ACCOUNT, kv[0])))
    open_balances = tuple((str(a), v) for a, v in sorted(balances.items())
                          if v and a.account_class in (dl.AccountClass.ASSET, dl.AccountClass.LIABILITY))
    entry = (JournalEntry.objects.filter(fund=fund, kind=EntryKind.CLOSING_RETURN).order_by("-number")
             .values_list("number", "entry_date").first())
    closed_by = ""
    if fund.closed_by_id is not None:
        who = User.objects.filter(pk=fund.closed_by_id).first()
        closed_by = (who.get_full_name() or who.get_username()) if who is not None else ""
    return ClosingStatement(
        fund_code=fund.code, fund_name=fund.name, profile_name=fund.profile_name,
        manager_name=names.get(fund.manager_id, ""), opened_on=fund.opened_on, closes_on=fund.closes_on,
        closed_on=fund.closed_on, closed_by=closed_by, decision=fund.closing_decision,
        kind=closing_kind(fund, fund.closed_on), entry_number=entry[0] if entry else None,
        entry_date=entry[1] if entry else None, contributors=contributors,
        interest_income_fen=total(dl.AccountKind.INTEREST_INCOME),
        compensation_paid_fen=total(dl.AccountKind.COMPENSATION_EXPENSE) - total(dl.AccountKind.COMPENSATION_PAYABLE),
        recovery_income_fen=total(dl.AccountKind.RECOVERY_INCOME),
        management_fees_fen=total(dl.AccountKind.MANAGEMENT_FEE_EXPENSE),
        accounts_after=accounts, open_balances=open_balances)


# ---------------------------------------------------------------------------------------------------------
# Renderers (Chinese documents, as the operation reports of ipfin.fund.reports)

KIND_ZH = {ClosingKind.EXPIRY: "到期清算", ClosingKind.TERMINATION: "提前终止"}


def statement_sections(statement: ClosingStatement) -> list[tuple[str, list[str], list[list[Any]]]]:
    """The statement's tables: (title, header, rows); amounts as ``Decimal`` yuan (exact from fen)."""
    from ipfin.fund.reports import _yuan

    s = statement
    facts: list[list[Any]] = [
        ["资金名称", s.fund_name],
        ["资金代码", s.fund_code],
        ["资金管理人", s.manager_name],
        ["适用政策", s.profile_name],
        ["设立日期", s.opened_on.isoformat()],
        ["到期日期", s.closes_on.isoformat() if s.closes_on else "—"],
        ["清算日期", s.closed_on.isoformat()],
        ["清算方式（BT-21）", KIND_ZH[s.kind]],
        ["领导小组决定", s.decision],
        ["经办人", s.closed_by],
        ["清算凭证", f"#{s.entry_number}（{s.entry_date.isoformat()}）" if s.entry_number and s.entry_date
         else "无（清算时资金余额为零）"],
    ]
    flows: list[list[Any]] = [
        ["出资合计", "BT-3", _yuan(s.contributed_fen)],
        ["利息收入", "BT-11", _yuan(s.interest_income_fen)],
        ["追偿返还收入", "BT-16", _yuan(s.recovery_income_fen)],
        ["补偿支出", "BT-12、BT-15", _yuan(-s.compensation_paid_fen)],
        ["管理费用", "BT-8.7", _yuan(-s.management_fees_fen)],
        ["返还出资人", "BT-21", _yuan(-s.returned_fen)],
        ["清算后余额", "", _yuan(s.computed_balance_fen)],
    ]
    return [
        ("基本情况", ["项目", "内容"], facts),
        ("资金收支", ["项目", "依据条款", "金额（元）"], flows),
        ("出资人返还明细（按出资比例，BT-21）", ["出资人", "净出资（元）", "返还金额（元）"],
         [[c.name, _yuan(c.contributed_fen), _yuan(c.returned_fen)] for c in s.contributors]
         + [["合计", _yuan(s.contributed_fen), _yuan(s.returned_fen)]]),
        ("清算后专户余额（BT-9）", ["专户", "余额（元）"],
         [[a.label, _yuan(a.amount_fen)] for a in s.accounts_after]),
    ]


def closing_statement_xlsx(statement: ClosingStatement) -> bytes:
    from ipfin.fund.reports import sections_xlsx

    return sections_xlsx(statement.title, "清算报告", statement_sections(statement),
                         dict(zip("ABC", (34, 40, 20), strict=True)))


def closing_statement_pdf(statement: ClosingStatement) -> bytes:
    from ipfin.fund.reports import sections_pdf

    return sections_pdf(statement.title, statement_sections(statement), margin_mm=18, cell_size=9, cell_leading=12)

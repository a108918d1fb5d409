"""The fund's double-entry, append-only journal (风险补偿资金台账, BT-8.2 核算管理).

Accounts (:class:`AccountKind`; ``party`` names the bank, contributor … the account belongs to):

=========================  ==========  ======  =============================================================
kind                       class       side    what
=========================  ==========  ======  =============================================================
cash                       asset       debit   the fund's money in one cooperating bank's dedicated account
                                               (专用账户, BT-9); party = that bank
recoveries_receivable      asset       debit   recovery shares a bank owes back to the fund (BT-16)
compensation_payable       liability   credit  approved compensation not yet paid out (BT-15)
contributions              equity      credit  what each contributor (出资人) put in (BT-3)
returns_to_contributors    equity      debit   what was returned to each contributor at closing (BT-21)
interest_income            income      credit  interest earned on the dedicated accounts (BT-11)
recovery_income            income      credit  the fund's share of what a bank recovered (BT-16)
compensation_expense       expense     debit   compensation granted to a bank (BT-12)
management_fee_expense     expense     debit   the fund manager's fee, capped per fund year (BT-8.7)
=========================  ==========  ======  =============================================================

Rules enforced on every posting:

* it balances — debits = credits, else :class:`UnbalancedPosting`;
* no account crosses its natural side: an asset (cash, receivable) never goes negative, nor does a
  payable, a contribution or an income — :class:`InsufficientBalance` (the fund cannot pay out money its
  dedicated account does not hold);
* the manager's fees of one fund year stay within the cap (BT-8.7) — :class:`ManagementFeeCapExceeded`;
* entries are never changed or deleted: a correction is a reversal entry (same lines, sides swapped), and
  an entry is reversed at most once (:class:`AlreadyReversed`).

The :class:`Journal` holds entries in memory; the Django app keeps them in a table and uses the same
functions (:func:`apply_posting`, :func:`check_fee_cap`) on the balances it has locked.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum

from ipfin.domain.fund.errors import (
    AlreadyReversed,
    InsufficientBalance,
    InvalidPosting,
    ManagementFeeCapExceeded,
    UnbalancedPosting,
)
from ipfin.domain.money import Fen, apply_ratio, round_fen
from ipfin.domain.registry.terms import add_years

# ---------------------------------------------------------------------------------------------------------
# Accounts


class AccountClass(StrEnum):
    ASSET = "asset"
    LIABILITY = "liability"
    EQUITY = "equity"
    INCOME = "income"
    EXPENSE = "expense"


class Side(StrEnum):
    DEBIT = "debit"
    CREDIT = "credit"


class AccountKind(StrEnum):
    CASH = "cash"  # 专户资金 (BT-9)
    RECOVERIES_RECEIVABLE = "recoveries_receivable"  # 应收追偿返还款 (BT-16)
    COMPENSATION_PAYABLE = "compensation_payable"  # 应付补偿款 (BT-15)
    CONTRIBUTIONS = "contributions"  # 出资 (BT-3)
    RETURNS_TO_CONTRIBUTORS = "returns_to_contributors"  # 返还出资人 (BT-21)
    INTEREST_INCOME = "interest_income"  # 利息收入 (BT-11)
    RECOVERY_INCOME = "recovery_income"  # 追偿返还收入 (BT-16)
    COMPENSATION_EXPENSE = "compensation_expense"  # 补偿支出 (BT-12)
    MANAGEMENT_FEE_EXPENSE = "management_fee_expense"  # 管理费 (BT-8.7)


ACCOUNT_CLASS: dict[AccountKind, AccountClass] = {
    AccountKind.CASH: AccountClass.ASSET,
    AccountKind.RECOVERIES_RECEIVABLE: AccountClass.ASSET,
    AccountKind.COMPENSATION_PAYABLE: AccountClass.LIABILITY,
    AccountKind.CONTRIBUTIONS: AccountClass.EQUITY,
    AccountKind.RETURNS_TO_CONTRIBUTORS: AccountClass.EQUITY,
    AccountKind.INTEREST_INCOME: AccountClass.INCOME,
    AccountKind.RECOVERY_INCOME: AccountClass.INCOME,
    AccountKind.COMPENSATION_EXPENSE: AccountClass.EXPENSE,
    AccountKind.MANAGEMENT_FEE_EXPENSE: AccountClass.EXPENSE,
}

NORMAL_SIDE: dict[AccountKind, Side] = {
    AccountKind.CASH: Side.DEBIT,
    AccountKind.RECOVERIES_RECEIVABLE: Side.DEBIT,
    AccountKind.COMPENSATION_PAYABLE: Side.CREDIT,
    AccountKind.CONTRIBUTIONS: Side.CREDIT,
    AccountKind.RETURNS_TO_CONTRIBUTORS: Side.DEBIT,  # a contra-equity account: distributions
    AccountKind.INTEREST_INCOME: Side.CREDIT,
    AccountKind.RECOVERY_INCOME: Side.CREDIT,
    AccountKind.COMPENSATION_EXPENSE: Side.DEBIT,
    AccountKind.MANAGEMENT_FEE_EXPENSE: Side.DEBIT,
}

# Kinds whose account belongs to one party (a bank or a contributor); the others are fund-wide.
PARTY_KINDS = frozenset({
    AccountKind.CASH, AccountKind.RECOVERIES_RECEIVABLE, AccountKind.COMPENSATION_PAYABLE,
    AccountKind.CONTRIBUTIONS, AccountKind.RETURNS_TO_CONTRIBUTORS, AccountKind.INTEREST_INCOME,
    AccountKind.RECOVERY_INCOME, AccountKind.COMPENSATION_EXPENSE,
})


@dataclass(frozen=True, order=True)
class Account:
    kind: AccountKind
    party: str = ""

    def __post_init__(self) -> None:
        if not isinstance(self.kind, AccountKind):
            object.__setattr__(self, "kind", AccountKind(self.kind))
        if self.kind in PARTY_KINDS and not self.party:
            raise InvalidPosting(reason=f"account {self.kind.value} needs a party (bank or contributor)")
        if self.kind not in PARTY_KINDS and self.party:
            raise InvalidPosting(reason=f"account {self.kind.value} is fund-wide and takes no party")

    @property
    def account_class(self) -> AccountClass:
        return ACCOUNT_CLASS[self.kind]

    @property
    def normal_side(self) -> Side:
        return NORMAL_SIDE[self.kind]

    def __str__(self) -> str:
        return f"{self.kind.value}:{self.party}" if self.party else self.kind.value


def cash(bank: str) -> Account:
    return Account(AccountKind.CASH, bank)


MANAGEMENT_FEES = Account(AccountKind.MANAGEMENT_FEE_EXPENSE)


# ---------------------------------------------------------------------------------------------------------
# Postings


class Event(StrEnum):
    """What a journal entry records; each has one builder below."""

    CONTRIBUTION = "contribution"
    INTEREST = "interest"
    CLAIM_APPROVED = "claim_approved"
    PAYOUT = "payout"
    COMPENSATION_REFUND = "compensation_refund"
    RECOVERY_SHARE_DUE = "recovery_share_due"
    RECOVERY_SHARE_RECEIVED = "recovery_share_received"
    MANAGEMENT_FEE = "management_fee"
    TRANSFER = "transfer"
    CLOSING_RETURN = "closing_return"
    REVERSAL = "reversal"


def _check_amount(value: object, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{what} must be an int number of fen, not {type(value).__name__}")
    if value < 0:
        raise InvalidPosting(reason=f"{what} must not be negative ({value} fen)")
    return value


@dataclass(frozen=True)
class Line:
    """One side of a posting: a debit or a credit of a positive amount to one account."""

    account: Account
    debit_fen: Fen = 0
    credit_fen: Fen = 0

    def __post_init__(self) -> None:
        _check_amount(self.debit_fen, "debit_fen")
        _check_amount(self.credit_fen, "credit_fen")
        if (self.debit_fen > 0) == (self.credit_fen > 0):
            raise InvalidPosting(reason=f"a line on {self.account} must debit or credit a positive amount, not both")

    @property
    def change_fen(self) -> Fen:
        """The change of the account's balance on its natural side (positive: the balance grows)."""
        signed = self.debit_fen - self.credit_fen
        return signed if self.account.normal_side is Side.DEBIT else -signed

    def swapped(self) -> Line:
        return Line(self.account, debit_fen=self.credit_fen, credit_fen=self.debit_fen)


def debit(account: Account, amount_fen: Fen) -> Line:
    return Line(account, debit_fen=amount_fen)


def credit(account: Account, amount_fen: Fen) -> Line:
    return Line(account, credit_fen=amount_fen)


@dataclass(frozen=True)
class Posting:
    """A balanced journal entry before it is numbered. ``reverses`` is the number of the entry a reversal
    corrects; ``clause`` the rule it books (e.g. ``BT-16``); ``reference`` the claim, recovery or statement
    it belongs to."""

    event: Event
    business_date: date
    lines: tuple[Line, ...]
    clause: str = ""
    reference: str = ""
    memo: str = ""
    reverses: int | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "lines", tuple(self.lines))
        if len(self.lines) < 2:
            raise InvalidPosting(reason="a posting needs at least two lines")
        if not isinstance(self.business_date, date):
            raise InvalidPosting(reason="a posting needs a business date")
        debits, credits = self.debits_fen, self.credits_fen
        if debits != credits:
            raise UnbalancedPosting(debits=debits, credits=credits)
        if (self.event is Event.REVERSAL) != (self.reverses is not None):
            raise InvalidPosting(reason="a reversal names the entry it reverses, and only a reversal does")

    @property
    def debits_fen(self) -> Fen:
        return sum(line.debit_fen for line in self.lines)

    @property
    def credits_fen(self) -> Fen:
        return sum(line.credit_fen for line in self.lines)

    @property
    def amount_fen(self) -> Fen:
        return self.debits_fen

    def changes(self) -> dict[Account, Fen]:
        """The net change of each account's balance (natural side) that this posting makes."""
        out: dict[Account, Fen] = defaultdict(int)
        for line in self.lines:
            out[line.account] += line.change_fen
        return dict(out)


@dataclass(frozen=True)
class Entry:
    """A posted, numbered journal entry (numbers start at 1 and never repeat)."""

    number: int
    posting: Posting

    @property
    def business_date(self) -> date:
        return self.posting.business_date


def apply_posting(balances: Mapping[Account, Fen], posting: Posting) -> dict[Account, Fen]:
    """The new balances of the accounts ``posting`` touches, or :class:`InsufficientBalance` when one would
    cross its natural side (an asset below zero, a payable paid twice …). ``balances`` needs only the
    touched accounts (missing = 0)."""
    new: dict[Account, Fen] = {}
    for account, change in sorted(posting.changes().items()):
        before = balances.get(account, 0)
        after = before + change
        if after < 0:
            raise InsufficientBalance(account=str(account), balance=before, change=change)
        new[account] = after
    return new


# ---------------------------------------------------------------------------------------------------------
# Management fee cap (BT-8.7)


def management_fee_cap_fen(fund_size_fen: Fen, cap_ratio: Decimal) -> Fen:
    """BT-8.7: the yearly cap of the manager's fee = ``cap_ratio`` (profile ``management_fee_cap_ratio``,
    1.5 %) × the fund size (profile ``fund_initial_size_fen``, BT-3: 10,000,000 CNY) → 150,000 CNY, HALF_UP."""
    return apply_ratio(_check_amount(fund_size_fen, "fund_size_fen"), cap_ratio)


def fund_year(opened_on: date, on: date) -> tuple[date, date]:
    """The fund year (first and last day) that contains ``on``: years run from the fund's opening date and
    its anniversaries (BT-8.7 "每年"; platform reading — for a fund opened on 1 January it is the calendar
    year). Dates before the opening belong to the first year."""
    years = max(on.year - opened_on.year, 0)
    if years and add_years(opened_on, years) > on:
        years -= 1
    return add_years(opened_on, years), add_years(opened_on, years + 1) - timedelta(days=1)


@dataclass(frozen=True)
class FeeCap:
    """BT-8.7: at most ``cap_fen`` of management fees per fund year, years counted from ``opened_on``."""

    cap_fen: Fen
    opened_on: date
    clause: str = "BT-8.7"


def check_fee_cap(fee_cap: FeeCap, used_in_year_fen: Fen, posting: Posting) -> None:
    """BT-8.7: refuse a posting that takes the year's fees (``used_in_year_fen`` already booked in the fund
    year of ``posting.business_date``) above the cap. The cap itself is allowed; one fen more is refused."""
    change = posting.changes().get(MANAGEMENT_FEES, 0)
    if change <= 0:
        return
    total = used_in_year_fen + change
    if total > fee_cap.cap_fen:
        start, end = fund_year(fee_cap.opened_on, posting.business_date)
        raise ManagementFeeCapExceeded(year_start=start.isoformat(), year_end=end.isoformat(), total=total,
                                       cap=fee_cap.cap_fen, clause=fee_cap.clause)


# ---------------------------------------------------------------------------------------------------------
# The journal


@dataclass(frozen=True)
class TrialBalanceRow:
    account: Account
    debits_fen: Fen
    credits_fen: Fen

    @property
    def balance_fen(self) -> Fen:
        """On the account's natural side."""
        signed = self.debits_fen - self.credits_fen
        return signed if self.account.normal_side is Side.DEBIT else -signed


@dataclass(frozen=True)
class TrialBalance:
    rows: tuple[TrialBalanceRow, ...]

    @property
    def debits_fen(self) -> Fen:
        return sum(r.debits_fen for r in self.rows)

    @property
    def credits_fen(self) -> Fen:
        return sum(r.credits_fen for r in self.rows)

    @property
    def balanced(self) -> bool:
        """Σ debit balances = Σ credit balances (and the turnovers agree)."""
        debit_side = sum(r.balance_fen for r in self.rows if r.account.normal_side is Side.DEBIT)
        credit_side = sum(r.balance_fen for r in self.rows if r.account.normal_side is Side.CREDIT)
        return self.debits_fen == self.credits_fen and debit_side == credit_side

    def by_class(self) -> dict[AccountClass, Fen]:
        out: dict[AccountClass, Fen] = {c: 0 for c in AccountClass}
        for row in self.rows:
            out[row.account.account_class] += row.balance_fen
        return out


@dataclass
class Journal:
    """An append-only journal of one fund. ``fee_cap`` enables the BT-8.7 check on management fees."""

    fee_cap: FeeCap | None = None
    _entries: list[Entry] = field(default_factory=list)
    _balances: dict[Account, Fen] = field(default_factory=dict)
    _reversed: dict[int, int] = field(default_factory=dict)  # entry number → number of its reversal

    # -- reading --

    @property
    def entries(self) -> tuple[Entry, ...]:
        return tuple(self._entries)

    def entry(self, number: int) -> Entry:
        if not 1 <= number <= len(self._entries):
            raise InvalidPosting(reason=f"no journal entry number {number}")
        return self._entries[number - 1]

    def balance(self, account: Account) -> Fen:
        return self._balances.get(account, 0)

    def balances(self) -> dict[Account, Fen]:
        return dict(self._balances)

    def balances_as_of(self, as_of: date) -> dict[Account, Fen]:
        """Balances from the entries with a business date on or before ``as_of``."""
        out: dict[Account, Fen] = defaultdict(int)
        for e in self._entries:
            if e.business_date <= as_of:
                for account, change in e.posting.changes().items():
                    out[account] += change
        return dict(out)

    def accounts(self, kind: AccountKind) -> list[Account]:
        return sorted(a for a in self._balances if a.kind is kind)

    def total(self, kind: AccountKind) -> Fen:
        return sum(v for a, v in self._balances.items() if a.kind is kind)

    def is_reversed(self, number: int) -> bool:
        return number in self._reversed

    def _attributed_date(self, e: Entry) -> date:
        """The date an entry counts for: a reversal counts on the date of the entry it corrects."""
        if e.posting.reverses is not None:
            return self.entry(e.posting.reverses).business_date
        return e.business_date

    def fee_used_fen(self, on: date) -> Fen:
        """BT-8.7: management fees booked in the fund year containing ``on`` (net of their reversals)."""
        if self.fee_cap is None:
            raise InvalidPosting(reason="this journal has no management fee cap")
        start, end = fund_year(self.fee_cap.opened_on, on)
        return sum(e.posting.changes().get(MANAGEMENT_FEES, 0) for e in self._entries
                   if start <= self._attributed_date(e) <= end)

    def compensation_paid_fen(self, bank: str) -> Fen:
        """Cumulative compensation paid to ``bank`` (net of refunds and reversals): granted − still payable.
        The numerator of the bank's BT-13 ratio."""
        return (self.balance(Account(AccountKind.COMPENSATION_EXPENSE, bank))
                - self.balance(Account(AccountKind.COMPENSATION_PAYABLE, bank)))

    def trial_balance(self, as_of: date | None = None) -> TrialBalance:
        turnover: dict[Account, list[int]] = defaultdict(lambda: [0, 0])
        for e in self._entries:
            if as_of is not None and e.business_date > as_of:
                continue
            for line in e.posting.lines:
                turnover[line.account][0] += line.debit_fen
                turnover[line.account][1] += line.credit_fen
        return TrialBalance(tuple(TrialBalanceRow(a, d, c) for a, (d, c) in sorted(turnover.items())))

    # -- writing --

    def post(self, posting: Posting) -> Entry:
        """Validate and append ``posting``; nothing is changed when it is refused."""
        if posting.reverses is not None:
            original = self.entry(posting.reverses)
            if posting.reverses in self._reversed:
                raise AlreadyReversed(entry=posting.reverses)
            if original.posting.event is Event.REVERSAL:
                raise InvalidPosting(reason="a reversal is not reversed; post the original again instead")
            if sorted(posting.changes().items()) != sorted((a, -c) for a, c in original.posting.changes().items()):
                raise InvalidPosting(reason=f"a reversal must undo entry {posting.reverses} exactly")
        new_balances = apply_posting(self._balances, posting)
        if self.fee_cap is not None and posting.reverses is None:
            check_fee_cap(self.fee_cap, self.fee_used_fen(posting.business_date), posting)
        entry = Entry(len(self._entries) + 1, posting)
        self._entries.append(entry)
        self._balances.update(new_balances)
        if posting.reverses is not None:
            self._reversed[posting.reverses] = entry.number
        return entry

    def reverse(self, number: int, business_date: date, memo: str = "") -> Entry:
        """Correct entry ``number`` by a reversal entry (红字冲销): the same lines with sides swapped."""
        return self.post(reversal_of(self.entry(number), business_date, memo))

    @classmethod
    def replay(cls, postings: Iterable[Posting], fee_cap: FeeCap | None = None) -> Journal:
        """A journal rebuilt from stored postings in their order, every rule checked again."""
        journal = cls(fee_cap=fee_cap)
        for posting in postings:
            journal.post(posting)
        return journal


# ---------------------------------------------------------------------------------------------------------
# One builder per event


def contribution(contributor: str, bank: str, amount_fen: Fen, on: date, reference: str = "") -> Posting:
    """BT-3, BT-9: a contributor's money deposited into a bank's dedicated account."""
    return Posting(Event.CONTRIBUTION, on, (debit(cash(bank), amount_fen),
                                            credit(Account(AccountKind.CONTRIBUTIONS, contributor), amount_fen)),
                   clause="BT-3", reference=reference)


def interest(bank: str, amount_fen: Fen, on: date, reference: str = "") -> Posting:
    """BT-11: interest on a dedicated account flows back into the fund."""
    return Posting(Event.INTEREST, on, (debit(cash(bank), amount_fen),
                                        credit(Account(AccountKind.INTEREST_INCOME, bank), amount_fen)),
                   clause="BT-11", reference=reference)


def claim_approved(bank: str, amount_fen: Fen, on: date, reference: str = "", clause: str = "BT-15") -> Posting:
    """BT-12, BT-15: the leadership group approved a compensation: the fund owes it to the bank."""
    return Posting(Event.CLAIM_APPROVED, on,
                   (debit(Account(AccountKind.COMPENSATION_EXPENSE, bank), amount_fen),
                    credit(Account(AccountKind.COMPENSATION_PAYABLE, bank), amount_fen)),
                   clause=clause, reference=reference)


def payout(bank: str, amount_fen: Fen, on: date, reference: str = "", from_account: str | None = None,
           clause: str = "BT-15") -> Posting:
    """BT-15: the approved compensation paid to ``bank`` from a dedicated account (by default the bank's own,
    BT-9). Refused when that account does not hold the money or more is paid than is payable."""
    return Posting(Event.PAYOUT, on, (debit(Account(AccountKind.COMPENSATION_PAYABLE, bank), amount_fen),
                                      credit(cash(from_account or bank), amount_fen)),
                   clause=clause, reference=reference)


def compensation_refund(bank: str, amount_fen: Fen, on: date, reference: str = "",
                        into_account: str | None = None) -> Posting:
    """SC-12: at settlement after disposal, the bank pays back what the first share overpaid."""
    return Posting(Event.COMPENSATION_REFUND, on,
                   (debit(cash(into_account or bank), amount_fen),
                    credit(Account(AccountKind.COMPENSATION_EXPENSE, bank), amount_fen)),
                   clause="SC-12", reference=reference)


def recovery_share_due(bank: str, amount_fen: Fen, on: date, reference: str = "") -> Posting:
    """BT-16: the bank recorded a recovery; the fund's share becomes receivable."""
    return Posting(Event.RECOVERY_SHARE_DUE, on,
                   (debit(Account(AccountKind.RECOVERIES_RECEIVABLE, bank), amount_fen),
                    credit(Account(AccountKind.RECOVERY_INCOME, bank), amount_fen)),
                   clause="BT-16", reference=reference)


def recovery_share_received(bank: str, amount_fen: Fen, on: date, reference: str = "",
                            into_account: str | None = None) -> Posting:
    """BT-16: the bank returned (part of) the fund's share into a dedicated account."""
    return Posting(Event.RECOVERY_SHARE_RECEIVED, on,
                   (debit(cash(into_account or bank), amount_fen),
                    credit(Account(AccountKind.RECOVERIES_RECEIVABLE, bank), amount_fen)),
                   clause="BT-16", reference=reference)


def management_fee(amount_fen: Fen, on: date, from_account: str, reference: str = "") -> Posting:
    """BT-8.7: the manager's fee, paid out of the fund (capped per fund year by :class:`FeeCap`)."""
    return Posting(Event.MANAGEMENT_FEE, on, (debit(MANAGEMENT_FEES, amount_fen),
                                              credit(cash(from_account), amount_fen)),
                   clause="BT-8.7", reference=reference)


def transfer(from_bank: str, to_bank: str, amount_fen: Fen, on: date, reference: str = "") -> Posting:
    """BT-9: money moved between two dedicated accounts of the fund."""
    if from_bank == to_bank:
        raise InvalidPosting(reason="a transfer needs two different accounts")
    return Posting(Event.TRANSFER, on, (debit(cash(to_bank), amount_fen), credit(cash(from_bank), amount_fen)),
                   clause="BT-9", reference=reference)


def reversal_of(entry: Entry, on: date, memo: str = "") -> Posting:
    """The correction of ``entry``: its lines with debit and credit swapped (冲销凭证)."""
    p = entry.posting
    return Posting(Event.REVERSAL, on, tuple(line.swapped() for line in p.lines), clause=p.clause,
                   reference=p.reference, memo=memo or f"reversal of entry {entry.number}", reverses=entry.number)


# ---------------------------------------------------------------------------------------------------------
# Closing (BT-21)


def pro_rata(total_fen: Fen, weights: Mapping[str, Fen]) -> dict[str, Fen]:
    """Split ``total_fen`` in proportion to ``weights`` (each share HALF_UP); the rounding residue (a few
    fen, either sign) goes to the largest weight (first by name on a tie) so the shares sum exactly."""
    _check_amount(total_fen, "total_fen")
    positive = {k: _check_amount(v, f"weight of {k}") for k, v in weights.items() if v}
    if not positive:
        raise InvalidPosting(reason="nothing to split in proportion to")
    whole = sum(positive.values())
    shares = {k: round_fen(Decimal(total_fen) * v / whole) for k, v in positive.items()}
    largest = min(positive, key=lambda k: (-positive[k], k))
    shares[largest] += total_fen - sum(shares.values())
    return shares


def closing_posting(journal: Journal, on: date) -> Posting:
    """BT-21: at expiry or termination the remaining balance of every dedicated account is returned to the
    contributors in proportion to their contributions (profile ``fund_closing_distribution``). Refused while
    compensation is payable or recovery shares are receivable: those are settled first."""
    balances = journal.balances()
    open_items = [str(a) for a, v in balances.items() if v and a.kind in (AccountKind.COMPENSATION_PAYABLE,
                                                                          AccountKind.RECOVERIES_RECEIVABLE)]
    if open_items:
        raise InvalidPosting(reason=f"settle {', '.join(sorted(open_items))} before closing the fund")
    cash_by_bank = {a.party: v for a, v in balances.items() if a.kind is AccountKind.CASH and v}
    contributed = {a.party: v for a, v in balances.items() if a.kind is AccountKind.CONTRIBUTIONS}
    total = sum(cash_by_bank.values())
    if total == 0:
        raise InvalidPosting(reason="the fund holds no money to return")
    shares = pro_rata(total, contributed)
    lines = [debit(Account(AccountKind.RETURNS_TO_CONTRIBUTORS, c), v) for c, v in sorted(shares.items()) if v]
    lines += [credit(cash(b), v) for b, v in sorted(cash_by_bank.items())]
    return Posting(Event.CLOSING_RETURN, on, tuple(lines), clause="BT-21")


# ---------------------------------------------------------------------------------------------------------
# Reconciliation per dedicated account (银行对账)


@dataclass(frozen=True)
class StatementLine:
    """One movement on the bank's statement of a dedicated account: + money in, − money out."""

    on: date
    amount_fen: Fen
    reference: str = ""


@dataclass(frozen=True)
class LedgerMovement:
    entry: int
    on: date
    amount_fen: Fen  # + money in, − money out
    reference: str = ""


@dataclass(frozen=True)
class Reconciliation:
    """Expected (ledger) against statement balance of one dedicated account on ``as_of``; the unmatched
    movements on either side explain the difference when statement lines are given."""

    bank: str
    as_of: date
    expected_fen: Fen
    statement_fen: Fen
    unmatched_ledger: tuple[LedgerMovement, ...] = ()
    unmatched_statement: tuple[StatementLine, ...] = ()

    @property
    def difference_fen(self) -> Fen:
        """statement − ledger: positive when the bank shows more money than the fund's books."""
        return self.statement_fen - self.expected_fen

    @property
    def reconciled(self) -> bool:
        return self.difference_fen == 0 and not self.unmatched_ledger and not self.unmatched_statement


def cash_movements(journal: Journal, bank: str, as_of: date) -> list[LedgerMovement]:
    account = cash(bank)
    out = []
    for e in journal.entries:
        if e.business_date > as_of:
            continue
        change = e.posting.changes().get(account, 0)
        if change:
            out.append(LedgerMovement(e.number, e.business_date, change, e.posting.reference))
    return out


def _match(ledger: Sequence[LedgerMovement], statement: Sequence[StatementLine]
           ) -> tuple[tuple[LedgerMovement, ...], tuple[StatementLine, ...]]:
    """Pair movements by reference where both carry one, then by (date, amount); return the unpaired."""
    left = list(ledger)
    unmatched_statement: list[StatementLine] = []
    for line in statement:
        found = None
        if line.reference:
            found = next((m for m in left if m.reference == line.reference and m.amount_fen == line.amount_fen), None)
        if found is None:
            found = next((m for m in left if m.on == line.on and m.amount_fen == line.amount_fen), None)
        if found is None:
            unmatched_statement.append(line)
        else:
            left.remove(found)
    return tuple(left), tuple(unmatched_statement)


def reconcile(journal: Journal, bank: str, as_of: date, statement_balance_fen: Fen,
              statement_lines: Sequence[StatementLine] | None = None) -> Reconciliation:
    """BT-9, BT-8.2: the fund's books for ``bank``'s dedicated account against the bank's statement on
    ``as_of``. With ``statement_lines`` (the statement's movements up to ``as_of``) the movements are paired
    and the unpaired ones listed on each side."""
    expected = journal.balances_as_of(as_of).get(cash(bank), 0)
    if statement_lines is None:
        return Reconciliation(bank, as_of, expected, statement_balance_fen)
    lines = [s for s in statement_lines if s.on <= as_of]
    left, right = _match(cash_movements(journal, bank, as_of), lines)
    return Reconciliation(bank, as_of, expected, statement_balance_fen, left, right)


def reconcile_all(journal: Journal, as_of: date, statements: Mapping[str, Fen]) -> list[Reconciliation]:
    """One reconciliation per dedicated account, for every bank in the books or on a statement (a missing
    statement reads as 0, which shows up as a difference)."""
    banks = {a.party for a in journal.balances_as_of(as_of) if a.kind is AccountKind.CASH} | set(statements)
    return [reconcile(journal, b, as_of, statements.get(b, 0)) for b in sorted(banks)]

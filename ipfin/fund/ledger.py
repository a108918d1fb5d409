"""The fund's journal in the database (风险补偿资金台账): the rules of :mod:`ipfin.domain.fund.ledger` applied to
the balances read under the fund's row lock.

:func:`post` is the only writer of :class:`JournalEntry` and :class:`JournalLine`. It must run inside the
transaction of an action that has locked the fund row (``lock(Fund, pk)``): two postings of one fund — two
payouts at the same moment — therefore serialise, and the second sees the first's balances. Per posting it
checks, with the domain functions: debits = credits (the ``Posting`` itself), no account crossing its natural
side (:func:`~ipfin.domain.fund.ledger.apply_posting`: the fund never pays out cash its dedicated accounts do
not hold), the management-fee cap of the fund year (BT-8.7, :func:`~ipfin.domain.fund.ledger.check_fee_cap`)
and, for a reversal, that it undoes the entry exactly and only once.

Parties in account codes are organisation ids (a bank's dedicated account ``cash:12``, a contributor
``contributions:7``); :data:`MAIN_ACCOUNT` is the fund's own dedicated account where no bank is named.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.db.models import Q, Sum

from ipfin.accounts.models import User
from ipfin.domain.fund import ledger as dl
from ipfin.domain.fund.errors import AlreadyReversed, InvalidPosting
from ipfin.domain.money import Fen
from ipfin.fund.models import Fund, JournalEntry, JournalLine
from ipfin.policy.policyset import policy_set

MAIN_ACCOUNT = "main"  # the fund's own dedicated account (资金专户) when a posting names no bank (BT-9)


def party(org_id: int | None) -> str:
    return MAIN_ACCOUNT if org_id is None else str(org_id)


def _org_of(account: dl.Account) -> int | None:
    return int(account.party) if account.party.isdigit() else None


def to_account(code: str) -> dl.Account:
    kind, _sep, owner = code.partition(":")
    return dl.Account(dl.AccountKind(kind), owner)


def balances(fund: Fund, accounts: Iterable[dl.Account] | None = None, *, as_of: date | None = None
             ) -> dict[dl.Account, Fen]:
    """Balances (natural side) of ``accounts`` (every account when None) in one aggregate query."""
    lines = JournalLine.objects.filter(entry__fund=fund)
    if accounts is not None:
        lines = lines.filter(account__in=[str(a) for a in accounts])
    if as_of is not None:
        lines = lines.filter(entry__entry_date__lte=as_of)
    out: dict[dl.Account, Fen] = {}
    for row in lines.values("account").annotate(d=Sum("debit_fen"), c=Sum("credit_fen")):
        account = to_account(row["account"])
        signed = (row["d"] or 0) - (row["c"] or 0)
        out[account] = signed if account.normal_side is dl.Side.DEBIT else -signed
    return out


def kind_totals(fund: Fund, kind: dl.AccountKind) -> dict[str, Fen]:
    """Balance per party of every account of ``kind`` (e.g. compensation expense per bank)."""
    return {a.party: v for a, v in balances_of_kind(fund, kind).items()}


def balances_of_kind(fund: Fund, kind: dl.AccountKind) -> dict[dl.Account, Fen]:
    out: dict[dl.Account, Fen] = {}
    rows = (JournalLine.objects.filter(entry__fund=fund, account_kind=kind.value).values("account")
            .annotate(d=Sum("debit_fen"), c=Sum("credit_fen")))
    for row in rows:
        account = to_account(row["account"])
        signed = (row["d"] or 0) - (row["c"] or 0)
        out[account] = signed if account.normal_side is dl.Side.DEBIT else -signed
    return out


def cash_fen(fund: Fund) -> Fen:
    """The money in all the fund's dedicated accounts."""
    return sum(balances_of_kind(fund, dl.AccountKind.CASH).values())


def fee_cap(fund: Fund, on: date) -> dl.FeeCap | None:
    """BT-8.7 from the fund's profile in force on ``on``: ``management_fee_cap_ratio`` × ``fund_initial_size_fen``;
    None when the profile sets no cap (no number is guessed)."""
    pset = policy_set([fund.profile_name], on)
    ratio, size = pset.find("management_fee_cap_ratio"), pset.find("fund_initial_size_fen")
    if ratio is None or size is None:
        return None
    return dl.FeeCap(dl.management_fee_cap_fen(int(size.value), Decimal(str(ratio.value))), fund.opened_on,
                     clause=ratio.clause)


def fee_used_fen(fund: Fund, on: date) -> Fen:
    """BT-8.7: management fees booked in the fund year containing ``on``, net of their reversals (a reversal
    counts in the year of the fee it corrects)."""
    start, end = dl.fund_year(fund.opened_on, on)
    in_year = (Q(entry__reverses__isnull=True, entry__entry_date__range=(start, end))
               | Q(entry__reverses__entry_date__range=(start, end)))
    row = (JournalLine.objects.filter(in_year, entry__fund=fund, account_kind=dl.AccountKind.MANAGEMENT_FEE_EXPENSE)
           .aggregate(d=Sum("debit_fen"), c=Sum("credit_fen")))
    return (row["d"] or 0) - (row["c"] or 0)


def _require_locked(fund: Fund) -> None:
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("ledger.post() outside the transaction that locked the fund")


def post(fund: Fund, posting: dl.Posting, *, user: User | None) -> JournalEntry:
    """Check ``posting`` against the stored balances and append it as the fund's next entry. The caller holds
    the fund's row lock. Nothing is written when a rule refuses it."""
    _require_locked(fund)
    original: JournalEntry | None = None
    if posting.reverses is not None:
        original = JournalEntry.objects.filter(fund=fund, number=posting.reverses).first()
        if original is None:
            raise InvalidPosting(reason=f"no journal entry number {posting.reverses}")
        if JournalEntry.objects.filter(reverses=original).exists():
            raise AlreadyReversed(entry=posting.reverses)
        if original.kind == dl.Event.REVERSAL:
            raise InvalidPosting(reason="a reversal is not reversed; post the original again instead")
        undo: dict[dl.Account, int] = defaultdict(int)
        for line in original.lines.all():
            account = to_account(line.account)
            signed = line.debit_fen - line.credit_fen
            undo[account] -= signed if account.normal_side is dl.Side.DEBIT else -signed
        if sorted(posting.changes().items()) != sorted((a, c) for a, c in undo.items() if c):
            raise InvalidPosting(reason=f"a reversal must undo entry {posting.reverses} exactly")
    changes = posting.changes()
    dl.apply_posting(balances(fund, changes), posting)
    cap = fee_cap(fund, posting.business_date)
    if cap is not None and posting.reverses is None:
        dl.check_fee_cap(cap, fee_used_fen(fund, posting.business_date), posting)
    last = JournalEntry.objects.filter(fund=fund).order_by("-number").values_list("number", flat=True).first()
    entry = JournalEntry.objects.create(
        fund=fund, number=(last or 0) + 1, entry_date=posting.business_date, kind=posting.event.value,
        memo=posting.memo[:300], reference=posting.reference[:60], reverses=original, clause=posting.clause,
        created_by=user if user is not None and user.is_authenticated else None)
    JournalLine.objects.bulk_create(
        JournalLine(entry=entry, account=str(line.account), account_kind=line.account.kind.value,
                    counterparty_id=_org_of(line.account), debit_fen=line.debit_fen, credit_fen=line.credit_fen)
        for line in posting.lines)
    return entry


def posting_of(entry: JournalEntry) -> dl.Posting:
    """The domain posting a stored entry holds (for replay, reversal and reconciliation)."""
    lines = tuple(dl.Line(to_account(x.account), debit_fen=x.debit_fen, credit_fen=x.credit_fen)
                  for x in entry.lines.all())
    return dl.Posting(dl.Event(entry.kind), entry.entry_date, lines, clause=entry.clause, reference=entry.reference,
                      memo=entry.memo, reverses=entry.reverses.number if entry.reverses_id and entry.reverses else None)


def journal(fund: Fund) -> dl.Journal:
    """The fund's journal replayed in the domain (every rule checked again): for reports and reconciliation."""
    entries = (JournalEntry.objects.filter(fund=fund).select_related("reverses").prefetch_related("lines")
               .order_by("number"))
    return dl.Journal.replay(posting_of(e) for e in entries)

"""Recoveries after a payout (BT-16): the fund's share of what the bank recovers, and its due date.

After the fund has paid a claim, the bank disposes of the pledge and pursues the debt; of what it actually
recovers (实际收回资金) it returns ``recovery_share_ratio`` (30 %) to the fund's dedicated account within
``recovery_share_due_working_days`` (15) working days. The due date is the 15th working day after the day
the bank recorded the recovery, on the Chinese working-day calendar (holidays and 调休 make-up days; the
counting convention of :mod:`ipfin.domain.calendar`). A year the calendar lacks makes the due date unknown
(``calendar_not_published``), never a guess.

Platform reading: the shares returned on one claim never add up to more than the compensation paid on it
(the fund is compensated, not enriched) — pass ``compensation_paid_fen`` to apply it.

Pure Python: no Django imports.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from ipfin.domain.calendar import CalendarNotPublished, WorkingCalendar
from ipfin.domain.errors import InvalidInput
from ipfin.domain.money import Fen, apply_ratio
from ipfin.domain.sla import due_date


def _fen(value: object, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{what} must be an int number of fen, not {type(value).__name__}")
    if value < 0:
        raise InvalidInput(reason=f"{what} must not be negative ({value} fen)")
    return value


def recovery_share_fen(recovered_fen: Fen, recovery_share_ratio: Decimal, *, compensation_paid_fen: Fen | None = None,
                       already_returned_fen: Fen = 0) -> Fen:
    """BT-16: the fund's share of one recovery = ``recovery_share_ratio`` (profile, 30 %) × recovered,
    HALF_UP; with ``compensation_paid_fen`` the shares of the claim (``already_returned_fen`` before this one)
    stop at the compensation paid."""
    if not isinstance(recovery_share_ratio, Decimal) or not Decimal(0) <= recovery_share_ratio <= Decimal(1):
        raise InvalidInput(reason=f"the recovery share ratio must be a Decimal between 0 and 1, "
                                  f"not {recovery_share_ratio!r}")
    share = apply_ratio(_fen(recovered_fen, "recovered_fen"), recovery_share_ratio)
    if compensation_paid_fen is None:
        return share
    room = _fen(compensation_paid_fen, "compensation_paid_fen") - _fen(already_returned_fen, "already_returned_fen")
    return max(min(share, room), 0)


def recovery_share_due_on(calendar: WorkingCalendar, recorded_on: date, due_working_days: int) -> date:
    """BT-16: the day the share is due: ``due_working_days`` (profile ``recovery_share_due_working_days``,
    15) working days after ``recorded_on``. :class:`CalendarNotPublished` when the count needs a year the
    calendar lacks."""
    return due_date(calendar, recorded_on, due_working_days)


def recovery_share_due_or_none(calendar: WorkingCalendar, recorded_on: date, due_working_days: int) -> date | None:
    """:func:`recovery_share_due_on`, or None while the calendar is not published that far."""
    try:
        return recovery_share_due_on(calendar, recorded_on, due_working_days)
    except CalendarNotPublished:
        return None


class ShareState(StrEnum):
    RETURNED = "returned"  # 已返还
    PENDING = "pending"  # 未到期
    OVERDUE = "overdue"  # 逾期未返还
    CALENDAR_NOT_PUBLISHED = "calendar_not_published"


@dataclass(frozen=True)
class RecoveryShare:
    """One recovery's share owed to the fund: what is due, what came back, and by when (None: unknown while
    the calendar is not published)."""

    reference: str
    bank: str
    recorded_on: date
    share_fen: Fen
    returned_fen: Fen
    due_on: date | None

    @property
    def outstanding_fen(self) -> Fen:
        return max(self.share_fen - self.returned_fen, 0)

    def state(self, today: date) -> ShareState:
        if self.outstanding_fen == 0:
            return ShareState.RETURNED
        if self.due_on is None:
            return ShareState.CALENDAR_NOT_PUBLISHED
        return ShareState.OVERDUE if today > self.due_on else ShareState.PENDING


def new_share(calendar: WorkingCalendar, *, reference: str, bank: str, recorded_on: date, recovered_fen: Fen,
              recovery_share_ratio: Decimal, due_working_days: int, compensation_paid_fen: Fen | None = None,
              already_returned_fen: Fen = 0) -> RecoveryShare:
    """BT-16: the obligation created when a bank records a recovery on ``recorded_on``."""
    share = recovery_share_fen(recovered_fen, recovery_share_ratio, compensation_paid_fen=compensation_paid_fen,
                               already_returned_fen=already_returned_fen)
    return RecoveryShare(reference, bank, recorded_on, share, 0,
                         recovery_share_due_or_none(calendar, recorded_on, due_working_days))


@dataclass(frozen=True)
class OverdueShare:
    share: RecoveryShare
    working_days_late: int | None  # None: the calendar does not reach today


def overdue_shares(shares: Iterable[RecoveryShare], today: date, calendar: WorkingCalendar) -> list[OverdueShare]:
    """BT-16: the shares not (fully) returned by their due date, longest overdue first — the list the fund
    manager warns the banks from in close of business."""
    out = []
    for share in shares:
        if share.state(today) is not ShareState.OVERDUE:
            continue
        assert share.due_on is not None
        try:
            late: int | None = calendar.working_days_between(share.due_on, today)
        except CalendarNotPublished:
            late = None
        out.append(OverdueShare(share, late))
    return sorted(out, key=lambda o: (o.share.due_on or today, o.share.bank, o.share.reference))

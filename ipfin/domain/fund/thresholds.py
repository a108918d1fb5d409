"""Bank thresholds (BT-13): warning at 3 %, suspension at 5 % of a bank's cumulative IP-pledge loans.

ratio = cumulative compensation paid to the bank ÷ cumulative IP-pledge loans it actually issued
(实际发放知识产权质押贷款总额). "达到" reads as ≥: exactly 3 % warns, exactly 5 % suspends. Comparisons are
exact (``paid ≥ threshold × issued`` in Decimal, no rounded ratio), so 2.99 % does not warn however the
ratio would print.

Notices are issued once per crossing: :func:`evaluate` compares the band the ratio was in at the last
evaluation with the band it is in now and returns a notice only for an upward move. A band is remembered
apart from the bank's cooperation status, so a suspension the leadership group lifts (a recorded decision)
is not re-issued while the ratio stays where it was; it is issued again only after the ratio has fallen
below 5 % (more loans issued) and reached it again. A jump from below 3 % straight to 5 % or more issues
the suspension notice only: it supersedes the warning (platform reading).

Pure Python: no Django imports.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import IntEnum, StrEnum

from ipfin.domain.errors import InvalidInput
from ipfin.domain.money import Fen, ratio_of


class Band(IntEnum):
    """Where a bank's ratio stands; ordered so that a higher band is a worse one."""

    BELOW = 0
    WARNING = 1  # ≥ warning_ratio (BT-13a)
    SUSPENSION = 2  # ≥ suspension_ratio (BT-13b)


class Notice(StrEnum):
    WARNING = "warning"  # 警示通知 (BT-13a)
    SUSPENSION = "suspension"  # 中止发放通知 (BT-13b)


NOTICE_OF_BAND = {Band.WARNING: Notice.WARNING, Band.SUSPENSION: Notice.SUSPENSION}
CLAUSE_OF_NOTICE = {Notice.WARNING: "BT-13a", Notice.SUSPENSION: "BT-13b"}


def _check(paid_fen: Fen, issued_fen: Fen, warning_ratio: Decimal, suspension_ratio: Decimal) -> None:
    for name, value in (("paid_fen", paid_fen), ("issued_fen", issued_fen)):
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError(f"{name} must be an int number of fen, not {type(value).__name__}")
        if value < 0:
            raise InvalidInput(reason=f"{name} must not be negative ({value} fen)")
    for name, ratio in (("warning_ratio", warning_ratio), ("suspension_ratio", suspension_ratio)):
        if not isinstance(ratio, Decimal):
            raise TypeError(f"{name} must be a Decimal, not {type(ratio).__name__}")
    if not Decimal(0) < warning_ratio <= suspension_ratio:
        raise InvalidInput(reason=f"need 0 < warning ratio {warning_ratio} <= suspension ratio {suspension_ratio}")
    if issued_fen == 0 and paid_fen > 0:
        raise InvalidInput(reason="compensation paid to a bank that issued no covered loan")


def bank_ratio(paid_fen: Fen, issued_fen: Fen) -> Decimal | None:
    """BT-13: compensation paid ÷ IP-pledge loans issued, unrounded; None while the bank issued nothing."""
    if issued_fen == 0:
        return None
    return ratio_of(paid_fen, issued_fen)


def band(paid_fen: Fen, issued_fen: Fen, warning_ratio: Decimal, suspension_ratio: Decimal) -> Band:
    """BT-13: the band of a bank's ratio, compared exactly. ``warning_ratio`` and ``suspension_ratio`` are
    the profile's (BT-13a 0.03, BT-13b 0.05)."""
    _check(paid_fen, issued_fen, warning_ratio, suspension_ratio)
    paid = Decimal(paid_fen)
    if issued_fen == 0:
        return Band.BELOW
    if paid >= suspension_ratio * issued_fen:
        return Band.SUSPENSION
    if paid >= warning_ratio * issued_fen:
        return Band.WARNING
    return Band.BELOW


@dataclass(frozen=True)
class Evaluation:
    band: Band
    ratio: Decimal | None
    notices: tuple[Notice, ...]

    @property
    def clauses(self) -> tuple[str, ...]:
        return tuple(CLAUSE_OF_NOTICE[n] for n in self.notices)


def evaluate(previous: Band, paid_fen: Fen, issued_fen: Fen, warning_ratio: Decimal,
             suspension_ratio: Decimal) -> Evaluation:
    """BT-13, on every payout and in close of business: the new band and the notices to issue now.

    A notice only for an upward crossing (``previous`` < new band): the notice of the new band. Staying in a
    band, or falling back, issues nothing; the caller stores the returned band for the next evaluation.
    """
    new = band(paid_fen, issued_fen, warning_ratio, suspension_ratio)
    notices = (NOTICE_OF_BAND[new],) if new > Band(previous) else ()
    return Evaluation(new, bank_ratio(paid_fen, issued_fen), notices)


def evaluate_payout(previous: Band, paid_before_fen: Fen, payout_fen: Fen, issued_fen: Fen, warning_ratio: Decimal,
                    suspension_ratio: Decimal) -> Evaluation:
    """BT-13 evaluated as a payout is booked: the bank's ratio after adding ``payout_fen``."""
    return evaluate(previous, paid_before_fen + payout_fen, issued_fen, warning_ratio, suspension_ratio)


def headroom_fen(paid_fen: Fen, issued_fen: Fen, threshold_ratio: Decimal) -> Fen:
    """How much more compensation the bank can receive before it reaches ``threshold_ratio`` (0 if it
    already has): the largest x with paid + x < ratio × issued."""
    limit = threshold_ratio * issued_fen
    ceiling = int(limit) if limit == int(limit) else int(limit) + 1  # the smallest fen amount ≥ the limit
    return max(ceiling - 1 - paid_fen, 0)

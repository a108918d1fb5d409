"""Co-ownership shares (共有份额): each owner's share is a Decimal percent; together exactly 100."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal, InvalidOperation

from ipfin.domain.errors import InvalidInput, _

HUNDRED = Decimal(100)
SHARE_PLACES = 4  # stored as Decimal(7, 4)


class InvalidShares(InvalidInput):
    code = "invalid_shares"
    message_template = _("Co-ownership shares are not valid: {reason}")


def parse_share(value: str | Decimal | int) -> Decimal:
    """A share in percent (``"60"``, ``"33.3333"``, ``"60%"``); floats are refused."""
    if isinstance(value, float):
        raise TypeError("a share must not be a float")
    text = str(value).strip().rstrip("%").strip()
    try:
        share = Decimal(text)
    except InvalidOperation:
        raise InvalidShares(reason=f"{value!r} is not a number", reason_code="not_number") from None
    if not share.is_finite():
        raise InvalidShares(reason=f"{value!r} is not a number", reason_code="not_number")
    return share


def validate_shares(shares: Sequence[Decimal]) -> list[Decimal]:
    """Each share in (0, 100] with at most 4 decimals, and the sum exactly 100."""
    if not shares:
        raise InvalidShares(reason="an asset needs at least one owner", reason_code="empty")
    for share in shares:
        if share <= 0 or share > HUNDRED:
            raise InvalidShares(reason=f"share {share} is not between 0 and 100", reason_code="range")
        if share != share.quantize(Decimal(1).scaleb(-SHARE_PLACES)):
            raise InvalidShares(reason=f"share {share} has more than {SHARE_PLACES} decimals",
                                reason_code="places")
    total = sum(shares, Decimal(0))
    if total != HUNDRED:
        raise InvalidShares(reason=f"the shares sum to {total} %, not 100 %", reason_code="sum", total=str(total))
    return list(shares)


def equal_shares(count: int) -> list[Decimal]:
    """``count`` shares of 4 decimals summing to exactly 100 (the first absorbs the residue)."""
    if count < 1:
        raise InvalidShares(reason="an asset needs at least one owner", reason_code="empty")
    base = (HUNDRED / count).quantize(Decimal("0.0001"), rounding="ROUND_DOWN")
    return [HUNDRED - base * (count - 1)] + [base] * (count - 1)

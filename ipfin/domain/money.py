"""Money (金额) in integer fen (分) and the ONE rounding rule of the platform: ROUND_HALF_UP (四舍五入).

Conventions (design §5):

* Storage and every amount that crosses a function boundary is an ``int`` number of fen (1 元 = 100 分).
  :data:`Fen` names that ``int`` in signatures.
* Intermediate results (interest, shares of a loss) are :class:`~decimal.Decimal` — never ``float``.
  Floats are refused with :class:`TypeError` everywhere in this module: ``0.1 + 0.2`` is not money.
* Rounding is ROUND_HALF_UP through :func:`round_half_up` only. For negative amounts it is symmetric: the
  *magnitude* is rounded half up, i.e. halves round away from zero (``-2.5 → -3``), which is what Python's
  ``decimal.ROUND_HALF_UP`` does and what 四舍五入 of a negative number means in Chinese accounting, so
  ``apply_ratio(-x, r) == -apply_ratio(x, r)``.
* Display: ``¥1,234.56`` (negative ``-¥1,234.56``); in 万元 / 亿元 with two decimals for reports
  (1 万元 = 10,000 元 = 1,000,000 分; 1 亿元 = 100,000,000 元 = 10,000,000,000 分).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from ipfin.domain.errors import InvalidInput, _

Fen = int
"""An amount of money in fen (分), the unit of storage. 1 元 = 100 分."""

FEN_PER_YUAN = 100
FEN_PER_WAN = 1_000_000  # 1 万元 = 10,000 元
FEN_PER_YI = 10_000_000_000  # 1 亿元 = 100,000,000 元

_YUAN_PLACES = 2  # the fen is the smallest unit: amounts in yuan have at most 2 decimals

MAX_FEN = 10_000_000_000_000_000
"""The largest amount the platform takes as input: 1,000 亿亿 fen = 100 万亿元 (1e14 yuan), far above any loan or
fund and far below what a 64-bit column (``BigIntegerField``: 2**63 - 1) holds, so that sums of many amounts
still fit. Anything above it is bad input, refused with :class:`InvalidAmount`, never a database error."""


class InvalidAmount(InvalidInput):
    code = "invalid_amount"
    message_template = _("{value!r} is not a valid amount of money: {reason}")


def _require_no_float(value: object, what: str) -> None:
    if isinstance(value, float):
        raise TypeError(f"{what} must not be a float (got {value!r}); use Decimal, str or int")
    if isinstance(value, bool):
        raise TypeError(f"{what} must not be a bool (got {value!r})")


def _to_decimal(value: Decimal | str | int, what: str) -> Decimal:
    """``value`` as a finite Decimal; strings are parsed strictly (no thousands separators, no currency sign)."""
    _require_no_float(value, what)
    if isinstance(value, Decimal):
        number = value
    elif isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, str):
        try:
            number = Decimal(value.strip())
        except InvalidOperation:
            raise InvalidAmount(value=value, reason="not a decimal number") from None
    else:
        raise TypeError(f"{what} must be Decimal, str or int, not {type(value).__name__}")
    if not number.is_finite():
        raise InvalidAmount(value=str(value), reason="not a finite number")
    return number


def round_half_up(value: Decimal | int, places: int = 0) -> Decimal:
    """Round ``value`` to ``places`` decimals, halves away from zero (四舍五入) — the platform's one rule.

    ``round_half_up(Decimal("2.345"), 2) == Decimal("2.35")``; ``round_half_up(Decimal("-0.5")) == Decimal("-1")``.
    ``places`` may be negative (``-2`` rounds to hundreds).
    """
    number = _to_decimal(value, "value")
    return number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def round_fen(amount_fen: Decimal | int) -> Fen:
    """A fractional amount *in fen* (e.g. a day's interest ``Decimal("1234.5")``) rounded half up to whole fen."""
    if isinstance(amount_fen, int) and not isinstance(amount_fen, bool):
        return amount_fen
    return int(round_half_up(amount_fen, 0))


def yuan_to_fen(amount_yuan: Decimal | str | int, *, round_to_fen: bool = False) -> Fen:
    """Yuan (元) → fen, exactly.

    More than two decimals is refused with :class:`InvalidAmount` (an amount typed as ``12.345`` 元 is an
    input error, not something to round silently) unless ``round_to_fen=True``, which rounds half up.
    Floats raise :class:`TypeError`.
    """
    number = _to_decimal(amount_yuan, "amount_yuan")
    fen = number * FEN_PER_YUAN
    if fen != fen.to_integral_value():
        if not round_to_fen:
            raise InvalidAmount(value=str(amount_yuan), reason="more than two decimal places (smaller than a fen)")
        return round_fen(fen)
    return int(fen)


def check_amount_fen(value: object, field: str = "amount_fen", *, allow_zero: bool = False) -> Fen:
    """The one validator of an amount typed by a user: a whole number of fen, > 0 (≥ 0 with ``allow_zero``),
    at most :data:`MAX_FEN`. Booleans, floats, decimals with a fraction and text are refused with
    :class:`InvalidAmount` naming ``field``."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidAmount(value=value, reason=f"{field} must be a whole number of fen")
    if value < 0 or (value == 0 and not allow_zero):
        raise InvalidAmount(value=value, reason=f"{field} must be more than zero" if not allow_zero
                            else f"{field} must not be negative")
    if value > MAX_FEN:
        raise InvalidAmount(value=value, reason=f"{field} is above the largest amount the platform takes "
                                                f"({MAX_FEN} fen)")
    return value


def fen_to_yuan(amount_fen: Fen) -> Decimal:
    """Fen → yuan as a Decimal with exactly two places (``123456 → Decimal("1234.56")``)."""
    _require_no_float(amount_fen, "amount_fen")
    if not isinstance(amount_fen, int):
        raise TypeError(f"amount_fen must be an int number of fen, not {type(amount_fen).__name__}")
    return Decimal(amount_fen).scaleb(-_YUAN_PLACES).quantize(Decimal("0.01"))


def ratio_of(numerator_fen: Fen, denominator_fen: Fen, *, places: int | None = None) -> Decimal:
    """``numerator / denominator`` as a Decimal (e.g. compensations paid ÷ loans issued, BT-13).

    Unrounded (28 significant digits) unless ``places`` is given, then rounded half up. A zero
    denominator is refused with :class:`InvalidAmount`: callers decide what "no loans yet" means.
    """
    for name, value in (("numerator_fen", numerator_fen), ("denominator_fen", denominator_fen)):
        _require_no_float(value, name)
        if not isinstance(value, int):
            raise TypeError(f"{name} must be an int number of fen, not {type(value).__name__}")
    if denominator_fen == 0:
        raise InvalidAmount(value=denominator_fen, reason="a ratio needs a non-zero denominator")
    ratio = Decimal(numerator_fen) / Decimal(denominator_fen)
    return round_half_up(ratio, places) if places is not None else ratio


def apply_ratio(amount_fen: Fen, ratio: Decimal) -> Fen:
    """``amount × ratio`` rounded half up to the fen — e.g. 30 % of a principal loss (BT-12a).

    ``ratio`` must be a Decimal (a policy-profile ratio such as ``profile.compensation_ratio``), never float.
    """
    _require_no_float(amount_fen, "amount_fen")
    _require_no_float(ratio, "ratio")
    if not isinstance(amount_fen, int):
        raise TypeError(f"amount_fen must be an int number of fen, not {type(amount_fen).__name__}")
    if not isinstance(ratio, Decimal):
        raise TypeError(f"ratio must be a Decimal, not {type(ratio).__name__}")
    return round_fen(Decimal(amount_fen) * ratio)


# ---------------------------------------------------------------------------------------------------------
# Display


def _check_fen(amount_fen: Fen) -> None:
    _require_no_float(amount_fen, "amount_fen")
    if not isinstance(amount_fen, int):
        raise TypeError(f"amount_fen must be an int number of fen, not {type(amount_fen).__name__}")


def _format(amount_fen: Fen, divisor: int, places: int, prefix: str, suffix: str) -> str:
    """``prefix + |amount|/divisor (grouped, ``places`` decimals, half up) + suffix``, with a leading "-"
    for negatives — except when the rounded figure is zero (no "-0.00万元")."""
    _check_fen(amount_fen)
    magnitude = round_half_up(Decimal(abs(amount_fen)) / divisor, places)
    sign = "-" if amount_fen < 0 and magnitude != 0 else ""
    return f"{sign}{prefix}{magnitude:,.{max(places, 0)}f}{suffix}"


def format_yuan(amount_fen: Fen) -> str:
    """``123456 → "¥1,234.56"``; negative ``-123456 → "-¥1,234.56"``. Exact (no rounding needed)."""
    return _format(amount_fen, FEN_PER_YUAN, 2, "¥", "")


def format_wan(amount_fen: Fen, places: int = 2) -> str:
    """In 万元 with ``places`` decimals, half up: ``1234567800 → "1,234.57万元"``; ``123456 → "0.12万元"``."""
    return _format(amount_fen, FEN_PER_WAN, places, "", "万元")


def format_yi(amount_fen: Fen, places: int = 2) -> str:
    """In 亿元 with ``places`` decimals, half up: ``12345678900 → "1.23亿元"``."""
    return _format(amount_fen, FEN_PER_YI, places, "", "亿元")


def format_amount_cn(amount_fen: Fen, places: int = 2) -> str:
    """元 below 1 万元, 万元 below 1 亿元, else 亿元 — the way Chinese reports print amounts.

    ``123456 → "1,234.56元"``, ``1234567800 → "1,234.57万元"``, ``12345678900 → "1.23亿元"``. The unit is
    chosen on the *rounded* figure, so 99,999,999.99 元 prints "1.00亿元", not "10,000.00万元".
    """
    _check_fen(amount_fen)
    magnitude = abs(amount_fen)
    if magnitude < FEN_PER_WAN:
        return _format(amount_fen, FEN_PER_YUAN, 2, "", "元")
    if round_half_up(Decimal(magnitude) / FEN_PER_WAN, places) < Decimal(FEN_PER_YI // FEN_PER_WAN):
        return format_wan(amount_fen, places)
    return format_yi(amount_fen, places)


def format_percent(ratio: Decimal, places: int = 2) -> str:
    """A ratio as a percentage, half up: ``Decimal("0.3") → "30.00%"``, ``Decimal("0.015"), 1 → "1.5%"``."""
    _require_no_float(ratio, "ratio")
    if not isinstance(ratio, Decimal):
        raise TypeError(f"ratio must be a Decimal, not {type(ratio).__name__}")
    return f"{round_half_up(ratio * 100, places):.{places}f}%"

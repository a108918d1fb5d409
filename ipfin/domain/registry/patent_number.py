"""专利申请号 (patent application numbers) — CNIPA standard ZC 0006-2003 and the numbers before it.

From 1 October 2003 an application number is 12 digits plus a check character, written
``YYYY K NNNNNNN . C``: ``YYYY`` the filing year, ``K`` the kind (1 invention, 2 utility model, 3 design,
8 PCT application entering the Chinese national phase as an invention, 9 the same as a utility model),
``NNNNNNN`` a serial number and ``C`` the check character. Before that, 8 digits plus the check:
``YY K NNNNN . C`` with a two-digit year (85–99 → 1985–1999, 00–03 → 2000–2003).

The check character is ``Σ d_i × w_i mod 11`` with the weights 2,3,4,5,6,7,8,9,2,3,4,5 (the first eight
for the short form); a remainder of 10 is written ``X``. Example (ZC 0006-2003): ``200310102344.5``.

Input may carry the ``ZL`` (granted patent number, 专利号) or ``CN`` prefix, spaces and the dot; the
normal form is digits, dot, check: ``201310123456.7``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from operator import mul

from ipfin.domain.errors import InvalidInput, _

WEIGHTS = (2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5)
FIRST_LONG_FORM_YEAR = 2003
FIRST_SHORT_FORM_YEAR = 1985  # the Patent Law took effect on 1 April 1985


class PatentKind(StrEnum):
    INVENTION = "invention"
    UTILITY_MODEL = "utility_model"
    DESIGN = "design"


# kind digit → (patent kind, entered through the PCT national phase)
KIND_DIGITS: dict[str, tuple[PatentKind, bool]] = {
    "1": (PatentKind.INVENTION, False),
    "2": (PatentKind.UTILITY_MODEL, False),
    "3": (PatentKind.DESIGN, False),
    "8": (PatentKind.INVENTION, True),
    "9": (PatentKind.UTILITY_MODEL, True),
}


class InvalidPatentNumber(InvalidInput):
    code = "invalid_patent_number"
    message_template = _("{value!r} is not a valid patent application number: {reason}")


@dataclass(frozen=True)
class PatentNumber:
    number: str  # normal form, e.g. "201310123456.7"
    kind: PatentKind
    is_pct: bool
    filing_year: int

    @property
    def digits(self) -> str:
        return self.number.replace(".", "")

    @property
    def patent_number(self) -> str:
        """专利号 as printed on a granted patent: ``ZL`` + the application number."""
        return "ZL" + self.number


def check_character(digits: str) -> str:
    """Check character of 8 or 12 application-number digits."""
    total = sum(map(mul, map(int, digits), WEIGHTS))  # map stops at the shorter: 8 or 12 digits
    remainder = total % 11
    return "X" if remainder == 10 else str(remainder)


def _fail(value: str, reason: str, reason_code: str) -> InvalidPatentNumber:
    return InvalidPatentNumber(value=value, reason=reason, reason_code=reason_code)


def _strip(value: str) -> str:
    text = "".join((value or "").split()).upper()
    for prefix in ("ZL", "CN"):
        if text.startswith(prefix):
            text = text[len(prefix):]
            break
    # A dot is allowed only where it belongs, right before the check character.
    if "." in text:
        body, _dot, check = text.rpartition(".")
        if len(check) != 1 or "." in body:
            raise _fail(value, "the dot must stand right before the last character", "format")
        text = body + check
    return text


def parse_patent_number(value: str, *, today: date | None = None) -> PatentNumber:
    """Validate and normalise; raise :class:`InvalidPatentNumber` naming the first problem.

    ``today`` bounds the filing year (a number from next year is refused); default the wall clock.
    """
    text = _strip(value)
    if not text:
        raise _fail(value, "empty", "empty")
    digits, check = text[:-1], text[-1:]
    if len(text) not in (9, 13):
        raise _fail(value, f"it has {len(digits)} digits before the check character, not 12 (or 8 before 2003)",
                    "length")
    if not digits.isascii() or not digits.isdigit():
        raise _fail(value, "only digits may precede the check character", "charset")
    if not (check.isdigit() or check == "X"):
        raise _fail(value, "the check character must be a digit or X", "charset")
    if len(digits) == 12:
        year, kind_digit = int(digits[:4]), digits[4]
        if year < FIRST_LONG_FORM_YEAR:
            raise _fail(value, f"12-digit numbers start in {FIRST_LONG_FORM_YEAR}, not {year}", "year")
    else:
        short_year = int(digits[:2])
        year = 1900 + short_year if short_year >= FIRST_SHORT_FORM_YEAR % 100 else 2000 + short_year
        kind_digit = digits[2]
        if year > FIRST_LONG_FORM_YEAR:
            raise _fail(value, f"8-digit numbers end in {FIRST_LONG_FORM_YEAR}, not {year}", "year")
    current_year = (today or date.today()).year
    if year > current_year:
        raise _fail(value, f"filing year {year} is in the future", "future")
    if kind_digit not in KIND_DIGITS:
        raise _fail(value, f"kind digit {kind_digit!r} is not 1, 2, 3, 8 or 9", "kind")
    expected = check_character(digits)
    if check != expected:
        raise _fail(value, "the check character is wrong", "check")
    kind, is_pct = KIND_DIGITS[kind_digit]
    return PatentNumber(number=f"{digits}.{check}", kind=kind, is_pct=is_pct, filing_year=year)


def normalise_patent_number(value: str, *, today: date | None = None) -> str:
    return parse_patent_number(value, today=today).number


def build_patent_number(year: int, kind_digit: str, serial: int) -> str:
    """A valid long-form number for ``year`` (≥ 2003), kind digit and 7-digit serial (demo data, tests)."""
    digits = f"{year:04d}{kind_digit}{serial:07d}"
    if len(digits) != 12:
        raise ValueError("serial must have at most 7 digits")
    return f"{digits}.{check_character(digits)}"

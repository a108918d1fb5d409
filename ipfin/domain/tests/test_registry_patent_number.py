"""CNIPA application numbers (ZC 0006-2003 and the 8-digit form before it)."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ipfin.domain.registry.patent_number import (
    InvalidPatentNumber,
    PatentKind,
    build_patent_number,
    check_character,
    normalise_patent_number,
    parse_patent_number,
)

TODAY = date(2025, 6, 30)


def test_standard_example() -> None:
    parsed = parse_patent_number("200310102344.5", today=TODAY)
    assert parsed.number == "200310102344.5"
    assert parsed.kind is PatentKind.INVENTION
    assert parsed.filing_year == 2003
    assert not parsed.is_pct
    assert parsed.patent_number == "ZL200310102344.5"


@pytest.mark.parametrize("raw", ["ZL200310102344.5", "CN 2003 1 0102344.5", "zl 200310102344 5", "2003101023445"])
def test_accepted_input_forms(raw: str) -> None:
    assert normalise_patent_number(raw, today=TODAY) == "200310102344.5"


def test_kinds_from_fifth_digit() -> None:
    assert parse_patent_number(build_patent_number(2020, "2", 123), today=TODAY).kind is PatentKind.UTILITY_MODEL
    assert parse_patent_number(build_patent_number(2020, "3", 123), today=TODAY).kind is PatentKind.DESIGN
    pct = parse_patent_number(build_patent_number(2020, "8", 123), today=TODAY)
    assert (pct.kind, pct.is_pct) == (PatentKind.INVENTION, True)
    pct_um = parse_patent_number(build_patent_number(2020, "9", 123), today=TODAY)
    assert (pct_um.kind, pct_um.is_pct) == (PatentKind.UTILITY_MODEL, True)


def test_check_x() -> None:
    digits = next(f"2019100{n:05d}" for n in range(100000) if check_character(f"2019100{n:05d}") == "X")
    assert parse_patent_number(digits + ".x", today=TODAY).number == digits + ".X"


def test_short_form() -> None:
    digits = "98112345"
    number = f"{digits}.{check_character(digits)}"
    parsed = parse_patent_number(number, today=TODAY)
    assert (parsed.filing_year, parsed.kind) == (1998, PatentKind.INVENTION)
    digits = "02212345"
    parsed = parse_patent_number(f"{digits}{check_character(digits)}", today=TODAY)
    assert (parsed.filing_year, parsed.kind) == (2002, PatentKind.UTILITY_MODEL)


@pytest.mark.parametrize(
    ("raw", "reason_code"),
    [
        ("", "empty"),
        ("200310102344.6", "check"),
        ("20031010234.5", "length"),
        ("2003101023444.5", "length"),
        ("2003A0102344.5", "charset"),
        ("200310102344.Y", "charset"),
        ("200340102344.5", "kind"),
        ("2003.10102344.5", "format"),
        ("200210102344.5", "year"),
        ("204010102344.5", "future"),
    ],
)
def test_bad_numbers(raw: str, reason_code: str) -> None:
    with pytest.raises(InvalidPatentNumber) as info:
        parse_patent_number(raw, today=TODAY)
    assert info.value.details["reason_code"] == reason_code


_numbers = st.builds(build_patent_number, st.integers(2003, 2025), st.sampled_from("12389"),
                     st.integers(0, 9_999_999))


@given(_numbers)
def test_valid_numbers_normalise_idempotently(number: str) -> None:
    once = normalise_patent_number("ZL " + number, today=TODAY)
    assert once == number
    assert normalise_patent_number(once, today=TODAY) == once


@given(_numbers, st.integers(0, 11), st.integers(1, 9))
def test_changing_one_digit_breaks_it(number: str, position: int, delta: int) -> None:
    digits = number.replace(".", "")
    changed = str((int(digits[position]) + delta) % 10)
    altered = digits[:position] + changed + digits[position + 1:]
    with pytest.raises(InvalidPatentNumber):
        parse_patent_number(altered, today=TODAY)

"""Patent terms and the trademark renewal window."""

from __future__ import annotations

from datetime import date

import pytest

from ipfin.domain.registry.patent_number import PatentKind
from ipfin.domain.registry.terms import (
    add_months,
    patent_term_end,
    trademark_renewal_window,
    trademark_valid_to,
)


@pytest.mark.parametrize(
    ("kind", "filed", "end"),
    [
        (PatentKind.INVENTION, date(2003, 10, 1), date(2023, 9, 30)),
        (PatentKind.UTILITY_MODEL, date(2015, 3, 5), date(2025, 3, 4)),
        (PatentKind.DESIGN, date(2021, 5, 31), date(2031, 5, 30)),  # last day of the 10-year regime
        (PatentKind.DESIGN, date(2021, 6, 1), date(2036, 5, 31)),  # 15 years from 2021-06-01
        (PatentKind.INVENTION, date(2004, 2, 29), date(2024, 2, 28)),
        (PatentKind.UTILITY_MODEL, date(2012, 2, 29), date(2022, 2, 27)),
    ],
)
def test_patent_term_end(kind: PatentKind, filed: date, end: date) -> None:
    assert patent_term_end(kind, filed) == end


def test_add_months_clips() -> None:
    assert add_months(date(2024, 8, 31), 6) == date(2025, 2, 28)
    assert add_months(date(2024, 3, 31), -1) == date(2024, 2, 29)
    assert add_months(date(2024, 1, 15), -12) == date(2023, 1, 15)


def test_trademark_window() -> None:
    valid_to = trademark_valid_to(date(2015, 3, 14))
    assert valid_to == date(2025, 3, 13)
    window = trademark_renewal_window(valid_to)
    assert window.opens == date(2024, 3, 14)
    assert window.grace_ends == date(2025, 9, 13)
    assert window.phase(date(2024, 3, 13)) == "too_early"
    assert window.phase(date(2024, 3, 14)) == "open"
    assert window.phase(date(2025, 3, 13)) == "open"
    assert window.phase(date(2025, 3, 14)) == "grace"
    assert window.phase(date(2025, 9, 13)) == "grace"
    assert window.phase(date(2025, 9, 14)) == "closed"

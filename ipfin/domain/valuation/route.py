"""The valuation route rule (SC-3).

Loans below the policy's single-loan threshold may rely on the bank's internal model or a value negotiated
between bank and enterprise (内部评估 / 协商估值); at or above it a third-party appraisal (第三方评估) is
required. The threshold is the policy profile's ``internal_valuation_threshold_fen`` (10,000,000 CNY in the
Sichuan profile) and is always passed in — never written here.
"""

from __future__ import annotations

import enum

from ipfin.domain.errors import InvalidInput, _


class InvalidRouteInput(InvalidInput):
    code = "invalid_valuation_route_input"
    message_template = _("{field} must be a whole number of fen ≥ 0, not {value!r}.")


class ValuationRoute(enum.StrEnum):
    INTERNAL_OR_NEGOTIATED = "internal_or_negotiated"
    THIRD_PARTY_APPRAISAL = "third_party_appraisal"


class ValuationSource(enum.StrEnum):
    """Where a valuation comes from."""

    INTERNAL_MODEL = "internal_model"
    NEGOTIATED = "negotiated"
    THIRD_PARTY_APPRAISAL = "third_party_appraisal"


ACCEPTED_SOURCES: dict[ValuationRoute, frozenset[ValuationSource]] = {
    ValuationRoute.INTERNAL_OR_NEGOTIATED: frozenset(ValuationSource),
    ValuationRoute.THIRD_PARTY_APPRAISAL: frozenset({ValuationSource.THIRD_PARTY_APPRAISAL}),
}


def _check(field: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InvalidRouteInput(field=field, value=value)
    return value


def required_route(loan_amount_fen: int, threshold_fen: int, *, inclusive: bool = False) -> ValuationRoute:
    """SC-3: ``loan < threshold`` → internal model or negotiated value; ``loan ≥ threshold`` → third-party appraisal.

    ``inclusive`` (the profile's ``internal_valuation_threshold_inclusive``, false by default) reads
    "以下" as including the threshold itself: then ``loan ≤ threshold`` is enough for the internal route.

    ``required_route(999_999_999, 1_000_000_000)`` (9,999,999.99 元) is internal_or_negotiated;
    ``required_route(1_000_000_000, 1_000_000_000)`` (10,000,000 元) is third_party_appraisal.
    """
    loan = _check("loan_amount_fen", loan_amount_fen)
    threshold = _check("threshold_fen", threshold_fen)
    below = loan <= threshold if inclusive else loan < threshold
    return ValuationRoute.INTERNAL_OR_NEGOTIATED if below else ValuationRoute.THIRD_PARTY_APPRAISAL


def source_satisfies_route(source: ValuationSource | str, route: ValuationRoute) -> bool:
    """Whether a valuation of ``source`` is enough for a loan on ``route`` (SC-3)."""
    return ValuationSource(source) in ACCEPTED_SOURCES[route]

"""Dynamic revaluation of pledged IP (动态估值, PZA-2.1.1, PZP-3.4.2).

A legal-status event (lapse, invalidation, expiry, a pending invalidation request) or the passing of time
recomputes the value of a pledged asset:

* lapsed / invalidated / expired / abandoned / revoked, or past the end of term → value 0;
* invalidation (trademark: opposition) pending → the model's ``pending_invalidation_haircut`` applies;
* otherwise the model recomputes with the shorter remaining term on the new date.

The value history these produce feeds the collateral-coverage check of servicing (PZA-2.1.2: loan ≤ 60 %
of the *current* value of the collateral).
"""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from ipfin.domain.valuation.definition import ValuationModel
from ipfin.domain.valuation.inputs import AssetFacts, Comparable
from ipfin.domain.valuation.model import ValuationResult, status_factor, value_asset
from ipfin.domain.valuation.scoring import CohortTable


class RevaluationTrigger(enum.StrEnum):
    LEGAL_STATUS_EVENT = "legal_status_event"
    PERIODIC = "periodic"
    MANUAL = "manual"


def value_factor(facts: AssetFacts, as_of: date, model: ValuationModel) -> Decimal:
    """0, 1 − haircut or 1 (see module docstring)."""
    return status_factor(facts, as_of, model)


def is_due(last_as_of: date | None, as_of: date, model: ValuationModel) -> bool:
    """Whether the periodic revaluation is due: never valued, or ``periodic_days`` since the last one."""
    return last_as_of is None or (as_of - last_as_of).days >= model.periodic_days


@dataclasses.dataclass(frozen=True, slots=True)
class RevaluationOutcome:
    result: ValuationResult
    previous_value_fen: int | None
    trigger: RevaluationTrigger

    @property
    def change_fen(self) -> int | None:
        return None if self.previous_value_fen is None else self.result.value_fen - self.previous_value_fen

    @property
    def changed(self) -> bool:
        return self.previous_value_fen != self.result.value_fen


def revalue(facts: AssetFacts, as_of: date, model: ValuationModel, *, previous_value_fen: int | None,
            trigger: RevaluationTrigger, cohorts: CohortTable | None = None,
            comparables: Iterable[Comparable] = ()) -> RevaluationOutcome:
    """Recompute the value of ``facts`` on ``as_of`` (status factor included) and compare with the last one."""
    result = value_asset(facts, as_of, model, cohorts=cohorts, comparables=comparables)
    return RevaluationOutcome(result, previous_value_fen, trigger)

"""The facts the valuation model needs (评估输入), as frozen dataclasses — pure Python, no Django.

The registry (``ipfin/registry``) maps its records into these in one place
(``ipfin/valuation/facts.py``), so the model never depends on how the registry stores things. Every field
is a plain value (str, int, bool, date, tuple) so that a fact set has one canonical JSON form
(:func:`canonical_facts`), from which the Monte Carlo seed is derived (reproducibility, SC-3).

Money is integer fen (分). Appraiser inputs are 0–100 scores keyed by indicator key.
"""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Mapping
from datetime import date
from types import MappingProxyType
from typing import Any

from ipfin.domain.errors import InvalidInput, _


class InvalidFacts(InvalidInput):
    code = "invalid_valuation_facts"
    message_template = _("Invalid valuation input {field}: {reason}")


class PatentKind(enum.StrEnum):
    """专利类型: 发明 / 实用新型 / 外观设计."""

    INVENTION = "invention"
    UTILITY_MODEL = "utility_model"
    DESIGN = "design"


class LegalStatus(enum.StrEnum):
    """法律状态 of an IP right as the valuation model sees it.

    ``pending`` is an application not yet granted; ``in_force`` a granted right paying its fees (a right in
    the annual-fee grace period is still ``in_force``). ``lapsed`` (终止, fees unpaid), ``invalidated``
    (宣告无效), ``expired`` (期限届满), ``abandoned`` (放弃), ``revoked`` (撤销, trademarks) are dead: worth zero.
    """

    PENDING = "pending"
    IN_FORCE = "in_force"
    LAPSED = "lapsed"
    INVALIDATED = "invalidated"
    EXPIRED = "expired"
    ABANDONED = "abandoned"
    REVOKED = "revoked"


DEAD_STATUSES: frozenset[LegalStatus] = frozenset(
    {LegalStatus.LAPSED, LegalStatus.INVALIDATED, LegalStatus.EXPIRED, LegalStatus.ABANDONED, LegalStatus.REVOKED}
)


class CopyrightWorkType(enum.StrEnum):
    SOFTWARE = "software"
    LITERARY = "literary"
    ART = "art"
    AUDIOVISUAL = "audiovisual"
    MUSIC = "music"
    OTHER = "other"


class MarkType(enum.StrEnum):
    ORDINARY = "ordinary"
    COLLECTIVE_MARK = "collective_mark"
    CERTIFICATION_MARK = "certification_mark"


def _frozen_scores(raw: Mapping[str, Any] | None, field: str) -> Mapping[str, int]:
    """Appraiser inputs as a read-only mapping, each an int 0–100 (an appraiser's score, SC-3)."""
    scores: dict[str, int] = {}
    for key, value in sorted((raw or {}).items()):
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 100:
            raise InvalidFacts(field=f"{field}.{key}", reason="an appraiser score is a whole number from 0 to 100")
        scores[str(key)] = value
    return MappingProxyType(scores)


def _check_non_negative(obj: Any, names: tuple[str, ...]) -> None:
    for name in names:
        value = getattr(obj, name)
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise InvalidFacts(field=name, reason="must be a whole number ≥ 0")


@dataclasses.dataclass(frozen=True, slots=True)
class PatentFacts:
    """What the model knows about one patent (专利) on the valuation date.

    ``term_end`` is the end of legal protection (filing + 20/10/15 years); when ``None`` it is derived from
    ``kind`` and ``filing_date`` with the legal terms in the model data file. ``ipc_main_group`` is e.g.
    ``"H01M 10/052"``; its first four characters (``"H01M"``) are the IPC class used for cohorts.
    ``annual_revenue_fen`` is the yearly revenue of products using the patent attributable to it (fen).
    ``development_cost_fen`` (optional) feeds the cost approach.
    """

    number: str
    kind: PatentKind
    filing_date: date
    status: LegalStatus
    grant_date: date | None = None
    term_end: date | None = None
    ipc_main_group: str = ""
    ipc_class_count: int = 1
    claims_total: int = 1
    independent_claims: int = 1
    forward_citations: int = 0
    backward_citations: int = 0
    family_id: str = ""
    family_size: int = 1
    family_countries: int = 1
    co_owner_count: int = 0
    licence_count: int = 0
    transfer_count: int = 0
    litigation_count: int = 0
    invalidation_pending: bool = False
    invalidation_survived: int = 0
    annual_revenue_fen: int = 0
    industry_code: str = ""
    development_cost_fen: int | None = None
    development_year: int | None = None
    appraiser_inputs: Mapping[str, int] = dataclasses.field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "kind", PatentKind(self.kind))
        object.__setattr__(self, "status", LegalStatus(self.status))
        object.__setattr__(self, "appraiser_inputs", _frozen_scores(self.appraiser_inputs, "appraiser_inputs"))
        _check_non_negative(self, (
            "ipc_class_count", "claims_total", "independent_claims", "forward_citations", "backward_citations",
            "family_size", "family_countries", "co_owner_count", "licence_count", "transfer_count",
            "litigation_count", "invalidation_survived", "annual_revenue_fen",
        ))
        if self.development_cost_fen is not None:
            _check_non_negative(self, ("development_cost_fen",))
        if self.term_end is not None and self.term_end < self.filing_date:
            raise InvalidFacts(field="term_end", reason="the term cannot end before the filing date")
        if self.independent_claims > self.claims_total:
            raise InvalidFacts(field="independent_claims", reason="more independent claims than claims")

    @property
    def ipc_class(self) -> str:
        """IPC subclass (e.g. ``H01M``) — the cohort key together with the filing year."""
        return self.ipc_main_group.replace(" ", "")[:4].upper()

    @property
    def asset_kind(self) -> str:
        return "patent"


@dataclasses.dataclass(frozen=True, slots=True)
class TrademarkFacts:
    """What the model knows about one trademark (商标), valued by relief from royalty."""

    number: str
    registration_date: date
    term_end: date
    status: LegalStatus
    mark_type: MarkType = MarkType.ORDINARY
    nice_classes: tuple[int, ...] = ()
    years_in_use: int = 0
    well_known: bool = False
    co_owner_count: int = 0
    licence_count: int = 0
    transfer_count: int = 0
    litigation_count: int = 0
    opposition_pending: bool = False
    annual_revenue_fen: int = 0
    industry_code: str = ""
    development_cost_fen: int | None = None
    development_year: int | None = None
    appraiser_inputs: Mapping[str, int] = dataclasses.field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "status", LegalStatus(self.status))
        object.__setattr__(self, "mark_type", MarkType(self.mark_type))
        object.__setattr__(self, "nice_classes", tuple(sorted(set(int(c) for c in self.nice_classes))))
        object.__setattr__(self, "appraiser_inputs", _frozen_scores(self.appraiser_inputs, "appraiser_inputs"))
        _check_non_negative(self, ("years_in_use", "co_owner_count", "licence_count", "transfer_count",
                                   "litigation_count", "annual_revenue_fen"))
        if any(not 1 <= c <= 45 for c in self.nice_classes):
            raise InvalidFacts(field="nice_classes", reason="Nice classes are 1 to 45")
        if self.term_end < self.registration_date:
            raise InvalidFacts(field="term_end", reason="the term cannot end before registration")

    @property
    def asset_kind(self) -> str:
        return "trademark"


@dataclasses.dataclass(frozen=True, slots=True)
class CopyrightFacts:
    """What the model knows about one copyright (著作权 / 软件著作权), valued by relief from royalty."""

    number: str
    work_type: CopyrightWorkType
    creation_date: date
    status: LegalStatus
    publication_date: date | None = None
    term_end: date | None = None
    version_count: int = 1
    co_owner_count: int = 0
    licence_count: int = 0
    transfer_count: int = 0
    litigation_count: int = 0
    annual_revenue_fen: int = 0
    industry_code: str = ""
    development_cost_fen: int | None = None
    development_year: int | None = None
    appraiser_inputs: Mapping[str, int] = dataclasses.field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "status", LegalStatus(self.status))
        object.__setattr__(self, "work_type", CopyrightWorkType(self.work_type))
        object.__setattr__(self, "appraiser_inputs", _frozen_scores(self.appraiser_inputs, "appraiser_inputs"))
        _check_non_negative(self, ("version_count", "co_owner_count", "licence_count", "transfer_count",
                                   "litigation_count", "annual_revenue_fen"))
        if self.term_end is not None and self.term_end < self.creation_date:
            raise InvalidFacts(field="term_end", reason="the term cannot end before creation")

    @property
    def asset_kind(self) -> str:
        return "copyright"


AssetFacts = PatentFacts | TrademarkFacts | CopyrightFacts


@dataclasses.dataclass(frozen=True, slots=True)
class Comparable:
    """A recorded transaction on the platform (transfer, disposal, licence capitalised, pledge appraisal) used
    by the market approach: its price, the value degree the model gave that asset, and when it happened.

    ``class_key`` groups like with like: the IPC subclass of a patent, the first Nice class of a trademark,
    the work type of a copyright (:func:`class_key_of`)."""

    asset_kind: str
    class_key: str
    price_fen: int
    value_degree: float
    on_date: date
    source: str = "transfer"

    def __post_init__(self) -> None:
        if self.price_fen <= 0:
            raise InvalidFacts(field="comparable.price_fen", reason="a comparable price must be positive")
        if not 0 < self.value_degree <= 100:
            raise InvalidFacts(field="comparable.value_degree", reason="must be in (0, 100]")


def _jsonable(value: Any) -> Any:
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in sorted(value.items())}
    if isinstance(value, (tuple, list)):
        return [_jsonable(v) for v in value]
    return value


def canonical_facts(facts: AssetFacts | Comparable) -> dict[str, Any]:
    """The facts as a JSON-able dict with a stable key order (stored in the valuation record as ``inputs``)."""
    out: dict[str, Any] = {"asset_kind": facts.asset_kind}
    for field in dataclasses.fields(facts):
        out[field.name] = _jsonable(getattr(facts, field.name))
    return out


def _parse_date(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def facts_from_dict(data: Mapping[str, Any]) -> AssetFacts:
    """Inverse of :func:`canonical_facts` — re-running a stored valuation record starts here."""
    data = dict(data)
    kind = data.pop("asset_kind", "patent")
    cls: type[PatentFacts] | type[TrademarkFacts] | type[CopyrightFacts]
    cls = {"patent": PatentFacts, "trademark": TrademarkFacts, "copyright": CopyrightFacts}[kind]
    kwargs: dict[str, Any] = {}
    names = {f.name for f in dataclasses.fields(cls)}
    for name, value in data.items():
        if name not in names:
            raise InvalidFacts(field=name, reason="unknown field")
        if name.endswith("_date") or name == "term_end":
            value = _parse_date(value)
        elif name == "nice_classes":
            value = tuple(value)
        kwargs[name] = value
    return cls(**kwargs)


def class_key_of(facts: AssetFacts) -> str:
    """The key comparables must share with the subject (see :class:`Comparable`)."""
    if isinstance(facts, PatentFacts):
        return facts.ipc_class
    if isinstance(facts, TrademarkFacts):
        return str(facts.nice_classes[0]) if facts.nice_classes else ""
    return facts.work_type.value


def comparable_from_dict(data: Mapping[str, Any]) -> Comparable:
    return Comparable(asset_kind=str(data["asset_kind"]), class_key=str(data["class_key"]),
                      price_fen=int(data["price_fen"]), value_degree=float(data["value_degree"]),
                      on_date=date.fromisoformat(str(data["on_date"])), source=str(data.get("source", "transfer")))

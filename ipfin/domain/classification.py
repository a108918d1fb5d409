"""Five-category loan classification (五级分类: 正常 / 关注 / 次级 / 可疑 / 损失) as a versioned policy (issue 6).

The rules — the overdue floors, which classes are non-performing and the borrower-level contagion rule — are
data in ``classification_rules/<version>.toml`` with the article of each number; the shipped version is
``nfra-2023`` (商业银行金融资产风险分类办法, 中国银保监会 中国人民银行令〔2023〕第1号, now administered by
国家金融监督管理总局). This module holds no threshold of its own.

* :func:`floor_for` — the class that days past due impose at least (逾期超过 N 天 → 至少 …).
* :func:`classify` — the worse of that floor and a manual downgrade; a manual class never lifts a loan above
  its floor (:func:`check_manual_class` refuses such a request with a typed error).
* :func:`borrower_class` / :func:`apply_borrower_contagion` — the borrower-level rule (第七条第二款).
* :func:`is_npl`, :func:`npl`, :func:`npl_ratio` — 不良贷款 and 不良贷款率; :func:`exceeds_tolerance` and
  :func:`exceeds_overall_plus` for the tolerance monitors PZA-3.乙2 and XT-10 (their numbers come from policy
  profiles).

Pure Python: no Django imports.
"""

from __future__ import annotations

import enum
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from ipfin.domain.errors import InvalidInput, NotFound, _
from ipfin.domain.money import Fen, ratio_of

RULES_DIR = Path(__file__).with_name("classification_rules")
DEFAULT_RULES = "nfra-2023"


class RiskClass(enum.StrEnum):
    """Glossary ``risk_class``; declared best to worst (the rules file fixes the order it uses)."""

    NORMAL = "normal"  # 正常
    SPECIAL_MENTION = "special_mention"  # 关注
    SUBSTANDARD = "substandard"  # 次级
    DOUBTFUL = "doubtful"  # 可疑
    LOSS = "loss"  # 损失


RISK_CLASS_LABELS_ZH: dict[RiskClass, str] = {
    RiskClass.NORMAL: "正常",
    RiskClass.SPECIAL_MENTION: "关注",
    RiskClass.SUBSTANDARD: "次级",
    RiskClass.DOUBTFUL: "可疑",
    RiskClass.LOSS: "损失",
}


class ContagionMode(enum.StrEnum):
    NONE = "none"
    WORST_CLASS = "worst_class"  # every loan of the borrower takes the worst class among them
    NPL_SHARE = "npl_share"  # NPL share of the borrower's outstanding above a threshold → all at least floor_class


class UnknownRiskClass(InvalidInput):
    code = "unknown_risk_class"
    message_template = _("Unknown risk class {value!r}; expected one of {choices}.")


class ManualClassAboveFloor(InvalidInput):
    code = "manual_class_above_floor"
    message_template = _("A manual class can only downgrade a loan: {manual_class} is better than {floor_class}, "
                         "the least that {days_past_due} days past due allow.")


class ClassificationRulesNotFound(NotFound):
    code = "classification_rules_not_found"
    message_template = _("There are no classification rules named {name!r}.")


def parse_risk_class(value: RiskClass | str) -> RiskClass:
    try:
        return RiskClass(str(value).strip().lower())
    except ValueError:
        raise UnknownRiskClass(value=str(value), choices=", ".join(c.value for c in RiskClass)) from None


@dataclass(frozen=True, slots=True)
class OverdueFloor:
    days_past_due_above: int
    risk_class: RiskClass
    article: str


@dataclass(frozen=True, slots=True)
class BorrowerContagion:
    mode: ContagionMode
    npl_share_above: Decimal | None
    floor_class: RiskClass | None
    article: str


@dataclass(frozen=True, slots=True)
class ClassificationRules:
    version: str
    title: str
    source: str
    effective_from: date
    order: tuple[RiskClass, ...]  # best to worst
    non_performing: frozenset[RiskClass]
    floors: tuple[OverdueFloor, ...]  # ascending days
    contagion: BorrowerContagion

    def rank(self, risk_class: RiskClass | str) -> int:
        """0 for the best class; higher is worse."""
        return self.order.index(parse_risk_class(risk_class))

    def worse(self, *classes: RiskClass | str | None) -> RiskClass:
        """The worst of ``classes`` (``None`` ignored); the best class when none is given."""
        present = [parse_risk_class(c) for c in classes if c is not None]
        return max(present, key=self.rank) if present else self.order[0]


def _rules_from_data(data: dict[str, Any]) -> ClassificationRules:
    order = tuple(parse_risk_class(c) for c in data["classes"])
    if sorted(order) != sorted(RiskClass):
        raise ValueError(f"classification rules {data.get('version')!r} must list every risk class once")
    floors = tuple(sorted((OverdueFloor(int(f["days_past_due_above"]), parse_risk_class(f["risk_class"]),
                                        str(f["article"])) for f in data["overdue_floor"]),
                          key=lambda f: f.days_past_due_above))
    for lower, higher in zip(floors, floors[1:], strict=False):
        if lower.days_past_due_above == higher.days_past_due_above or \
                order.index(lower.risk_class) >= order.index(higher.risk_class):
            raise ValueError("overdue floors must rise strictly: more days, a worse class")
    raw = data.get("borrower_contagion", {"mode": "none", "article": ""})
    mode = ContagionMode(raw["mode"])
    share = Decimal(str(raw["npl_share_above"])) if "npl_share_above" in raw else None
    floor_class = parse_risk_class(raw["floor_class"]) if "floor_class" in raw else None
    if mode is ContagionMode.NPL_SHARE and (share is None or floor_class is None):
        raise ValueError("the npl_share contagion rule needs npl_share_above and floor_class")
    effective = data["effective_from"]
    return ClassificationRules(
        version=str(data["version"]), title=str(data["title"]), source=str(data["source"]),
        effective_from=effective if isinstance(effective, date) else date.fromisoformat(str(effective)),
        order=order, non_performing=frozenset(parse_risk_class(c) for c in data["non_performing"]),
        floors=floors, contagion=BorrowerContagion(mode, share, floor_class, str(raw.get("article", ""))),
    )


@cache
def load_rules(version: str = DEFAULT_RULES) -> ClassificationRules:
    """The rules of ``version`` from ``classification_rules/<version>.toml`` (cached)."""
    path = RULES_DIR / f"{version}.toml"
    if "/" in version or "\\" in version or not path.is_file():
        raise ClassificationRulesNotFound(name=version)
    with path.open("rb") as handle:
        return _rules_from_data(tomllib.load(handle))


def available_rules() -> list[str]:
    return sorted(p.stem for p in RULES_DIR.glob("*.toml"))


def _rules(rules: ClassificationRules | None) -> ClassificationRules:
    return rules if rules is not None else load_rules()


def _check_days(days_past_due: int) -> int:
    if not isinstance(days_past_due, int) or isinstance(days_past_due, bool) or days_past_due < 0:
        raise InvalidInput(_("Days past due must be a whole number, at least 0, not {days_past_due}."),
                           days_past_due=str(days_past_due))
    return days_past_due


# ---------------------------------------------------------------------------------------------------------
# Loan level


def floor_rule_for(days_past_due: int, rules: ClassificationRules | None = None) -> OverdueFloor | None:
    """The strictest overdue floor that applies (with its article), or ``None`` when the loan is not overdue."""
    days = _check_days(days_past_due)
    applicable = [f for f in _rules(rules).floors if days > f.days_past_due_above]
    return applicable[-1] if applicable else None


def floor_for(days_past_due: int, rules: ClassificationRules | None = None) -> RiskClass:
    """The best class a loan ``days_past_due`` days overdue may have (正常 when not overdue)."""
    rules = _rules(rules)
    rule = floor_rule_for(days_past_due, rules)
    return rule.risk_class if rule is not None else rules.order[0]


def classify(days_past_due: int, manual_class: RiskClass | str | None = None,
             rules: ClassificationRules | None = None) -> RiskClass:
    """The loan's class: the worse of its overdue floor and the manual class (a downgrade with a reason,
    recorded by the caller). A manual class better than the floor is overridden by the floor."""
    rules = _rules(rules)
    return rules.worse(floor_for(days_past_due, rules), manual_class)


def check_manual_class(days_past_due: int, manual_class: RiskClass | str,
                       rules: ClassificationRules | None = None) -> RiskClass:
    """Validate a manual downgrade request: refused (typed) when it is better than the overdue floor."""
    rules = _rules(rules)
    manual = parse_risk_class(manual_class)
    floor = floor_for(days_past_due, rules)
    if rules.rank(manual) < rules.rank(floor):
        raise ManualClassAboveFloor(manual_class=manual.value, floor_class=floor.value, days_past_due=days_past_due)
    return manual


# ---------------------------------------------------------------------------------------------------------
# Borrower level


def borrower_class(loan_classes: Sequence[RiskClass | str], rules: ClassificationRules | None = None,
                   outstanding_fen: Sequence[Fen] | None = None) -> RiskClass | None:
    """The floor the borrower-level rule puts on every loan of one borrower at one bank, or ``None``.

    ``worst_class``: the worst class among the loans. ``npl_share`` (第七条第二款): when the non-performing
    share of the borrower's outstanding (``outstanding_fen``, one per loan) is above the threshold, the rule's
    floor class (次级: "all claims are non-performing"); otherwise ``None``. ``none``: always ``None``.
    """
    rules = _rules(rules)
    classes = [parse_risk_class(c) for c in loan_classes]
    rule = rules.contagion
    if rule.mode is ContagionMode.NONE or not classes:
        return None
    if rule.mode is ContagionMode.WORST_CLASS:
        return rules.worse(*classes)
    if outstanding_fen is None or len(outstanding_fen) != len(classes):
        raise ValueError("the npl_share borrower rule needs the outstanding principal of each loan")
    total = sum(outstanding_fen)
    if total == 0:
        return None
    bad = sum(amount for cls, amount in zip(classes, outstanding_fen, strict=True) if cls in rules.non_performing)
    assert rule.npl_share_above is not None
    return rule.floor_class if ratio_of(bad, total) > rule.npl_share_above else None


def apply_borrower_contagion(loan_classes: Sequence[RiskClass | str], rules: ClassificationRules | None = None,
                             outstanding_fen: Sequence[Fen] | None = None) -> list[RiskClass]:
    """Each loan's class after the borrower-level rule: the worse of its own class and :func:`borrower_class`."""
    rules = _rules(rules)
    floor = borrower_class(loan_classes, rules, outstanding_fen)
    return [rules.worse(c, floor) for c in loan_classes]


# ---------------------------------------------------------------------------------------------------------
# Non-performing loans


def is_npl(risk_class: RiskClass | str, rules: ClassificationRules | None = None) -> bool:
    """不良: 次级, 可疑 and 损失 under nfra-2023 (第六条)."""
    return parse_risk_class(risk_class) in _rules(rules).non_performing


def npl(classes: Iterable[RiskClass | str], rules: ClassificationRules | None = None) -> list[RiskClass]:
    """The non-performing ones among ``classes``, in the order given."""
    rules = _rules(rules)
    return [c for c in (parse_risk_class(x) for x in classes) if c in rules.non_performing]


def npl_ratio(loans: Iterable[tuple[RiskClass | str, Fen]], rules: ClassificationRules | None = None
              ) -> Decimal | None:
    """不良贷款率 = non-performing outstanding ÷ all outstanding, for ``(class, outstanding_fen)`` pairs.

    Unrounded Decimal ratio (0.03 = 3 %); ``None`` for a book with nothing outstanding.
    """
    rules = _rules(rules)
    total = bad = 0
    for risk_class, amount in loans:
        total += amount
        if parse_risk_class(risk_class) in rules.non_performing:
            bad += amount
    return ratio_of(bad, total) if total else None


def exceeds_tolerance(npl_ratio_value: Decimal, tolerance: Decimal) -> bool:
    """PZA-3.乙2-style monitor: the NPL ratio is above a fixed tolerance (a profile value, e.g. 0.03)."""
    return npl_ratio_value > tolerance


def exceeds_overall_plus(ip_npl_ratio: Decimal, overall_npl_ratio: Decimal, margin: Decimal) -> bool:
    """XT-10-style monitor: the IP-pledge NPL ratio is above the bank's overall NPL ratio plus ``margin``
    (a profile value; 3 percentage points = ``Decimal("0.03")``)."""
    return ip_npl_ratio > overall_npl_ratio + margin

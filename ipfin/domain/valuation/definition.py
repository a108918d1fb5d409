"""Versioned valuation model files (``model_data/*.toml``): loading and validation.

A model version is data, not code (PZA-2.1.1, SC-3, SC-4): the indicator tree with scoring rules and
weights, the income/cost/market parameters, the Monte Carlo specification, revaluation haircuts and the
enterprise-level (portfolio) mapping. The same dict is stored in the database for calibrated versions
(:func:`model_from_dict`), so a valuation record can always be re-run with the exact model it used.

Weights are Decimal strings and must sum to exactly 1 within each dimension, across dimensions, across
reconciliation approaches and across portfolio score components; anything else is refused with
:class:`ModelDataError` naming the file (or database origin) and the node.
"""

from __future__ import annotations

import copy
import dataclasses
import hashlib
import json
import tomllib
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from ipfin.domain.errors import InvalidInput, NotFound, _
from ipfin.domain.valuation.features import FEATURES, STRING_FEATURES

MODEL_DATA_DIR = Path(__file__).with_name("model_data")
RULES = frozenset({"piecewise", "linear", "cohort_percentile", "appraiser", "lookup"})
SOURCES = frozenset({"registry", "appraiser"})
APPROACHES = ("income", "cost", "market")
MC_INPUTS = ("revenue", "royalty_share", "discount_rate", "economic_life", "cost", "market")
ONE = Decimal(1)


class ModelDataError(InvalidInput):
    code = "invalid_valuation_model"
    message_template = _("{origin}: {node}: {reason}")


class ModelNotFound(NotFound):
    code = "valuation_model_not_found"
    message_template = _("No valuation model version {version!r}.")


@dataclasses.dataclass(frozen=True, slots=True)
class Indicator:
    key: str
    dimension: str
    label: str
    label_en: str
    source: str
    rule: str
    weight: Decimal
    feature: str | None
    unit: str
    decimals: int
    breakpoints: tuple[tuple[float, float], ...] = ()
    base: float = 0.0
    terms: tuple[tuple[str, float], ...] = ()
    default: float = 50.0
    table: tuple[tuple[str, float], ...] = ()
    fallback_feature: str | None = None
    fallback_breakpoints: tuple[tuple[float, float], ...] = ()


@dataclasses.dataclass(frozen=True, slots=True)
class Dimension:
    key: str
    label: str
    label_en: str
    weight: Decimal
    indicators: tuple[Indicator, ...]


@dataclasses.dataclass(frozen=True, slots=True)
class RoyaltyRange:
    kind: str
    industry_prefix: str
    low: Decimal
    high: Decimal


@dataclasses.dataclass(frozen=True, slots=True)
class ValuationModel:
    """A loaded, validated model version. ``data`` is the JSON-able source dict (stored with calibrated
    versions); everything else is parsed from it."""

    version: str
    asset_kind: str
    origin: str
    data: Mapping[str, Any]
    dimensions: tuple[Dimension, ...]
    legal_term_years: Mapping[str, int]
    cohort_min_size: int
    top_contributors: int
    tax_rate: Decimal
    discount_rate: Decimal
    revenue_decay: Decimal
    economic_life_caps: Mapping[str, Decimal]
    renewal_assumed: bool
    royalty_ranges: tuple[RoyaltyRange, ...]
    cost_index: Mapping[int, Decimal]
    cost_index_growth: Decimal
    market_min_comparables: int
    market_max_age_years: int
    reconciliation: Mapping[str, Decimal]
    monte_carlo_runs: int
    monte_carlo: Mapping[str, Mapping[str, Any]]
    pending_invalidation_haircut: Decimal
    periodic_days: int
    deviation_flag_share: Decimal
    portfolio: Mapping[str, Any]
    calibration_min_observations: int

    @property
    def indicators(self) -> tuple[Indicator, ...]:
        return tuple(ind for dim in self.dimensions for ind in dim.indicators)

    @property
    def digest(self) -> str:
        """SHA-256 of the canonical JSON of ``data`` — identifies the model content exactly."""
        return hashlib.sha256(canonical_json(self.data).encode()).hexdigest()

    def combined_weights(self) -> dict[str, Decimal]:
        """Indicator key → dimension weight × indicator weight (the indicator's share of the overall degree)."""
        return {ind.key: dim.weight * ind.weight for dim in self.dimensions for ind in dim.indicators}

    def economic_life_cap(self, life_key: str) -> Decimal:
        caps = self.economic_life_caps
        return caps.get(life_key, caps.get("default", Decimal(0)))

    def royalty_range(self, life_key: str, industry_code: str) -> RoyaltyRange:
        """The range for the asset's kind whose industry prefix is the longest match (``"*"`` = any kind)."""
        best: RoyaltyRange | None = None
        for rng in self.royalty_ranges:
            if rng.kind not in (life_key, "*") or not industry_code.startswith(rng.industry_prefix):
                continue
            if best is None or (len(rng.industry_prefix), rng.kind != "*") > (len(best.industry_prefix), best.kind != "*"):
                best = rng
        if best is None:
            raise ModelDataError(origin=self.origin, node="income.royalty_share", reason=f"no range for {life_key}")
        return best

    def cost_index_for(self, year: int) -> Decimal:
        """The R&D cost index of ``year``; beyond the table it grows (or shrinks back) at the growth rate."""
        years = sorted(self.cost_index)
        if year in self.cost_index:
            return self.cost_index[year]
        if year < years[0]:
            return self.cost_index[years[0]] / (ONE + self.cost_index_growth) ** (years[0] - year)
        return self.cost_index[years[-1]] * (ONE + self.cost_index_growth) ** (year - years[-1])


def canonical_json(data: Any) -> str:
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


class _Checker:
    """Helpers that raise :class:`ModelDataError` naming origin and node."""

    def __init__(self, origin: str) -> None:
        self.origin = origin

    def fail(self, node: str, reason: str) -> ModelDataError:
        return ModelDataError(origin=self.origin, node=node, reason=reason)

    def get(self, table: Mapping[str, Any], key: str, node: str) -> Any:
        if not isinstance(table, Mapping) or key not in table:
            raise self.fail(f"{node}.{key}" if node else key, "missing")
        return table[key]

    def decimal(self, value: Any, node: str, *, lo: Decimal | None = None, hi: Decimal | None = None) -> Decimal:
        if not isinstance(value, str):
            raise self.fail(node, f'must be a decimal string like "0.25", not {value!r}')
        try:
            number = Decimal(value)
        except InvalidOperation:
            raise self.fail(node, f"{value!r} is not a decimal number") from None
        if not number.is_finite() or (lo is not None and number < lo) or (hi is not None and number > hi):
            raise self.fail(node, f"{value} is outside [{lo}, {hi}]")
        return number

    def integer(self, value: Any, node: str, *, lo: int = 0) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or value < lo:
            raise self.fail(node, f"must be a whole number ≥ {lo}, not {value!r}")
        return value

    def number(self, value: Any, node: str) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise self.fail(node, f"must be a number, not {value!r}")
        return float(value)

    def sums_to_one(self, weights: Mapping[str, Decimal], node: str) -> None:
        total = sum(weights.values(), Decimal(0))
        if total != ONE:
            listed = ", ".join(f"{k}={v}" for k, v in weights.items())
            raise self.fail(node, f"weights sum to {total}, not 1 ({listed})")

    def breakpoints(self, raw: Any, node: str) -> tuple[tuple[float, float], ...]:
        if not isinstance(raw, list) or len(raw) < 2:
            raise self.fail(node, "needs at least two [x, score] breakpoints")
        points: list[tuple[float, float]] = []
        for i, pair in enumerate(raw):
            if not isinstance(pair, list) or len(pair) != 2:
                raise self.fail(f"{node}[{i}]", "a breakpoint is [x, score]")
            x, y = self.number(pair[0], f"{node}[{i}]"), self.number(pair[1], f"{node}[{i}]")
            if not 0 <= y <= 100:
                raise self.fail(f"{node}[{i}]", f"score {y} is outside 0–100")
            if points and x <= points[-1][0]:
                raise self.fail(f"{node}[{i}]", "x values must be strictly increasing")
            points.append((x, y))
        return tuple(points)


def _parse_indicator(check: _Checker, raw: Mapping[str, Any], dim_key: str, node: str, asset_kind: str) -> Indicator:
    key = check.get(raw, "key", node)
    node = f"{node}[{key}]"
    rule = check.get(raw, "rule", node)
    if rule not in RULES:
        raise check.fail(f"{node}.rule", f"unknown rule {rule!r} (known: {', '.join(sorted(RULES))})")
    source = check.get(raw, "source", node)
    if source not in SOURCES:
        raise check.fail(f"{node}.source", f"must be one of {sorted(SOURCES)}")
    if (rule == "appraiser") != (source == "appraiser"):
        raise check.fail(f"{node}.source", "the appraiser rule and the appraiser source go together")
    known = FEATURES[asset_kind]
    feature = raw.get("feature")
    if rule != "appraiser":
        if feature not in known:
            raise check.fail(f"{node}.feature", f"unknown feature {feature!r} for {asset_kind}")
        if (feature in STRING_FEATURES) != (rule == "lookup"):
            raise check.fail(f"{node}.feature", f"feature {feature!r} cannot be scored by rule {rule!r}")
    fields: dict[str, Any] = {}
    if rule == "piecewise":
        fields["breakpoints"] = check.breakpoints(raw.get("breakpoints"), f"{node}.breakpoints")
    elif rule == "linear":
        fields["base"] = check.number(check.get(raw, "base", node), f"{node}.base")
        terms = check.get(raw, "terms", node)
        if not isinstance(terms, Mapping) or not terms:
            raise check.fail(f"{node}.terms", "needs {feature = coefficient, ...}")
        for name in terms:
            if name not in known or name in STRING_FEATURES:
                raise check.fail(f"{node}.terms.{name}", f"unknown numeric feature for {asset_kind}")
        fields["terms"] = tuple((str(k), check.number(v, f"{node}.terms.{k}")) for k, v in terms.items())
    elif rule == "cohort_percentile":
        if asset_kind != "patent":
            raise check.fail(f"{node}.rule", "cohort percentiles exist for patents only")
        fallback = check.get(raw, "fallback_feature", node)
        if fallback not in known or fallback in STRING_FEATURES:
            raise check.fail(f"{node}.fallback_feature", f"unknown numeric feature {fallback!r}")
        fields["fallback_feature"] = fallback
        fields["fallback_breakpoints"] = check.breakpoints(raw.get("fallback_breakpoints"), f"{node}.fallback_breakpoints")
    elif rule in ("appraiser", "lookup"):
        default = check.number(check.get(raw, "default", node), f"{node}.default")
        if not 0 <= default <= 100:
            raise check.fail(f"{node}.default", "outside 0–100")
        fields["default"] = default
        if rule == "lookup":
            table = check.get(raw, "table", node)
            rows = []
            for i, row in enumerate(table if isinstance(table, list) else []):
                prefix = str(check.get(row, "prefix", f"{node}.table[{i}]")).upper()
                score = check.number(check.get(row, "score", f"{node}.table[{i}]"), f"{node}.table[{i}].score")
                if not 0 <= score <= 100:
                    raise check.fail(f"{node}.table[{i}].score", "outside 0–100")
                rows.append((prefix, score))
            fields["table"] = tuple(rows)
    return Indicator(
        key=str(key), dimension=dim_key, label=str(raw.get("label", key)), label_en=str(raw.get("label_en", key)),
        source=source, rule=rule, weight=check.decimal(check.get(raw, "weight", node), f"{node}.weight",
                                                      lo=Decimal(0), hi=ONE),
        feature=feature if rule != "appraiser" else None, unit=str(raw.get("unit", "")),
        decimals=int(raw.get("decimals", 0)), **fields,
    )


def model_from_dict(data: Mapping[str, Any], *, origin: str) -> ValuationModel:
    """Validate ``data`` (a parsed model file or a stored calibrated version) into a :class:`ValuationModel`."""
    check = _Checker(origin)
    data = copy.deepcopy(dict(data))
    meta = check.get(data, "model", "")
    version = str(check.get(meta, "version", "model"))
    asset_kind = check.get(meta, "asset_kind", "model")
    if asset_kind not in FEATURES:
        raise check.fail("model.asset_kind", f"must be one of {sorted(FEATURES)}")

    dimensions: list[Dimension] = []
    seen: set[str] = set()
    raw_dims = check.get(data, "dimensions", "")
    if not isinstance(raw_dims, list) or not raw_dims:
        raise check.fail("dimensions", "needs at least one dimension")
    for d_index, raw_dim in enumerate(raw_dims):
        dim_key = str(check.get(raw_dim, "key", f"dimensions[{d_index}]"))
        node = f"dimensions[{dim_key}]"
        indicators = []
        for raw_ind in check.get(raw_dim, "indicators", node):
            indicator = _parse_indicator(check, raw_ind, dim_key, f"{node}.indicators", asset_kind)
            if indicator.key in seen:
                raise check.fail(f"{node}.indicators[{indicator.key}]", "duplicate indicator key")
            seen.add(indicator.key)
            indicators.append(indicator)
        check.sums_to_one({i.key: i.weight for i in indicators}, f"{node}.indicators")
        dimensions.append(Dimension(
            key=dim_key, label=str(raw_dim.get("label", dim_key)), label_en=str(raw_dim.get("label_en", dim_key)),
            weight=check.decimal(check.get(raw_dim, "weight", node), f"{node}.weight", lo=Decimal(0), hi=ONE),
            indicators=tuple(indicators),
        ))
    check.sums_to_one({d.key: d.weight for d in dimensions}, "dimensions")

    income = check.get(data, "income", "")
    caps = {str(k): check.decimal(v, f"income.economic_life_cap_years.{k}", lo=Decimal(0))
            for k, v in check.get(income, "economic_life_cap_years", "income").items()}
    ranges = []
    for i, raw in enumerate(check.get(income, "royalty_share", "income")):
        node = f"income.royalty_share[{i}]"
        low = check.decimal(check.get(raw, "low", node), f"{node}.low", lo=Decimal(0), hi=ONE)
        high = check.decimal(check.get(raw, "high", node), f"{node}.high", lo=low, hi=ONE)
        ranges.append(RoyaltyRange(str(check.get(raw, "kind", node)), str(raw.get("industry_prefix", "")).upper(),
                                   low, high))
    cost = check.get(data, "cost", "")
    cost_index = {check.integer(int(k), f"cost.index.{k}", lo=1900): check.decimal(v, f"cost.index.{k}", lo=Decimal("0.0001"))
                  for k, v in check.get(cost, "index", "cost").items()}
    if not cost_index:
        raise check.fail("cost.index", "needs at least one year")
    market = check.get(data, "market", "")
    reconciliation = {a: check.decimal(check.get(data["reconciliation"] if "reconciliation" in data else {}, a,
                                                 "reconciliation"), f"reconciliation.{a}", lo=Decimal(0), hi=ONE)
                      for a in APPROACHES}
    check.sums_to_one(reconciliation, "reconciliation")
    mc = check.get(data, "monte_carlo", "")
    mc_spec: dict[str, dict[str, Any]] = {}
    for name in MC_INPUTS:
        spec = check.get(mc, name, "monte_carlo")
        dist = check.get(spec, "distribution", f"monte_carlo.{name}")
        parsed: dict[str, Any] = {"distribution": dist}
        node = f"monte_carlo.{name}"
        if dist == "lognormal":
            parsed["sigma"] = float(check.decimal(check.get(spec, "sigma", node), f"{node}.sigma", lo=Decimal(0)))
        elif dist == "normal":
            parsed["sd"] = float(check.decimal(check.get(spec, "sd", node), f"{node}.sd", lo=Decimal(0)))
            parsed["min"] = float(check.decimal(spec.get("min", "0"), f"{node}.min", lo=Decimal(0)))
        elif dist == "uniform":
            parsed["low"] = float(check.decimal(check.get(spec, "low", node), f"{node}.low", lo=Decimal(0)))
            parsed["high"] = float(check.decimal(check.get(spec, "high", node), f"{node}.high",
                                                 lo=Decimal(str(parsed["low"]))))
        elif dist == "range_normal":
            parsed["sd_share"] = float(check.decimal(check.get(spec, "sd_share", node), f"{node}.sd_share",
                                                     lo=Decimal(0), hi=ONE))
        elif dist not in ("triangular", "fixed"):
            raise check.fail(f"{node}.distribution", f"unknown distribution {dist!r}")
        mc_spec[name] = parsed
    reval = check.get(data, "revaluation", "")
    appraisal = data.get("appraisal", {"deviation_flag_share": "0.30"})
    portfolio = _parse_portfolio(check, data.get("portfolio")) if asset_kind == "patent" else {}

    return ValuationModel(
        version=version, asset_kind=asset_kind, origin=origin, data=data, dimensions=tuple(dimensions),
        legal_term_years={str(k): check.integer(v, f"legal_term_years.{k}", lo=1)
                          for k, v in data.get("legal_term_years", {}).items()},
        cohort_min_size=check.integer(data.get("cohort", {}).get("min_size", 30), "cohort.min_size", lo=1),
        top_contributors=check.integer(meta.get("top_contributors", 3), "model.top_contributors", lo=1),
        tax_rate=check.decimal(check.get(income, "tax_rate", "income"), "income.tax_rate", lo=Decimal(0), hi=ONE),
        discount_rate=check.decimal(check.get(income, "discount_rate", "income"), "income.discount_rate",
                                    lo=Decimal("0.0001"), hi=ONE),
        revenue_decay=check.decimal(income.get("revenue_decay", "0"), "income.revenue_decay", lo=Decimal(0), hi=ONE),
        economic_life_caps=caps, renewal_assumed=bool(income.get("renewal_assumed", False)),
        royalty_ranges=tuple(ranges), cost_index=cost_index,
        cost_index_growth=check.decimal(cost.get("index_growth_after_last", "0"), "cost.index_growth_after_last",
                                        lo=Decimal("-0.5"), hi=ONE),
        market_min_comparables=check.integer(check.get(market, "min_comparables", "market"),
                                             "market.min_comparables", lo=1),
        market_max_age_years=check.integer(check.get(market, "max_age_years", "market"), "market.max_age_years", lo=1),
        reconciliation=reconciliation,
        monte_carlo_runs=check.integer(check.get(mc, "runs", "monte_carlo"), "monte_carlo.runs", lo=10),
        monte_carlo=mc_spec,
        pending_invalidation_haircut=check.decimal(check.get(reval, "pending_invalidation_haircut", "revaluation"),
                                                   "revaluation.pending_invalidation_haircut", lo=Decimal(0), hi=ONE),
        periodic_days=check.integer(reval.get("periodic_days", 30), "revaluation.periodic_days", lo=1),
        deviation_flag_share=check.decimal(appraisal.get("deviation_flag_share", "0.30"),
                                           "appraisal.deviation_flag_share", lo=Decimal(0)),
        portfolio=portfolio,
        calibration_min_observations=check.integer(data.get("calibration", {}).get("min_observations", 20),
                                                   "calibration.min_observations", lo=1),
    )


def _parse_portfolio(check: _Checker, raw: Any) -> dict[str, Any]:
    if raw is None:
        raise check.fail("portfolio", "missing (needed for enterprise-level evaluation, SC-4)")
    weights = {k: check.decimal(v, f"portfolio.score_weights.{k}", lo=Decimal(0), hi=ONE)
               for k, v in check.get(raw, "score_weights", "portfolio").items()}
    unknown = set(weights) - {"quality", "scale", "invention_share", "vitality"}
    if unknown:
        raise check.fail("portfolio.score_weights", f"unknown components {sorted(unknown)}")
    check.sums_to_one(weights, "portfolio.score_weights")
    bands: list[dict[str, Any]] = []
    for i, band in enumerate(check.get(raw, "credit_bands", "portfolio")):
        node = f"portfolio.credit_bands[{i}]"
        bands.append({
            "min_score": check.number(check.get(band, "min_score", node), f"{node}.min_score"),
            "ratio": check.decimal(check.get(band, "ratio", node), f"{node}.ratio", lo=Decimal(0), hi=ONE),
            "cap_fen": check.integer(check.get(band, "cap_fen", node), f"{node}.cap_fen"),
        })
    bands.sort(key=lambda b: -float(b["min_score"]))
    return {
        "top_n": check.integer(raw.get("top_n", 10), "portfolio.top_n", lo=1),
        "scale_breakpoints": check.breakpoints(raw.get("scale_breakpoints"), "portfolio.scale_breakpoints"),
        "score_weights": weights,
        "credit_bands": tuple(bands),
    }


def model_path(version: str) -> Path:
    return MODEL_DATA_DIR / f"{version}.toml"


def available_versions() -> list[str]:
    return sorted(p.stem for p in MODEL_DATA_DIR.glob("*.toml"))


def read_model_file(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as exc:
        raise ModelDataError(origin=path.name, node="(file)", reason=f"not valid TOML: {exc}") from None


def load_model_file(path: Path | str) -> ValuationModel:
    path = Path(path)
    if not path.is_file():
        raise ModelNotFound(version=str(path))
    return model_from_dict(read_model_file(path), origin=path.name)


def load_model(version: str = "pledge_v1") -> ValuationModel:
    """The model version shipped in ``model_data/`` (calibrated versions live in the database)."""
    path = model_path(version)
    if not path.is_file():
        raise ModelNotFound(version=version)
    return _cached(version, path.stat().st_mtime_ns)


_CACHE: dict[tuple[str, int], ValuationModel] = {}


def _cached(version: str, mtime: int) -> ValuationModel:
    key = (version, mtime)
    if key not in _CACHE:
        _CACHE[key] = load_model_file(model_path(version))
    return _CACHE[key]

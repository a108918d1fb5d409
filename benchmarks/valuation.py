"""Benchmark: score and value generated patents (indicators + income-approach point estimate).

* vectorised path (:func:`ipfin.domain.valuation.vectorised.value_batch`) on ``int(1_000_000 * scale)``
  generated patents — target ≥ 100,000 patents/s on a 2-core machine;
* baseline in the same run: the per-patent Python path
  (:func:`ipfin.domain.valuation.model.point_estimate`) on the first ``int(20_000 * scale)`` of them,
  whose results are also checked against the vectorised ones (they must agree to the fen).

Data: seeded generator (numpy PCG64, seed 20250630), 50 IPC subclasses × 20 filing years, three patent
kinds, 5 % dead rights, 40 % without revenue, cohorts of forward citations and family size built from the
generated population (as the registry would). Run: ``python -m benchmarks.valuation --scale 1.0``.
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import date

import numpy as np

from ipfin.domain.valuation.definition import load_model
from ipfin.domain.valuation.inputs import PatentFacts
from ipfin.domain.valuation.model import point_estimate
from ipfin.domain.valuation.scoring import Cohort, CohortTable
from ipfin.domain.valuation.vectorised import KINDS, PatentArrays, value_batch

SEED = 20250630
AS_OF = date(2025, 6, 30)
IPC_CLASSES = np.array([f"{s}{n:02d}{c}" for s, n, c in zip("ABCDEFGH" * 7, range(1, 57), "KMLFNPQ" * 8, strict=False)][:50],
                       dtype=object)
INDUSTRIES = np.array(["C39", "C38", "C35", "C27", "I65", "M73", "A01", "B06", "C26", ""], dtype=object)
STATUSES = ("in_force", "lapsed", "invalidated", "pending")
LEGAL_YEARS = {"invention": 20, "utility_model": 10, "design": 15}


def generate(n: int, seed: int = SEED) -> tuple[PatentArrays, dict[str, np.ndarray]]:
    """``n`` patents as arrays (plus the raw columns needed to rebuild ``PatentFacts`` for the baseline)."""
    rng = np.random.default_rng(seed)
    kind = rng.choice(3, size=n, p=[0.55, 0.38, 0.07]).astype(np.int8)
    year = rng.integers(2005, 2025, size=n)
    month = rng.integers(1, 13, size=n)
    day = rng.integers(1, 29, size=n)  # no 29 February, so filing + N years is always a valid date
    months = ((year - 1970) * 12 + (month - 1)).astype("datetime64[M]")
    filing = months.astype("datetime64[D]") + (day - 1)
    legal = np.array([LEGAL_YEARS[k] for k in KINDS])[kind]
    legal = np.where((kind == 2) & (filing < np.datetime64("2021-06-01")), 10, legal)
    term_end = ((year + legal - 1970) * 12 + (month - 1)).astype("datetime64[M]").astype("datetime64[D]") + (day - 1)
    status = rng.choice(4, size=n, p=[0.93, 0.04, 0.01, 0.02])
    claims = rng.integers(1, 31, size=n)
    counts = {
        "ipc_class_count": rng.integers(1, 7, size=n),
        "claims_total": claims,
        "independent_claims": np.minimum(rng.integers(1, 5, size=n), claims),
        "forward_citations": rng.poisson(5.0, size=n),
        "backward_citations": rng.poisson(8.0, size=n),
        "family_size": 1 + rng.poisson(1.5, size=n),
        "family_countries": 1 + rng.poisson(0.8, size=n),
        "co_owner_count": rng.choice(4, size=n, p=[0.8, 0.12, 0.05, 0.03]),
        "licence_count": rng.poisson(0.3, size=n),
        "transfer_count": rng.poisson(0.2, size=n),
        "litigation_count": rng.poisson(0.1, size=n),
        "invalidation_survived": rng.poisson(0.05, size=n),
    }
    revenue = np.where(rng.random(n) < 0.4, 0, np.round(rng.lognormal(np.log(5e8), 1.5, size=n))).astype(np.int64)
    revenue = np.minimum(revenue, 10**12)
    technical = np.where(rng.random(n) < 0.3, rng.integers(0, 101, size=n).astype(np.float64), np.nan)
    market = np.where(rng.random(n) < 0.3, rng.integers(0, 101, size=n).astype(np.float64), np.nan)
    epoch = np.datetime64("1970-01-01")
    arrays = PatentArrays(
        kind=kind, filing_day=(filing - epoch).astype(np.int64), filing_year=year.astype(np.int32),
        term_end_day=(term_end - epoch).astype(np.int64), dead=(status == 1) | (status == 2),
        granted=(status != 3), invalidation_pending=rng.random(n) < 0.02,
        ipc_class=IPC_CLASSES[rng.integers(0, len(IPC_CLASSES), size=n)],
        industry_code=INDUSTRIES[rng.integers(0, len(INDUSTRIES), size=n)],
        counts={k: v.astype(np.int64) for k, v in counts.items()}, annual_revenue_fen=revenue,
        appraiser={"technical_advancement": technical, "market_coverage": market},
    )
    return arrays, {"filing": filing, "term_end": term_end, "status": status}


def build_cohorts(arrays: PatentArrays) -> CohortTable:
    """Cohorts by (metric, IPC subclass, filing year) from the whole population, set-based."""
    classes, class_index = np.unique(arrays.ipc_class, return_inverse=True)
    cohorts: dict[tuple[str, str, int], Cohort] = {}
    for metric in ("forward_citations", "family_size"):
        values = arrays.counts[metric]
        keys = np.stack([class_index, arrays.filing_year.astype(np.int64), values], axis=1)
        unique, tally = np.unique(keys, axis=0, return_counts=True)
        boundaries = np.flatnonzero(np.r_[True, np.any(unique[1:, :2] != unique[:-1, :2], axis=1), True])
        for start, end in zip(boundaries[:-1], boundaries[1:], strict=True):
            c, y = int(unique[start, 0]), int(unique[start, 1])
            cohorts[(metric, str(classes[c]), y)] = Cohort(tuple(float(v) for v in unique[start:end, 2]),
                                                           tuple(int(t) for t in tally[start:end]))
    return CohortTable(cohorts)


def facts_at(arrays: PatentArrays, raw: dict[str, np.ndarray], i: int) -> PatentFacts:
    appraiser = {k: int(v[i]) for k, v in arrays.appraiser.items() if not np.isnan(v[i])}
    filing = raw["filing"][i].astype(object)
    return PatentFacts(
        number=f"BENCH{i}", kind=KINDS[int(arrays.kind[i])], filing_date=filing,
        grant_date=None if raw["status"][i] == 3 else filing, term_end=raw["term_end"][i].astype(object),
        status=STATUSES[int(raw["status"][i])], ipc_main_group=str(arrays.ipc_class[i]),
        invalidation_pending=bool(arrays.invalidation_pending[i]), annual_revenue_fen=int(arrays.annual_revenue_fen[i]),
        industry_code=str(arrays.industry_code[i]), appraiser_inputs=appraiser,
        **{k: int(v[i]) for k, v in arrays.counts.items()},
    )


def run(scale: float = 1.0) -> str:
    model = load_model("pledge_v1")
    n_batch, n_base = max(int(1_000_000 * scale), 1), max(int(20_000 * scale), 1)

    started = time.perf_counter()
    arrays, raw = generate(n_batch)
    generated = time.perf_counter() - started
    started = time.perf_counter()
    cohorts = build_cohorts(arrays)
    cohort_seconds = time.perf_counter() - started

    started = time.perf_counter()
    batch = value_batch(arrays, AS_OF, model, cohorts)
    batch_seconds = time.perf_counter() - started

    facts = [facts_at(arrays, raw, i) for i in range(min(n_base, n_batch))]
    started = time.perf_counter()
    points = [point_estimate(f, AS_OF, model, cohorts) for f in facts]
    base_seconds = time.perf_counter() - started
    agree = sum(int(batch.income_fen[i]) == p.income_fen and float(batch.value_degree[i]) == p.scores.value_degree
                for i, p in enumerate(points))

    batch_rate, base_rate = n_batch / batch_seconds, len(facts) / base_seconds
    return "\n".join([
        "## Valuation",
        "",
        "Indicator scores (15 indicators, 3 dimensions, cohort percentiles for citations and family size), "
        "value degrees and the income-approach point estimate (model `pledge_v1`), on generated patents "
        f"(seed {SEED}; 50 IPC subclasses × 20 filing years; {len(cohorts.cohorts)} cohorts).",
        "",
        "| path | patents | seconds | patents/s |",
        "| --- | ---: | ---: | ---: |",
        f"| vectorised (numpy, `value_batch`) | {n_batch:,} | {batch_seconds:.2f} | {batch_rate:,.0f} |",
        f"| per-patent Python (`point_estimate`, baseline) | {len(facts):,} | {base_seconds:.2f} | {base_rate:,.0f} |",
        "",
        f"Speed-up {batch_rate / base_rate:,.0f}×; target ≥ 100,000 patents/s "
        f"{'met' if batch_rate >= 100_000 else 'NOT met'}. The two paths agree exactly on {agree:,} of "
        f"{len(facts):,} baseline patents. Not timed: generating the data ({generated:.2f} s) and building "
        f"the cohorts ({cohort_seconds:.2f} s).",
        "",
    ])


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description="valuation benchmark")
    parser.add_argument("--scale", type=float, default=1.0, help="multiply the sizes (1.0 = 1,000,000 / 20,000)")
    parser.add_argument("legacy_scale", nargs="?", type=float, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    print(run(args.legacy_scale if args.legacy_scale is not None else args.scale))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

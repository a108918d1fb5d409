"""Close of business (日终批处理, design §6, issue 6): ``run_cob(business_date)`` and ``run_cob_range(first, last)``.

Steps, in the fixed order of :data:`ipfin.servicing.choices.COB_STEPS`:

``accrue``        interest is a pure function of a loan's state (no per-loan-per-day rows): the step counts the
                  active loans that accrue on D and writes nothing per loan.
``overdue``       installment status (scheduled / due / overdue / paid); per loan the oldest unpaid due date,
                  days past due (逾期天数, from the oldest unpaid due date), overdue principal and interest, and
                  penalty interest (罚息) on overdue principal at rate × (1 + uplift) accrued through D; an
                  ``overdue`` warning while the loan is past due.
``classify``      five-category class (五级分类): overdue floors of the classification rules as a SQL CASE, a
                  manual class kept when worse, the borrower-level rule (第七条第二款) set-based per
                  borrower + bank; a :class:`RiskClassChange` row for each change.
``coverage``      collateral value = sum of the latest valuation on or before D of each asset of the loan's
                  registered pledge; LTV = outstanding ÷ value; a ``coverage_breach`` warning with the shortfall
                  while LTV > the loan's maximum, closed automatically when the breach ends (PZP-3.4.2).
``legal_watch``   pledged assets: annual fee due within the notice window, grace period, lapse, invalidation
                  requested / decided, freeze, attempted transfer, trademark renewal window, term ending before
                  the loan matures (PZP-3.7.2, SC-2).
``fund_triggers`` fund-covered loans at or past the fund profile's claim threshold (BT-15) get a
                  ``claim_eligible`` warning; the bank ratio notices (BT-13) are issue 7's (a no-op hook here).
``sla_alerts``    applications and pledge registrations whose working-day clock ran out get one notification.

Every step is a handful of set-based statements (``UPDATE … FROM``, ``INSERT … SELECT``) that run on SQLite
(≥ 3.33) and PostgreSQL; no statement per loan. Each step commits in one transaction together with its mark
in the :class:`CobRun` row, so a run killed between steps loses nothing and doubles nothing; the next run of the
same date starts a new attempt at the first step not completed. Every step is idempotent: rerunning a completed
date changes nothing (the counts of a rerun are all 0).

Date order (decision): business dates are calendar days (interest and days past due
count calendar days). A date before the last completed one is refused; a date after a gap is refused with the
``--from/--to`` command that fills the gap (no silent catch-up); the last completed date may be rerun.

Warning life cycle: state warnings (coverage, fee, freeze, …) stay open while the condition holds and are closed
by COB when it ends; one that a user closed while its condition still holds is raised again by the next run
(acknowledge it to keep it open without noise). Event warnings (transfer, invalidation decision) are raised once
per legal-status event and closed by users.

Test hook: ``IPFIN_COB_CRASH_AFTER_STEP=<step>`` makes the process ``os._exit(137)`` right after that step
commits (read only here; the crash-resume test uses it).
"""

from __future__ import annotations

import os
import time
import tomllib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ipfin.domain.classification import ClassificationRules, ContagionMode, load_rules
from ipfin.domain.errors import Conflict, InvalidInput
from ipfin.domain.registry.annual_fee import load_fee_schedule
from ipfin.domain.registry.terms import TRADEMARK_RENEWAL_MONTHS_BEFORE, add_months
from ipfin.domain.repayment import penalty_interest
from ipfin.servicing.choices import COB_STEPS, CobStatus, WarningKind
from ipfin.servicing.models import CobRun, Installment, Loan, RiskClassChange, RiskWarning

CRASH_ENV = "IPFIN_COB_CRASH_AFTER_STEP"
WATCH_RULES = Path(__file__).resolve().parent.parent / "domain" / "watch_rules" / "cob-watch.toml"
FEE_SCHEDULE = Path(__file__).resolve().parent.parent / "registry" / "data" / "annual_fees.toml"
AUTO_CLOSE_REASON = "COB: condition ended"  # stored, not shown raw: the UI labels auto-closed warnings

# Registration states whose assets are encumbered (ipfin.pledges.choices.ENCUMBERING_STATES).
_ENCUMBERING = ("registered", "changed")


class CobDateRefused(InvalidInput):
    code = "cob_date_refused"
    message_template = _("This business date cannot be run now.")


class CobAlreadyRunning(Conflict):
    code = "cob_already_running"
    message_template = _("Another close of business is running on this database.")


# ---------------------------------------------------------------------------------------------------------
# Rules as data


@dataclass(frozen=True)
class WatchRules:
    version: str
    annual_fee_notice_days: int
    severity: dict[str, str]
    clause: dict[str, str]
    fee_grace_months: int


@cache
def watch_rules() -> WatchRules:
    with WATCH_RULES.open("rb") as handle:
        data = tomllib.load(handle)
    kinds = data["kinds"]
    unknown = set(kinds) - set(WarningKind.values)
    if unknown or set(WarningKind.values) - set(kinds):
        raise ValueError(f"{WATCH_RULES.name} must list every warning kind once (unknown: {sorted(unknown)})")
    return WatchRules(version=str(data["version"]), annual_fee_notice_days=int(data["annual_fee_notice_days"]),
                      severity={k: str(v["severity"]) for k, v in kinds.items()},
                      clause={k: str(v["clause"]) for k, v in kinds.items()},
                      fee_grace_months=load_fee_schedule(FEE_SCHEDULE).grace_months)


# ---------------------------------------------------------------------------------------------------------
# SQL dialect helpers (SQLite ≥ 3.33 and PostgreSQL)


def _pg() -> bool:
    return connection.vendor == "postgresql"


def _t(model: Any) -> str:
    return str(model._meta.db_table)


def _lit(day: date) -> str:
    """A date literal (our own ``date`` objects only, never user text)."""
    if not isinstance(day, date):
        raise TypeError("a date literal needs a date")
    return f"DATE '{day.isoformat()}'" if _pg() else f"'{day.isoformat()}'"


def _days(later: str, earlier: str) -> str:
    """Whole days from ``earlier`` to ``later`` (both SQL date expressions)."""
    return f"({later} - {earlier})" if _pg() else f"CAST(julianday({later}) - julianday({earlier}) AS INTEGER)"


def _greatest(*exprs: str) -> str:
    return f"GREATEST({', '.join(exprs)})" if _pg() else f"MAX({', '.join(exprs)})"


def _least(*exprs: str) -> str:
    return f"LEAST({', '.join(exprs)})" if _pg() else f"MIN({', '.join(exprs)})"


def _distinct(a: str, b: str) -> str:
    return f"({a} IS DISTINCT FROM {b})" if _pg() else f"({a} IS NOT {b})"


def _json(pairs: dict[str, str]) -> str:
    args = ", ".join(f"'{k}', {v}" for k, v in pairs.items())
    return f"jsonb_build_object({args})" if _pg() else f"json_object({args})"


def _json_int(column: str, key: str) -> str:
    return f"CAST({column}->>'{key}' AS BIGINT)" if _pg() else f"json_extract({column}, '$.{key}')"


def _str(text: str) -> str:
    """A SQL string literal of our own constants (enum values, clause ids)."""
    return "'" + text.replace("'", "''") + "'"


def _in(values: Any) -> str:
    return "(" + ", ".join(_str(str(v)) for v in values) + ")"


def _penalty_sql(principal: str, days: str, loan: str = "l") -> str:
    """罚息 for ``days`` days on ``principal`` fen at ``annual_rate × (1 + penalty_rate_uplift)`` over the loan's
    day-count basis, rounded half up once — the SQL twin of :func:`ipfin.domain.repayment.penalty_interest`.

    PostgreSQL: exact ``numeric`` integer arithmetic, HALF_UP as ``div(2N + D, 2D)``. SQLite (no decimal type,
    64-bit integers would overflow): the domain function itself, registered as ``ipfin_penalty``.
    """
    if _pg():
        basis = f"(CASE WHEN {loan}.day_count = 'act365' THEN 365 ELSE 360 END)"
        numerator = (f"(CAST({principal} AS numeric) * ({loan}.annual_rate * 10000) "
                     f"* (10000 + {loan}.penalty_rate_uplift * 10000) * ({days}))")
        denominator = f"({basis} * CAST(10000000000 AS numeric))"
        return f"CAST(div(2 * {numerator} + {denominator}, 2 * {denominator}) AS BIGINT)"
    return f"ipfin_penalty({principal}, {loan}.annual_rate, {loan}.penalty_rate_uplift, {days}, {loan}.day_count)"


def _sqlite_penalty(principal: int, rate: Any, uplift: Any, days: int, day_count: str) -> int:
    def dec(value: Any) -> Decimal:
        return Decimal(str(value)).quantize(Decimal("0.0001"))

    if not principal or not days or days < 0:
        return 0
    return penalty_interest(int(principal), dec(rate), dec(uplift), int(days), day_count)


def _prepare_connection() -> None:
    connection.ensure_connection()
    if connection.vendor == "sqlite":
        connection.connection.create_function("ipfin_penalty", 5, _sqlite_penalty, deterministic=True)


def _refresh_statistics(*tables: str) -> None:
    """PostgreSQL: refresh the planner's statistics of the tables COB reads and writes. The previous day's run
    may have inserted thousands of warnings and changed most loans, and autovacuum is not guaranteed to have
    analysed them since; with stale statistics the anti-joins that keep warnings unique were planned as nested
    loops over "empty" tables (5 s instead of 0.1 s for 2,000 loans). ANALYZE samples, so it costs about a second
    at a million loans."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {', '.join(tables or (LOAN, INST, WARN))}")


def _exec(sql: str, params: list[Any] | tuple[Any, ...] = ()) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return max(cursor.rowcount, 0)


def _scalar(sql: str, params: list[Any] | tuple[Any, ...] = ()) -> Any:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
        return row[0] if row else None


def _now_param() -> Any:
    now = timezone.now()
    return connection.ops.adapt_datetimefield_value(now) if connection.vendor == "sqlite" else now


# ---------------------------------------------------------------------------------------------------------
# Steps


@dataclass
class StepContext:
    business_date: date
    detail: dict[str, Any] = field(default_factory=dict)

    @property
    def d(self) -> str:
        return _lit(self.business_date)


LOAN, INST, WARN = _t(Loan), _t(Installment), _t(RiskWarning)


def step_accrue(ctx: StepContext) -> int:
    """Interest for any date is a pure function of the loan's state: nothing is stored per loan and day."""
    count = int(_scalar(f"SELECT COUNT(*) FROM {LOAN} WHERE status = 'active' AND disbursed_on <= {ctx.d}") or 0)
    ctx.detail["active_loans"] = count
    return count


def step_overdue(ctx: StepContext) -> int:
    d = ctx.d
    new_status = (f"CASE WHEN principal_paid_fen >= principal_fen AND interest_paid_fen >= interest_fen "
                  f"THEN 'paid' WHEN due_on < {d} THEN 'overdue' WHEN due_on = {d} THEN 'due' ELSE 'scheduled' END")
    installments = _exec(
        f"UPDATE {INST} SET status = {new_status} "
        f"WHERE status IN ('scheduled', 'due', 'overdue') AND due_on <= {d} AND status <> {new_status} "
        f"AND loan_id IN (SELECT id FROM {LOAN} WHERE status = 'active')")
    if installments:
        _refresh_statistics(INST)  # statuses just changed: plan the aggregates below on today's numbers
    since = f"{_greatest('COALESCE(l.penalty_accrued_through, agg.oldest)', 'agg.oldest')}"
    penalty_days = f"(CASE WHEN {_days(d, since)} > 0 THEN {_days(d, since)} ELSE 0 END)"
    updated = _exec(
        f"UPDATE {LOAN} AS l SET oldest_unpaid_due_on = agg.oldest, days_past_due = {_days(d, 'agg.oldest')}, "
        f"overdue_principal_fen = agg.principal, overdue_interest_fen = agg.interest, "
        f"penalty_fen = l.penalty_fen + {_penalty_sql('agg.principal', penalty_days)}, "
        f"penalty_accrued_through = {d} "
        f"FROM (SELECT loan_id, MIN(due_on) AS oldest, SUM(principal_fen - principal_paid_fen) AS principal, "
        f"SUM(interest_fen - interest_paid_fen) AS interest FROM {INST} WHERE status = 'overdue' "
        f"GROUP BY loan_id) AS agg "
        f"WHERE l.id = agg.loan_id AND l.status = 'active' AND ("
        f"{_distinct('l.oldest_unpaid_due_on', 'agg.oldest')} OR l.days_past_due <> {_days(d, 'agg.oldest')} "
        f"OR l.overdue_principal_fen <> agg.principal OR l.overdue_interest_fen <> agg.interest "
        f"OR {_distinct('l.penalty_accrued_through', d)})")
    cured = _exec(
        f"UPDATE {LOAN} SET oldest_unpaid_due_on = NULL, days_past_due = 0, overdue_principal_fen = 0, "
        f"overdue_interest_fen = 0 WHERE status = 'active' AND (oldest_unpaid_due_on IS NOT NULL "
        f"OR days_past_due <> 0 OR overdue_principal_fen <> 0 OR overdue_interest_fen <> 0) AND NOT EXISTS "
        f"(SELECT 1 FROM {INST} i WHERE i.loan_id = {LOAN}.id AND i.status = 'overdue')")
    detail = {"oldest_unpaid_due_on": "l.oldest_unpaid_due_on", "days_past_due": "l.days_past_due",
              "overdue_principal_fen": "l.overdue_principal_fen"}
    raised = _raise_loan_warnings(ctx, WarningKind.OVERDUE, "l.days_past_due > 0", detail)
    closed = _close_loan_warnings(ctx, WarningKind.OVERDUE, "l.days_past_due > 0")
    ctx.detail.update(installments=installments, loans=updated, cured=cured, warnings_raised=raised,
                      warnings_closed=closed)
    return installments + updated + cured + raised + closed


def _rank_case(rules: ClassificationRules, column: str) -> str:
    whens = " ".join(f"WHEN {_str(c.value)} THEN {i}" for i, c in enumerate(rules.order))
    return f"(CASE {column} {whens} ELSE 0 END)"


def _class_case(rules: ClassificationRules, rank: str) -> str:
    whens = " ".join(f"WHEN {i} THEN {_str(c.value)}" for i, c in enumerate(rules.order))
    return f"(CASE {rank} {whens} END)"


def _floor_case(rules: ClassificationRules, dpd: str, what: str) -> str:
    """Overdue floor (第九条–第十二条) of ``dpd`` as a rank (``what='rank'``) or article (``'article'``)."""
    parts = []
    for floor in sorted(rules.floors, key=lambda f: -f.days_past_due_above):
        value = str(rules.rank(floor.risk_class)) if what == "rank" else _str(floor.article)
        parts.append(f"WHEN {dpd} > {int(floor.days_past_due_above)} THEN {value}")
    default = "0" if what == "rank" else "''"
    return f"(CASE {' '.join(parts)} ELSE {default} END)"


def step_classify(ctx: StepContext, rules: ClassificationRules | None = None) -> int:
    rules = rules or load_rules()
    d = ctx.d
    npl_ranks = "(" + ", ".join(str(rules.rank(c)) for c in rules.non_performing) + ")"
    floor_rank = _floor_case(rules, "l.days_past_due", "rank")
    base_rank = _greatest(floor_rank, _rank_case(rules, "l.manual_risk_class"))
    contagion = rules.contagion
    base = (f"base AS (SELECT l.id, l.enterprise_id, l.bank_id, l.outstanding_principal_fen AS outstanding, "
            f"l.days_past_due AS dpd, l.risk_class AS current_class, {floor_rank} AS floor_rank, "
            f"{base_rank} AS base_rank FROM {LOAN} l WHERE l.status = 'active')")
    if contagion.mode is ContagionMode.NPL_SHARE:
        assert contagion.npl_share_above is not None and contagion.floor_class is not None
        num, den = contagion.npl_share_above.as_integer_ratio()
        groups = (f"grp AS (SELECT enterprise_id, bank_id, SUM(outstanding) AS total, SUM(CASE WHEN base_rank IN "
                  f"{npl_ranks} THEN outstanding ELSE 0 END) AS bad FROM base WHERE (enterprise_id, bank_id) IN "
                  f"(SELECT enterprise_id, bank_id FROM base WHERE base_rank IN {npl_ranks}) "
                  f"GROUP BY enterprise_id, bank_id)")
        contagion_rank = (f"(CASE WHEN g.total > 0 AND g.bad * {den} > g.total * {num} "
                          f"THEN {rules.rank(contagion.floor_class)} ELSE 0 END)")
    elif contagion.mode is ContagionMode.WORST_CLASS:
        groups = ("grp AS (SELECT enterprise_id, bank_id, MAX(base_rank) AS worst FROM base "
                  "GROUP BY enterprise_id, bank_id)")
        contagion_rank = "COALESCE(g.worst, 0)"
    else:
        groups = "grp AS (SELECT enterprise_id, bank_id FROM base WHERE 1 = 0)"
        contagion_rank = "0"
    final_rank = _greatest("b.base_rank", contagion_rank)
    source = f"(CASE WHEN {contagion_rank} > b.base_rank THEN 'contagion' ELSE 'cob' END)"
    article = (f"(CASE WHEN {contagion_rank} > b.base_rank THEN {_str(contagion.article)} "
               f"WHEN b.floor_rank > 0 AND b.floor_rank >= b.base_rank "
               f"THEN {_floor_case(rules, 'b.dpd', 'article')} ELSE '' END)")
    _exec("DROP TABLE IF EXISTS cob_class")
    _exec(f"CREATE TEMP TABLE cob_class AS WITH {base}, {groups} "
          f"SELECT b.id AS loan_id, b.current_class AS from_class, {_class_case(rules, final_rank)} AS to_class, "
          f"{source} AS source, {article} AS article, b.dpd AS dpd FROM base b "
          f"LEFT JOIN grp g ON g.enterprise_id = b.enterprise_id AND g.bank_id = b.bank_id "
          f"WHERE {_class_case(rules, final_rank)} <> b.current_class")
    changes = _exec(
        f"INSERT INTO {_t(RiskClassChange)} (loan_id, business_date, from_class, to_class, source, days_past_due, "
        f"rules_version, article, reason, actor_id, created_at) SELECT loan_id, {d}, from_class, to_class, source, "
        f"dpd, {_str(rules.version)}, article, '', NULL, %s FROM cob_class", [_now_param()])
    _exec(f"UPDATE {LOAN} AS l SET risk_class = c.to_class, risk_class_since = {d} FROM cob_class c "
          f"WHERE l.id = c.loan_id")
    _exec("DROP TABLE IF EXISTS cob_class")
    ctx.detail["class_changes"] = changes
    return changes


def step_coverage(ctx: StepContext) -> int:
    from ipfin.pledges.models import PledgedAsset, PledgeRegistration
    from ipfin.valuation.models import Valuation

    d = ctx.d
    _exec("DROP TABLE IF EXISTS cob_cov")
    _exec("DROP TABLE IF EXISTS cob_pa")
    _exec("DROP TABLE IF EXISTS cob_lv")
    # Two indexed temporary tables (pledged assets of active loans; latest valuation per asset) rather than CTEs:
    # SQLite joins unindexed CTEs by nested loops (100,000 loans took minutes), PostgreSQL is indifferent.
    _exec(f"CREATE TEMP TABLE cob_pa AS SELECT l.id AS loan_id, pa.asset_id FROM {LOAN} l "
          f"JOIN {_t(PledgeRegistration)} r ON r.contract_id = l.contract_id AND r.status IN {_in(_ENCUMBERING)} "
          f"JOIN {_t(PledgedAsset)} pa ON pa.registration_id = r.id WHERE l.status = 'active'")
    _exec("CREATE INDEX cob_pa_asset ON cob_pa (asset_id)")
    _exec(f"CREATE TEMP TABLE cob_lv AS SELECT asset_id, value_fen, as_of FROM (SELECT v.asset_id, v.value_fen, "
          f"v.as_of, ROW_NUMBER() OVER (PARTITION BY v.asset_id ORDER BY v.as_of DESC, v.id DESC) AS rn "
          f"FROM {_t(Valuation)} v WHERE v.as_of <= {d} AND v.asset_id IN (SELECT asset_id FROM cob_pa)) ranked "
          f"WHERE rn = 1")
    _exec("CREATE INDEX cob_lv_asset ON cob_lv (asset_id)")
    _exec("CREATE TEMP TABLE cob_cov AS SELECT pa.loan_id, CAST(SUM(COALESCE(lv.value_fen, 0)) AS BIGINT) AS "
          "value_fen, MAX(lv.as_of) AS valued_on FROM cob_pa pa LEFT JOIN cob_lv lv ON lv.asset_id = pa.asset_id "
          "GROUP BY pa.loan_id")
    _exec("CREATE INDEX cob_cov_loan ON cob_cov (loan_id)")
    if _pg():
        _exec("ANALYZE cob_cov")
    max4 = "CAST(ROUND(l.max_loan_to_value * 10000) AS BIGINT)"
    shortfall = (f"(CASE WHEN l.outstanding_principal_fen * 10000 > c.value_fen * {max4} THEN "
                 f"(l.outstanding_principal_fen * 10000 - c.value_fen * {max4} + 5000) / 10000 ELSE 0 END)")
    ltv4 = (f"{_least('(l.outstanding_principal_fen * 20000 + c.value_fen) / (2 * c.value_fen)', '999999999')}")
    ltv = (f"(CASE WHEN c.value_fen > 0 THEN CAST({ltv4} AS numeric) / 10000 ELSE NULL END)" if _pg() else
           f"(CASE WHEN c.value_fen > 0 THEN CAST({ltv4} AS REAL) / 10000.0 ELSE NULL END)")
    updated = _exec(
        f"UPDATE {LOAN} AS l SET collateral_value_fen = c.value_fen, collateral_valued_on = c.valued_on, "
        f"loan_to_value = {ltv}, coverage_shortfall_fen = {shortfall} FROM cob_cov c WHERE l.id = c.loan_id AND ("
        f"{_distinct('l.collateral_value_fen', 'c.value_fen')} OR {_distinct('l.collateral_valued_on', 'c.valued_on')} "
        f"OR {_distinct('l.loan_to_value', ltv)} OR l.coverage_shortfall_fen <> {shortfall})")
    for table in ("cob_cov", "cob_pa", "cob_lv"):
        _exec(f"DROP TABLE IF EXISTS {table}")
    detail = {"shortfall_fen": "l.coverage_shortfall_fen", "collateral_value_fen": "l.collateral_value_fen",
              "outstanding_principal_fen": "l.outstanding_principal_fen", "valued_on": "l.collateral_valued_on"}
    raised = _raise_loan_warnings(ctx, WarningKind.COVERAGE_BREACH, "l.coverage_shortfall_fen > 0", detail)
    refreshed = _exec(
        f"UPDATE {WARN} SET detail = (SELECT {_json(detail)} FROM {LOAN} l WHERE l.id = {WARN}.loan_id) "
        f"WHERE kind = 'coverage_breach' AND status <> 'closed' AND EXISTS (SELECT 1 FROM {LOAN} l "
        f"WHERE l.id = {WARN}.loan_id AND l.coverage_shortfall_fen > 0 "
        f"AND l.coverage_shortfall_fen <> {_json_int(WARN + '.detail', 'shortfall_fen')})")
    closed = _close_loan_warnings(ctx, WarningKind.COVERAGE_BREACH, "l.coverage_shortfall_fen > 0")
    ctx.detail.update(loans=updated, warnings_raised=raised, warnings_updated=refreshed, warnings_closed=closed)
    return updated + raised + refreshed + closed


def _raise_loan_warnings(ctx: StepContext, kind: str, condition: str, detail: dict[str, str],
                         extra_where: str = "") -> int:
    """Open a loan-level warning of ``kind`` for each active loan ``l`` meeting ``condition`` that has none open."""
    rules = watch_rules()
    return _exec(
        f"INSERT INTO {WARN} (loan_id, asset_id, kind, severity, raised_on, clause, detail, status, "
        f"acknowledged_at, acknowledged_by_id, closed_on, closed_by_id, close_reason) "
        f"SELECT l.id, NULL, {_str(kind)}, {_str(rules.severity[kind])}, {ctx.d}, {_str(rules.clause[kind])}, "
        f"{_json(detail)}, 'open', NULL, NULL, NULL, NULL, '' FROM {LOAN} l "
        f"WHERE l.status = 'active' AND {condition} {extra_where} AND NOT EXISTS (SELECT 1 FROM {WARN} w "
        f"WHERE w.loan_id = l.id AND w.kind = {_str(kind)} AND w.asset_id IS NULL AND w.status <> 'closed')")


def _close_loan_warnings(ctx: StepContext, kind: str, condition: str) -> int:
    return _exec(
        f"UPDATE {WARN} SET status = 'closed', closed_on = {ctx.d}, close_reason = {_str(AUTO_CLOSE_REASON)} "
        f"WHERE kind = {_str(kind)} AND asset_id IS NULL AND status <> 'closed' AND loan_id IN "
        f"(SELECT l.id FROM {LOAN} l WHERE l.status <> 'active' OR NOT ({condition}))")


def _first_day_where(start: date, predicate: Callable[[date], bool]) -> date:
    """The first day from ``start`` on which a monotone ``predicate`` holds (a few steps at month ends)."""
    day = start
    while not predicate(day):
        day += timedelta(days=1)
    return day


@dataclass(frozen=True)
class Watch:
    kind: str
    condition: str  # SQL over l (loan), r (registration), a (asset), p (patent), t (trademark)
    detail: dict[str, str]
    event_kinds: tuple[str, ...] = ()  # event warnings: raised once per legal-status event of these kinds


def legal_watches(business_date: date) -> list[Watch]:
    """The legal-status watch list on ``business_date``; every window comes from the watch rules or the law's
    data (annual-fee grace months, trademark renewal months), turned into date bounds here in Python."""
    rules = watch_rules()
    # A fee for the patent year after ``fee_paid_through`` falls due the day after it.
    due_from = business_date - timedelta(days=1)  # paid_through ≥ this: due on or after D
    due_to = business_date + timedelta(days=rules.annual_fee_notice_days - 1)  # … and within the notice window
    # Grace: due < D ≤ add_months(due, grace); the earliest due whose grace still covers D.
    earliest_due_in_grace = _first_day_where(add_months(business_date, -rules.fee_grace_months) - timedelta(days=3),
                                             lambda due: add_months(due, rules.fee_grace_months) >= business_date)
    grace_floor = _lit(earliest_due_in_grace - timedelta(days=1))
    # Trademark renewal window opens the day after add_months(expiry, −12): open on D ⇔ expiry ≤ the last such day.
    last_expiry_open = _first_day_where(
        add_months(business_date, TRADEMARK_RENEWAL_MONTHS_BEFORE) - timedelta(days=3),
        lambda e: add_months(e + timedelta(days=1), -TRADEMARK_RENEWAL_MONTHS_BEFORE) + timedelta(days=1)
        > business_date)
    patent_in_force = "a.kind = 'patent' AND a.status = 'in_force' AND p.fee_paid_through IS NOT NULL"
    base = {"asset_number": "a.number"}
    return [
        Watch(WarningKind.ANNUAL_FEE_DUE, f"{patent_in_force} AND p.fee_paid_through BETWEEN {_lit(due_from)} "
              f"AND {_lit(due_to)}", base | {"fee_paid_through": "p.fee_paid_through"}),
        Watch(WarningKind.FEE_GRACE, f"{patent_in_force} AND p.fee_paid_through < {_lit(due_from)} "
              f"AND p.fee_paid_through >= {grace_floor}", base | {"fee_paid_through": "p.fee_paid_through"}),
        Watch(WarningKind.LAPSED, f"(a.status = 'lapsed' OR ({patent_in_force} AND p.fee_paid_through < "
              f"{grace_floor}))", base | {"status": "a.status", "fee_paid_through": "p.fee_paid_through"}),
        Watch(WarningKind.INVALIDATION_REQUESTED, "a.invalidation_pending = TRUE", base),
        Watch(WarningKind.INVALIDATED, "", base,
              event_kinds=("invalidation_invalidated", "invalidation_partial")),
        Watch(WarningKind.FROZEN, "a.frozen = TRUE", base),
        Watch(WarningKind.TRANSFER_ATTEMPT, "", base, event_kinds=("transfer",)),
        Watch(WarningKind.TRADEMARK_RENEWAL, f"a.kind = 'trademark' AND a.status IN ('in_force', 'expired') "
              f"AND a.expiry_date IS NOT NULL AND a.expiry_date <= {_lit(last_expiry_open)}",
              base | {"expiry_date": "a.expiry_date"}),
        Watch(WarningKind.TERM_BEFORE_MATURITY, "a.expiry_date IS NOT NULL AND a.expiry_date < l.maturity_on",
              base | {"expiry_date": "a.expiry_date", "maturity_on": "l.maturity_on"}),
    ]


def step_legal_watch(ctx: StepContext) -> int:
    from ipfin.pledges.models import PledgedAsset, PledgeRegistration
    from ipfin.registry.models import IpAsset, LegalStatusEvent, Patent, Trademark

    rules = watch_rules()
    d = ctx.d
    joined = (f"FROM {LOAN} l JOIN {_t(PledgeRegistration)} r ON r.contract_id = l.contract_id "
              f"AND r.status IN {_in(_ENCUMBERING)} JOIN {_t(PledgedAsset)} pa ON pa.registration_id = r.id "
              f"JOIN {_t(IpAsset)} a ON a.id = pa.asset_id LEFT JOIN {_t(Patent)} p ON p.asset_id = a.id "
              f"LEFT JOIN {_t(Trademark)} t ON t.asset_id = a.id WHERE l.status = 'active'")
    no_open = (f"NOT EXISTS (SELECT 1 FROM {WARN} w WHERE w.loan_id = l.id AND w.asset_id = a.id "
               f"AND w.kind = %s AND w.status <> 'closed')")
    insert = (f"INSERT INTO {WARN} (loan_id, asset_id, kind, severity, raised_on, clause, detail, status, "
              f"acknowledged_at, acknowledged_by_id, closed_on, closed_by_id, close_reason) ")
    raised = closed = 0
    per_kind: dict[str, int] = {}
    for watch in legal_watches(ctx.business_date):
        kind = str(watch.kind)
        head = (f"SELECT l.id, a.id, {_str(kind)}, {_str(rules.severity[kind])}, {d}, {_str(rules.clause[kind])}, "
                f"{{detail}}, 'open', NULL, NULL, NULL, NULL, '' ")
        if watch.event_kinds:
            latest = (f"(SELECT MAX(e.effective_date) FROM {_t(LegalStatusEvent)} e WHERE e.asset_id = a.id "
                      f"AND e.kind IN {_in(watch.event_kinds)} AND e.effective_date <= {d} "
                      f"AND e.effective_date >= COALESCE(r.registered_on, r.term_start))")
            detail = _json(watch.detail | {"event_on": latest})
            count = _exec(
                insert + head.format(detail=detail) + joined + f" AND {latest} IS NOT NULL AND {no_open} "
                f"AND NOT EXISTS (SELECT 1 FROM {WARN} w WHERE w.loan_id = l.id AND w.asset_id = a.id "
                f"AND w.kind = %s AND w.raised_on >= {latest})", [kind, kind])
            # Event warnings are closed by users; COB closes them only when the pledge or the loan ends.
            condition = "1 = 1"
        else:
            count = _exec(insert + head.format(detail=_json(watch.detail)) + joined +
                          f" AND {watch.condition} AND {no_open}", [kind])
            condition = watch.condition
        per_kind[kind] = count
        raised += count
        closed += _exec(
            f"UPDATE {WARN} SET status = 'closed', closed_on = {d}, close_reason = {_str(AUTO_CLOSE_REASON)} "
            f"WHERE id IN (SELECT w.id FROM {WARN} w LEFT JOIN (SELECT l.id AS loan_id, a.id AS asset_id {joined} "
            f"AND {condition}) ok ON ok.loan_id = w.loan_id AND ok.asset_id = w.asset_id WHERE w.kind = %s "
            f"AND w.asset_id IS NOT NULL AND w.status <> 'closed' AND ok.loan_id IS NULL)", [kind])
    ctx.detail.update(raised=per_kind, warnings_closed=closed)
    return raised + closed


def bank_ratio_notices(business_date: date) -> int:
    """BT-13 in close of business: every open fund's cooperating banks evaluated on D (two aggregate queries per
    fund: loans issued and compensation paid, per bank), a warning or suspension notice issued once per upward
    crossing. Idempotent: a second run of D finds every band already stored and issues nothing. Returns the
    number of notices issued."""
    from ipfin.core.actions import lock
    from ipfin.fund.claims import evaluate_banks
    from ipfin.fund.models import Fund

    issued = 0
    for fund_id in Fund.objects.filter(status="open").order_by("pk").values_list("pk", flat=True):
        with transaction.atomic():
            fund = lock(Fund, fund_id)
            issued += len(evaluate_banks(fund, business_date))
    return issued


RECOVERY_OVERDUE_VERB = "cob.recovery_share_overdue"


def overdue_recovery_share_alerts(business_date: date) -> int:
    """BT-16 in close of business: one notification to the bank and to the fund's manager for each recovery
    share still unpaid after its due date (due before D, as ``ipfin.fund.selectors.overdue_recovery_shares``) —
    once: a share already warned (same verb and link) is skipped. One query for the shares, one for the warned,
    one for the recipients; rows are written in the step's transaction. Returns the number of shares warned."""
    from django.urls import reverse
    from django.utils import translation

    from ipfin.accounts.models import User
    from ipfin.fund.models import RecoveryShare
    from ipfin.notifications.models import Notification

    shares = (RecoveryShare.objects.filter(received_on__isnull=True, share_fen__gt=0, due_on__lt=business_date)
              .order_by("due_on", "pk")
              .values_list("pk", "claim_id", "claim__number", "claim__bank_id", "claim__fund__manager_id",
                           "share_fen", "due_on"))
    items: list[tuple[str, str, list[int]]] = []  # url, title, organisation ids
    with translation.override("zh-hans"):
        for pk, claim_id, number, bank_id, manager_id, share_fen, due_on in shares:
            items.append((f"{reverse('fund:claim', args=[claim_id])}#recovery-share-{pk}",
                          str(_("Recovery share of {share} fen on claim {number} is overdue (due {due})")).format(
                              share=share_fen, number=number, due=str(due_on)), [bank_id, manager_id]))
    if not items:
        return 0
    done = set(Notification.objects.filter(verb=RECOVERY_OVERDUE_VERB, url__in=[i[0] for i in items])
               .values_list("url", flat=True))
    fresh = [i for i in items if i[0] not in done]
    users: dict[int, list[int]] = {}
    for user_id, org_id in User.objects.filter(organisation_id__in={o for i in fresh for o in i[2]}, is_active=True) \
            .order_by("pk").values_list("pk", "organisation_id"):
        users.setdefault(org_id, []).append(user_id)
    Notification.objects.bulk_create(
        Notification(recipient_id=uid, verb=RECOVERY_OVERDUE_VERB, title=title[:200], url=url)
        for url, title, orgs in fresh for org in dict.fromkeys(orgs) for uid in users.get(org, []))
    return len(fresh)


def step_fund_triggers(ctx: StepContext) -> int:
    """Loans covered by a fund and at least the fund profile's ``claim_min_days_past_due`` days past due
    (BT-15) get a ``claim_eligible`` warning, closed when the loan is cured; a fund whose profile is not in force
    on D or sets no threshold is reported under ``no_threshold`` (never a guessed number). Bank ratio notices
    (BT-13) are evaluated, and each recovery share overdue on D is warned once to the bank and the fund's
    manager (BT-16)."""
    from ipfin.fund.models import Fund
    from ipfin.policy.policyset import policy_set

    raised = closed = 0
    skipped: list[str] = []
    thresholds: dict[str, Any] = {}
    for fund in Fund.objects.order_by("pk").only("pk", "code", "profile_name"):
        found = policy_set([fund.profile_name], ctx.business_date).find("claim_min_days_past_due")
        if found is None:
            skipped.append(fund.code)
            # No rule in force on D: nothing of this fund is eligible by rule.
            closed += _exec(
                f"UPDATE {WARN} SET status = 'closed', closed_on = {ctx.d}, close_reason = "
                f"{_str(AUTO_CLOSE_REASON)} WHERE kind = 'claim_eligible' AND status <> 'closed' AND loan_id IN "
                f"(SELECT id FROM {LOAN} WHERE fund_id = {int(fund.pk)})")
            continue
        threshold = int(found.value)
        thresholds[fund.code] = {"days": threshold, "clause": found.clause, "profile": found.profile}
        detail = {"days_past_due": "l.days_past_due", "oldest_unpaid_due_on": "l.oldest_unpaid_due_on",
                  "threshold_days": str(threshold), "clause": _str(found.clause)}
        raised += _raise_loan_warnings(ctx, WarningKind.CLAIM_ELIGIBLE,
                                       f"l.fund_id = {int(fund.pk)} AND l.days_past_due >= {threshold}", detail)
        closed += _exec(
            f"UPDATE {WARN} SET status = 'closed', closed_on = {ctx.d}, close_reason = {_str(AUTO_CLOSE_REASON)} "
            f"WHERE kind = 'claim_eligible' AND status <> 'closed' AND loan_id IN (SELECT id FROM {LOAN} l "
            f"WHERE l.fund_id = {int(fund.pk)} AND (l.status <> 'active' OR l.days_past_due < {threshold}))")
    closed += _exec(
        f"UPDATE {WARN} SET status = 'closed', closed_on = {ctx.d}, close_reason = {_str(AUTO_CLOSE_REASON)} "
        f"WHERE kind = 'claim_eligible' AND status <> 'closed' AND loan_id IN (SELECT id FROM {LOAN} "
        f"WHERE fund_id IS NULL OR status <> 'active')")
    bank_notices = bank_ratio_notices(ctx.business_date)
    recovery_alerts = overdue_recovery_share_alerts(ctx.business_date)
    ctx.detail.update(thresholds=thresholds, no_threshold=skipped, warnings_raised=raised, warnings_closed=closed,
                      bank_notices=bank_notices, recovery_shares_overdue=recovery_alerts)
    return raised + closed + bank_notices + recovery_alerts


SLA_APPLICATION_VERB = "cob.application_decision_overdue"
SLA_PLEDGE_VERB = "cob.pledge_registration_overdue"


def step_sla_alerts(ctx: StepContext) -> int:
    """One notification per application (decision clock, PZA-2.2.1b) and per pledge registration (registration
    clock, PZA-2.2.1a / XT-14) whose due date has passed and whose clock still runs — once: an item already
    notified (same verb and link) is skipped. Rows are written in the step's transaction so a crash cannot lose
    or double them."""
    from django.urls import reverse
    from django.utils import translation

    from ipfin.accounts.models import User
    from ipfin.notifications.models import Notification
    from ipfin.origination.choices import DECISION_CLOCK_STATES
    from ipfin.origination.models import Application
    from ipfin.pledges.models import PledgeRegistration

    day = ctx.business_date
    items: list[tuple[str, str, str, list[int]]] = []  # verb, url, title, organisation ids
    with translation.override("zh-hans"):
        for app in Application.objects.filter(status__in=DECISION_CLOCK_STATES, decision_due_on__lt=day) \
                .only("pk", "number", "bank_id", "decision_due_on").order_by("pk"):
            items.append((SLA_APPLICATION_VERB, reverse("origination:application", args=[app.pk]),
                          str(_("Decision on application {number} is overdue (due {due})")).format(
                              number=app.number, due=app.decision_due_on.isoformat()), [app.bank_id]))
        for reg in PledgeRegistration.objects.filter(status="filed", due_on__lt=day) \
                .only("pk", "filing_number", "registry_office_id", "pledgee_id", "due_on").order_by("pk"):
            items.append((SLA_PLEDGE_VERB, reverse("pledges:detail", args=[reg.pk]),
                          str(_("Pledge registration {number} is overdue (due {due})")).format(
                              number=reg.filing_number, due=reg.due_on.isoformat()),
                          [reg.registry_office_id, reg.pledgee_id]))
    if not items:
        ctx.detail.update(items=0, notifications=0)
        return 0
    done = set(Notification.objects.filter(verb__in=[SLA_APPLICATION_VERB, SLA_PLEDGE_VERB],
                                           url__in=[i[1] for i in items]).values_list("verb", "url"))
    fresh = [i for i in items if (i[0], i[1]) not in done]
    org_ids = {o for i in fresh for o in i[3] if o is not None}
    users: dict[int, list[int]] = {}
    for user_id, org_id in User.objects.filter(organisation_id__in=org_ids, is_active=True) \
            .order_by("pk").values_list("pk", "organisation_id"):
        users.setdefault(org_id, []).append(user_id)
    rows = [Notification(recipient_id=uid, verb=verb, title=title[:200], url=url)
            for verb, url, title, orgs in fresh for org in orgs for uid in users.get(org, [])]
    Notification.objects.bulk_create(rows)
    ctx.detail.update(items=len(fresh), notifications=len(rows))
    return len(rows)


STEPS: dict[str, Callable[[StepContext], int]] = {
    "accrue": step_accrue,
    "overdue": step_overdue,
    "classify": step_classify,
    "coverage": step_coverage,
    "legal_watch": step_legal_watch,
    "fund_triggers": step_fund_triggers,
    "sla_alerts": step_sla_alerts,
}
assert tuple(STEPS) == COB_STEPS


# ---------------------------------------------------------------------------------------------------------
# Runs


@dataclass
class CobResult:
    business_date: date
    attempt: int
    status: str
    resumed_at: str | None
    steps: dict[str, dict[str, Any]]
    loans: int

    @property
    def seconds(self) -> float:
        return round(sum(float(s.get("seconds", 0)) for s in self.steps.values() if not s.get("resumed")), 3)

    def as_dict(self) -> dict[str, Any]:
        seconds = self.seconds
        return {
            "business_date": self.business_date.isoformat(), "attempt": self.attempt, "status": self.status,
            "resumed_at": self.resumed_at,
            "steps": [{"step": name} | data for name, data in self.steps.items()],
            "totals": {"count": sum(int(s.get("count", 0)) for s in self.steps.values()), "seconds": seconds},
            "loans": self.loans,
            "loans_per_second": round(self.loans / seconds, 1) if seconds > 0 else None,
        }


def _last_completed() -> date | None:
    return CobRun.objects.filter(status=CobStatus.COMPLETED).order_by("-business_date") \
        .values_list("business_date", flat=True).first()


def check_date(business_date: date) -> None:
    """Refuse a date before the last completed run or after a gap (see the module docstring)."""
    last = _last_completed()
    if last is not None and business_date < last:
        raise CobDateRefused(f"business date {business_date.isoformat()} is before the last completed "
                                    f"close of business ({last.isoformat()}); runs go forward in date order")
    if last is not None and business_date > last + timedelta(days=1):
        gap_from = last + timedelta(days=1)
        raise CobDateRefused(f"close of business was last completed for {last.isoformat()}; run the missing "
                                    f"days first: ipfin cob --from {gap_from.isoformat()} --to "
                                    f"{business_date.isoformat()}")
    pending = CobRun.objects.exclude(status=CobStatus.COMPLETED).exclude(business_date=business_date) \
        .filter(business_date__gt=last or date.min).order_by("business_date") \
        .values_list("business_date", flat=True).first()
    if pending is not None:
        raise CobDateRefused(f"the close of business of {pending.isoformat()} is incomplete; "
                                    f"run ipfin cob --business-date {pending.isoformat()} first")


@dataclass
class _Lock:
    held: bool = False

    def __enter__(self) -> _Lock:
        if _pg():
            self.held = bool(_scalar("SELECT pg_try_advisory_lock(%s)", [COB_LOCK_KEY]))
            if not self.held:
                raise CobAlreadyRunning()
        return self

    def __exit__(self, *exc: Any) -> None:
        if self.held:
            _scalar("SELECT pg_advisory_unlock(%s)", [COB_LOCK_KEY])


COB_LOCK_KEY = 0x1F1C0B  # PostgreSQL advisory lock id: one COB at a time per database


def run_cob(business_date: date, *, on_step: Callable[[str, dict[str, Any]], None] | None = None) -> CobResult:
    """Run (or resume, or rerun) close of business for ``business_date``."""
    _prepare_connection()
    with _Lock():
        check_date(business_date)
        previous = CobRun.objects.filter(business_date=business_date).order_by("-attempt").first()
        done: dict[str, dict[str, Any]] = {}
        if previous is not None and previous.status != CobStatus.COMPLETED:
            done = {k: v for k, v in previous.steps.items() if k in STEPS}
            if previous.status == CobStatus.RUNNING:
                CobRun.objects.filter(pk=previous.pk).update(status=CobStatus.FAILED,
                                                             error=previous.error or "interrupted")
        run = CobRun.objects.create(business_date=business_date,
                                    attempt=(previous.attempt + 1) if previous else 1,
                                    steps={k: v | {"resumed": True} for k, v in done.items()})
        resumed_at = next((s for s in COB_STEPS if s not in done), None) if done else None
        _refresh_statistics()
        steps: dict[str, dict[str, Any]] = dict(run.steps)
        crash_after = os.environ.get(CRASH_ENV, "")
        try:
            for name in COB_STEPS:
                if name in done:
                    continue
                ctx = StepContext(business_date)
                started = time.perf_counter()
                _refresh_statistics(WARN)  # the step before may have added thousands of warnings
                with transaction.atomic():
                    count = STEPS[name](ctx)
                    steps[name] = {"count": count, "seconds": round(time.perf_counter() - started, 3),
                                   "detail": ctx.detail}
                    CobRun.objects.filter(pk=run.pk).update(steps=steps)
                if on_step is not None:
                    on_step(name, steps[name])
                if crash_after == name:
                    os._exit(137)  # test hook (see the module docstring)
        except Exception as exc:
            CobRun.objects.filter(pk=run.pk).update(status=CobStatus.FAILED, error=f"{type(exc).__name__}: {exc}",
                                                    finished_at=timezone.now())
            raise
        CobRun.objects.filter(pk=run.pk).update(status=CobStatus.COMPLETED, finished_at=timezone.now())
    loans = int(steps.get("accrue", {}).get("count", 0))
    return CobResult(business_date, run.attempt, CobStatus.COMPLETED, resumed_at, steps, loans)


def business_dates(first: date, last: date) -> Iterator[date]:
    if last < first:
        raise CobDateRefused(f"--to {last.isoformat()} is before --from {first.isoformat()}")
    day = first
    while day <= last:
        yield day
        day += timedelta(days=1)


def run_cob_range(first: date, last: date, *, on_step: Callable[[str, dict[str, Any]], None] | None = None
                  ) -> list[CobResult]:
    """Each calendar day from ``first`` to ``last`` in order; the first must follow the last completed run
    (or be it, or be the first ever)."""
    days = list(business_dates(first, last))
    check_date(first)
    return [run_cob(day, on_step=on_step) for day in days]

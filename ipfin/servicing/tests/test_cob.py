"""Close of business (issue 6): days past due and class at the NFRA boundaries, penalty interest equal to the
domain function, month ends and leap years, coverage breach with its shortfall, each legal-status watch, fund
claim trigger (BT-15), SLA alerts once, idempotence and date order. Real database, real origination flow."""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.db.models import F

from ipfin.domain.classification import classify, floor_rule_for
from ipfin.domain.errors import IpfinError
from ipfin.domain.money import round_fen
from ipfin.domain.repayment import penalty_interest
from ipfin.fund.models import Fund
from ipfin.notifications.models import Notification
from ipfin.registry.models import LegalStatusEvent
from ipfin.servicing import cob
from ipfin.servicing.cob import run_cob, run_cob_range
from ipfin.servicing.models import CobRun, Installment, Loan, RiskClassChange, RiskWarning
from ipfin.servicing.tests.factories import Disbursed, make_disbursed_loan
from ipfin.valuation.choices import ValuationSource, ValuationTrigger
from ipfin.valuation.models import Valuation

pytestmark = pytest.mark.django_db


def _first_due(d: Disbursed) -> date:
    return d.schedule()[0].due_on


def _open(loan: Loan, kind: str) -> list[RiskWarning]:
    return list(RiskWarning.objects.filter(loan=loan, kind=kind).exclude(status="closed"))


# ---------------------------------------------------------------------------------------------------------
# Days past due, class, penalty


@pytest.mark.parametrize(("days", "expected"), [
    (0, "normal"), (1, "special_mention"), (90, "special_mention"), (91, "substandard"), (270, "substandard"),
    (271, "doubtful"), (360, "doubtful"), (361, "loss"),
])
def test_days_past_due_and_class_at_the_nfra_boundaries(days: int, expected: str) -> None:
    d = make_disbursed_loan()
    first = _first_due(d)
    on = first + timedelta(days=days)
    run_cob(on)
    loan = d.reload()
    assert loan.days_past_due == days
    assert loan.risk_class == expected == classify(days).value
    overdue = [i for i in d.schedule() if i.due_on < on]
    assert {i.status for i in overdue} <= {"overdue"}
    assert loan.oldest_unpaid_due_on == (first if days else None)
    assert loan.overdue_principal_fen == sum(i.principal_fen for i in overdue)
    assert loan.overdue_interest_fen == sum(i.interest_fen for i in overdue)
    # First run: penalty from the oldest unpaid due date on the overdue principal, the domain's rounding.
    assert loan.penalty_fen == penalty_interest(loan.overdue_principal_fen, loan.annual_rate,
                                                loan.penalty_rate_uplift, days, loan.day_count)
    changes = list(RiskClassChange.objects.filter(loan=loan))
    if expected == "normal":
        assert changes == []
        assert [i.status for i in d.schedule() if i.due_on == on] == (["due"] if days == 0 else [])
    else:
        (change,) = changes
        rule = floor_rule_for(days)
        assert rule is not None
        assert (change.from_class, change.to_class, change.source, change.article, change.days_past_due,
                change.rules_version) == ("normal", expected, "cob", rule.article, days, "nfra-2023")
        assert len(_open(loan, "overdue")) == 1


def test_penalty_sql_equals_the_domain_function_half_up() -> None:
    """The SQL expression of the overdue step against ``penalty_interest`` on random and half-fen cases."""
    rng = random.Random(6)
    cases: list[tuple[int, str, str, int, str]] = [
        (1, "3.6000", "0.5000", 1, "act360"), (7200, "5.0000", "0.0000", 1, "act360"),  # exactly 1.0
        (3600, "5.0000", "0.0000", 1, "act360"),  # 0.5 fen → 1
        (10_000_000_000, "24.0000", "0.5000", 400, "act365"),  # large: no overflow
    ]
    for _ in range(300):
        cases.append((rng.randint(0, 5_000_000_000), f"{rng.randint(100, 150_000) / 10_000:.4f}",
                      f"{rng.choice([0, 3000, 5000, 4999, 10_000]) / 10_000:.4f}", rng.randint(0, 800),
                      rng.choice(["act360", "act365", "30_360"])))
    cob._prepare_connection()
    numeric = "numeric" if connection.vendor == "postgresql" else "REAL"
    rows = " UNION ALL ".join(
        f"SELECT {i} AS n, {p} AS p, CAST('{r}' AS {numeric}) AS annual_rate, CAST('{u}' AS {numeric}) AS "
        f"penalty_rate_uplift, {days} AS days, '{dc}' AS day_count" for i, (p, r, u, days, dc) in enumerate(cases))
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT n, {cob._penalty_sql('x.p', 'x.days', loan='x')} FROM ({rows}) x ORDER BY n")
        got = [row[1] for row in cursor.fetchall()]
    expected = [penalty_interest(p, Decimal(r), Decimal(u), days, dc) for p, r, u, days, dc in cases]
    assert got == expected
    assert expected[2] == 1 and expected[1] == 1


def test_penalty_accrues_day_by_day_over_a_range_and_a_rerun_adds_nothing() -> None:
    d = make_disbursed_loan()
    first = _first_due(d)
    run_cob(first + timedelta(days=5))
    loan = d.reload()
    p, rate, uplift = loan.overdue_principal_fen, loan.annual_rate, loan.penalty_rate_uplift
    expected = penalty_interest(p, rate, uplift, 5)
    assert loan.penalty_fen == expected
    results = run_cob_range(first + timedelta(days=6), first + timedelta(days=8))
    assert [r.business_date for r in results] == [first + timedelta(days=n) for n in (6, 7, 8)]
    loan = d.reload()
    assert loan.penalty_fen == expected + 3 * penalty_interest(p, rate, uplift, 1)
    assert loan.penalty_accrued_through == first + timedelta(days=8)
    again = run_cob(first + timedelta(days=8))
    assert again.attempt == 2
    assert d.reload().penalty_fen == loan.penalty_fen
    assert all(s["count"] == 0 for name, s in again.steps.items() if name != "accrue")


def test_month_end_and_leap_year_due_dates() -> None:
    """Disbursed 31 Jan 2024: the first installment falls due on 29 Feb 2024 (leap year), the next on 31 Mar."""
    d = make_disbursed_loan(today=date(2024, 1, 31))
    dues = [i.due_on for i in d.schedule()[:3]]
    assert dues == [date(2024, 2, 29), date(2024, 3, 31), date(2024, 4, 30)]
    run_cob(date(2024, 2, 29))
    assert d.reload().days_past_due == 0
    assert d.schedule()[0].status == "due"
    run_cob(date(2024, 3, 1))
    loan = d.reload()
    assert (loan.days_past_due, loan.risk_class, loan.oldest_unpaid_due_on) == (1, "special_mention",
                                                                                 date(2024, 2, 29))
    run_cob_range(date(2024, 3, 2), date(2024, 4, 1))
    loan = d.reload()
    assert loan.days_past_due == 32  # from 29 Feb, not from the later 31 Mar installment
    assert loan.overdue_principal_fen == sum(i.principal_fen for i in d.schedule()[:2])


def test_borrower_contagion_npl_share_above_ten_percent() -> None:
    """第七条第二款: when more than 10 % of the borrower's outstanding at the bank is non-performing, every loan
    of the borrower at that bank is at least substandard (source contagion)."""
    d1 = make_disbursed_loan()
    d2 = make_disbursed_loan(d1.setup, with_pledge=False, amount_fen=100_000_000)
    first = _first_due(d1)
    # Only the first loan is overdue (the second's installments are paid).
    Installment.objects.filter(loan=d2.loan).update(principal_paid_fen=F("principal_fen"),
                                                    interest_paid_fen=F("interest_fen"), status="paid")
    run_cob(first + timedelta(days=91))
    assert d1.reload().risk_class == "substandard"
    second = d2.reload()
    assert (second.days_past_due, second.risk_class) == (0, "substandard")
    change = RiskClassChange.objects.get(loan=second)
    assert (change.source, change.article) == ("contagion", "第七条第二款")


# ---------------------------------------------------------------------------------------------------------
# Coverage


def _revalue(d: Disbursed, values: list[int], as_of: date) -> None:
    for asset, value in zip(d.setup.assets, values, strict=True):
        Valuation.objects.create(asset=asset, source=ValuationSource.NEGOTIATED, trigger=ValuationTrigger.MANUAL,
                                 method="test", as_of=as_of, value_fen=value)


def test_coverage_breach_opens_with_the_half_up_shortfall_and_closes_when_it_ends() -> None:
    d = make_disbursed_loan()
    on = d.loan.disbursed_on + timedelta(days=3)
    run_cob(on)
    loan = d.reload()
    assert loan.collateral_value_fen == 1_000_000_000 and loan.loan_to_value == Decimal("0.3000")
    assert loan.coverage_shortfall_fen == 0 and _open(loan, "coverage_breach") == []

    _revalue(d, [200_000_000, 250_000_002], on + timedelta(days=1))
    run_cob(on + timedelta(days=1))
    loan = d.reload()
    value = 450_000_002
    max_ltv = loan.max_loan_to_value
    expected = round_fen(Decimal(loan.outstanding_principal_fen) - Decimal(value) * max_ltv)
    assert max_ltv == Decimal("0.6000")  # the product's maximum
    assert expected == 29_999_999  # 300,000,000 − 270,000,001.2 = 29,999,998.8, half up
    assert (loan.collateral_value_fen, loan.coverage_shortfall_fen) == (value, expected)
    assert loan.loan_to_value == Decimal("0.6667")
    (warning,) = _open(loan, "coverage_breach")
    assert warning.detail["shortfall_fen"] == expected and warning.severity == "critical"
    assert warning.clause == "PZP-3.4.2" and warning.asset_id is None

    _revalue(d, [210_000_000, 250_000_002], on + timedelta(days=2))
    run_cob(on + timedelta(days=2))
    warning.refresh_from_db()
    assert warning.status == "open" and warning.detail["shortfall_fen"] == 23_999_999  # 23,999,998.8

    _revalue(d, [500_000_000, 500_000_000], on + timedelta(days=3))
    run_cob(on + timedelta(days=3))
    warning.refresh_from_db()
    assert (warning.status, warning.closed_on) == ("closed", on + timedelta(days=3))
    assert d.reload().coverage_shortfall_fen == 0


# ---------------------------------------------------------------------------------------------------------
# Legal-status watch


def _patent(d: Disbursed, **changes: Any) -> None:
    asset = d.setup.assets[0]
    patent_fields = {k: v for k, v in changes.items() if k == "fee_paid_through"}
    asset_fields = {k: v for k, v in changes.items() if k not in patent_fields}
    if asset_fields:
        type(asset).objects.filter(pk=asset.pk).update(**asset_fields)
    if patent_fields:
        type(asset.patent).objects.filter(pk=asset.pk).update(**patent_fields)


def _event(d: Disbursed, kind: str, on: date) -> None:
    LegalStatusEvent.objects.create(asset=d.setup.assets[0], kind=kind, effective_date=on, reference=f"T-{kind}")


ON = date(2025, 11, 10)
WATCH_CASES: list[tuple[str, Any]] = [
    ("annual_fee_due", lambda d: _patent(d, fee_paid_through=ON + timedelta(days=29))),  # due on day 30
    ("fee_grace", lambda d: _patent(d, fee_paid_through=ON - timedelta(days=20))),
    ("lapsed", lambda d: _patent(d, status="lapsed")),
    ("lapsed", lambda d: _patent(d, fee_paid_through=ON - timedelta(days=200))),  # beyond the 6-month grace
    ("invalidation_requested", lambda d: _patent(d, invalidation_pending=True)),
    ("invalidated", lambda d: _event(d, "invalidation_partial", ON - timedelta(days=1))),
    ("frozen", lambda d: _patent(d, frozen=True)),
    ("transfer_attempt", lambda d: _event(d, "transfer", ON - timedelta(days=2))),
    ("trademark_renewal", lambda d: _patent(d, kind="trademark", expiry_date=date(2026, 11, 9))),
    ("term_before_maturity", lambda d: _patent(d, expiry_date=d.loan.maturity_on - timedelta(days=1))),
]


@pytest.mark.parametrize(("kind", "make"), WATCH_CASES, ids=[f"{k}-{i}" for i, (k, _) in enumerate(WATCH_CASES)])
def test_each_legal_watch_kind_raises_one_warning_on_the_pledged_asset(kind: str, make: Any) -> None:
    d = make_disbursed_loan()
    run_cob(ON - timedelta(days=1))
    assert RiskWarning.objects.filter(loan=d.loan).exclude(kind="overdue").count() == 0
    make(d)
    run_cob(ON)
    warnings = RiskWarning.objects.filter(loan=d.loan, kind=kind)
    assert warnings.count() == 1
    warning = warnings.get()
    assert warning.asset_id == d.setup.assets[0].pk and warning.status == "open" and warning.raised_on == ON
    rules = cob.watch_rules()
    assert (warning.severity, warning.clause) == (rules.severity[kind], rules.clause[kind])
    assert warning.detail["asset_number"] == d.setup.assets[0].number
    run_cob(ON + timedelta(days=1))  # still one: the unique open warning per (loan, kind, asset)
    assert RiskWarning.objects.filter(loan=d.loan, kind=kind).count() == 1


def test_window_edges_fee_notice_and_trademark_renewal() -> None:
    d = make_disbursed_loan()
    _patent(d, fee_paid_through=ON + timedelta(days=30))  # due on day 31: outside the 30-day window
    run_cob(ON)
    assert _open(d.loan, "annual_fee_due") == []
    _patent(d, kind="trademark", expiry_date=date(2026, 11, 11))  # window opens 2025-11-12
    run_cob(ON + timedelta(days=1))
    assert _open(d.loan, "trademark_renewal") == []
    run_cob(ON + timedelta(days=2))
    assert len(_open(d.loan, "trademark_renewal")) == 1


def test_state_warning_closes_when_the_condition_ends_and_event_warning_is_raised_once() -> None:
    d = make_disbursed_loan()
    _patent(d, frozen=True)
    _event(d, "transfer", ON - timedelta(days=1))
    run_cob(ON)
    assert len(_open(d.loan, "frozen")) == 1 and len(_open(d.loan, "transfer_attempt")) == 1
    _patent(d, frozen=False)
    RiskWarning.objects.filter(loan=d.loan, kind="transfer_attempt").update(status="closed", closed_on=ON)
    run_cob(ON + timedelta(days=1))
    frozen = RiskWarning.objects.get(loan=d.loan, kind="frozen")
    assert (frozen.status, frozen.closed_on, frozen.close_reason) == ("closed", ON + timedelta(days=1),
                                                                      cob.AUTO_CLOSE_REASON)
    assert RiskWarning.objects.filter(loan=d.loan, kind="transfer_attempt").count() == 1  # not raised again
    _event(d, "transfer", ON + timedelta(days=2))  # a new attempt: a new warning
    run_cob(ON + timedelta(days=2))
    assert RiskWarning.objects.filter(loan=d.loan, kind="transfer_attempt").count() == 2


# ---------------------------------------------------------------------------------------------------------
# Fund trigger and SLA alerts


def test_claim_eligible_at_the_fund_profile_threshold_bt15() -> None:
    d = make_disbursed_loan()
    fund = Fund.objects.create(code="bt-test", name="包头风险补偿资金", profile_name="baotou-2021",
                               region_code="150200", manager=d.setup.fund.manager, opened_on=date(2021, 1, 1))
    Loan.objects.filter(pk=d.loan.pk).update(fund=fund)
    # Move the schedule into the profile's (assumed) period of force, 2021–2022.
    shift = timedelta(days=3 * 365)
    Installment.objects.filter(loan=d.loan).update(due_on=F("due_on") - shift, accrual_start=F("accrual_start") - shift)
    first = _first_due(d)
    run_cob(first + timedelta(days=59))
    assert _open(d.loan, "claim_eligible") == []
    run_cob(first + timedelta(days=60))
    (warning,) = _open(d.loan, "claim_eligible")
    assert (warning.clause, warning.detail["threshold_days"], warning.detail["days_past_due"]) == ("BT-15", 60, 60)
    Installment.objects.filter(loan=d.loan).update(principal_paid_fen=F("principal_fen"),
                                                   interest_paid_fen=F("interest_fen"))
    run_cob(first + timedelta(days=61))
    warning.refresh_from_db()
    assert warning.status == "closed"
    assert cob.bank_ratio_notices(first) == 0  # issue 7's hook


def test_sla_alert_once_per_overdue_application() -> None:
    d = make_disbursed_loan()
    from ipfin.origination.models import Application

    app = Application.objects.get(contract__loan=d.loan)
    Application.objects.filter(pk=app.pk).update(status="under_review", decision_due_on=ON - timedelta(days=1))
    run_cob(ON)
    sent = Notification.objects.filter(verb=cob.SLA_APPLICATION_VERB)
    assert sent.count() >= 1
    assert {n.recipient.organisation_id for n in sent} == {d.loan.bank_id}
    count = sent.count()
    run_cob(ON + timedelta(days=1))
    assert Notification.objects.filter(verb=cob.SLA_APPLICATION_VERB).count() == count


# ---------------------------------------------------------------------------------------------------------
# Idempotence and date order


def snapshot() -> dict[str, list[tuple[Any, ...]]]:
    """Every servicing table (and notifications) without wall-clock timestamps."""
    from ipfin.servicing import models as m

    tables: dict[str, list[tuple[Any, ...]]] = {}
    for model in (m.Loan, m.Installment, m.Repayment, m.RepaymentAllocation, m.RiskClassChange, m.RiskWarning,
                  m.BankNplReport, Notification):
        names = [f.attname for f in model._meta.concrete_fields
                 if f.get_internal_type() != "DateTimeField"]
        tables[model.__name__] = list(model.objects.order_by("pk").values_list(*names))
    return tables


def test_rerunning_a_day_changes_nothing() -> None:
    d = make_disbursed_loan()
    first = _first_due(d)
    _patent(d, frozen=True)
    _revalue(d, [100_000_000, 100_000_000], first)
    on = first + timedelta(days=95)
    run_cob(on)
    before = snapshot()
    assert RiskWarning.objects.filter(loan=d.loan).count() >= 3
    again = run_cob(on)
    assert snapshot() == before
    assert again.attempt == 2 and all(s["count"] == 0 for n, s in again.steps.items() if n != "accrue")


def test_date_order_refuses_going_back_and_gaps() -> None:
    make_disbursed_loan()
    run_cob(ON)
    with pytest.raises(IpfinError, match="before the last completed"):
        run_cob(ON - timedelta(days=1))
    with pytest.raises(IpfinError, match="--from 2025-11-11 --to 2025-11-13"):
        run_cob(ON + timedelta(days=3))
    with pytest.raises(IpfinError, match="before --from"):
        run_cob_range(ON + timedelta(days=2), ON + timedelta(days=1))
    assert [r.business_date for r in run_cob_range(ON + timedelta(days=1), ON + timedelta(days=3))] == [
        ON + timedelta(days=1), ON + timedelta(days=2), ON + timedelta(days=3)]
    assert CobRun.objects.filter(status="completed").count() == 4

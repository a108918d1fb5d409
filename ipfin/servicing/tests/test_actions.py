"""Servicing actions against the database: schedule at disbursement, repayment allocation, prepayment, pay-off,
reversal, manual downgrade, warnings and the bank NPL entry. Loans come from the real origination flow."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from ipfin.accounts.actions import create_organisation
from ipfin.accounts.choices import OrganisationKind as K
from ipfin.accounts.choices import Role
from ipfin.accounts.models import AuditEvent
from ipfin.core.idempotency import IdempotencyKeyReused
from ipfin.domain.classification import ManualClassAboveFloor
from ipfin.domain.errors import IllegalTransition, InvalidInput, NotFound, PermissionDenied
from ipfin.domain.repayment import penalty_interest
from ipfin.origination.tests.factories import user
from ipfin.pledges.models import PledgeRegistration
from ipfin.servicing import actions, selectors
from ipfin.servicing.models import BankNplReport, Installment, Loan, Repayment, RiskClassChange, RiskWarning
from ipfin.servicing.tests.factories import Disbursed, make_disbursed_loan

pytestmark = pytest.mark.django_db

FIRST_DUE = date(2025, 10, 30)
SECOND_DUE = date(2025, 11, 30)
LOAN_FIELDS = actions.LOAN_STATE_FIELDS + ("risk_class", "manual_risk_class")


@pytest.fixture
def d() -> Disbursed:
    return make_disbursed_loan()


def officer(d: Disbursed) -> Any:
    return d.users["officer"]


def total(inst: Installment) -> int:
    return inst.principal_fen + inst.interest_fen


def snapshot(loan: Loan) -> dict[str, Any]:
    loan.refresh_from_db()
    rows = {i.pk: {f.name: getattr(i, f.name) for f in Installment._meta.fields}
            for i in Installment.objects.filter(loan=loan)}
    return {"loan": {name: getattr(loan, name) for name in LOAN_FIELDS}, "installments": rows}


def post(d: Disbursed, amount: int, on: date, **kw: Any) -> Repayment:
    return actions.post_repayment(officer(d), d.loan.pk, amount_fen=amount, received_on=on, **kw)


# ---------------------------------------------------------------------------------------------------------
# Schedule at disbursement


def test_disburse_opens_schedule_version_1(d: Disbursed) -> None:
    rows = d.schedule()
    assert len(rows) == 12 and {r.schedule_version for r in rows} == {1}
    assert sum(r.principal_fen for r in rows) == d.loan.principal_fen
    assert rows[0].accrual_start == d.loan.disbursed_on and rows[0].due_on == FIRST_DUE
    assert rows[-1].due_on == d.loan.maturity_on and rows[-1].balance_after_fen == 0
    assert all(r.status == "scheduled" for r in rows)


# ---------------------------------------------------------------------------------------------------------
# Regular repayments and allocation order


def test_installment_paid_on_its_due_date(d: Disbursed) -> None:
    first = d.schedule()[0]
    repayment = post(d, total(first), FIRST_DUE)
    first.refresh_from_db()
    loan = d.reload()
    assert first.status == "paid" and first.paid_on == FIRST_DUE
    assert (repayment.current_interest_fen, repayment.current_principal_fen) == (first.interest_fen,
                                                                                first.principal_fen)
    assert repayment.penalty_fen == repayment.overdue_interest_fen == repayment.overdue_principal_fen == 0
    assert loan.outstanding_principal_fen == loan.principal_fen - first.principal_fen
    assert (loan.days_past_due, loan.oldest_unpaid_due_on, loan.penalty_fen) == (0, None, 0)
    assert repayment.number.startswith("HK2025") and repayment.loan_state_before["loan"]["status"] == "active"
    assert AuditEvent.objects.filter(action="servicing.repayment.post", clause="PZP-3.4.1").exists()


def test_regular_payment_beyond_what_is_due_is_refused(d: Disbursed) -> None:
    with pytest.raises(actions.PaymentExceedsDue) as err:
        post(d, 100, date(2025, 10, 15))  # nothing due yet: paying early is a prepayment
    assert err.value.code == "payment_exceeds_due" and err.value.details["due_fen"] == 0
    first = d.schedule()[0]
    with pytest.raises(actions.PaymentExceedsDue):
        post(d, total(first) + 1, FIRST_DUE)
    assert not Repayment.objects.exists()


def test_partial_overdue_payment_pays_penalty_then_interest_then_principal(d: Disbursed) -> None:
    first = d.schedule()[0]
    on = date(2025, 11, 10)  # 11 days past due
    penalty = penalty_interest(first.principal_fen, d.loan.annual_rate, d.loan.penalty_rate_uplift, 11)
    amount = penalty + first.interest_fen + 1000
    repayment = post(d, amount, on)
    assert (repayment.penalty_fen, repayment.overdue_interest_fen, repayment.overdue_principal_fen) == (
        penalty, first.interest_fen, 1000)
    assert repayment.current_interest_fen == repayment.current_principal_fen == 0
    first.refresh_from_db()
    assert (first.penalty_paid_fen, first.interest_paid_fen, first.principal_paid_fen) == (
        penalty, first.interest_fen, 1000)
    loan = d.reload()
    assert loan.days_past_due == 11 and loan.oldest_unpaid_due_on == FIRST_DUE
    assert loan.overdue_principal_fen == first.principal_fen - 1000 and loan.overdue_interest_fen == 0
    assert loan.penalty_fen == 0 and loan.penalty_accrued_through == on
    assert first.status == "overdue"


def test_allocation_order_across_overdue_and_current_installments(d: Disbursed) -> None:
    first, second = d.schedule()[:2]
    on = SECOND_DUE  # first 31 days overdue, second due today
    penalty = penalty_interest(first.principal_fen, d.loan.annual_rate, d.loan.penalty_rate_uplift, 31)
    amount = penalty + total(first) + 500  # 500 fen reaches the current interest only
    repayment = post(d, amount, on)
    assert repayment.penalty_fen == penalty
    assert (repayment.overdue_interest_fen, repayment.overdue_principal_fen) == (first.interest_fen,
                                                                                first.principal_fen)
    assert (repayment.current_interest_fen, repayment.current_principal_fen) == (500, 0)
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == "paid" and second.interest_paid_fen == 500 and second.status == "due"
    loan = d.reload()
    assert loan.days_past_due == 0 and loan.oldest_unpaid_due_on == SECOND_DUE
    assert loan.overdue_principal_fen == loan.overdue_interest_fen == 0


def test_two_overdue_installments_interest_before_any_principal(d: Disbursed) -> None:
    first, second = d.schedule()[:2]
    on = date(2025, 12, 5)
    loan = d.loan
    penalty = penalty_interest(first.principal_fen * 36 + second.principal_fen * 5, loan.annual_rate,
                               loan.penalty_rate_uplift, 1)
    repayment = post(d, penalty + first.interest_fen + second.interest_fen + 7, on)
    assert repayment.penalty_fen == penalty
    assert repayment.overdue_interest_fen == first.interest_fen + second.interest_fen
    assert repayment.overdue_principal_fen == 7
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.principal_paid_fen == 7 and second.principal_paid_fen == 0
    loan = d.reload()
    assert loan.days_past_due == 36
    assert loan.overdue_principal_fen == first.principal_fen + second.principal_fen - 7


def test_value_date_order_and_inputs(d: Disbursed) -> None:
    first = d.schedule()[0]
    post(d, first.interest_fen, date(2025, 11, 5))
    with pytest.raises(actions.ValueDateTooEarly):
        post(d, 100, date(2025, 11, 1))
    with pytest.raises(InvalidInput):
        post(d, 0, date(2025, 11, 6))
    with pytest.raises(InvalidInput):
        post(d, 100, date(2025, 11, 6), kind="prepayment")  # no option
    with pytest.raises(InvalidInput):
        post(d, 100, date(2025, 11, 6), prepayment_option="keep_term")  # option without prepayment


# ---------------------------------------------------------------------------------------------------------
# Prepayment


def test_prepayment_keep_term_lowers_the_installment(d: Disbursed) -> None:
    old = d.schedule()
    prepaid = 100_000_000
    repayment = post(d, total(old[0]) + prepaid, FIRST_DUE, kind="prepayment", prepayment_option="keep_term")
    assert repayment.prepaid_principal_fen == prepaid and repayment.current_principal_fen == old[0].principal_fen
    loan = d.reload()
    new = d.schedule()
    assert loan.schedule_version == 2
    assert [r.period for r in new] == list(range(1, 13)) and new[-1].due_on == old[-1].due_on
    assert all(total(n) < total(o) for n, o in zip(new[1:-1], old[1:-1], strict=True))
    assert sum(r.principal_fen for r in new) + prepaid == loan.principal_fen
    assert loan.outstanding_principal_fen == sum(r.principal_fen for r in new[1:])
    assert Installment.objects.filter(loan=loan, status="superseded").count() == 11


def test_prepayment_keep_installment_shortens_the_term(d: Disbursed) -> None:
    old = d.schedule()
    prepaid = 100_000_000
    post(d, total(old[0]) + prepaid, FIRST_DUE, kind="prepayment", prepayment_option="keep_installment")
    new = d.schedule()
    assert len(new) < len(old) and new[-1].due_on < old[-1].due_on
    assert all(total(n) == total(old[1]) for n in new[1:-1])
    assert sum(r.principal_fen for r in new) + prepaid == d.loan.principal_fen
    assert new[-1].balance_after_fen == 0


def test_prepayment_mid_period_charges_interest_to_the_day(d: Disbursed) -> None:
    old = d.schedule()
    on = date(2025, 10, 15)  # 15 days into the first period, nothing due
    accrued = actions.state.accrued_interest([actions._as_row(r) for r in old], on, d.loan.annual_rate,
                                             d.loan.day_count)
    assert 0 < accrued < old[0].interest_fen
    repayment = post(d, accrued + 50_000_000, on, kind="prepayment", prepayment_option="keep_term")
    assert repayment.current_interest_fen == accrued and repayment.prepaid_principal_fen == 50_000_000
    first = d.schedule()[0]
    assert first.accrual_start == old[0].accrual_start and first.interest_paid_fen == accrued
    assert sum(r.principal_fen for r in d.schedule()) + 50_000_000 == d.loan.principal_fen


def test_prepayment_too_small_or_too_large(d: Disbursed) -> None:
    first = d.schedule()[0]
    with pytest.raises(actions.NothingToPrepay):
        post(d, total(first), FIRST_DUE, kind="prepayment", prepayment_option="keep_term")
    with pytest.raises(actions.PrepaymentIsPayoff):
        post(d, d.loan.principal_fen + 10_000_000, FIRST_DUE, kind="prepayment", prepayment_option="keep_term")


# ---------------------------------------------------------------------------------------------------------
# Pay-off


def test_payoff_releases_the_pledge(d: Disbursed) -> None:
    on = date(2025, 11, 10)  # first installment overdue, second running
    quote = actions.payoff_quote(officer(d), d.loan.pk, on=on)
    assert quote.penalty_fen > 0 and quote.accrued_interest_fen > 0
    with pytest.raises(actions.PayoffAmountMismatch):
        post(d, quote.total_fen - 1, on, kind="payoff")
    repayment = post(d, quote.total_fen, on, kind="payoff")
    loan = d.reload()
    assert loan.status == "paid_off" and loan.paid_off_on == on and loan.outstanding_principal_fen == 0
    assert repayment.prepaid_principal_fen == quote.remaining_principal_fen
    assert repayment.amount_fen == sum(getattr(repayment, f) for f in (
        "penalty_fen", "overdue_interest_fen", "overdue_principal_fen", "current_interest_fen",
        "current_principal_fen", "prepaid_principal_fen"))
    assert all(r.status == "paid" for r in d.schedule())
    assert sum(r.principal_paid_fen for r in d.schedule()) == loan.principal_fen
    registration = PledgeRegistration.objects.get(pk=d.registration.pk)  # type: ignore[union-attr]
    assert registration.status == "released" and registration.released_on == on
    with pytest.raises(actions.PayoffPledgeReleased):
        actions.reverse_repayment(officer(d), repayment.pk, reason="误入账")
    with pytest.raises(actions.LoanNotActive):
        post(d, 100, on)


def test_last_regular_installment_pays_the_loan_off() -> None:
    d = make_disbursed_loan(repayment_method="bullet")
    (only,) = d.schedule()
    post(d, total(only), only.due_on)
    assert d.reload().status == "paid_off"
    assert PledgeRegistration.objects.get(pk=d.registration.pk).status == "released"  # type: ignore[union-attr]


def test_reversing_a_payoff_without_pledge_reopens_the_loan() -> None:
    d = make_disbursed_loan(with_pledge=False)
    before = snapshot(d.loan)
    quote = actions.payoff_quote(officer(d), d.loan.pk, on=FIRST_DUE)
    repayment = post(d, quote.total_fen, FIRST_DUE, kind="payoff")
    assert d.reload().status == "paid_off"
    actions.reverse_repayment(officer(d), repayment.pk, reason="重复入账")
    after = snapshot(d.loan)
    assert after["loan"] == before["loan"]
    assert {k: v for k, v in after["installments"].items() if k in before["installments"]} == before["installments"]


# ---------------------------------------------------------------------------------------------------------
# Reversal


@pytest.mark.parametrize("kind", ["regular-overdue", "regular-current", "keep_term", "keep_installment"])
def test_reversal_restores_loan_and_installments_exactly(d: Disbursed, kind: str) -> None:
    first = d.schedule()[0]
    before = snapshot(d.loan)
    if kind == "regular-overdue":
        repayment = post(d, 123_456, date(2025, 11, 20))
    elif kind == "regular-current":
        repayment = post(d, total(first), FIRST_DUE)
    else:
        repayment = post(d, total(first) + 50_000_000, FIRST_DUE, kind="prepayment", prepayment_option=kind)
    reversed_ = actions.reverse_repayment(officer(d), repayment.pk, reason="金额录错")
    assert reversed_.status == "reversed" and reversed_.reversal_reason == "金额录错"
    after = snapshot(d.loan)
    assert after["loan"] == before["loan"]
    restored = {k: v for k, v in after["installments"].items() if k in before["installments"]}
    assert restored == before["installments"]
    created = set(after["installments"]) - set(before["installments"])
    assert all(after["installments"][pk]["status"] == "superseded" for pk in created)
    assert AuditEvent.objects.filter(action="servicing.repayment.reverse").count() == 1
    # the loan takes a new posting afterwards, with fresh schedule versions when needed
    post(d, total(first) + 50_000_000, FIRST_DUE, kind="prepayment", prepayment_option="keep_term")
    assert sum(r.principal_fen for r in d.schedule()) + 50_000_000 == d.loan.principal_fen


def test_only_the_latest_repayment_can_be_reversed(d: Disbursed) -> None:
    first = d.schedule()[0]
    one = post(d, first.interest_fen, FIRST_DUE)
    two = post(d, first.principal_fen, FIRST_DUE)
    with pytest.raises(actions.NotLatestRepayment) as err:
        actions.reverse_repayment(officer(d), one.pk, reason="x")
    assert err.value.details["latest"] == two.number
    actions.reverse_repayment(officer(d), two.pk, reason="x")
    with pytest.raises(IllegalTransition):
        actions.reverse_repayment(officer(d), two.pk, reason="x")
    actions.reverse_repayment(officer(d), one.pk, reason="x")
    loan = d.reload()
    assert loan.outstanding_principal_fen == loan.principal_fen
    with pytest.raises(InvalidInput):
        actions.reverse_repayment(officer(d), one.pk, reason="  ")


def test_reversal_keeps_days_past_due_and_overdue_amounts(d: Disbursed) -> None:
    first = d.schedule()[0]
    Loan.objects.filter(pk=d.loan.pk).update(days_past_due=5, oldest_unpaid_due_on=FIRST_DUE,
                                             overdue_principal_fen=first.principal_fen,
                                             overdue_interest_fen=first.interest_fen)
    on = date(2025, 11, 4)
    penalty = penalty_interest(first.principal_fen, d.loan.annual_rate, d.loan.penalty_rate_uplift, 5)
    repayment = post(d, penalty + total(first), on)
    loan = d.reload()
    assert (loan.days_past_due, loan.overdue_principal_fen, loan.overdue_interest_fen) == (0, 0, 0)
    actions.reverse_repayment(officer(d), repayment.pk, reason="退票")
    loan = d.reload()
    assert (loan.days_past_due, loan.oldest_unpaid_due_on) == (5, FIRST_DUE)
    assert (loan.overdue_principal_fen, loan.overdue_interest_fen, loan.penalty_fen) == (
        first.principal_fen, first.interest_fen, 0)


# ---------------------------------------------------------------------------------------------------------
# Idempotency and who may post


def test_idempotent_post(d: Disbursed) -> None:
    first = d.schedule()[0]
    one = post(d, total(first), FIRST_DUE, idempotency_key="bank-ref-1")
    two = post(d, total(first), FIRST_DUE, idempotency_key="bank-ref-1")
    assert one.pk == two.pk and Repayment.objects.count() == 1
    with pytest.raises(IdempotencyKeyReused):
        post(d, first.interest_fen, FIRST_DUE, idempotency_key="bank-ref-1")


def test_who_may_post(d: Disbursed) -> None:
    first = d.schedule()[0]
    for key, error in (("ent", PermissionDenied), ("approver", PermissionDenied), ("officer2", NotFound),
                       ("clerk", PermissionDenied), ("fund", PermissionDenied)):
        with pytest.raises(error):
            actions.post_repayment(d.users[key], d.loan.pk, amount_fen=total(first), received_on=FIRST_DUE)
    actions.post_repayment(d.users["head"], d.loan.pk, amount_fen=total(first), received_on=FIRST_DUE)


# ---------------------------------------------------------------------------------------------------------
# Manual downgrade


def test_manual_downgrade_and_floor(d: Disbursed) -> None:
    loan = actions.downgrade_loan(d.users["approver"], d.loan.pk, risk_class="substandard", reason="经营恶化",
                                  business_date=date(2025, 10, 20))
    assert (loan.risk_class, loan.manual_risk_class, loan.risk_class_since) == (
        "substandard", "substandard", date(2025, 10, 20))
    change = RiskClassChange.objects.get(loan=loan)
    assert (change.from_class, change.to_class, change.source, change.rules_version) == (
        "normal", "substandard", "manual", "nfra-2023")
    with pytest.raises(actions.NoClassChange):
        actions.downgrade_loan(d.users["head"], d.loan.pk, risk_class="substandard", reason="again")
    Loan.objects.filter(pk=d.loan.pk).update(days_past_due=100)
    with pytest.raises(ManualClassAboveFloor):
        actions.downgrade_loan(d.users["head"], d.loan.pk, risk_class="special_mention", reason="好转")
    with pytest.raises(PermissionDenied):
        actions.downgrade_loan(d.users["officer"], d.loan.pk, risk_class="loss", reason="x")
    with pytest.raises(InvalidInput):
        actions.downgrade_loan(d.users["head"], d.loan.pk, risk_class="loss", reason="")
    with pytest.raises(InvalidInput):
        actions.downgrade_loan(d.users["head"], d.loan.pk, risk_class="terrible", reason="x")


# ---------------------------------------------------------------------------------------------------------
# Warnings


def make_warning(loan: Loan, kind: str = "coverage_breach") -> RiskWarning:
    return RiskWarning.objects.create(loan=loan, kind=kind, severity="warning", raised_on=date(2025, 10, 1),
                                      clause="PZP-3.4.2", detail={"shortfall_fen": 1})


def test_warning_acknowledge_and_close(d: Disbursed) -> None:
    warning = make_warning(d.loan)
    actions.acknowledge_warning(d.users["approver"], warning.pk)
    with pytest.raises(IllegalTransition):
        actions.acknowledge_warning(d.users["officer"], warning.pk)
    with pytest.raises(InvalidInput):
        actions.close_warning(d.users["officer"], warning.pk, reason="")
    closed = actions.close_warning(d.users["officer"], warning.pk, reason="已追加质押物", closed_on=date(2025, 10, 3))
    assert (closed.status, closed.closed_on, closed.close_reason) == ("closed", date(2025, 10, 3), "已追加质押物")
    assert AuditEvent.objects.filter(action="servicing.warning.close", clause="PZP-3.4.2").exists()
    other = make_warning(d.loan, "frozen")
    for key, error in (("ent", PermissionDenied), ("officer2", NotFound), ("fund", NotFound)):
        with pytest.raises(error):
            actions.acknowledge_warning(d.users[key], other.pk)


def test_fund_officer_handles_warnings_of_covered_loans() -> None:
    d = make_disbursed_loan(fund_id=None)
    setup = d.setup
    covered = make_disbursed_loan(setup, fund_id=setup.fund.pk)
    assert covered.loan.fund_id == setup.fund.pk
    warning = make_warning(covered.loan)
    actions.acknowledge_warning(setup.users["fund"], warning.pk)
    assert selectors.warnings_visible_to(setup.users["fund"]).filter(pk=warning.pk).exists()


# ---------------------------------------------------------------------------------------------------------
# Bank NPL entry and the NPL overview


def test_enter_bank_npl(d: Disbursed) -> None:
    head = d.users["head"]
    with pytest.raises(actions.NotAQuarterEnd):
        actions.enter_bank_npl(head, quarter_end=date(2025, 9, 29), overall_npl_ratio="1.2")
    with pytest.raises(InvalidInput):
        actions.enter_bank_npl(head, quarter_end=date(2025, 9, 30), overall_npl_ratio="101")
    with pytest.raises(PermissionDenied):
        actions.enter_bank_npl(d.users["officer"], quarter_end=date(2025, 9, 30), overall_npl_ratio="1.2")
    actions.enter_bank_npl(head, quarter_end=date(2025, 9, 30), overall_npl_ratio="1.2")
    report = actions.enter_bank_npl(head, quarter_end=date(2025, 9, 30), overall_npl_ratio=Decimal("1.35"))
    assert BankNplReport.objects.count() == 1 and report.overall_npl_ratio == Decimal("1.35")
    event = AuditEvent.objects.filter(action="servicing.npl_report.enter").order_by("-id").first()
    assert event is not None and event.clause == "XT-10" and event.before == {"overall_npl_ratio": "1.2000"}


def test_npl_overview_one_row_per_bank_with_both_monitors(d: Disbursed, django_assert_max_num_queries: Any
                                                          ) -> None:
    second = make_disbursed_loan(d.setup)
    Loan.objects.filter(pk=second.loan.pk).update(risk_class="substandard")
    actions.enter_bank_npl(d.users["head"], quarter_end=date(2025, 6, 30), overall_npl_ratio="1.5")
    regulator = user(create_organisation(None, name="攀枝花金融监管", kind=K.REGULATOR, region_code="510400"),
                     Role.SUPERVISOR)
    elsewhere = user(create_organisation(None, name="包头金融监管", kind=K.REGULATOR, region_code="150200"),
                     Role.SUPERVISOR)
    with django_assert_max_num_queries(4):
        rows = selectors.npl_overview(regulator, date(2025, 9, 30))
    (row,) = rows
    assert row.bank == d.setup.bank and row.loans_count == 2
    assert row.outstanding_fen == d.loan.principal_fen * 2 and row.npl_outstanding_fen == d.loan.principal_fen
    assert row.ip_npl_ratio == Decimal("50.0000") and row.overall_npl_ratio == Decimal("1.5")
    assert row.spread_pp == Decimal("48.5000")
    assert (row.xt10_limit, row.xt10_clause, row.xt10_breach) == (Decimal("3"), "XT-10", True)
    assert (row.pza_limit, row.pza_clause, row.pza_breach) == (Decimal("3.00"), "PZA-3.乙2", True)
    assert selectors.npl_overview(elsewhere, date(2025, 9, 30)) == []
    assert selectors.npl_overview(d.users["ent"], date(2025, 9, 30)) == []
    assert len(selectors.npl_overview(d.users["officer"], date(2025, 9, 30))) == 1
    assert selectors.npl_overview(d.users["officer2"], date(2025, 9, 30)) == []


# ---------------------------------------------------------------------------------------------------------
# Loan book


def test_loan_book_filters(d: Disbursed) -> None:
    other = make_disbursed_loan(d.setup)
    Loan.objects.filter(pk=other.loan.pk).update(days_past_due=45, risk_class="special_mention")
    make_warning(other.loan, "frozen")
    u = d.users["officer"]
    ids = lambda **f: set(selectors.loan_book(u, **f).values_list("pk", flat=True))  # noqa: E731
    assert ids() == {d.loan.pk, other.loan.pk}
    assert ids(dpd_bucket="current") == {d.loan.pk} and ids(dpd_bucket="31-90") == {other.loan.pk}
    assert ids(risk_class="special_mention") == {other.loan.pk}
    assert ids(warning="any") == {other.loan.pk} and ids(warning="frozen") == {other.loan.pk}
    assert ids(warning="lapsed") == set()
    assert ids(product_id=d.loan.product_id) == {d.loan.pk, other.loan.pk}
    assert set(selectors.loan_book(d.users["officer2"]).values_list("pk", flat=True)) == set()
    with pytest.raises(InvalidInput):
        selectors.loan_book(u, dpd_bucket="2-3")
    with pytest.raises(NotFound):
        selectors.loan_detail(d.users["officer2"], d.loan.pk)
    assert [selectors.dpd_bucket_of(n) for n in (0, 1, 30, 31, 90, 91, 180, 181, 360, 361)] == [
        "current", "1-30", "1-30", "31-90", "31-90", "91-180", "91-180", "181-360", "181-360", "360+"]

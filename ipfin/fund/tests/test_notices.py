"""Bank thresholds through the database (BT-13): 2.99 % nothing, exactly 3 % a warning, 5 % a suspension, once per
crossing — on the payout and again in close of business (``bank_ratio_notices``, idempotent); lifting is a
recorded leadership decision and is not undone by the next evaluation."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from ipfin.accounts.actions import create_organisation
from ipfin.accounts.choices import OrganisationKind, Role
from ipfin.domain.errors import PermissionDenied
from ipfin.fund import actions
from ipfin.fund.models import BankNotice, Cooperation
from ipfin.fund.tests.test_claims import FILED, Bt, make_bt
from ipfin.origination.actions import ChecksFailed
from ipfin.origination.tests.factories import user, valued_patent
from ipfin.registry.tests.factories import make_enterprise
from ipfin.servicing.cob import bank_ratio_notices
from ipfin.servicing.models import Loan
from ipfin.servicing.tests.factories import make_disbursed_loan


@pytest.fixture
def bt(db: Any) -> Bt:
    b = make_bt()
    b.fund_cash()
    return b


def _cooperation(bt: Bt) -> Cooperation:
    return Cooperation.objects.get(fund=bt.fund, institution=bt.setup.bank)


def test_2_99_percent_issues_nothing(bt: Bt) -> None:
    bt.paid(bt.loan(outstanding_fen=29_900_000))  # 8,970,000 paid of 300,000,000 issued = 2.99 %
    assert not BankNotice.objects.filter(fund=bt.fund).exists()
    assert _cooperation(bt).status == "admitted" and _cooperation(bt).ratio_band == 0
    assert bank_ratio_notices(FILED) == 0


def test_exactly_3_percent_warns_once(bt: Bt) -> None:
    bt.paid(bt.loan(outstanding_fen=30_000_000))  # 9,000,000 of 300,000,000 = 3 %
    notice = BankNotice.objects.get(fund=bt.fund)
    assert (notice.kind, notice.clause, notice.ratio, notice.paid_fen, notice.issued_fen) == (
        "warning", "BT-13a", Decimal("0.03"), 9_000_000, 300_000_000)
    cooperation = _cooperation(bt)
    assert (cooperation.status, cooperation.status_since, cooperation.ratio_band) == ("warned", FILED, 1)
    assert bank_ratio_notices(FILED) == 0  # close of business the same day: already issued
    assert bank_ratio_notices(date(2022, 9, 2)) == 0
    assert BankNotice.objects.filter(fund=bt.fund).count() == 1


def test_warning_then_suspension_then_a_lift_that_stays_lifted(bt: Bt, client: Client) -> None:
    first, second = bt.loan(outstanding_fen=60_000_000), bt.loan(outstanding_fen=40_000_000)  # 600,000,000 issued
    bt.paid(first)  # 18,000,000 = 3 %
    bt.paid(second, on=date(2022, 9, 8))  # 30,000,000 = 5 %
    kinds = list(BankNotice.objects.filter(fund=bt.fund).order_by("pk").values_list("kind", "issued_on"))
    assert kinds == [("warning", FILED), ("suspension", date(2022, 9, 8))]
    cooperation = _cooperation(bt)
    assert cooperation.status == "suspended" and cooperation.ratio_band == 2

    with pytest.raises(PermissionDenied):  # the fund manager does not lift: the leadership group decides
        actions.lift_suspension(bt.manager, cooperation.pk, on=date(2022, 9, 20), decision="恢复")
    lift = actions.lift_suspension(bt.leader, cooperation.pk, on=date(2022, 9, 20),
                                   decision="领导小组2022年第3次会议：整改到位，恢复合作")
    assert lift.kind == "lift" and lift.decided_by == bt.leader
    cooperation.refresh_from_db()
    assert cooperation.status == "warned"  # still at or above 3 %
    assert bank_ratio_notices(date(2022, 9, 21)) == 0  # not re-issued while the ratio stays at 5 %
    cooperation.refresh_from_db()
    assert cooperation.status == "warned"

    client.force_login(bt.officer)  # the bank reads its notices
    notices = client.get("/api/v1/fund/notices").json()
    assert {n["kind"] for n in notices} == {"warning", "suspension", "lift"}


def test_close_of_business_issues_a_crossing_the_payout_did_not_see(bt: Bt) -> None:
    bt.paid(bt.loan(outstanding_fen=50_000_000))  # 5 %: the suspension notice, not a warning as well
    assert list(BankNotice.objects.filter(fund=bt.fund).values_list("kind", flat=True)) == ["suspension"]
    # A ratio that reached 3 % with no band stored (e.g. compensation booked before this release): COB issues it.
    Cooperation.objects.filter(pk=_cooperation(bt).pk).update(ratio_band=0, status="admitted")
    assert bank_ratio_notices(date(2022, 9, 2)) == 1
    assert bank_ratio_notices(date(2022, 9, 2)) == 0  # idempotent
    # Another loan issued: 15,000,000 of 600,000,000 = 2.5 % — nothing issued, the band re-armed.
    bt.loan(days_past_due=0)
    assert bank_ratio_notices(date(2022, 9, 3)) == 0
    assert _cooperation(bt).ratio_band == 0


def test_after_a_suspension_a_new_customer_is_not_covered_and_an_existing_one_is(bt: Bt) -> None:
    """BT-13b through origination: after the suspension notice of 1 September the bank's existing customer is
    still enrolled at ``disburse``; a new customer's application for coverage is refused."""
    bt.paid(bt.loan(outstanding_fen=50_000_000))  # 5 %: suspended on FILED
    assert _cooperation(bt).status == "suspended"
    later = bt.setup.today = date(2022, 9, 15)
    existing = make_disbursed_loan(bt.setup, today=later, with_pledge=False, fund_id=bt.fund.pk).loan
    assert existing.fund_id == bt.fund.pk

    org = create_organisation(None, name=f"攀枝花新客户{bt.fund.pk}", kind=OrganisationKind.ENTERPRISE,
                              region_code="510402")
    newcomer = make_enterprise(org, established_on=date(2015, 3, 1), industry_code="C3240")
    bt.setup.users["ent"] = user(org, Role.ENTERPRISE_ADMIN)  # the new customer applies from here on
    assets = [valued_patent(newcomer, as_of=later, year=2019 + i).pk for i in range(2)]
    application = bt.setup.draft(fund_id=bt.fund.pk, asset_ids=assets, today=later)
    with pytest.raises(ChecksFailed) as refused:  # origination's blocking check, at submission already
        bt.setup.to(application, "disbursed")
    assert [f["clause"] for f in refused.value.details["failures"]] == ["BT-13b"]
    assert not Loan.objects.filter(contract__application=application).exists()

"""BT-16 in close of business: a recovery share is due back on the 15th working day after the recovery is
recorded; on that day it is not overdue, the next day the bank and the fund's manager are warned, once."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from ipfin.accounts.models import User
from ipfin.calendar.services import working_calendar
from ipfin.fund import actions, selectors
from ipfin.fund.tests.test_claims import Bt, make_bt
from ipfin.notifications.models import Notification
from ipfin.servicing.cob import RECOVERY_OVERDUE_VERB, StepContext, step_fund_triggers

RECORDED = date(2022, 9, 30)  # before the National Day break


@pytest.fixture
def bt(db: Any) -> Bt:
    return make_bt()


def _warned() -> list[tuple[int, str]]:
    return sorted(Notification.objects.filter(verb=RECOVERY_OVERDUE_VERB).values_list("recipient_id", "url"))


def _cob(day: date) -> dict[str, Any]:
    ctx = StepContext(day)
    step_fund_triggers(ctx)
    return ctx.detail


def test_an_unpaid_share_is_warned_the_day_after_its_15th_working_day_once(bt: Bt) -> None:
    bt.fund_cash()
    claim = bt.paid(bt.loan())
    share = actions.record_recovery(bt.officer, claim.pk, recovered_fen=10_000_000, on=RECORDED)
    paid_back = actions.record_recovery(bt.officer, claim.pk, recovered_fen=20_000_000, on=RECORDED)
    actions.receive_recovery_share(bt.manager, paid_back.pk, on=RECORDED)
    due = working_calendar().add_working_days(RECORDED, 15)
    assert share.due_on == due == date(2022, 10, 26)

    assert _cob(due)["recovery_shares_overdue"] == 0  # due today: not overdue yet
    assert _warned() == []

    day_after = due + timedelta(days=1)
    assert [s.pk for s in selectors.overdue_recovery_shares(bt.fund, day_after)] == [share.pk]
    assert _cob(day_after)["recovery_shares_overdue"] == 1
    recipients = set(User.objects.filter(organisation_id__in=[claim.bank_id, bt.fund.manager_id], is_active=True)
                     .values_list("pk", flat=True))
    warned = _warned()
    assert {r for r, _url in warned} == recipients and len(warned) == len(recipients)
    assert {url for _r, url in warned} == {f"/fund/claims/{claim.pk}/#recovery-share-{share.pk}"}
    assert bt.officer.pk in recipients and bt.manager.pk in recipients
    title = Notification.objects.filter(verb=RECOVERY_OVERDUE_VERB).values_list("title", flat=True).first()
    assert title is not None and claim.number in title and "3000000" in title

    # Once: the same day again and the following days add nothing.
    assert _cob(day_after)["recovery_shares_overdue"] == 0
    assert _cob(day_after + timedelta(days=1))["recovery_shares_overdue"] == 0
    assert _warned() == warned

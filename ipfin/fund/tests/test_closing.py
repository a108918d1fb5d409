"""Closing a fund (BT-21, BT-23): the preview, the action and its refusals, the closing statement and its
renderers, the page, the API and ``ipfin fund close-preview``.

Funds are the claims tests' (``make_bt``: a Baotou fund opened 2021-01-01, profile in force 2021–2022) with real
contributions, fees, claims, payouts and recoveries through the actions; the SC-12 case uses the fixture profile
of the front-loading tests."""

from __future__ import annotations

import json
from datetime import date, timedelta
from decimal import Decimal
from io import BytesIO
from typing import Any

import pytest
from django.test import Client
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from ipfin.accounts.choices import Role
from ipfin.accounts.models import AuditEvent, Organisation
from ipfin.cli import run
from ipfin.domain.errors import PermissionDenied
from ipfin.domain.fund import ledger as dl
from ipfin.fund import actions, closing, ledger
from ipfin.fund.choices import ClaimState, FundStatus
from ipfin.fund.closing import BlockerKind, ClosingDateInvalid, ClosingDecisionRequired, FundClosingBlocked
from ipfin.fund.models import Claim, Fund, JournalEntry, JournalLine
from ipfin.fund.tests.test_claims import ALL_CHECKED, FILED, Bt, make_bt
from ipfin.fund.tests.test_front_loaded import DEFAULTED, DISPOSED, Sc12, sc12_profiles  # noqa: F401 (fixture)
from ipfin.notifications.models import Notification
from ipfin.origination.tests.factories import make_setup, user

pytestmark = pytest.mark.django_db

EXPIRY = date(2022, 12, 31)  # the Baotou rules' last day (BT-23: two years from 2021-01-01)
AFTER_EXPIRY = date(2023, 1, 16)  # the profile has lapsed: the BT-21 rule is read on its last day
DECISION = "领导小组2023年第1次会议决定：风险补偿资金到期清算，存量余额按出资比例返还出资人。"
# Three contributions with an odd total, and a fee: 6,332,098.77 元 left to split.
CONTRIBUTED = {"a": 100_000_001, "b": 200_000_000, "c": 333_333_333}
FEE = 123_457
# pro rata, HALF_UP: 99,980,507.79 → …508; 199,961,013.58 → …014; 333,268,355.63 → …356; the sum is one fen over,
# so the residue (−1) goes to the largest contributor, c.
RETURNS = {"a": 99_980_508, "b": 199_961_014, "c": 333_268_355}


@pytest.fixture
def bt() -> Bt:
    fund = make_bt()
    Fund.objects.filter(pk=fund.fund.pk).update(closes_on=EXPIRY)
    fund.fund.refresh_from_db()
    return fund


def contributors(bt: Bt) -> dict[str, Organisation]:
    """Three contributors (出资人): the claims tests' 财政局 and two more."""
    more = {k: Organisation.objects.create(name=f"出资人{k}{bt.fund.pk}", kind="ip_office", region_code="510400")
            for k in ("b", "c")}
    return {"a": bt.contributor, **more}


def fund_three_contributors(bt: Bt) -> dict[str, Organisation]:
    """A to the fund's own account, B to the cooperating bank's, C to the own account; a fee from the own one."""
    orgs = contributors(bt)
    bank = bt.setup.bank.pk
    for key, bank_id in (("a", None), ("b", bank), ("c", None)):
        actions.record_contribution(bt.manager, bt.fund.pk, contributor_id=orgs[key].pk,
                                    amount_fen=CONTRIBUTED[key], on=date(2021, 3, 1), bank_id=bank_id)
    actions.post_management_fee(bt.manager, bt.fund.pk, amount_fen=FEE, on=date(2021, 12, 31))
    return orgs


def cash_balances(fund: Fund) -> dict[str, int]:
    return {str(a): v for a, v in ledger.balances(fund).items() if a.kind.value == "cash"}


def blocker_kinds(error: pytest.ExceptionInfo[FundClosingBlocked]) -> list[str]:
    return [b["kind"] for b in error.value.details["blockers"]]


def client(u: Any) -> Client:
    c = Client()
    c.force_login(u)
    return c


# --- preview and the action ---------------------------------------------------------------------------------


def test_the_balance_is_returned_pro_rata_to_the_fen(bt: Bt, django_capture_on_commit_callbacks: Any) -> None:
    orgs = fund_three_contributors(bt)
    total = sum(CONTRIBUTED.values()) - FEE
    preview = closing.closing_preview(bt.fund, AFTER_EXPIRY)
    assert preview.can_close and preview.kind == closing.ClosingKind.EXPIRY
    assert preview.rule is not None and (preview.rule.profile, preview.rule.clause) == ("baotou-2021", "BT-21")
    assert preview.total_cash_fen == total == 633_209_877
    by_party = {c.party: c for c in preview.contributors}
    assert {k: by_party[str(o.pk)].return_fen for k, o in orgs.items()} == RETURNS
    assert {k: by_party[str(o.pk)].contributed_fen for k, o in orgs.items()} == CONTRIBUTED
    assert preview.total_return_fen == total  # exact: the residue went to the largest contributor
    assert [c.party for c in preview.contributors] == [str(orgs[k].pk) for k in "cba"]  # largest first
    assert [(a.party, a.amount_fen) for a in preview.accounts] == [
        ("main", CONTRIBUTED["a"] + CONTRIBUTED["c"] - FEE), (str(bt.setup.bank.pk), CONTRIBUTED["b"])]

    with django_capture_on_commit_callbacks(execute=True):
        fund = closing.close_fund(bt.leader, bt.fund.pk, on=AFTER_EXPIRY, decision=f"  {DECISION} ")
    assert (fund.status, fund.closed_on, fund.closed_by, fund.closing_decision) == (
        FundStatus.CLOSED, AFTER_EXPIRY, bt.leader, DECISION)
    entry = JournalEntry.objects.get(fund=fund, kind="closing_return")
    assert (entry.entry_date, entry.clause, entry.created_by) == (AFTER_EXPIRY, "BT-21", bt.leader)
    returned = dict(JournalLine.objects.filter(entry=entry, account__startswith="returns_to_contributors:")
                    .values_list("counterparty_id", "debit_fen"))
    assert returned == {orgs[k].pk: v for k, v in RETURNS.items()}
    assert set(cash_balances(fund).values()) == {0}
    event = AuditEvent.objects.get(action="fund.close")
    after = event.after or {}
    assert event.clause == "BT-21" and after["entry"] == entry.number and after["kind"] == "expiry"
    assert after["returns_fen"] == {str(orgs[k].pk): v for k, v in RETURNS.items()}
    notified = set(Notification.objects.filter(verb="fund.closed").values_list("recipient_id", flat=True))
    assert {bt.manager.pk, bt.officer.pk, bt.setup.users["head"].pk} <= notified  # manager and the bank
    assert Notification.objects.get(verb="fund.closed", recipient=bt.manager).url == f"/fund/{fund.code}/closing/"
    # the cooperation stays as history
    assert bt.fund.cooperations.get().status == "admitted"


@settings(max_examples=300, deadline=None)
@given(st.lists(st.integers(min_value=1, max_value=10**12), min_size=3, max_size=3),
       st.integers(min_value=0, max_value=10**12))
def test_pro_rata_returns_sum_to_the_cash_and_stay_within_a_fen(weights: list[int], spent: int) -> None:
    """The split the preview and the closing entry use (BT-21): exact total; every share but the largest
    contributor's within half a fen of its exact proportion, which takes the residue (at most a fen here)."""
    contributed = dict(zip("abc", weights, strict=True))
    cash = max(sum(weights) - spent, 1)
    shares = dl.pro_rata(cash, contributed)
    assert sum(shares.values()) == cash
    largest = min(contributed, key=lambda k: (-contributed[k], k))
    for key, share in shares.items():
        exact = Decimal(cash) * contributed[key] / sum(weights)
        assert abs(share - exact) <= (Decimal(1) if key == largest else Decimal("0.5"))


def test_an_earlier_closing_is_a_termination(bt: Bt) -> None:
    fund_three_contributors(bt)
    preview = closing.closing_preview(bt.fund, date(2022, 6, 30))
    assert preview.kind == closing.ClosingKind.TERMINATION and preview.can_close
    fund = closing.close_fund(bt.leader, bt.fund.pk, on=date(2022, 6, 30), decision="市政府决定提前终止")
    assert closing.closing_statement(fund).kind == closing.ClosingKind.TERMINATION


def test_every_open_item_blocks_the_closing_until_settled(bt: Bt) -> None:
    bt.fund_cash()
    loan = bt.loan()
    on = EXPIRY

    def refused() -> list[str]:
        with pytest.raises(FundClosingBlocked) as info:
            closing.close_fund(bt.leader, bt.fund.pk, on=on, decision=DECISION)
        assert info.value.http_status == 409 and info.value.details["count"] == len(info.value.details["blockers"])
        assert [b.kind.value for b in closing.closing_preview(bt.fund, on).blockers] == blocker_kinds(info)
        return blocker_kinds(info)

    claim = actions.file_claim(bt.officer, loan.pk, on=FILED)
    assert refused() == [BlockerKind.CLAIM_NOT_FINAL]
    actions.verify_claim(bt.manager, claim.pk, approve=True, checklist=ALL_CHECKED, on=FILED)
    assert refused() == [BlockerKind.CLAIM_NOT_FINAL]
    actions.approve_claim(bt.leader, claim.pk, on=FILED)
    assert refused() == [BlockerKind.CLAIM_NOT_FINAL, BlockerKind.COMPENSATION_PAYABLE]
    actions.pay_claim(bt.manager, claim.pk, on=FILED)
    share = actions.record_recovery(bt.officer, claim.pk, recovered_fen=10_000_000, on=FILED)
    assert refused() == [BlockerKind.RECOVERY_RECEIVABLE, BlockerKind.RECOVERY_SHARE_NOT_RECEIVED]
    preview = closing.closing_preview(bt.fund, on)
    assert [(b.clause, b.amount_fen) for b in preview.blockers] == [("BT-16", 3_000_000), ("BT-16", 3_000_000)]
    assert "30,000.00" in str(preview.blockers[1].message) and claim.number in str(preview.blockers[1].message)
    # nothing was written by the refusals
    assert bt.fund.entries.filter(kind="closing_return").count() == 0
    assert Fund.objects.get(pk=bt.fund.pk).status == FundStatus.OPEN

    actions.receive_recovery_share(bt.manager, share.pk, on=FILED)
    assert closing.closing_preview(bt.fund, on).can_close
    # a withdrawn (or rejected) claim is final
    second = actions.file_claim(bt.officer, bt.loan().pk, on=FILED)
    assert refused() == [BlockerKind.CLAIM_NOT_FINAL]
    actions.withdraw_claim(bt.officer, second.pk, reason="借款人已还清")
    fund = closing.close_fund(bt.leader, bt.fund.pk, on=on, decision=DECISION)
    assert fund.status == FundStatus.CLOSED and set(cash_balances(fund).values()) == {0}


def test_a_front_loaded_claim_blocks_until_settled(sc12_profiles: None) -> None:  # noqa: F811
    sc = Sc12(contribution_fen=1_000_000_000)
    claim = sc.first_share_paid(sc.defaulted_loan())
    assert claim.front_loaded and claim.state == ClaimState.PAID
    kinds = [b.kind for b in closing.closing_preview(sc.fund, DISPOSED).blockers]
    # the fixture profile states no distribution of the remaining balance: that blocks too (never guessed)
    assert kinds == [BlockerKind.FRONT_LOADED_NOT_SETTLED, BlockerKind.CLOSING_RULE_MISSING]
    actions.record_disposal(sc.officer, claim.pk, disposal_proceeds_fen=100_000_000, on=DISPOSED)
    actions.settle_claim(sc.leader, claim.pk, on=DISPOSED)
    with pytest.raises(FundClosingBlocked) as info:
        closing.close_fund(sc.leader, sc.fund.pk, on=DISPOSED, decision=DECISION)
    assert blocker_kinds(info) == [BlockerKind.CLOSING_RULE_MISSING]


def test_only_the_leadership_group_closes_with_a_decision_on_a_valid_date(bt: Bt) -> None:
    fund_three_contributors(bt)
    setup = bt.setup
    other_region = Organisation.objects.create(name="包头市知识产权局", kind="ip_office", region_code="150200")
    for outsider in (bt.manager, setup.users["clerk"], setup.users["officer"], setup.users["ent"],
                     user(other_region, Role.LEADER)):
        with pytest.raises(PermissionDenied):
            closing.close_fund(outsider, bt.fund.pk, on=EXPIRY, decision=DECISION)
        assert not closing.may_close(outsider, bt.fund)
    assert closing.may_close(bt.leader, bt.fund)
    with pytest.raises(ClosingDecisionRequired):
        closing.close_fund(bt.leader, bt.fund.pk, on=EXPIRY, decision="   ")
    for on in (date(2020, 12, 31),  # before the opening
               date(2021, 12, 30),  # before the last journal entry (the fee of 2021-12-31)
               date.today() + timedelta(days=1)):  # in the future
        with pytest.raises(ClosingDateInvalid):
            closing.close_fund(bt.leader, bt.fund.pk, on=on, decision=DECISION)
    assert Fund.objects.get(pk=bt.fund.pk).status == FundStatus.OPEN and not AuditEvent.objects.filter(
        action="fund.close").exists()
    closing.close_fund(bt.leader, bt.fund.pk, on=EXPIRY, decision=DECISION)
    with pytest.raises(actions.FundClosed):  # twice
        closing.close_fund(bt.leader, bt.fund.pk, on=AFTER_EXPIRY, decision=DECISION)
    assert JournalEntry.objects.filter(fund=bt.fund, kind="closing_return").count() == 1


def test_a_closed_fund_refuses_every_other_action(bt: Bt) -> None:
    bt.fund_cash()
    paid = bt.paid(bt.loan())
    loan = bt.loan()
    closing.close_fund(bt.leader, bt.fund.pk, on=EXPIRY, decision=DECISION)
    fund_id, bank = bt.fund.pk, bt.setup.bank.pk
    on = EXPIRY  # within the fund's term: the status refuses
    with pytest.raises(actions.FundClosed):
        actions.record_contribution(bt.manager, fund_id, contributor_id=bt.contributor.pk, amount_fen=100, on=on)
    with pytest.raises(actions.FundClosed):
        actions.post_management_fee(bt.manager, fund_id, amount_fen=100, on=on)
    with pytest.raises(actions.FundClosed):
        actions.transfer_between_accounts(bt.manager, fund_id, from_bank_id=None, to_bank_id=bank, amount_fen=1,
                                          on=on)
    with pytest.raises(actions.FundClosed):
        actions.file_claim(bt.officer, loan.pk, on=on)
    with pytest.raises(actions.FundClosed):
        actions.admit_institution(bt.manager, fund_id, bt.setup.guarantor.pk, admitted_on=on)
    with pytest.raises(actions.FundClosed):
        actions.change_cooperation_status(bt.leader, bt.fund.cooperations.get().pk, status="warned", on=on,
                                          reason="预警")
    # no claim can be waiting for a payout: the closing required every claim to be final
    assert not Claim.objects.filter(fund_id=fund_id, state__in=closing.NOT_FINAL_CLAIM_STATES).exists()
    assert Claim.objects.get(pk=paid.pk).state == ClaimState.PAID
    assert JournalEntry.objects.filter(fund_id=fund_id).order_by("-number").values_list("kind", flat=True)[0] == \
        "closing_return"


def test_a_closed_fund_refuses_recoveries_and_reversals(bt: Bt) -> None:
    bt.fund_cash()
    paid = bt.paid(bt.loan())
    fee = actions.post_management_fee(bt.manager, bt.fund.pk, amount_fen=1_000, on=FILED)
    closing.close_fund(bt.leader, bt.fund.pk, on=EXPIRY, decision=DECISION)
    refused = 0
    for attempt in (lambda: actions.record_recovery(bt.officer, paid.pk, recovered_fen=10_000, on=EXPIRY),
                    lambda: actions.reverse_entry(bt.manager, fee.pk, reason="更正", on=EXPIRY)):
        try:
            attempt()
        except actions.FundClosed:
            refused += 1
    assert refused == 2


def test_a_fund_with_no_money_left_closes_without_an_entry() -> None:
    setup = make_setup(date(2025, 9, 30))  # panzhihua-agreement: its profile states no closing distribution
    ipo = setup.users["clerk"].organisation
    assert ipo is not None
    leader = user(ipo, Role.LEADER)
    preview = closing.closing_preview(setup.fund, date(2025, 9, 30))
    assert preview.can_close and preview.total_cash_fen == 0 and preview.contributors == ()
    fund = closing.close_fund(leader, setup.fund.pk, on=date(2025, 9, 30), decision="合作协议终止")
    assert fund.status == FundStatus.CLOSED and not JournalEntry.objects.filter(fund=fund).exists()
    statement = closing.closing_statement(fund)
    assert statement.entry_number is None and statement.balanced_to_zero and statement.returned_fen == 0
    assert statement.kind == closing.ClosingKind.TERMINATION  # no planned end date


# --- statement and renderers --------------------------------------------------------------------------------


def closed_with_history(bt: Bt) -> tuple[Fund, dict[str, Organisation]]:
    """Contributions, a fee, a paid claim of 900,000 元 and a returned recovery share of 30,000 元, closed."""
    orgs = fund_three_contributors(bt)
    claim = bt.paid(bt.loan())
    share = actions.record_recovery(bt.officer, claim.pk, recovered_fen=10_000_000, on=FILED)
    actions.receive_recovery_share(bt.manager, share.pk, on=FILED)
    return closing.close_fund(bt.leader, bt.fund.pk, on=AFTER_EXPIRY, decision=DECISION), orgs


def test_statement_figures(bt: Bt) -> None:
    with pytest.raises(closing.FundNotClosed):
        closing.closing_statement(bt.fund)
    fund, orgs = closed_with_history(bt)
    s = closing.closing_statement(fund)
    left = sum(CONTRIBUTED.values()) - FEE - 90_000_000 + 3_000_000
    assert (s.contributed_fen, s.management_fees_fen, s.compensation_paid_fen, s.recovery_income_fen,
            s.interest_income_fen) == (633_333_334, FEE, 90_000_000, 3_000_000, 0)
    assert s.returned_fen == left and s.computed_balance_fen == 0 and s.cash_after_fen == 0
    assert s.balanced_to_zero and s.open_balances == ()
    assert [c.contributor_id for c in s.contributors] == [orgs[k].pk for k in "cba"]
    assert sum(c.returned_fen for c in s.contributors) == left
    entry = JournalEntry.objects.get(fund=fund, kind="closing_return")
    assert (s.entry_number, s.entry_date, s.closed_on, s.decision) == (entry.number, AFTER_EXPIRY, AFTER_EXPIRY,
                                                                       DECISION)
    assert s.kind == closing.ClosingKind.EXPIRY and s.closed_by == bt.leader.get_username()
    assert {a.party for a in s.accounts_after} == {"main", str(bt.setup.bank.pk)}


def test_statement_xlsx_and_pdf(bt: Bt) -> None:
    fund, _orgs = closed_with_history(bt)
    s = closing.closing_statement(fund)
    sheet = load_workbook(BytesIO(closing.closing_statement_xlsx(s))).active
    values = [c for row in sheet.iter_rows(values_only=True) for c in row if c is not None]
    assert values[0] == f"{fund.name}清算报告" and DECISION in values and "返还出资人" in values
    numbers = {Decimal(str(v)) for v in values if isinstance(v, int | float)}
    assert {Decimal("-900000"), Decimal(s.returned_fen) / 100, Decimal(CONTRIBUTED["c"]) / 100,
            Decimal("30000"), Decimal(-FEE) / 100} <= numbers
    pdf = closing.closing_statement_pdf(s)
    assert pdf.startswith(b"%PDF") and b"-900,000.00" in pdf and AFTER_EXPIRY.isoformat().encode() in pdf


# --- page ---------------------------------------------------------------------------------------------------


def test_closing_page_per_role(bt: Bt) -> None:
    fund_three_contributors(bt)
    url = f"/fund/{bt.fund.code}/closing/"
    setup = bt.setup
    for reader in (bt.manager, bt.leader, setup.users["clerk"]):
        page = client(reader).get(f"{url}?on={AFTER_EXPIRY.isoformat()}")
        assert page.status_code == 200, reader
        body = page.content.decode()
        assert 'data-testid="closing-preview"' in body and 'data-testid="no-blockers"' in body
        assert "资金清算" in body and "各专户的存量余额按出资比例返还出资人" in body  # Chinese UI
        assert 'data-testid="closing-help"' in body  # docs/help/fund-closing.md
        assert "¥3,332,683.55" in body and "¥6,332,098.77" in body  # c's return; the total
        assert ('data-testid="close-form"' in body) == (reader == bt.leader)
    for outsider in (setup.users["officer"], setup.users["ent"], setup.users["guarantor"]):
        assert client(outsider).get(url).status_code == 404
    assert Client().get(url).status_code == 302
    assert client(bt.manager).get("/fund/nope/closing/").status_code == 404
    assert client(bt.manager).get(f"/fund/{bt.fund.code}/closing-statement.pdf").status_code == 409  # still open


def test_leader_closes_through_the_page_and_downloads_the_statement(bt: Bt) -> None:
    bt.fund_cash(1_000_000_000)
    claim = actions.file_claim(bt.officer, bt.loan().pk, on=FILED)
    url = f"/fund/{bt.fund.code}/closing/"
    leader = client(bt.leader)
    form = {"decision": DECISION, "on": EXPIRY.isoformat(), "confirm": "on"}
    blocked_page = leader.get(url).content.decode()
    assert f'data-reference="{claim.number}"' in blocked_page and 'data-kind="claim_not_final"' in blocked_page
    assert leader.post(url, {**form, "confirm": ""}).status_code == 400  # the confirmation is required
    assert leader.post(url, {**form, "decision": "  "}).status_code == 400
    future = leader.post(url, {**form, "on": "2099-01-01"})
    assert future.status_code == 400 and "不能在 2099-01-01 清算风险补偿资金：晚于今天" in future.content.decode()
    refused = client(bt.manager).post(url, form)
    assert refused.status_code == 403 and 'data-testid="error"' in refused.content.decode()
    blocked = leader.post(url, form)
    assert blocked.status_code == 409 and claim.number in blocked.content.decode()
    assert "风险补偿资金尚不能清算" in blocked.content.decode()
    actions.withdraw_claim(bt.officer, claim.pk, reason="撤回")

    done = leader.post(url, form)
    assert done.status_code == 302 and done["Location"] == url
    body = client(bt.manager).get(url).content.decode()
    assert 'data-testid="closing-statement"' in body and DECISION in body and "¥10,000,000.00" in body
    assert 'data-testid="close-form"' not in body and 'data-testid="not-zero"' not in body
    xlsx = client(bt.manager).get(f"/fund/{bt.fund.code}/closing-statement.xlsx")
    assert xlsx.status_code == 200 and xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    assert f"fund-{bt.fund.code}-closing-{EXPIRY.isoformat()}.xlsx" in xlsx["Content-Disposition"]
    pdf = client(bt.leader).get(f"/fund/{bt.fund.code}/closing-statement.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert client(bt.officer).get(f"/fund/{bt.fund.code}/closing-statement.pdf").status_code == 404
    again = leader.post(url, form)
    assert again.status_code == 409 and 'data-testid="error"' in again.content.decode()


# --- API and CLI --------------------------------------------------------------------------------------------


def test_api_preview_close_and_statement(bt: Bt) -> None:
    orgs = fund_three_contributors(bt)
    claim = actions.file_claim(bt.officer, bt.loan().pk, on=FILED)
    url = f"/api/v1/fund/funds/{bt.fund.pk}"
    manager, leader = client(bt.manager), client(bt.leader)
    preview = manager.get(f"{url}/closing", {"on": AFTER_EXPIRY.isoformat()})
    assert preview.status_code == 200
    body = preview.json()
    assert body["status"] == "open" and body["statement"] is None
    assert body["preview"]["can_close"] is False and body["preview"]["kind"] == "expiry"
    assert [b["kind"] for b in body["preview"]["blockers"]] == ["claim_not_final"]
    assert {c["contributor_id"]: c["return_fen"] for c in body["preview"]["contributors"]} == {
        orgs[k].pk: v for k, v in RETURNS.items()}
    assert client(bt.officer).get(f"{url}/closing").status_code == 403

    payload = {"decision": DECISION, "on": AFTER_EXPIRY.isoformat()}
    assert manager.post(f"{url}/close", payload, content_type="application/json").status_code == 403
    blocked = leader.post(f"{url}/close", payload, content_type="application/json")
    assert blocked.status_code == 409 and blocked.json()["code"] == "fund_closing_blocked"
    assert blocked.json()["details"]["blockers"][0]["reference"] == claim.number
    empty = leader.post(f"{url}/close", {"decision": ""}, content_type="application/json")
    assert empty.status_code == 400 and empty.json()["code"] == "fund_closing_decision_required"
    actions.withdraw_claim(bt.officer, claim.pk, reason="撤回")
    closed = leader.post(f"{url}/close", payload, content_type="application/json")
    assert closed.status_code == 200
    statement = closed.json()
    assert statement["balanced_to_zero"] and statement["returned_fen"] == sum(RETURNS.values())
    assert statement["closed_on"] == AFTER_EXPIRY.isoformat() and statement["entry_number"] is not None
    after = manager.get(f"{url}/closing").json()
    assert after["status"] == "closed" and after["preview"] is None and after["statement"] == statement
    again = leader.post(f"{url}/close", payload, content_type="application/json")
    assert again.status_code == 409 and again.json()["code"] == "fund_closed"


def _run(argv: list[str], capsys: Any) -> tuple[int, str, str]:
    try:
        code = run(argv)
    except SystemExit as exc:
        code = int(exc.code or 0)
    out = capsys.readouterr()
    return code, out.out, out.err


def test_cli_close_preview(bt: Bt, capsys: Any) -> None:
    orgs = fund_three_contributors(bt)
    code, out, _err = _run(["fund", "close-preview", bt.fund.code, "--as-of", AFTER_EXPIRY.isoformat(), "--json"],
                           capsys)
    payload = json.loads(out)
    assert code == 0 and payload["fund"] == bt.fund.code and payload["can_close"] is True
    assert payload["on"] == AFTER_EXPIRY.isoformat() and payload["total_cash_fen"] == 633_209_877
    assert {c["contributor_id"]: c["return_fen"] for c in payload["contributors"]} == {
        orgs[k].pk: v for k, v in RETURNS.items()}
    code, out, _err = _run(["fund", "close-preview", bt.fund.code, "--as-of", AFTER_EXPIRY.isoformat()], capsys)
    assert code == 0 and "可以清算" in out and "6,332,098.77 元" in out and "3,332,683.55 元" in out
    closing.close_fund(bt.leader, bt.fund.pk, on=AFTER_EXPIRY, decision=DECISION)
    code, out, _err = _run(["fund", "close-preview", bt.fund.code], capsys)
    assert code == 0 and "已于 2023-01-16 清算" in out
    code, out, err = _run(["fund", "close-preview", "nope"], capsys)
    assert code == 2 and out == "" and err.startswith("error: ")

"""Pages to open a fund and keep its cooperating institutions, per role: who sees the pages, the form errors, and
the actions' refusals shown as alerts with their HTTP status — admission (BT-9), dated notices of warning
(BT-13a) and removal (BT-22) with their reason, and a suspension that only the leadership group lifts (BT-13b).
The world is the role-matrix world (包头 150200 and 攀枝花 510400); the Baotou fund is ``bt_fund``."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from ipfin.accounts.models import AuditEvent, User
from ipfin.core.testing.world import World
from ipfin.fund import actions
from ipfin.fund.cooperation_views import offered_moves
from ipfin.fund.models import BankNotice, Cooperation, Fund
from ipfin.fund.tests.test_role_matrix import OPENED, bt_fund

pytestmark = pytest.mark.django_db
TODAY = date(2025, 6, 2)
NEW = "/fund/new/"
INSTITUTIONS = "/fund/bt/institutions/"


@pytest.fixture(autouse=True)
def today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: TODAY)


def client(u: User) -> Client:
    c = Client()
    c.force_login(u)
    return c


def fund_post(world: World, **changes: Any) -> dict[str, Any]:
    data = {"code": "bt-2021", "name": "包头市知识产权质押融资风险补偿资金", "profile_name": "baotou-2021",
            "region_code": "150200", "manager": world.orgs["fund_bt"].pk, "opened_on": "2021-01-01",
            "closes_on": "2022-12-31"}
    return data | changes


def admitted(world: World, key: str = "bank_a_branch") -> Cooperation:
    return actions.admit_institution(None, bt_fund(world).pk, world.orgs[key].pk, admitted_on=OPENED)


def standing(cooperation: Cooperation, **data: str) -> dict[str, str]:
    return {f"standing-{cooperation.pk}-{k}": v for k, v in data.items()}


# --- opening a fund -----------------------------------------------------------------------------------------


def test_open_fund_page_per_role(world: World) -> None:
    for key in ("platform.admin", "ipo_bt.clerk", "ipo_bt.leader", "ipo_pzh.clerk"):
        page = client(world.users[key]).get(NEW)
        assert page.status_code == 200, key
        assert 'data-testid="fund-form"' in page.content.decode()
    body = client(world.users["ipo_bt.clerk"]).get(NEW).content.decode()
    # each profile with its title and effective dates; the clerk's own region prefilled; BT-23 expiry hint
    assert "包头市知识产权质押融资风险补偿资金管理办法（试行）" in body and "2021-01-01 – 2022-12-31" in body
    assert 'value="150200"' in body and "baotou-2021: 2022-12-31" in body
    assert "world-fund_bt" in body and "world-ipo_pzh" in body and "world-bank_a" not in body  # manager kinds
    for key in ("fund_bt.officer", "bank_a.loan_officer", "regulator_bt.supervisor", "ent_bt.admin"):
        refused = client(world.users[key]).get(NEW)
        assert refused.status_code == 403, key
        assert client(world.users[key]).post(NEW, fund_post(world)).status_code == 403, key
    anonymous = Client().get(NEW)
    assert anonymous.status_code == 302 and "/login" in anonymous["Location"]
    assert not Fund.objects.exists()


def test_ip_office_clerk_opens_a_fund(world: World) -> None:
    clerk = client(world.users["ipo_bt.clerk"])
    response = clerk.post(NEW, fund_post(world))
    assert response.status_code == 302 and response["Location"] == "/fund/bt-2021/"
    fund = Fund.objects.get(code="bt-2021")
    assert (fund.profile_name, fund.region_code, fund.manager, fund.opened_on, fund.closes_on) == (
        "baotou-2021", "150200", world.orgs["fund_bt"], date(2021, 1, 1), date(2022, 12, 31))
    assert AuditEvent.objects.get(action="fund.create").clause == "BT-3"
    assert clerk.get("/fund/bt-2021/").status_code == 200  # the clerk's region: the dashboard reads
    # closes_on is optional (an open-ended fund)
    assert client(world.users["platform.admin"]).post(NEW, fund_post(world, code="pzh", region_code="510400",
                                                                     manager=world.orgs["ipo_pzh"].pk,
                                                                     profile_name="panzhihua-agreement",
                                                                     closes_on="")).status_code == 302
    assert Fund.objects.get(code="pzh").closes_on is None


def test_open_fund_form_errors(world: World) -> None:
    bt_fund(world)
    clerk = client(world.users["ipo_bt.clerk"])
    unknown = clerk.post(NEW, fund_post(world, profile_name="nowhere-2030"))
    assert unknown.status_code == 400 and "is-invalid" in unknown.content.decode()
    before = clerk.post(NEW, fund_post(world, closes_on="2020-12-31"))
    assert before.status_code == 400 and "到期日早于设立日期" in before.content.decode()
    reserved = clerk.post(NEW, fund_post(world, code="claims"))
    assert reserved.status_code == 400 and "is-invalid" in reserved.content.decode()
    not_a_manager = clerk.post(NEW, fund_post(world, manager=world.orgs["bank_a"].pk))
    assert not_a_manager.status_code == 400
    duplicate = clerk.post(NEW, fund_post(world, code="bt"))
    assert duplicate.status_code == 409 and 'data-testid="error"' in duplicate.content.decode()
    bad_region = clerk.post(NEW, fund_post(world, region_code="15020x"))
    assert bad_region.status_code == 400 and 'data-testid="error"' in bad_region.content.decode()
    other_region = client(world.users["ipo_pzh.clerk"]).post(NEW, fund_post(world))
    assert other_region.status_code == 403 and 'data-testid="error"' in other_region.content.decode()
    assert list(Fund.objects.values_list("code", flat=True)) == ["bt"]


# --- the institutions page ----------------------------------------------------------------------------------


def test_institutions_page_per_role(world: World) -> None:
    cooperation = admitted(world)
    managers = ("fund_bt.officer", "ipo_bt.leader")
    for key in (*managers, "ipo_bt.clerk", "regulator_bt.supervisor", "platform.admin"):
        page = client(world.users[key]).get(INSTITUTIONS)
        body = page.content.decode()
        assert page.status_code == 200, key
        assert f'data-cooperation="{cooperation.pk}"' in body and "world-bank_a_branch" in body
        assert ('data-testid="admit-form"' in body) is (key in managers), key
        assert ('data-testid="standing-form"' in body) is (key in managers), key
    for key in ("ipo_pzh.clerk", "bank_a.loan_officer", "bank_a_branch.loan_officer", "ent_bt.admin"):
        assert client(world.users[key]).get(INSTITUTIONS).status_code == 404, key
    assert Client().get(INSTITUTIONS).status_code == 302
    assert client(world.users["fund_bt.officer"]).get("/fund/nope/institutions/").status_code == 404
    listing = client(world.users["fund_bt.officer"]).get("/fund/").content.decode()
    assert f'href="{INSTITUTIONS}"' in listing
    assert INSTITUTIONS not in client(world.users["bank_a.loan_officer"]).get("/fund/").content.decode()


def test_admit_an_institution(world: World) -> None:
    fund = bt_fund(world)
    officer = client(world.users["fund_bt.officer"])
    body = officer.get(INSTITUTIONS).content.decode()
    for key in ("bank_a", "bank_b", "guarantor", "insurer"):
        assert f'value="{world.orgs[key].pk}"' in body, key
    for key in ("fund_bt", "ipo_bt", "ent_bt", "appraiser"):
        assert f'>world-{key} (' not in body, key
    done = officer.post(f"{INSTITUTIONS}admit/", {"admit-institution": world.orgs["guarantor"].pk,
                                                  "admit-admitted_on": "2025-02-01"})
    assert done.status_code == 302 and done["Location"] == INSTITUTIONS
    cooperation = Cooperation.objects.get(fund=fund, institution=world.orgs["guarantor"])
    assert (cooperation.status, cooperation.admitted_on) == ("admitted", date(2025, 2, 1))
    page = officer.get(INSTITUTIONS).content.decode()
    assert "world-guarantor" in page and "2025-02-01" in page
    # once cooperating it is no longer offered: a second admission is a form error, no second row
    again = officer.post(f"{INSTITUTIONS}admit/", {"admit-institution": world.orgs["guarantor"].pk,
                                                   "admit-admitted_on": "2025-02-01"})
    assert again.status_code == 400 and "is-invalid" in again.content.decode()
    not_cooperating_kind = officer.post(f"{INSTITUTIONS}admit/", {"admit-institution": world.orgs["ent_bt"].pk,
                                                                  "admit-admitted_on": "2025-02-01"})
    assert not_cooperating_kind.status_code == 400
    no_date = officer.post(f"{INSTITUTIONS}admit/", {"admit-institution": world.orgs["bank_b"].pk})
    assert no_date.status_code == 400
    # the clerk reads the page but the action refuses; a bank does not reach the page
    clerk = client(world.users["ipo_bt.clerk"]).post(f"{INSTITUTIONS}admit/", {
        "admit-institution": world.orgs["bank_b"].pk, "admit-admitted_on": "2025-02-01"})
    assert clerk.status_code == 403 and 'data-testid="error"' in clerk.content.decode()
    bank = client(world.users["bank_a.loan_officer"]).post(f"{INSTITUTIONS}admit/", {
        "admit-institution": world.orgs["bank_a"].pk, "admit-admitted_on": "2025-02-01"})
    assert bank.status_code == 404
    assert Cooperation.objects.filter(fund=fund).count() == 1


def test_warning_then_removal_are_dated_notices_with_their_reason(world: World) -> None:
    cooperation = admitted(world)
    url = f"/fund/cooperations/{cooperation.pk}/standing/"
    officer_user = world.users["fund_bt.officer"]
    officer = client(officer_user)
    warned = officer.post(url, standing(cooperation, status="warned", on="2025-06-01",
                                        reason="补偿率达到3%，书面预警"))
    assert warned.status_code == 302 and warned["Location"] == INSTITUTIONS
    cooperation.refresh_from_db()
    assert (cooperation.status, cooperation.status_since) == ("warned", date(2025, 6, 1))
    notice = BankNotice.objects.get(cooperation=cooperation)
    assert (notice.kind, notice.clause, notice.decision, notice.decided_by, notice.issued_on) == (
        "warning", "BT-13a", "补偿率达到3%，书面预警", officer_user, date(2025, 6, 1))
    page = officer.get(INSTITUTIONS).content.decode()
    assert 'data-notice="warning"' in page and "补偿率达到3%，书面预警" in page and "BT-13a" in page
    assert 'data-status="warned"' in page
    # from warned the select offers reinstatement, suspension and removal
    assert offered_moves("warned") == ["admitted", "suspended", "removed"]
    for value in ("admitted", "suspended", "removed"):
        assert f'<option value="{value}"' in page, value

    removed = client(world.users["ipo_bt.leader"]).post(url, standing(
        cooperation, status="removed", on="2025-06-02", reason="骗取补偿资金，取消合作"))
    assert removed.status_code == 302
    cooperation.refresh_from_db()
    assert cooperation.status == "removed"
    removal = BankNotice.objects.get(cooperation=cooperation, kind="removal")
    assert removal.clause == "BT-22" and removal.decision == "骗取补偿资金，取消合作"
    page = officer.get(INSTITUTIONS).content.decode()
    assert 'data-notice="removal"' in page and 'data-testid="standing-form"' not in page  # nothing left to do
    # no way back from removal (COOPERATION_ALLOWED): the action's refusal, 409
    back = officer.post(url, standing(cooperation, status="admitted", on="2025-06-03", reason="恢复"))
    assert back.status_code == 409 and 'data-testid="error"' in back.content.decode()


def test_standing_form_errors_and_refusals(world: World) -> None:
    cooperation = admitted(world)
    url = f"/fund/cooperations/{cooperation.pk}/standing/"
    officer = client(world.users["fund_bt.officer"])
    no_reason = officer.post(url, standing(cooperation, status="warned", on="2025-06-01", reason="   "))
    assert no_reason.status_code == 400 and "请填写通知理由" in no_reason.content.decode()
    unknown = officer.post(url, standing(cooperation, status="banned", on="2025-06-01", reason="x"))
    assert unknown.status_code == 400
    none_chosen = officer.post(url, standing(cooperation, status="", on="2025-06-01", reason="预警"))
    assert none_chosen.status_code == 400 and "is-invalid" in none_chosen.content.decode()
    too_early = officer.post(url, standing(cooperation, status="warned", on="2024-12-31", reason="预警"))
    assert too_early.status_code == 400 and 'data-testid="error"' in too_early.content.decode()
    clerk = client(world.users["ipo_bt.clerk"]).post(url, standing(cooperation, status="warned", on="2025-06-01",
                                                                   reason="预警"))
    assert clerk.status_code == 403 and 'data-testid="error"' in clerk.content.decode()
    for key in ("bank_a_branch.loan_officer", "ipo_pzh.clerk", "ent_bt.admin"):
        response = client(world.users[key]).post(url, standing(cooperation, status="warned", on="2025-06-01",
                                                               reason="预警"))
        assert response.status_code == 404, key
    cooperation.refresh_from_db()
    assert cooperation.status == "admitted" and not BankNotice.objects.exists()


def test_a_suspension_is_not_lifted_here(world: World) -> None:
    cooperation = admitted(world)
    actions.change_cooperation_status(world.users["fund_bt.officer"], cooperation.pk, status="suspended",
                                      on=date(2025, 6, 1), reason="补偿率达到5%，暂停合作")
    url = f"/fund/cooperations/{cooperation.pk}/standing/"
    leader = client(world.users["ipo_bt.leader"])
    page = leader.get(INSTITUTIONS).content.decode()
    form = page[page.index('data-testid="standing-form"'):]
    form = form[:form.index("</form>")]
    assert '<option value="removed"' in form and '<option value="admitted"' not in form  # only removal offered
    assert 'data-testid="suspended-hint"' in form and 'data-notice="suspension"' in page
    refused = leader.post(url, standing(cooperation, status="admitted", on="2025-06-02", reason="整改到位"))
    body = refused.content.decode()
    assert refused.status_code == 409 and 'data-testid="error"' in body
    assert "领导小组" in body and "BT-13b" in body
    cooperation.refresh_from_db()
    assert cooperation.status == "suspended"
    assert offered_moves("suspended") == ["removed"] and offered_moves("removed") == []


def test_a_closed_fund_shows_no_forms(world: World) -> None:
    cooperation = admitted(world)
    Fund.objects.filter(code="bt").update(status="closed")  # test set-up: the closing action is elsewhere
    page = client(world.users["fund_bt.officer"]).get(INSTITUTIONS).content.decode()
    assert 'data-testid="fund-closed"' in page and f'data-cooperation="{cooperation.pk}"' in page
    assert 'data-testid="admit-form"' not in page and 'data-testid="standing-form"' not in page
    refused = client(world.users["fund_bt.officer"]).post(
        f"/fund/cooperations/{cooperation.pk}/standing/",
        standing(cooperation, status="warned", on="2025-06-01", reason="预警"))
    assert refused.status_code == 409


def test_api_status_change_needs_a_reason(world: World) -> None:
    cooperation = admitted(world)
    officer = client(world.users["fund_bt.officer"])
    url = f"/api/v1/fund/cooperations/{cooperation.pk}/status"
    for payload in ({"status": "warned", "on": "2025-06-01"}, {"status": "warned", "on": "2025-06-01", "reason": " "}):
        response = officer.post(url, payload, content_type="application/json")
        assert response.status_code == 400 and response.json()["code"] == "invalid_input"
    assert not BankNotice.objects.exists()
    done = officer.post(url, {"status": "warned", "on": "2025-06-01", "reason": "预警"}, content_type="application/json")
    assert done.status_code == 200 and BankNotice.objects.get().decision == "预警"

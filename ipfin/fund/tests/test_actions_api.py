"""Fund actions (create, admit, standing with its clause and notice), the API and the funds page."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.test import Client

from ipfin.accounts.models import AuditEvent
from ipfin.core.testing.world import World
from ipfin.domain.errors import IllegalTransition, InvalidInput, PermissionDenied
from ipfin.fund import actions
from ipfin.fund.demo import seed_funds
from ipfin.fund.models import Cooperation, Fund
from ipfin.fund.tests.test_role_matrix import OPENED, bt_fund
from ipfin.notifications.models import Notification

pytestmark = pytest.mark.django_db


def test_create_fund_rules(world: World) -> None:
    fund = actions.create_fund(world.users["ipo_pzh.clerk"], code="pzh", name="攀枝花风险补偿资金池",
                               profile_name="panzhihua-agreement", region_code="510400",
                               manager=world.orgs["ipo_pzh"], opened_on=OPENED)
    assert fund.status == "open" and AuditEvent.objects.get(action="fund.create").clause == "BT-3"
    with pytest.raises(PermissionDenied):  # another region's IP office
        actions.create_fund(world.users["ipo_bt.clerk"], code="x", name="x", profile_name="panzhihua-agreement",
                            region_code="510400", manager=world.orgs["ipo_pzh"], opened_on=OPENED)
    with pytest.raises(PermissionDenied):
        actions.create_fund(world.users["bank_a.branch_head"], code="y", name="y", profile_name="baotou-2021",
                            region_code="150200", manager=world.orgs["fund_bt"], opened_on=OPENED)
    with pytest.raises(actions.FundInvalid):
        actions.create_fund(world.users["platform.admin"], code="z", name="z", profile_name="nowhere",
                            region_code="150200", manager=world.orgs["fund_bt"], opened_on=OPENED)
    with pytest.raises(actions.FundInvalid):
        actions.create_fund(None, code="w", name="w", profile_name="baotou-2021", region_code="150200",
                            manager=world.orgs["bank_a"], opened_on=OPENED)


def test_admit_and_change_standing_with_clauses_and_notices(world: World,
                                                            django_capture_on_commit_callbacks: Any) -> None:
    fund = bt_fund(world)
    officer = world.users["fund_bt.officer"]
    with django_capture_on_commit_callbacks(execute=True):
        cooperation = actions.admit_institution(officer, fund.pk, world.orgs["bank_a"].pk, admitted_on=OPENED)
    assert Notification.objects.filter(recipient__organisation=world.orgs["bank_a"],
                                       verb="fund.cooperation.admitted").count() == 3
    with pytest.raises(actions.AlreadyCooperating):
        actions.admit_institution(officer, fund.pk, world.orgs["bank_a"].pk, admitted_on=OPENED)
    with pytest.raises(actions.NotCooperatingKind):
        actions.admit_institution(officer, fund.pk, world.orgs["ent_bt"].pk, admitted_on=OPENED)
    leader = world.users["ipo_bt.leader"]
    # A suspension is left only by removal here (lifting it is the leadership's lift_suspension, BT-13b).
    steps = [("warned", "BT-13a"), ("admitted", "BT-9"), ("suspended", "BT-13b"), ("removed", "BT-22")]
    for day, (status, clause) in enumerate(steps, start=1):
        with django_capture_on_commit_callbacks(execute=True):
            actions.change_cooperation_status(leader, cooperation.pk, status=status, on=date(2025, 7, day),
                                              reason="通知")
        event = AuditEvent.objects.filter(action="fund.cooperation.status").order_by("-id").first()
        assert event is not None and event.clause == clause and event.after["status"] == status
    cooperation.refresh_from_db()
    assert cooperation.status == "removed" and cooperation.status_since == date(2025, 7, 4)
    with pytest.raises(IllegalTransition):
        actions.change_cooperation_status(leader, cooperation.pk, status="admitted", on=date(2025, 8, 1),
                                          reason="恢复")
    assert Notification.objects.filter(recipient=world.users["fund_bt.officer"],
                                       verb="fund.cooperation.suspended").exists()


def test_notice_date_cannot_go_back(world: World) -> None:
    cooperation = actions.admit_institution(None, bt_fund(world).pk, world.orgs["bank_b"].pk, admitted_on=OPENED)
    with pytest.raises(InvalidInput):
        actions.change_cooperation_status(None, cooperation.pk, status="warned", on=date(2024, 12, 31),
                                          reason="预警")


def test_api_and_page(world: World) -> None:
    fund = bt_fund(world)
    actions.admit_institution(None, fund.pk, world.orgs["bank_a"].pk, admitted_on=OPENED)
    actions.admit_institution(None, fund.pk, world.orgs["bank_b"].pk, admitted_on=OPENED)
    client = Client()
    client.force_login(world.users["bank_a.loan_officer"])
    assert [f["code"] for f in client.get("/api/v1/fund/funds").json()] == ["bt"]
    detail = client.get(f"/api/v1/fund/funds/{fund.pk}").json()
    assert [c["institution_name"] for c in detail["cooperations"]] == ["world-bank_a"]
    coop_b = Cooperation.objects.get(institution=world.orgs["bank_b"])
    response = client.post(f"/api/v1/fund/cooperations/{coop_b.pk}/status",
                           {"status": "warned", "on": "2025-06-01", "reason": "预警"}, content_type="application/json")
    assert response.status_code == 404
    officer = Client()
    officer.force_login(world.users["fund_bt.officer"])
    response = officer.post(f"/api/v1/fund/cooperations/{coop_b.pk}/status",
                            {"status": "warned", "on": "2025-06-01", "reason": "补偿率达到3%"},
                            content_type="application/json")
    assert response.status_code == 200 and response.json()["status"] == "warned"
    response = officer.post(f"/api/v1/fund/funds/{fund.pk}/cooperations",
                            {"institution_id": world.orgs["guarantor"].pk, "admitted_on": "2025-02-01"},
                            content_type="application/json")
    assert response.status_code == 201
    page = officer.get("/fund/").content.decode()
    assert "world-bank_b" in page and "world-guarantor" in page
    assert "world-bank_b" not in client.get("/fund/").content.decode()


def test_seed_funds_is_idempotent(world: World) -> None:
    orgs = {"fund": world.orgs["fund_bt"], "ipo_pzh": world.orgs["ipo_pzh"], "bank1": world.orgs["bank_a"],
            "bank2": world.orgs["bank_b"], "guarantor": world.orgs["guarantor"], "insurer": world.orgs["insurer"]}
    first = seed_funds(orgs, as_of=date(2026, 3, 2))
    again = seed_funds(orgs, as_of=date(2026, 3, 2))
    assert first["funds"] == 2 and again == {"funds": 0, "cooperations": 0}
    assert sorted(Fund.objects.values_list("profile_name", flat=True)) == ["baotou-2021", "panzhihua-agreement"]
    assert Cooperation.objects.filter(institution=world.orgs["bank_a"], fund__profile_name="baotou-2021").exists()

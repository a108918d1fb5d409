"""The registry API: scoped lists and details, create/update through the actions, import, export."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

import pytest
from django.test import Client

from ipfin.core.testing.world import World
from ipfin.domain.registry.patent_number import build_patent_number
from ipfin.registry import actions
from ipfin.registry.models import Enterprise, IpAsset
from ipfin.registry.tests.conftest import csv_bytes
from ipfin.registry.tests.factories import make_enterprise, make_patent

pytestmark = pytest.mark.django_db
BASE = "/api/v1/registry"


@pytest.fixture
def setup(world: World) -> dict[str, Any]:
    ent_bt = make_enterprise(world.orgs["ent_bt"])
    ent_pzh = make_enterprise(world.orgs["ent_pzh"])
    actions.link_customer(None, bank=world.orgs["bank_a_branch"], enterprise=ent_bt, since=date(2024, 1, 1))
    return {"ent_bt": ent_bt, "ent_pzh": ent_pzh, "patent_bt": make_patent(ent_bt), "patent_pzh": make_patent(ent_pzh)}


def client_for(world: World, viewer: str) -> Client:
    client = Client()
    client.force_login(world.users[viewer])
    return client


def test_enterprise_list_is_scoped_and_masked(world: World, setup: dict[str, Any]) -> None:
    bank = client_for(world, "bank_a.approver").get(f"{BASE}/enterprises")
    assert bank.status_code == 200
    items = bank.json()["items"]
    assert [i["uscc"] for i in items] == [setup["ent_bt"].uscc]
    assert items[0]["contact_phone"] == "138****5678" and items[0]["personal_data_masked"]
    office = client_for(world, "ipo_bt.clerk").get(f"{BASE}/enterprises", {"q": "world"}).json()["items"]
    assert [i["contact_phone"] for i in office] == ["13812345678"]
    platform = client_for(world, "platform.admin").get(f"{BASE}/enterprises").json()
    assert platform["count"] == 2


def test_enterprise_detail_of_another_is_not_found(world: World, setup: dict[str, Any]) -> None:
    response = client_for(world, "ent_pzh.admin").get(f"{BASE}/enterprises/{setup['ent_bt'].pk}")
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    response = client_for(world, "guarantor.officer").get(f"{BASE}/enterprises/{setup['ent_bt'].pk}")
    assert response.status_code == 404


def test_enterprise_update_through_action(world: World, setup: dict[str, Any]) -> None:
    client = client_for(world, "ent_bt.admin")
    response = client.patch(f"{BASE}/enterprises/{setup['ent_bt'].pk}", {"registered_address": "包头市青山区"},
                            content_type="application/json")
    assert response.status_code == 200 and response.json()["registered_address"] == "包头市青山区"
    response = client.patch(f"{BASE}/enterprises/{setup['ent_bt'].pk}", {"contact_phone": "12"},
                            content_type="application/json")
    assert response.status_code == 400 and response.json()["code"] == "invalid_code"
    denied = client_for(world, "bank_a.approver").patch(f"{BASE}/enterprises/{setup['ent_bt'].pk}",
                                                        {"registered_address": "x"}, content_type="application/json")
    assert denied.status_code == 403


def test_asset_list_detail_create(world: World, setup: dict[str, Any]) -> None:
    client = client_for(world, "ent_bt.staff")
    listed = client.get(f"{BASE}/assets", {"kind": "patent"}).json()
    assert [a["id"] for a in listed["items"]] == [setup["patent_bt"].pk]
    detail = client.get(f"{BASE}/assets/{setup['patent_bt'].pk}").json()
    assert detail["patent"]["ipc_main"] == "H01F" and detail["owners"][0]["share"] == "100.0000"
    assert client.get(f"{BASE}/assets/{setup['patent_pzh'].pk}").status_code == 404
    number = build_patent_number(2021, "1", 777)
    created = client.post(f"{BASE}/assets", {
        "kind": "patent", "number": "CN" + number, "title": "一种稀土抛光粉的制备方法", "filing_date": "2021-02-03",
        "owners": [{"enterprise_id": setup["ent_bt"].pk, "share": "100"}], "patent": {"ipc_main": "C09K3/14"},
    }, content_type="application/json")
    assert created.status_code == 201, created.json()
    assert created.json()["number"] == number and created.json()["status"] == "pending"
    bad = client.post(f"{BASE}/assets", {
        "kind": "patent", "number": number[:-1] + "0" if number[-1] != "0" else number[:-1] + "1", "title": "x",
        "filing_date": "2021-02-03", "owners": [{"enterprise_id": setup["ent_bt"].pk, "share": "100"}],
    }, content_type="application/json")
    assert bad.status_code == 400 and bad.json()["code"] == "invalid_patent_number"


def test_legal_event_endpoint(world: World, setup: dict[str, Any]) -> None:
    client = client_for(world, "ipo_bt.leader")
    asset = setup["patent_bt"]
    response = client.post(f"{BASE}/assets/{asset.pk}/events", {"kind": "invalidation_request",
                                                                 "effective_date": "2023-03-01"},
                           content_type="application/json")
    assert response.status_code == 201
    assert IpAsset.objects.get(pk=asset.pk).invalidation_pending
    events = client.get(f"{BASE}/assets/{asset.pk}/events").json()
    assert [e["kind"] for e in events] == ["invalidation_request"]
    refused = client_for(world, "ipo_pzh.clerk").post(f"{BASE}/assets/{asset.pk}/events",
                                                      {"kind": "litigation", "effective_date": "2023-03-01"},
                                                      content_type="application/json")
    assert refused.status_code == 404


def test_statements_and_credit_events(world: World, setup: dict[str, Any]) -> None:
    enterprise = setup["ent_bt"]
    response = client_for(world, "ent_bt.admin").post(
        f"{BASE}/enterprises/{enterprise.pk}/statements",
        {"period_kind": "year", "period_end": "2023-12-31", "revenue_fen": 100, "profit_fen": 10,
         "rd_spend_fen": 5, "tax_fen": 1}, content_type="application/json")
    assert response.status_code == 201
    assert client_for(world, "bank_a_branch.loan_officer").get(
        f"{BASE}/enterprises/{enterprise.pk}/statements").json()[0]["revenue_fen"] == 100
    denied = client_for(world, "ent_bt.admin").post(
        f"{BASE}/enterprises/{enterprise.pk}/credit-events",
        {"kind": "overdue", "occurred_on": "2023-01-01", "source": "pboc"}, content_type="application/json")
    assert denied.status_code == 403
    ok = client_for(world, "ipo_bt.clerk").post(
        f"{BASE}/enterprises/{enterprise.pk}/credit-events",
        {"kind": "overdue", "occurred_on": "2023-01-01", "source": "pboc"}, content_type="application/json")
    assert ok.status_code == 201


def test_templates_import_and_export(world: World, setup: dict[str, Any]) -> None:
    client = client_for(world, "platform.admin")
    template = client.get(f"{BASE}/templates/ip-assets.xlsx")
    assert template.status_code == 200 and template.content[:4] == b"PK\x03\x04"
    assert client.get(f"{BASE}/templates/ip-assets.csv").content.decode("utf-8-sig").startswith("类型,号码,名称,权利人")
    rows = [["类型", "号码", "名称", "权利人", "申请日"],
            ["专利", build_patent_number(2020, "1", 4242), "=HYPERLINK(\"http://x\")", setup["ent_bt"].uscc, "2020-01-02"]]
    upload = csv_bytes(rows)
    upload.name = "assets.csv"
    dry = client.post(f"{BASE}/import/ip-assets", {"file": upload, "dry_run": "true"})
    assert dry.status_code == 200 and dry.json()["created"] == 1 and not dry.json()["committed"]
    upload = csv_bytes(rows)
    upload.name = "assets.csv"
    done = client.post(f"{BASE}/import/ip-assets", {"file": upload})
    assert done.status_code == 200 and done.json()["committed"]
    bad = csv_bytes([rows[0], ["专利", "123", "x", setup["ent_bt"].uscc, "2020-01-02"]])
    bad.name = "bad.csv"
    refused = client.post(f"{BASE}/import/ip-assets", {"file": bad})
    assert refused.status_code == 400
    assert refused.json()["details"]["errors"][0].startswith("第 2 行，列「号码」：")
    exported = client.get(f"{BASE}/export/ip-assets.xlsx")
    assert exported.status_code == 200
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(exported.content), read_only=True).worksheets[0]
    titles = [row[2] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert "'=HYPERLINK(\"http://x\")" in titles
    forbidden = client_for(world, "ent_bt.admin").post(f"{BASE}/import/ip-assets", {"file": csv_bytes(rows)})
    assert forbidden.status_code in (400, 403)


def test_bank_export_is_masked(world: World, setup: dict[str, Any]) -> None:
    exported = client_for(world, "bank_a.loan_officer").get(f"{BASE}/export/enterprises.xlsx")
    from openpyxl import load_workbook

    rows = list(load_workbook(io.BytesIO(exported.content), read_only=True).worksheets[0].iter_rows(values_only=True))
    assert len(rows) == 2  # header + ent_bt only
    header = list(rows[0])
    assert rows[1][header.index("联系电话")] == "138****5678"
    assert Enterprise.objects.count() == 2

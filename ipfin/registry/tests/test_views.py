"""Smoke tests of the registry pages (config/urls.py mounts ipfin.registry.urls at /registry/)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.test import Client

from ipfin.core.testing.world import World
from ipfin.domain.registry.patent_number import build_patent_number
from ipfin.registry import actions
from ipfin.registry.models import IpAsset
from ipfin.registry.tests.conftest import csv_bytes
from ipfin.registry.tests.factories import make_enterprise, make_patent

pytestmark = pytest.mark.django_db

@pytest.fixture
def data(world: World) -> dict[str, Any]:
    ent_bt = make_enterprise(world.orgs["ent_bt"])
    actions.link_customer(None, bank=world.orgs["bank_a_branch"], enterprise=ent_bt, since=date(2024, 1, 1))
    patent = make_patent(ent_bt, patent={"fee_paid_through": date(2022, 3, 31)})
    actions.record_legal_event(None, patent.pk, kind="licence_recordal", effective_date=date(2023, 1, 5),
                               reference="L-1", details={"counterparty": "包头钢铁"})
    return {"ent_bt": ent_bt, "patent": patent}


def login(world: World, viewer: str) -> Client:
    client = Client()
    client.force_login(world.users[viewer])
    return client


def test_lists_details_and_masking(world: World, data: dict[str, Any]) -> None:
    bank = login(world, "bank_a.loan_officer")
    page = bank.get("/registry/enterprises/", {"q": "world"})
    assert page.status_code == 200 and "138****5678" in page.content.decode()
    detail = bank.get(f"/registry/enterprises/{data['ent_bt'].pk}/")
    assert detail.status_code == 200 and "138****5678" in detail.content.decode()
    office = login(world, "ipo_bt.clerk").get(f"/registry/enterprises/{data['ent_bt'].pk}/")
    assert "13812345678" in office.content.decode()
    assets = bank.get("/registry/assets/", {"kind": "patent", "pledged": "0"})
    assert data["patent"].number in assets.content.decode()
    asset_page = bank.get(f"/registry/assets/{data['patent'].pk}/").content.decode()
    assert "L-1" in asset_page and 'data-testid="annual-fee"' in asset_page
    assert login(world, "ent_pzh.admin").get(f"/registry/assets/{data['patent'].pk}/").status_code == 404
    export = bank.get("/registry/assets/", {"export": "xlsx"})
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")


def test_record_event_form(world: World, data: dict[str, Any]) -> None:
    client = login(world, "ent_bt.admin")
    response = client.post(f"/registry/assets/{data['patent'].pk}/events/",
                           {"kind": "pledge", "effective_date": "2024-02-01", "reference": "Z-9"})
    assert response.status_code == 302
    assert IpAsset.objects.get(pk=data["patent"].pk).pledged


def test_import_page_dry_run_then_confirm(world: World, data: dict[str, Any]) -> None:
    client = login(world, "platform.admin")
    assert client.get("/registry/import/").status_code == 200
    assert client.get("/registry/templates/enterprises.xlsx").status_code == 200
    upload = csv_bytes([["类型", "号码", "名称", "权利人", "申请日"],
                        ["专利", build_patent_number(2022, "1", 31), "一种钛合金", data["ent_bt"].uscc, "2022-01-01"]])
    upload.name = "assets.csv"
    page = client.post("/registry/import/", {"target": "ip-assets", "file": upload})
    body = page.content.decode()
    assert 'data-testid="confirm-import"' in body and IpAsset.objects.count() == 1
    stored = page.context["stored"]
    done = client.post("/registry/import/", {"target": "ip-assets", "stored": stored, "filename": "assets.csv"})
    assert done.status_code == 302 and IpAsset.objects.count() == 2
    bad = csv_bytes([["类型", "号码"], ["专利", "1"]])
    bad.name = "bad.csv"
    refused = client.post("/registry/import/", {"target": "ip-assets", "file": bad}).content.decode()
    assert "缺少必填列" in refused
    assert login(world, "bank_a.loan_officer").get("/registry/import/").status_code == 404


def test_our_wording_wins_over_the_admin_catalogue(world: World) -> None:
    """Shared msgids ("Filter") take the app's translation (筛选), not django.contrib.admin's (过滤器)."""
    page = login(world, "platform.admin").get("/registry/assets/").content.decode()
    assert "筛选" in page and "过滤器" not in page

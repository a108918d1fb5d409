"""Public announcements (page and API, no login), the PDF form, the API moves and the logged-in pages."""

from __future__ import annotations

import re
import zlib
from datetime import date
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from ipfin.core.testing.world import World
from ipfin.domain.registry.patent_number import build_patent_number
from ipfin.pledges import actions
from ipfin.pledges.pdf import amount_in_words
from ipfin.pledges.selectors import normalise_ip_number, public_search
from ipfin.pledges.tests.factories import make_signed_contract, paid_patent
from ipfin.registry.tests.factories import make_enterprise

pytestmark = pytest.mark.usefixtures("calendar_2025_2026")
BASE = "/api/v1/pledges"
FILED, REGISTERED = date(2025, 9, 30), date(2025, 10, 10)


def client_for(world: World, viewer: str) -> Client:
    client = Client()
    client.force_login(world.users[viewer])
    return client


@pytest.fixture
def pledges(world: World) -> dict[str, Any]:
    bt = paid_patent(make_enterprise(world.orgs["ent_bt"]), title="一种稀土永磁体")
    pzh = paid_patent(make_enterprise(world.orgs["ent_pzh"]), title="钒钛磁铁矿冶炼方法")
    out: dict[str, Any] = {"bt_asset": bt, "pzh_asset": pzh}
    for key, asset, filer, clerk in (("bt", bt, "bank_a_branch.loan_officer", "ipo_bt.clerk"),
                                     ("pzh", pzh, "bank_b.loan_officer", "ipo_pzh.clerk")):
        contract = make_signed_contract(world, f"ent_{key}", assets=[asset], principal_fen=1_234_567_89)
        registration = actions.file_registration(world.users[filer], contract.pk, today=FILED)
        out[key] = actions.register_pledge(world.users[clerk], registration.pk, registered_on=REGISTERED)
    return out


# --- public search -----------------------------------------------------------------------------------------


def test_number_normalisation() -> None:
    number = build_patent_number(2019, "1", 1234)
    spaced = f"zl {number[:4]} {number[4:8]} {number[8:]}"
    assert normalise_ip_number(spaced) == (number, True)
    assert normalise_ip_number("CN" + number.replace(".", "")) == (number, True)
    assert normalise_ip_number(" cn2019 10 ") == ("201910", False)
    assert normalise_ip_number("第12345678号") == ("12345678", False)
    assert normalise_ip_number("") == ("", False)


def test_public_search_by_number_pledgor_pledgee_status(world: World, pledges: dict[str, Any]) -> None:
    number = pledges["bt_asset"].number
    assert [r["asset_number"] for r in public_search(number=number).rows] == [number]
    assert [r["asset_number"] for r in public_search(number="ZL" + number.replace(".", "")).rows] == [number]
    assert len(public_search(number=number[:4]).rows) == 2  # prefix: both filed 2019
    assert [r["pledgor_name"] for r in public_search(pledgor="ent_pzh").rows] == ["world-ent_pzh"]
    assert [r["pledgee_name"] for r in public_search(pledgee="bank_a").rows] == ["world-bank_a_branch"]
    assert public_search(status="filed").rows == []
    actions.release_pledge(world.users["bank_b.loan_officer"], pledges["pzh"].pk, released_on=date(2025, 11, 3))
    assert [r["pledgor_name"] for r in public_search(status="released").rows] == ["world-ent_pzh"]
    page = public_search(page_size=1)
    assert len(page.rows) == 1 and page.has_next and not public_search(page=2, page_size=1).has_next


def test_public_page_needs_no_login_and_shows_only_public_fields(world: World, pledges: dict[str, Any]) -> None:
    response = Client().get("/public/pledges/", {"pledgor": "ent_bt"})
    assert response.status_code == 200
    html = response.content.decode()
    registration = pledges["bt"]
    assert registration.registration_number in html and pledges["bt_asset"].number in html
    assert "world-ent_bt" in html and "world-bank_a_branch" in html and "一种稀土永磁体" in html
    assert "world-ent_pzh" not in html
    enterprise = registration.pledgor
    for secret in (enterprise.uscc, "1,234,567.89", "12345678", enterprise.legal_representative,
                   enterprise.contact_phone, registration.filing_number):
        assert secret not in html
    assert 'data-testid="main-nav"' not in html  # the anonymous chrome


def test_public_api_needs_no_auth_and_has_only_public_fields(world: World, pledges: dict[str, Any]) -> None:
    response = Client().get(f"{BASE}/public", {"number": pledges["pzh_asset"].number})
    assert response.status_code == 200
    body = response.json()
    assert [i["pledgor_name"] for i in body["items"]] == ["world-ent_pzh"] and body["has_next"] is False
    assert set(body["items"][0]) == {"registration_number", "registered_on", "asset_kind", "asset_number",
                                     "asset_title", "pledgor_name", "pledgee_name", "term_start", "term_end",
                                     "status", "released_on"}
    assert Client().get(f"{BASE}/registrations").status_code == 401


# --- PDF ---------------------------------------------------------------------------------------------------


def _pdf_text(data: bytes) -> bytes:
    """The raw page content (streams inflated where compressed)."""
    chunks = [data]
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", data, re.S):
        try:
            chunks.append(zlib.decompress(stream))
        except zlib.error:
            pass
    return b"\n".join(chunks)


def test_pdf_form_is_a_pdf_with_the_filing_number(world: World, pledges: dict[str, Any]) -> None:
    registration = pledges["bt"]
    response = client_for(world, "ent_bt.admin").get(f"/pledges/{registration.pk}/pdf/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    data = response.content
    assert data.startswith(b"%PDF-")
    text = _pdf_text(data)
    assert registration.filing_number.encode() in text and registration.registration_number.encode() in text
    assert b"STSong-Light" in data  # the Chinese CID font
    api = client_for(world, "ipo_bt.clerk").get(f"{BASE}/registrations/{registration.pk}/pdf")
    assert api.status_code == 200 and api.content.startswith(b"%PDF-")
    assert client_for(world, "bank_b.loan_officer").get(f"{BASE}/registrations/{registration.pk}/pdf").status_code \
        == 404


def test_amount_in_words() -> None:
    assert amount_in_words(3_000_000_00) == "叁佰万元整"
    assert amount_in_words(1_000_550) == "壹万零伍元伍角整"
    assert amount_in_words(1_234_567_89) == "壹佰贰拾叁万肆仟伍佰陆拾柒元捌角玖分"
    assert amount_in_words(100_000_010_00) == "壹亿零壹拾元整"
    assert amount_in_words(5) == "伍分"


# --- API moves ---------------------------------------------------------------------------------------------


def _business_day(monkeypatch: pytest.MonkeyPatch, day: date) -> None:
    """Set the server's business date (Django's clock) to ``day``."""
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: day)


def test_api_file_register_change_release(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    contract = make_signed_contract(world)
    bank = client_for(world, "bank_a_branch.loan_officer")
    headers = {"Idempotency-Key": "file-1"}
    _business_day(monkeypatch, FILED)
    payload = {"contract_id": contract.pk}
    first = bank.post(f"{BASE}/registrations", payload, content_type="application/json", headers=headers)
    assert first.status_code == 201, first.content
    again = bank.post(f"{BASE}/registrations", payload, content_type="application/json", headers=headers)
    assert again.status_code == 201 and again.json()["id"] == first.json()["id"]
    body = first.json()
    assert body["due_on"] == "2025-10-14" and body["clock"]["state"] in {"on_time", "due_soon", "overdue"}
    assert len(body["assets"]) == 1
    rid = body["id"]
    conflict = bank.post(f"{BASE}/registrations", {"contract_id": contract.pk}, content_type="application/json")
    assert conflict.status_code == 409 and conflict.json()["code"] == "pledge_open_filing_exists"
    clerk = client_for(world, "ipo_bt.clerk")
    denied = bank.post(f"{BASE}/registrations/{rid}/register", {}, content_type="application/json")
    assert denied.status_code == 403
    _business_day(monkeypatch, REGISTERED)
    registered = clerk.post(f"{BASE}/registrations/{rid}/register", {"registered_on": "2025-09-30"},
                            content_type="application/json")  # a date in the body is not taken
    assert registered.json()["registered_on"] == "2025-10-10"
    assert registered.status_code == 200 and registered.json()["status"] == "registered"
    assert registered.json()["clock"]["state"] == "met"
    changed = clerk.post(f"{BASE}/registrations/{rid}/change",
                         {"kind": "secured_amount", "after": {"secured_amount_fen": 100_000_00}, "reason": "还款"},
                         content_type="application/json")
    assert changed.status_code == 200 and changed.json()["changes"][0]["after"] == {"secured_amount_fen": 100_000_00}
    _business_day(monkeypatch, date(2025, 12, 1))
    released = bank.post(f"{BASE}/registrations/{rid}/release", {}, content_type="application/json")
    assert released.json()["released_on"] == "2025-12-01"
    assert released.status_code == 200 and released.json()["status"] == "released"
    illegal = clerk.post(f"{BASE}/registrations/{rid}/reject", {"ground": "other", "note": "x"},
                         content_type="application/json")
    assert illegal.status_code == 409 and illegal.json()["code"] == "illegal_transition"
    listed = client_for(world, "ent_bt.admin").get(f"{BASE}/registrations").json()
    assert [i["id"] for i in listed["items"]] == [rid]
    assert client_for(world, "ent_pzh.admin").get(f"{BASE}/registrations").json()["count"] == 0


def test_api_refusal_names_the_ground(world: World) -> None:
    enterprise = make_enterprise(world.orgs["ent_bt"])
    asset = paid_patent(enterprise, patent={"fee_paid_through": None})
    contract = make_signed_contract(world, assets=[asset])
    registration = actions.file_registration(world.users["bank_a_branch.loan_officer"], contract.pk, today=FILED)
    response = client_for(world, "ipo_bt.clerk").post(f"{BASE}/registrations/{registration.pk}/register", {},
                                                      content_type="application/json")
    assert response.status_code == 409
    assert response.json()["code"] == "pledge_refused" and response.json()["details"]["ground"] == "unpaid_fees"
    assert "年费" in response.json()["message"] or "fees" in response.json()["message"]


# --- logged-in pages ---------------------------------------------------------------------------------------


def test_pages_list_detail_queue_and_moves(world: World) -> None:
    contract = make_signed_contract(world)
    bank = client_for(world, "bank_a_branch.loan_officer")
    page = bank.get("/pledges/file/")
    assert page.status_code == 200 and contract.number in page.content.decode()
    response = bank.post("/pledges/file/", {"contract_id": contract.pk})
    assert response.status_code == 302
    registration = contract.pledge_registrations.get()
    clerk = client_for(world, "ipo_bt.clerk")
    queue = clerk.get("/pledges/queue/").content.decode()
    assert registration.filing_number in queue
    detail = clerk.get(f"/pledges/{registration.pk}/").content.decode()
    assert 'data-testid="register"' in detail and 'data-testid="reject"' in detail
    assert 'data-testid="register"' not in bank.get(f"/pledges/{registration.pk}/").content.decode()
    clerk.post(f"/pledges/{registration.pk}/register/", {})
    registration.refresh_from_db()
    assert registration.status == "registered"
    listing = client_for(world, "ent_bt.admin").get("/pledges/", {"status": "registered"}).content.decode()
    assert registration.filing_number in listing
    assert client_for(world, "ent_pzh.admin").get(f"/pledges/{registration.pk}/").status_code == 404
    release_button = bank.get(f"/pledges/{registration.pk}/").content.decode()
    assert 'data-testid="release"' in release_button
    bank.post(f"/pledges/{registration.pk}/release/", {"reason": "结清"})
    registration.refresh_from_db()
    assert registration.status == "released"


def test_change_form_offers_both_party_names_and_changes_the_pledgor(world: World) -> None:
    """The change form has an input for every name the action reads (pledgor_name and pledgee_name)."""
    contract = make_signed_contract(world)
    registration = actions.file_registration(world.users["bank_a_branch.loan_officer"], contract.pk, today=FILED)
    clerk = client_for(world, "ipo_bt.clerk")
    actions.register_pledge(world.users["ipo_bt.clerk"], registration.pk, registered_on=REGISTERED)
    page = clerk.get(f"/pledges/{registration.pk}/").content.decode()
    assert 'name="pledgor_name"' in page and 'name="pledgee_name"' in page
    clerk.post(f"/pledges/{registration.pk}/change/", {"kind": "party_name", "pledgor_name": "包头稀土新名称有限公司",
                                                      "reason": "更名"})
    announcement = registration.announcements.get()
    assert announcement.pledgor_name == "包头稀土新名称有限公司"
    assert registration.changes.get().after == {"pledgor_name": "包头稀土新名称有限公司"}


def test_pledge_labels_in_chinese_are_the_registrys_own(world: World) -> None:
    """Registration states, the pledge term and the refusal note keep their pledge wording even where another
    app translates the same English word differently (msgid contexts)."""
    from django.utils import translation

    from ipfin.pledges.choices import RegistrationStatus

    with translation.override("zh-hans"):
        assert str(RegistrationStatus.FILED.label) == "已提交"
        assert str(RegistrationStatus.REJECTED.label) == "不予登记"
        assert str(RegistrationStatus.WITHDRAWN.label) == "已撤回"
    contract = make_signed_contract(world)
    registration = actions.file_registration(world.users["bank_a_branch.loan_officer"], contract.pk, today=FILED)
    clerk = client_for(world, "ipo_bt.clerk")
    page = clerk.get(f"/pledges/{registration.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "质押期限" in page and 'placeholder="说明"' in page and "审批意见" not in page

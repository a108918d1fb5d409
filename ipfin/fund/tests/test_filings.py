"""BT-19 borrower filings: who records them (fund officer, lending bank, borrower) and every refusal (role, loan not
enrolled, period end, receipt date, duplicate, document), the coverage of a period end (outstanding loans, a paid-off
one dropping out), the pages, the API and the fund report's figures.

The loans are real (``make_bt`` of the claims tests: disbursed through origination on 2022-06-01 into a fund
running the Baotou rules); disbursement and pay-off dates are then set as servicing would leave them."""

from __future__ import annotations

import hashlib
from datetime import date
from io import BytesIO
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from ipfin.accounts.choices import Role
from ipfin.accounts.models import AuditEvent, Organisation, User
from ipfin.domain.errors import NotFound, PermissionDenied
from ipfin.fund import filings, reports
from ipfin.fund.filings import (
    FilingAlreadyRecorded,
    FilingDocumentInvalid,
    FilingKindInvalid,
    FilingLoanNotCovered,
    FilingPeriodInvalid,
    FilingReceivedOnInvalid,
    record_borrower_filing,
)
from ipfin.fund.models import BorrowerFiling, Fund
from ipfin.fund.tests.test_claims import FILED, Bt, make_bt
from ipfin.fund.tests.test_views import client
from ipfin.notifications.models import Notification
from ipfin.origination.tests.factories import user
from ipfin.servicing.models import Loan

pytestmark = pytest.mark.django_db

Q2 = date(2022, 6, 30)
RECEIVED = date(2022, 7, 15)
TODAY = FILED  # 2022-09-01
QUARTERLY, ANNUAL, FUND_USE = "quarterly_statement", "annual_audit", "fund_use"


@pytest.fixture
def bt() -> Bt:
    return make_bt()


@pytest.fixture
def today(monkeypatch: pytest.MonkeyPatch) -> None:
    """The pages' business date (actions called from pages take today from ``timezone.localdate``)."""
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: TODAY)


@pytest.fixture
def media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def record(u: Any, loan: Loan, *, kind: str = QUARTERLY, period_end: date = Q2, received_on: date = RECEIVED,
           **extra: Any) -> BorrowerFiling:
    return record_borrower_filing(u, loan.pk, kind=kind, period_end=period_end, received_on=received_on,
                                  today=TODAY, **extra)


# --- the action ---------------------------------------------------------------------------------------------


def test_each_allowed_role_records_and_the_manager_learns_of_it(bt: Bt, django_capture_on_commit_callbacks: Any
                                                                ) -> None:
    loan = bt.loan(days_past_due=0)
    ent = bt.setup.users["ent"]
    with django_capture_on_commit_callbacks(execute=True):
        by_officer = record(bt.manager, loan)
    assert not Notification.objects.filter(verb="fund.filing.recorded").exists()  # the manager told itself
    with django_capture_on_commit_callbacks(execute=True):
        by_bank = record(bt.officer, loan, kind=ANNUAL, period_end=date(2021, 12, 31), received_on=date(2022, 6, 1),
                         note="2021年度审计报告")
    with django_capture_on_commit_callbacks(execute=True):
        by_borrower = record(ent, loan, kind=FUND_USE, period_end=date(2022, 7, 31), received_on=date(2022, 8, 5))
    assert (by_officer.fund, by_officer.loan, by_officer.recorded_by) == (bt.fund, loan, bt.manager)
    assert (by_bank.kind, by_bank.note, by_borrower.kind) == (ANNUAL, "2021年度审计报告", FUND_USE)
    assert Notification.objects.filter(verb="fund.filing.recorded", recipient=bt.manager).count() == 2
    events = AuditEvent.objects.filter(action="fund.filing.record").order_by("id")
    assert [e.clause for e in events] == ["BT-19"] * 3
    after = events[0].after or {}
    assert after["period_end"] == "2022-06-30" and after["loan"] == loan.number
    # the bank's other staff and the branch head may record too
    approver, head = bt.setup.users["approver"], bt.setup.users["head"]
    record(approver, loan, period_end=date(2022, 3, 31), received_on=TODAY)
    record(head, loan, kind=FUND_USE, period_end=date(2022, 6, 30), received_on=RECEIVED)


def test_refused_roles_record_nothing(bt: Bt) -> None:
    loan = bt.loan(days_past_due=0)
    inactive = user(bt.setup.bank, Role.LOAN_OFFICER)
    User.objects.filter(pk=inactive.pk).update(is_active=False)
    inactive.refresh_from_db()
    other_manager = Organisation.objects.create(name="另一管理人", kind="fund_manager", region_code="510400")
    outsiders = [bt.setup.users["officer2"], bt.setup.users["guarantor"], bt.setup.users["clerk"], bt.leader,
                 inactive, user(other_manager, Role.FUND_OFFICER)]
    for outsider in outsiders:
        with pytest.raises(PermissionDenied):
            record(outsider, loan)
    with pytest.raises(NotFound):
        record_borrower_filing(bt.manager, 999_999, kind=QUARTERLY, period_end=Q2, received_on=RECEIVED)
    assert not BorrowerFiling.objects.exists()


def test_loan_not_enrolled_is_refused(bt: Bt) -> None:
    loan = bt.loan(days_past_due=0)
    Loan.objects.filter(pk=loan.pk).update(fund=None)
    with pytest.raises(FilingLoanNotCovered):
        record(bt.officer, loan)
    with pytest.raises(FilingLoanNotCovered):
        record(bt.setup.users["ent"], loan)
    with pytest.raises(PermissionDenied):  # without a fund there is no fund officer of it
        record(bt.manager, loan)


@pytest.mark.parametrize(("kind", "period_end", "ok"), [
    (QUARTERLY, date(2022, 3, 31), True), (QUARTERLY, date(2022, 6, 30), True), (QUARTERLY, date(2021, 12, 31), True),
    (QUARTERLY, date(2022, 5, 31), False), (QUARTERLY, date(2022, 6, 29), False),
    (ANNUAL, date(2021, 12, 31), True), (ANNUAL, date(2022, 6, 30), False), (ANNUAL, date(2021, 12, 30), False),
    (FUND_USE, date(2022, 2, 28), True), (FUND_USE, date(2022, 5, 31), True), (FUND_USE, date(2022, 5, 30), False),
])
def test_period_end_rules(kind: str, period_end: date, ok: bool) -> None:
    assert filings.period_end_fits(kind, period_end) is ok


def test_bad_period_dates_duplicates_and_input_are_refused(bt: Bt) -> None:
    loan = bt.loan(days_past_due=0)
    with pytest.raises(FilingPeriodInvalid) as info:
        record(bt.officer, loan, period_end=date(2022, 5, 31))
    assert info.value.details["period_end"] == "2022-05-31"
    with pytest.raises(FilingPeriodInvalid):
        record(bt.officer, loan, kind=ANNUAL, period_end=Q2)
    with pytest.raises(FilingPeriodInvalid):
        record(bt.officer, loan, kind=FUND_USE, period_end=date(2022, 7, 30), received_on=date(2022, 8, 1))
    with pytest.raises(FilingKindInvalid):
        record(bt.officer, loan, kind="monthly_statement")
    with pytest.raises(FilingReceivedOnInvalid):  # in the future
        record(bt.officer, loan, received_on=date(2022, 9, 2))
    with pytest.raises(FilingReceivedOnInvalid):  # before the period ended
        record(bt.officer, loan, received_on=date(2022, 6, 29))
    with pytest.raises(filings.InvalidInput):
        record(bt.officer, loan, note="注" * 301)
    assert not BorrowerFiling.objects.exists()
    record(bt.officer, loan, received_on=Q2)  # the period end itself and today are both allowed
    with pytest.raises(FilingAlreadyRecorded) as dup:
        record(bt.setup.users["ent"], loan, received_on=TODAY)
    assert dup.value.http_status == 409 and dup.value.code == "fund_filing_duplicate"
    record(bt.officer, loan, period_end=date(2022, 3, 31), received_on=TODAY)
    assert BorrowerFiling.objects.count() == 2


def test_document_is_kept_with_its_hash_and_bad_ones_refused(bt: Bt, media: None, settings: Any) -> None:
    loan = bt.loan(days_past_due=0)
    content = b"%PDF-1.4 2022Q2 balance sheet"
    filing = record(bt.officer, loan, document=SimpleUploadedFile("财务报表2022Q2.pdf", content))
    assert filing.sha256 == hashlib.sha256(content).hexdigest() and filing.size_bytes == len(content)
    assert filing.original_name == "财务报表2022Q2.pdf" and filing.document.read() == content
    settings.IPFIN_MAX_UPLOAD_BYTES = 10
    with pytest.raises(FilingDocumentInvalid):
        record(bt.officer, loan, period_end=date(2022, 3, 31), document=SimpleUploadedFile("big.pdf", b"x" * 11))
    with pytest.raises(FilingDocumentInvalid):
        record(bt.officer, loan, period_end=date(2022, 3, 31), document=SimpleUploadedFile("empty.pdf", b""))
    with pytest.raises(FilingDocumentInvalid):
        record(bt.officer, loan, period_end=date(2022, 3, 31), document=SimpleUploadedFile("macro.xlsm", b"x"))
    with pytest.raises(FilingDocumentInvalid):
        record(bt.officer, loan, period_end=date(2022, 3, 31), document=SimpleUploadedFile("noext", b"x"))
    ok = record(bt.officer, loan, period_end=date(2022, 3, 31), document=SimpleUploadedFile("scan.JPG", b"x" * 10))
    assert ok.size_bytes == 10 and BorrowerFiling.objects.count() == 2


# --- coverage -----------------------------------------------------------------------------------------------


def _coverage_fixture(bt: Bt) -> dict[str, Loan]:
    """Five loans of the fund, and one of another fund, around the quarter end 2022-06-30."""
    loans = {name: bt.loan(days_past_due=0) for name in ("filed", "missing", "paid_before", "paid_after", "later")}
    Loan.objects.filter(pk=loans["paid_before"].pk).update(status="paid_off", paid_off_on=date(2022, 6, 29))
    Loan.objects.filter(pk=loans["paid_after"].pk).update(status="paid_off", paid_off_on=date(2022, 7, 1))
    Loan.objects.filter(pk=loans["later"].pk).update(disbursed_on=date(2022, 7, 1))
    elsewhere = bt.loan(days_past_due=0)
    other = Fund.objects.create(code="elsewhere", name="别的资金", profile_name="baotou-2021", region_code="510400",
                                manager=bt.fund.manager, opened_on=date(2021, 1, 1))
    Loan.objects.filter(pk=elsewhere.pk).update(fund=other)
    record(bt.officer, loans["filed"])
    record(bt.officer, loans["paid_before"], period_end=date(2022, 3, 31), received_on=RECEIVED)
    record(bt.officer, loans["missing"], kind=ANNUAL, period_end=date(2021, 12, 31), received_on=RECEIVED)
    return {name: Loan.objects.get(pk=loan.pk) for name, loan in loans.items()}


def test_coverage_counts_outstanding_loans_in_two_queries(bt: Bt, django_assert_max_num_queries: Any) -> None:
    loans = _coverage_fixture(bt)
    with django_assert_max_num_queries(2):
        coverage = filings.filing_coverage(bt.fund, Q2)
    # outstanding on 2022-06-30: filed, missing and paid_after (paid off the day after); paid_before is out,
    # "later" was disbursed after the quarter end, the other fund's loan is not this fund's.
    assert (coverage.covered, coverage.received, coverage.missing_count) == (3, 1, 2)
    assert {m.loan_id for m in coverage.missing} == {loans["missing"].pk, loans["paid_after"].pk}
    first = coverage.missing[0]
    assert first.bank == bt.setup.bank.name and first.enterprise == bt.setup.enterprise.organisation.name
    # Q1: the loans were not disbursed yet; the annual audit of 2021 likewise
    assert filings.filing_coverage(bt.fund, date(2022, 3, 31)).covered == 0
    q3 = filings.filing_coverage(bt.fund, date(2022, 9, 30))
    assert (q3.covered, q3.received) == (3, 0)  # filed, missing, later (paid_after is paid off by then)
    with pytest.raises(FilingPeriodInvalid):
        filings.filing_coverage(bt.fund, date(2022, 5, 31))
    with pytest.raises(FilingKindInvalid):
        filings.filing_coverage(bt.fund, Q2, "nope")


def test_quarter_helpers() -> None:
    assert filings.quarter_end_on_or_before(date(2022, 9, 29)) == date(2022, 6, 30)
    assert filings.quarter_end_on_or_before(date(2022, 9, 30)) == date(2022, 9, 30)
    assert filings.quarter_end_on_or_before(date(2022, 2, 1)) == date(2021, 12, 31)
    assert filings.quarter_ends_between(date(2022, 4, 1), date(2022, 6, 30)) == [Q2]
    assert len(filings.quarter_ends_between(date(2022, 1, 1), date(2022, 12, 31))) == 4
    assert filings.latest_period_end(ANNUAL, date(2022, 12, 30)) == date(2021, 12, 31)
    assert filings.latest_period_end(ANNUAL, date(2022, 12, 31)) == date(2022, 12, 31)
    assert filings.latest_period_end(FUND_USE, date(2022, 3, 15)) == date(2022, 2, 28)
    assert filings.latest_period_end(FUND_USE, date(2022, 3, 31)) == date(2022, 3, 31)


# --- the report ---------------------------------------------------------------------------------------------


def test_fund_report_carries_the_filing_figures(bt: Bt) -> None:
    loans = _coverage_fixture(bt)
    quarterly = reports.build_report(bt.fund, kind="quarterly", start=date(2022, 4, 1), end=Q2)
    assert [(f.kind, f.period_end, f.covered, f.received, f.missing) for f in quarterly.filings] == [
        (QUARTERLY, Q2, 3, 1, 2)]
    assert {m.loan for m in quarterly.missing_filings} == {loans["missing"].number, loans["paid_after"].number}
    sheet = load_workbook(BytesIO(reports.report_xlsx(quarterly))).active
    values = [cell for row in sheet.iter_rows(values_only=True) for cell in row if cell is not None]
    assert "贷款企业财务资料报送（BT-19）" in values and "季度财务报表" in values and loans["missing"].number in values
    assert reports.report_pdf(quarterly).startswith(b"%PDF-")
    annual = reports.build_report(bt.fund, kind="annual", start=date(2022, 1, 1), end=date(2022, 12, 31))
    rows = [(f.kind, f.period_end.isoformat(), f.covered, f.received) for f in annual.filings]
    assert rows == [(QUARTERLY, "2022-03-31", 0, 0), (QUARTERLY, "2022-06-30", 3, 1), (QUARTERLY, "2022-09-30", 3, 0),
                    (QUARTERLY, "2022-12-31", 3, 0), (ANNUAL, "2022-12-31", 3, 0)]


# --- pages --------------------------------------------------------------------------------------------------


def test_fund_page_for_the_manager_and_the_leadership(bt: Bt, today: None, media: None) -> None:
    loans = _coverage_fixture(bt)
    url = f"/fund/{bt.fund.code}/filings/"
    for reader in (bt.manager, bt.leader):
        response = client(reader).get(url, {"period_end": "2022-06-30"})
        body = response.content.decode()
        assert response.status_code == 200, reader
        assert 'data-covered="3" data-received="1"' in body and f'data-loan="{loans["missing"].number}"' in body
        assert "已收到 1 / 3" in body
    assert 'data-testid="record-filing-form"' in client(bt.manager).get(url).content.decode()
    assert 'data-testid="record-filing-form"' not in client(bt.leader).get(url).content.decode()
    for outsider in (bt.officer, bt.setup.users["ent"], bt.setup.users["clerk"], bt.setup.users["guarantor"]):
        assert client(outsider).get(url).status_code == 404
    assert Client().get(url).status_code == 302
    annual = client(bt.manager).get(url, {"kind": ANNUAL})  # defaults to the latest 31 December
    assert annual.status_code == 200 and 'value="2021-12-31"' in annual.content.decode()
    bad = client(bt.manager).get(url, {"period_end": "2022-05-31"})
    assert bad.status_code == 400 and 'data-testid="error"' in bad.content.decode()

    manager = client(bt.manager)
    form = {"loan_number": loans["missing"].number, "kind": QUARTERLY, "period_end": "2022-06-30",
            "received_on": "2022-08-01", "document": SimpleUploadedFile("q2.pdf", b"%PDF-1.4 q2")}
    done = manager.post(url, form)
    assert done.status_code == 302 and done["Location"] == url
    assert BorrowerFiling.objects.filter(loan=loans["missing"], kind=QUARTERLY, period_end=Q2).exists()
    again = manager.post(url, {**form, "document": ""})
    assert again.status_code == 409 and 'data-testid="error"' in again.content.decode()
    unknown = manager.post(url, {**form, "loan_number": "DK-NONE", "document": ""})
    assert unknown.status_code == 400 and "is-invalid" in unknown.content.decode()
    assert client(bt.leader).post(url, {**form, "document": ""}).status_code == 403


def test_bank_and_borrower_record_from_their_form_and_list(bt: Bt, today: None, media: None) -> None:
    loan = bt.loan(days_past_due=0)
    bank, ent = client(bt.officer), client(bt.setup.users["ent"])
    page = bank.get("/fund/filings/new/", {"loan": loan.pk})
    assert page.status_code == 200 and f'<option value="{loan.pk}" selected>' in page.content.decode()
    form = {"loan": loan.pk, "kind": QUARTERLY, "period_end": "2022-06-30", "received_on": "2022-07-10",
            "note": "季报", "document": SimpleUploadedFile("q2.xlsx", b"PK\x03\x04 sheet")}
    done = bank.post("/fund/filings/new/", form)
    assert done.status_code == 302 and done["Location"] == "/fund/filings/"
    filing = BorrowerFiling.objects.get(loan=loan)
    future = ent.post("/fund/filings/new/", {**form, "document": "", "kind": FUND_USE, "received_on": "2022-09-02"})
    assert future.status_code == 400 and 'data-testid="error"' in future.content.decode()
    assert ent.post("/fund/filings/new/", {**form, "document": "", "kind": FUND_USE}).status_code == 302
    for reader in (bank, ent, client(bt.manager)):
        listing = reader.get("/fund/filings/").content.decode()
        assert f'data-filing="{filing.pk}"' in listing and "季报" in listing
    other_bank = client(bt.setup.users["officer2"])
    assert f'data-filing="{filing.pk}"' not in other_bank.get("/fund/filings/").content.decode()
    assert 'data-testid="new-filing"' in ent.get("/fund/filings/").content.decode()
    # document: the bank, the borrower, the manager; nobody else
    for reader in (bank, ent, client(bt.manager), client(bt.leader)):
        response = reader.get(f"/fund/filings/{filing.pk}/document")
        assert response.status_code == 200 and response.getvalue() == b"PK\x03\x04 sheet"
    for outsider in (other_bank, client(bt.setup.users["guarantor"]), client(bt.setup.users["clerk"])):
        assert outsider.get(f"/fund/filings/{filing.pk}/document").status_code == 404
    no_file = BorrowerFiling.objects.exclude(pk=filing.pk).get()
    assert bank.get(f"/fund/filings/{no_file.pk}/document").status_code == 404
    # users who may not record anything: refused; another bank cannot pick this loan
    assert client(bt.setup.users["guarantor"]).get("/fund/filings/new/").status_code == 403
    assert client(bt.leader).get("/fund/filings/new/").status_code == 403
    picked = other_bank.post("/fund/filings/new/", {**form, "document": "", "period_end": "2022-03-31"})
    assert picked.status_code in (400, 403) and BorrowerFiling.objects.count() == 2


# --- API ----------------------------------------------------------------------------------------------------


def test_api_create_idempotent_list_scoped_and_coverage(bt: Bt) -> None:
    loan = bt.loan(days_past_due=0)
    body = {"loan_id": loan.pk, "kind": QUARTERLY, "period_end": "2022-06-30", "received_on": "2022-07-15"}
    bank = client(bt.officer)
    first = bank.post("/api/v1/fund/filings", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="f1")
    again = bank.post("/api/v1/fund/filings", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="f1")
    assert first.status_code == 201 and again.status_code == 201 and first.json()["id"] == again.json()["id"]
    assert first.json()["loan_number"] == loan.number and BorrowerFiling.objects.count() == 1
    dup = bank.post("/api/v1/fund/filings", body, content_type="application/json")
    assert dup.status_code == 409 and dup.json()["code"] == "fund_filing_duplicate"
    reused = bank.post("/api/v1/fund/filings", {**body, "period_end": "2022-09-30"}, content_type="application/json",
                       HTTP_IDEMPOTENCY_KEY="f1")
    assert reused.status_code == 409 and reused.json()["code"] == "idempotency_key_reused"
    bad = bank.post("/api/v1/fund/filings", {**body, "period_end": "2022-05-31"}, content_type="application/json")
    assert bad.status_code == 400 and bad.json()["code"] == "fund_filing_period_invalid"
    refused = client(bt.setup.users["officer2"]).post("/api/v1/fund/filings", {**body, "period_end": "2022-03-31"},
                                                      content_type="application/json")
    assert refused.status_code == 403
    assert [f["loan_id"] for f in client(bt.setup.users["ent"]).get("/api/v1/fund/filings").json()] == [loan.pk]
    assert client(bt.setup.users["officer2"]).get("/api/v1/fund/filings").json() == []
    filing_id = first.json()["id"]
    assert client(bt.manager).get(f"/api/v1/fund/filings/{filing_id}").status_code == 200
    assert client(bt.setup.users["guarantor"]).get(f"/api/v1/fund/filings/{filing_id}").status_code == 404
    url = f"/api/v1/fund/funds/{bt.fund.pk}/filing-coverage"
    coverage = client(bt.leader).get(url, {"period_end": "2022-06-30"})
    assert coverage.status_code == 200 and (coverage.json()["covered"], coverage.json()["received"]) == (1, 1)
    assert client(bt.officer).get(url, {"period_end": "2022-06-30"}).status_code == 403
    assert client(bt.manager).get(url, {"period_end": "2022-06-29"}).status_code == 400

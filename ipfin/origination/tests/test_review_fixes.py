"""Defects a review found in the origination pages and actions, each pinned by a test: Chinese labels that
another app's catalogue used to override (msgid contexts), catalogues complete and compiled, the approve form's
risk shares, the page asking the action's own permission question, notifications to the head office and the
fund manager, the menu, and the SLA overview's "calendar not published" column."""

from __future__ import annotations

import gettext
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.template import Context, Template
from django.test import Client
from django.utils import timezone, translation

from ipfin.accounts.actions import create_organisation
from ipfin.accounts.choices import OrganisationKind, Role
from ipfin.accounts.models import Organisation
from ipfin.fund.choices import CooperationStatus
from ipfin.notifications.models import Notification
from ipfin.origination import actions
from ipfin.origination.choices import ApplicationStatus as S
from ipfin.origination.models import Application
from ipfin.origination.tests.factories import Setup, make_product, make_setup, user

pytestmark = pytest.mark.django_db
APPS = ("origination", "pledges", "market", "fund")
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def s(db: Any) -> Setup:
    return make_setup(timezone.localdate())  # the pages act on the server's business date


def client_for(u: Any) -> Client:
    c = Client()
    c.force_login(u)
    return c


def text(response: Any) -> str:
    return response.content.decode()


# --- 1, 2: labels and catalogues --------------------------------------------------------------------------


def test_state_labels_in_chinese_are_each_apps_own() -> None:
    """The same English word means different things in different apps; contexts keep each app's wording."""
    with translation.override("zh-hans"):
        assert str(S.WITHDRAWN.label) == "已撤回"  # not the product's 已下架
        assert str(S.EXPIRED.label) == "已失效"  # not 期限届满
        assert str(CooperationStatus.ADMITTED.label) == "合作中"  # not valuation's 已入库
        assert str(CooperationStatus.REMOVED.label) == "已取消合作"  # not 已移出
        rendered = Template('{% load i18n %}{% translate "Open" context "SLA clock" %}|'
                            '{% translate "Approved annual rate (%)" %}').render(Context())
    assert rendered == "办理中|批准年利率（%）"


def _entries(po: str) -> list[tuple[str, str, str, bool, bool]]:
    """(context, msgid, msgstr, fuzzy) of every entry of a .po file (the header left out; of a plural entry
    its first form, msgstr[0])."""
    out = []
    for block in po.split("\n\n"):
        lines = [line for line in block.splitlines() if not line.startswith("#~")]
        fields: dict[str, str] = {}
        current = ""
        for line in lines:
            match = re.match(r'^(msgctxt|msgid|msgid_plural|msgstr|msgstr\[0\]|msgstr\[\d+\])\s+"(.*)"$', line)
            if match:
                current = {"msgstr[0]": "msgstr"}.get(match.group(1), match.group(1))
                fields[current] = match.group(2)
            elif line.startswith('"') and current:
                fields[current] += line[1:-1]
        if fields.get("msgid"):
            fuzzy = any(line.startswith("#,") and "fuzzy" in line for line in lines)
            plural = "msgid_plural" in fields
            out.append((fields.get("msgctxt", ""), fields["msgid"], fields.get("msgstr", ""), fuzzy, plural))
    return out


@pytest.mark.parametrize("app", APPS)
def test_catalogue_is_complete_and_compiled(app: str) -> None:
    """Every msgid of the app has a Chinese msgstr (none empty, none fuzzy) and is in the compiled .mo."""
    folder = ROOT / app / "locale" / "zh_Hans" / "LC_MESSAGES"
    entries = _entries((folder / "django.po").read_text(encoding="utf-8"))
    untranslated = [(c, m) for c, m, t, fuzzy, _p in entries if not t or fuzzy]
    assert not untranslated, untranslated
    with (folder / "django.mo").open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)._catalog  # type: ignore[attr-defined]

    def key(context: str, msgid: str, plural: bool) -> Any:
        msgid = msgid.replace('\\"', '"').replace("\\n", "\n")
        msgid = f"{context}\x04{msgid}" if context else msgid
        return (msgid, 0) if plural else msgid

    missing = [(c, m) for c, m, _t, _f, p in entries if key(c, m, p) not in compiled]
    assert not missing, f"not compiled: {missing[:5]}"


# --- 4: the approve form's risk shares --------------------------------------------------------------------


def _under_review(s: Setup, **extra: Any) -> Application:
    application = s.draft(**extra)
    return s.to(application, S.UNDER_REVIEW)


def test_approve_form_takes_the_named_guarantors_share(s: Setup) -> None:
    application = _under_review(s, guarantor_id=s.guarantor.pk)
    approver = client_for(s.users["approver"])
    page = text(approver.get(f"/origination/applications/{application.pk}/"))
    assert 'name="guarantor_share_percent"' in page and 'name="insurer_share_percent"' not in page
    response = approver.post(f"/origination/applications/{application.pk}/approve/",
                             {"annual_rate": "3.50", "guarantor_share_percent": "30"})
    assert response.status_code == 302, re.findall(r'class="alert[^"]*"[^>]*>(.*?)</div>', text(response), re.S)
    application.refresh_from_db()
    shares = {k: Decimal(v) for k, v in application.contract.risk_shares.items()}
    assert shares == {"guarantor": Decimal("0.3"), "bank": Decimal("0.7")}


def test_approve_form_without_a_guarantor_or_insurer_has_no_share_fields(s: Setup) -> None:
    application = _under_review(s)
    page = text(client_for(s.users["approver"]).get(f"/origination/applications/{application.pk}/"))
    assert 'data-testid="approve-form"' in page and "share_percent" not in page


# --- 9: the page asks the action's question ---------------------------------------------------------------


def _buttons(u: Any, application: Application) -> set[str]:
    page = text(client_for(u).get(f"/origination/applications/{application.pk}/"))
    return set(re.findall(r'data-testid="(edit|submit|review|approve|reject|withdraw|complete|return)"', page))


def test_an_approver_may_start_the_review_from_the_page(s: Setup) -> None:
    application = s.to(s.draft(), S.COMPLETE)
    assert "review" in _buttons(s.users["approver"], application)
    response = client_for(s.users["approver"]).post(f"/origination/applications/{application.pk}/review/")
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == S.UNDER_REVIEW and application.reviewer == s.users["approver"]


def test_any_officer_of_the_bank_edits_and_submits_a_bank_made_draft(s: Setup) -> None:
    from ipfin.registry.actions import link_customer

    link_customer(None, bank=s.bank, enterprise=s.enterprise, since=s.today, source="application")
    bank_made = s.draft("officer", enterprise_id=s.enterprise.pk)
    # Not only its creator: the branch head (another officer of the bank side) is offered edit and submit …
    assert {"edit", "submit"} <= _buttons(s.users["head"], bank_made)
    assert client_for(s.users["head"]).get(f"/origination/applications/{bank_made.pk}/edit/").status_code == 200
    # … and the action agrees.
    actions.update_application(s.users["head"], bank_made.pk, purpose_detail="由支行行长补充")
    # An approver is not an officer: neither offered nor allowed.
    assert not {"edit", "submit"} & _buttons(s.users["approver"], bank_made)


def test_the_bank_neither_edits_nor_submits_the_enterprises_own_draft(s: Setup) -> None:
    application = s.draft()
    buttons = _buttons(s.users["officer"], application)
    assert not {"edit", "submit"} & buttons and "withdraw" in buttons
    with pytest.raises(actions.PermissionDenied):
        actions.submit_application(s.users["officer"], application.pk, today=s.today)
    assert {"edit", "submit", "withdraw"} <= _buttons(s.users["ent"], application)


def test_a_branch_head_may_apply_on_an_enterprises_behalf(s: Setup) -> None:
    page = client_for(s.users["head"]).get(f"/origination/apply/{s.product.pk}/")
    assert page.status_code == 200 and 'data-testid="choose-enterprise"' in text(page)
    assert actions.can_apply(s.users["head"], s.product)
    assert not actions.can_apply(s.users["approver"], s.product)
    assert client_for(s.users["approver"]).get(f"/origination/apply/{s.product.pk}/").status_code == 403


# --- 7: notifications -------------------------------------------------------------------------------------


def _head_office_of(s: Setup) -> Organisation:
    head = create_organisation(None, name="天府银行总行", kind=OrganisationKind.BANK, region_code="510000")
    Organisation.objects.filter(pk=s.bank.pk).update(head_office=head)
    s.bank.refresh_from_db()
    return head


def test_the_head_office_and_the_fund_manager_hear_of_a_submission(
        s: Setup, django_capture_on_commit_callbacks: Any) -> None:
    head_approver = user(_head_office_of(s), Role.APPROVER)
    application = s.draft(fund_id=s.fund.pk)
    with django_capture_on_commit_callbacks(execute=True):
        actions.submit_application(s.users["ent"], application.pk, today=s.today)
    submitted_to = set(Notification.objects.filter(verb="origination.submitted").values_list("recipient", flat=True))
    assert {s.users["officer"].pk, head_approver.pk} <= submitted_to
    fund_told = Notification.objects.filter(verb="origination.fund_requested", recipient=s.users["fund"])
    assert fund_told.count() == 1 and s.fund.name in fund_told.get().title


def test_no_fund_notice_without_a_fund_request(s: Setup, django_capture_on_commit_callbacks: Any) -> None:
    application = s.draft()
    with django_capture_on_commit_callbacks(execute=True):
        actions.submit_application(s.users["ent"], application.pk, today=s.today)
    assert not Notification.objects.filter(verb="origination.fund_requested").exists()


# --- 8: the menu ------------------------------------------------------------------------------------------


def _nav(u: Any) -> set[str]:
    return set(re.findall(r'data-nav="([\w.]+)"', text(client_for(u).get("/"))))


def test_menu_links_every_page_a_role_may_open(s: Setup) -> None:
    for key in ("officer", "approver", "head", "fund", "clerk"):
        nav = _nav(s.users[key])
        assert "origination.sla" in nav, key
        assert client_for(s.users[key]).get("/origination/sla/").status_code == 200, key
    insurer = user(s.insurer, Role.INSURER_OFFICER)
    for u in (s.users["fund"], s.users["guarantor"], insurer):
        assert "origination.applications_read" in _nav(u)
        assert client_for(u).get("/origination/applications/").status_code == 200
    assert "origination.applications_read" not in _nav(s.users["officer"])


def test_a_branch_lists_its_head_offices_products(s: Setup) -> None:
    head = _head_office_of(s)
    head_product = make_product(head, name="总行知识产权快贷")
    page = text(client_for(s.users["officer"]).get("/market/products/"))
    assert f'data-product="{head_product.pk}"' in page and f'data-product="{s.product.pk}"' in page
    other_bank = create_organisation(None, name="另一家银行", kind=OrganisationKind.BANK, region_code="510400")
    assert f'data-product="{make_product(other_bank).pk}"' not in text(
        client_for(s.users["officer"]).get("/market/products/"))


# --- 11: clocks without a published calendar ----------------------------------------------------------------


def test_sla_overview_counts_clocks_waiting_for_the_calendar(s: Setup) -> None:
    waiting = s.to(s.draft(), S.COMPLETE)
    Application.objects.filter(pk=waiting.pk).update(decision_due_on=None)  # as when the year is unpublished
    page = text(client_for(s.users["clerk"]).get("/origination/sla/", {"from": s.today.replace(day=1).isoformat(),
                                                                      "to": s.today.isoformat()}))
    row = re.search(rf'<tr data-bank="{re.escape(s.bank.name)}">(.*?)</tr>', page, re.S)
    assert row is not None, page
    assert re.search(r'data-testid="no-calendar">1<', row.group(1))
    assert "日历未发布" in page and "运行中" not in page and "办理中" in page

"""The UI shell through Django's test client: sign-in, lockout, workbenches, scoping, CSRF, headers."""

from __future__ import annotations

import json
import re

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from ipfin.accounts.choices import OrganisationKind, Role
from ipfin.accounts.models import ApiToken, AuditEvent, Organisation, User
from ipfin.core.scoping import visible
from ipfin.web.tests.people import CHINESE_TITLES, PASSWORD, People

pytestmark = pytest.mark.django_db


def signed_in(user, *, csrf: bool = False) -> Client:
    client = Client(enforce_csrf_checks=csrf)
    client.force_login(user)
    return client


def csrf_token_of(html: str) -> str:
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    assert match, "no CSRF token in the page"
    return match.group(1)


def chart_data(html: str) -> dict:
    match = re.search(r'<script id="org-kind-chart-data" type="application/json">(.*?)</script>', html)
    assert match, "no chart data in the page"
    return json.loads(match.group(1))


def card_count(html: str, key: str) -> int:
    match = re.search(rf'data-card="{re.escape(key)}">(\d+)<', html)
    assert match, f"card {key} missing"
    return int(match.group(1))


# --- sign-in, throttling ------------------------------------------------------------------------

def test_login_page_renders_in_chinese_by_default(client):
    response = client.get(reverse("web:login"))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="zh-hans">' in html
    assert "知识产权质押融资服务平台" in html
    assert "登录" in html and "用户名" in html and "密码" in html


def test_dashboard_requires_login(client):
    response = client.get(reverse("web:dashboard"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("web:login"))


def test_login_with_good_password_lands_on_workbench(client, people: People):
    response = client.post(reverse("web:login"), {"username": "u_loan_officer", "password": PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("web:dashboard")
    assert "银行工作台" in response.content.decode()
    assert AuditEvent.objects.filter(action="user.login", actor=people.users[Role.LOAN_OFFICER]).exists()


def test_bad_password_shows_an_error_and_no_session(client, people: People):
    response = client.post(reverse("web:login"), {"username": "u_clerk", "password": "wrong-password"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="login-error"' in html
    assert "请输入一个正确的" in html  # Django's own Chinese message
    assert "_auth_user_id" not in client.session


def test_lockout_after_the_failure_limit(client, people: People):
    assert settings.AXES_FAILURE_LIMIT == 5
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("web:login"), {"username": "u_clerk", "password": "wrong-password"})
    # Locked: even the right password is refused, with the lockout page in Chinese.
    response = client.post(reverse("web:login"), {"username": "u_clerk", "password": PASSWORD})
    assert response.status_code == 429
    html = response.content.decode()
    assert 'data-testid="lockout"' in html
    assert "账户已锁定" in html and "30 分钟" in html
    assert "_auth_user_id" not in client.session


def test_logout_is_post_only_and_csrf_protected(people: People):
    user = people.users[Role.APPRAISER]
    client = signed_in(user, csrf=True)
    assert client.get(reverse("web:logout")).status_code == 405
    assert client.post(reverse("web:logout")).status_code == 403  # no CSRF token
    assert "_auth_user_id" in client.session
    token = csrf_token_of(client.get(reverse("web:dashboard")).content.decode())
    response = client.post(reverse("web:logout"), {"csrfmiddlewaretoken": token})
    assert response.status_code == 302 and response["Location"] == reverse("web:login")
    assert "_auth_user_id" not in client.session


# --- workbenches ----------------------------------------------------------------------------------

@pytest.mark.parametrize("role", Role.values)
def test_each_role_gets_its_workbench_in_chinese(people: People, role: str):
    user = people.users[role]
    response = signed_in(user).get(reverse("web:dashboard"))
    assert response.status_code == 200
    html = response.content.decode()
    assert f'data-testid="dashboard-title">{CHINESE_TITLES[role]}<' in html
    for nav_label in ("工作台", "机构", "审计日志", "API 文档", "帮助"):
        assert f">{nav_label}</a>" in html
    assert (">管理后台</a>" in html) == (role == Role.PLATFORM_ADMIN)
    assert user.organisation is not None
    assert user.display_name in html and user.organisation.name in html
    # The counts are the scoped counts of this user.
    assert card_count(html, "accounts.organisations") == visible(user, Organisation).count()
    assert card_count(html, "accounts.audit_events") == visible(user, AuditEvent).count()
    assert card_count(html, "accounts.colleagues") == User.objects.filter(organisation=user.organisation).count()
    assert card_count(html, "accounts.api_tokens") == 0


def test_dashboard_counts_follow_scope(people: People):
    enterprise_user = people.users[Role.ENTERPRISE_ADMIN]
    platform_user = people.users[Role.PLATFORM_ADMIN]
    enterprise_html = signed_in(enterprise_user).get(reverse("web:dashboard")).content.decode()
    platform_html = signed_in(platform_user).get(reverse("web:dashboard")).content.decode()
    total = Organisation.objects.count()
    # An enterprise sees the institutions and itself, never another enterprise.
    assert card_count(enterprise_html, "accounts.organisations") == total - 1
    assert card_count(platform_html, "accounts.organisations") == total
    assert people.other_enterprise.name not in signed_in(enterprise_user).get(
        reverse("web:organisations") + "?q=攀枝花").content.decode()


def test_dashboard_chart_data_is_the_scoped_count_by_kind(people: People):
    html = signed_in(people.users[Role.PLATFORM_ADMIN]).get(reverse("web:dashboard")).content.decode()
    data = chart_data(html)
    assert data["labels"][0] == "企业" and data["values"][0] == 2  # two enterprises, two regions
    assert sum(data["values"]) == Organisation.objects.count()
    # An enterprise's chart counts only what it may see: itself among the enterprises.
    html = signed_in(people.users[Role.ENTERPRISE_STAFF]).get(reverse("web:dashboard")).content.decode()
    data = chart_data(html)
    assert data["labels"][0] == "企业" and data["values"][0] == 1


def test_english_switch(people: People):
    client = signed_in(people.users[Role.LOAN_OFFICER])
    response = client.post(reverse("set_language"), {"language": "en", "next": reverse("web:dashboard")}, follow=True)
    html = response.content.decode()
    assert '<html lang="en">' in html
    assert "Bank workbench" in html and "IP Pledge Financing Service Platform" in html
    assert "银行工作台" not in html
    back = client.post(reverse("set_language"), {"language": "zh-hans", "next": reverse("web:dashboard")}, follow=True)
    assert "银行工作台" in back.content.decode()


# --- list pages -----------------------------------------------------------------------------------

def test_organisation_search_and_htmx_partial(people: People):
    client = signed_in(people.users[Role.CLERK])
    full = client.get(reverse("web:organisations"), {"q": "担保"})
    assert full.status_code == 200
    html = full.content.decode()
    assert "包头融资担保有限公司" in html and "包头示范银行" not in html
    assert "<nav" in html  # the whole page
    partial = client.get(reverse("web:organisations"), {"q": "银行"}, headers={"HX-Request": "true"})
    partial_html = partial.content.decode()
    assert "包头示范银行" in partial_html and "<nav class=\"navbar" not in partial_html


def test_organisations_are_paginated(people: People):
    from ipfin.accounts.actions import create_organisation

    for index in range(25):
        create_organisation(None, name=f"测试银行{index:02d}", kind=OrganisationKind.BANK, region_code="150200")
    client = signed_in(people.users[Role.PLATFORM_ADMIN])
    first = client.get(reverse("web:organisations")).content.decode()
    assert "第 1 页，共 2 页" in first
    second = client.get(reverse("web:organisations"), {"page": 2}).content.decode()
    assert "第 2 页，共 2 页" in second
    # Garbage page numbers fall back to a real page instead of an error.
    assert client.get(reverse("web:organisations"), {"page": "x"}).status_code == 200


def test_audit_log_is_scoped_and_newest_first(people: People):
    bank_user = people.users[Role.BRANCH_HEAD]
    html = signed_in(bank_user).get(reverse("web:audit")).content.decode()
    ids = [int(n) for n in re.findall(r'<td class="text-body-secondary">(\d+)</td>', html)]
    expected = list(
        visible(bank_user, AuditEvent).order_by("-id").values_list("id", flat=True)[:25]
    )
    assert ids == expected and ids
    assert all(
        event.organisation_id == bank_user.organisation_id
        for event in AuditEvent.objects.filter(id__in=ids)
    )


# --- API tokens -----------------------------------------------------------------------------------

def test_issue_token_shows_the_secret_once_and_revoke(people: People):
    user = people.users[Role.LOAN_OFFICER]
    client = signed_in(user, csrf=True)
    page = client.get(reverse("web:tokens"))
    token = csrf_token_of(page.content.decode())
    assert client.post(reverse("web:tokens"), {"name": "core banking"}).status_code == 403  # CSRF
    assert not ApiToken.objects.filter(user=user).exists()
    issued = client.post(reverse("web:tokens"), {"name": "core banking", "csrfmiddlewaretoken": token})
    assert issued["Cache-Control"] == "no-store"
    match = re.search(r'data-testid="new-token-secret">(ipf_[^<]+)<', issued.content.decode())
    assert match, "the secret is shown once, on issue"
    secret = match.group(1)
    api_token = ApiToken.objects.get(user=user)
    assert secret.startswith(api_token.prefix)
    assert secret not in client.get(reverse("web:tokens")).content.decode()  # shown once
    assert client.post(reverse("web:revoke_token", args=[api_token.pk])).status_code == 403  # CSRF
    response = client.post(reverse("web:revoke_token", args=[api_token.pk]), {"csrfmiddlewaretoken": token},
                           follow=True)
    api_token.refresh_from_db()
    assert api_token.revoked_at is not None
    assert "已撤销" in response.content.decode()


def test_token_errors_are_shown_as_translated_alerts(people: People):
    user = people.users[Role.LOAN_OFFICER]
    client = signed_in(user)
    blank = client.post(reverse("web:tokens"), {"name": "   "})
    assert blank.status_code == 400
    assert 'class="alert alert-danger"' in blank.content.decode()
    too_long = client.post(reverse("web:tokens"), {"name": "x" * 101})
    assert too_long.status_code == 400
    assert not ApiToken.objects.exists()


def test_cannot_revoke_someone_elses_token(people: People):
    from ipfin.accounts.actions import issue_api_token

    owner = people.users[Role.APPROVER]
    token, _secret = issue_api_token(owner, name="approver system")
    response = signed_in(people.users[Role.LOAN_OFFICER]).post(
        reverse("web:revoke_token", args=[token.pk]), follow=True)
    token.refresh_from_db()
    assert token.revoked_at is None
    assert "alert-danger" in response.content.decode()
    missing = signed_in(owner).post(reverse("web:revoke_token", args=[999999]), follow=True)
    assert "alert-danger" in missing.content.decode()


# --- help -----------------------------------------------------------------------------------------

@pytest.mark.parametrize(("role", "heading"), [
    (Role.ENTERPRISE_STAFF, "企业用户帮助"),
    (Role.APPROVER, "银行用户帮助"),
    (Role.INSURER_OFFICER, "担保机构、保险机构用户帮助"),
    (Role.EXPERT, "评估机构用户帮助"),
    (Role.FUND_OFFICER, "资金管理人用户帮助"),
    (Role.LEADER, "知识产权局、领导小组用户帮助"),
    (Role.SUPERVISOR, "金融监管用户帮助"),
    (Role.PLATFORM_ADMIN, "平台运营用户帮助"),
])
def test_help_page_of_my_role(people: People, role: str, heading: str):
    html = signed_in(people.users[role]).get(reverse("web:help")).content.decode()
    assert f"<h1>{heading}</h1>" in html
    assert "English summary" not in html


def test_help_in_english_and_unknown_page(people: People):
    client = signed_in(people.users[Role.SUPERVISOR])
    client.post(reverse("set_language"), {"language": "en"})
    html = client.get(reverse("web:help_page", args=["bank"])).content.decode()
    assert "<h1>Help: Banks</h1>" in html and "loan officers" in html
    assert "银行用户帮助" not in html
    assert client.get(reverse("web:help_page", args=["nope"])).status_code == 404


# --- security -------------------------------------------------------------------------------------

def test_security_headers(people: People):
    response = signed_in(people.users[Role.CLERK]).get(reverse("web:dashboard"))
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "<script>" not in response.content.decode()  # no inline script anywhere (CSP would block it)


def test_no_cdn_links(people: People):
    html = signed_in(people.users[Role.PLATFORM_ADMIN]).get(reverse("web:dashboard")).content.decode()
    for src in re.findall(r'(?:src|href)="([^"]+)"', html):
        assert not src.startswith(("http:", "https:", "//")), src


@pytest.mark.parametrize("role", [r for r in Role.values if r != Role.PLATFORM_ADMIN])
def test_admin_refused_for_non_platform_roles(people: People, role: str):
    response = signed_in(people.users[role]).get("/admin/")
    assert response.status_code in (302, 403)
    if response.status_code == 302:
        assert "/admin/login/" in response["Location"] or "/login/" in response["Location"]


def test_admin_allowed_for_platform_admin(people: People):
    client = signed_in(people.users[Role.PLATFORM_ADMIN])
    assert client.get("/admin/").status_code == 200

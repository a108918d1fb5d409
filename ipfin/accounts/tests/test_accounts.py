from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client

from ipfin.accounts.actions import create_organisation, create_user, issue_api_token
from ipfin.accounts.choices import OrganisationKind, Role
from ipfin.accounts.models import AuditEvent, Organisation
from ipfin.core.testing.world import World
from ipfin.domain.errors import Conflict, InvalidInput, PermissionDenied

pytestmark = pytest.mark.django_db


def test_argon2_is_the_production_password_hasher() -> None:
    from config import settings as project_settings

    assert project_settings.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")


def test_only_the_platform_creates_organisations(world: World) -> None:
    with pytest.raises(PermissionDenied):
        create_organisation(world.users["ipo_bt.leader"], name="x", kind="bank", region_code="150200")
    org = create_organisation(world.users["platform.admin"], name="新银行", kind="bank", region_code="150200")
    event = AuditEvent.objects.filter(action="organisation.create", object_id=str(org.pk)).get()
    assert event.actor == world.users["platform.admin"] and event.after["name"] == "新银行"


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"kind": "bank", "region_code": "15020"}, InvalidInput),
        ({"kind": "bank", "region_code": "abcdef"}, InvalidInput),
        ({"kind": "pirate", "region_code": "150200"}, InvalidInput),
        ({"kind": "bank", "region_code": "150200", "name": "  "}, InvalidInput),
    ],
)
def test_bad_organisation_input_writes_nothing(kwargs: dict, error: type) -> None:
    before = Organisation.objects.count()
    with pytest.raises(error):
        create_organisation(None, **({"name": "某机构"} | kwargs))
    assert Organisation.objects.count() == before


def test_duplicate_organisation_is_a_conflict() -> None:
    create_organisation(None, name="包头某银行", kind="bank", region_code="150200")
    with pytest.raises(Conflict):
        create_organisation(None, name="包头某银行", kind="bank", region_code="150200")


def test_roles_must_fit_the_organisation_kind() -> None:
    org = create_organisation(None, name="某企业", kind=OrganisationKind.ENTERPRISE, region_code="150203")
    with pytest.raises(InvalidInput):
        create_user(None, organisation=org, username="u1", password="x", roles=[Role.APPROVER],
                    check_password_strength=False)
    with pytest.raises(InvalidInput):
        create_user(None, organisation=org, username="u2", password="123", roles=[Role.ENTERPRISE_ADMIN])


def test_enterprise_admin_creates_users_only_in_own_organisation(world: World) -> None:
    admin = world.users["ent_bt.admin"]
    user = create_user(admin, organisation=world.orgs["ent_bt"], username="staff2", password="x",
                       roles=[Role.ENTERPRISE_STAFF], check_password_strength=False)
    assert user.roles == {Role.ENTERPRISE_STAFF}
    with pytest.raises(PermissionDenied):
        create_user(admin, organisation=world.orgs["ent_pzh"], username="staff3", password="x",
                    roles=[Role.ENTERPRISE_STAFF], check_password_strength=False)


def test_login_and_logout_are_audited(world: World) -> None:
    client = Client()
    client.force_login(world.users["ent_bt.admin"])
    client.logout()
    actions = list(AuditEvent.objects.filter(actor=world.users["ent_bt.admin"]).values_list("action", flat=True))
    assert actions[-2:] == ["user.login", "user.logout"]


class TestApi:
    def test_me_with_a_token(self, world: World) -> None:
        _token, secret = issue_api_token(world.users["bank_a.approver"], name="core banking")
        response = Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {secret}")
        assert response.status_code == 200
        body = response.json()
        assert body["username"] == "bank_a-approver" and body["roles"] == ["approver"]
        assert body["organisation"]["kind"] == "bank" and body["organisation"]["region_code"] == "150200"

    def test_tokens_are_hashed_at_rest_and_revocable(self, world: World) -> None:
        token, secret = issue_api_token(world.users["bank_a.approver"], name="core banking")
        assert secret not in token.token_hash and len(token.token_hash) == 64
        client = Client()
        client.force_login(world.users["bank_a.approver"])
        assert client.delete(f"/api/v1/tokens/{token.pk}").status_code == 200
        response = Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {secret}")
        assert response.status_code == 401
        assert set(response.json()) == {"code", "message", "details"}

    def test_issue_token_over_the_api_shows_the_secret_once(self, world: World) -> None:
        client = Client()
        client.force_login(world.users["ent_bt.admin"])
        response = client.post("/api/v1/tokens", {"name": "erp"}, content_type="application/json")
        assert response.status_code == 201 and response.json()["secret"].startswith("ipf_")
        listed = client.get("/api/v1/tokens").json()
        assert [t["name"] for t in listed] == ["erp"] and "secret" not in listed[0]

    def test_someone_elses_token_is_not_found(self, world: World) -> None:
        token, _ = issue_api_token(world.users["ent_pzh.admin"], name="x")
        client = Client()
        client.force_login(world.users["ent_bt.admin"])
        response = client.delete(f"/api/v1/tokens/{token.pk}")
        assert response.status_code == 404 and response.json()["code"] == "not_found"

    def test_anonymous_gets_the_error_shape(self) -> None:
        response = Client().get("/api/v1/me")
        assert response.status_code == 401
        assert response.json()["code"] == "not_authenticated"

    def test_validation_errors_have_the_error_shape(self, world: World) -> None:
        client = Client()
        client.force_login(world.users["ent_bt.admin"])
        response = client.post("/api/v1/tokens", {"nom": "erp"}, content_type="application/json")
        assert response.status_code == 422 and response.json()["code"] == "validation_error"

    def test_organisation_list_is_scoped(self, world: World) -> None:
        client = Client()
        client.force_login(world.users["ent_bt.admin"])
        names = {o["name"] for o in client.get("/api/v1/organisations?page=1").json()["items"]}
        assert "world-ent_bt" in names and "world-ent_pzh" not in names
        assert client.get(f"/api/v1/organisations/{world.orgs['ent_pzh'].pk}").status_code == 404

    def test_openapi_declares_the_error_shape(self) -> None:
        schema = Client().get("/api/v1/openapi.json").json()
        assert "ErrorOut" in schema["components"]["schemas"]
        assert "403" in schema["paths"]["/api/v1/tokens"]["post"]["responses"]
        assert Client().get("/api/v1/docs").status_code == 200


def test_settings_keep_csrf_on() -> None:
    assert "django.middleware.csrf.CsrfViewMiddleware" in settings.MIDDLEWARE


@pytest.mark.parametrize("url", ["/admin/", "/admin/accounts/organisation/", "/admin/accounts/auditevent/",
                                 "/admin/ipfin_calendar/lprfixing/", "/admin/ipfin_calendar/calendaryear/"])
def test_admin_is_for_the_platform_role_only(world: World, url: str) -> None:
    platform = Client()
    platform.force_login(world.users["platform.admin"])
    assert platform.get(url).status_code == 200
    for viewer in ("ipo_bt.leader", "bank_a.approver", "ent_bt.admin"):
        other = Client()
        other.force_login(world.users[viewer])
        assert other.get(url).status_code in (302, 403)

"""Django admin, for the platform operator only. Every change made here is audited."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import transaction
from django.http import HttpRequest

from ipfin.accounts.audit import record_event, snapshot
from ipfin.accounts.models import ApiToken, AuditEvent, Organisation, RoleAssignment, User
from ipfin.accounts.permissions import is_platform_admin


def _platform_only(request: HttpRequest) -> bool:
    user = request.user
    return bool(user.is_authenticated and user.is_active and is_platform_admin(user))  # type: ignore[arg-type]


admin.site.has_permission = _platform_only  # type: ignore[method-assign]


class PlatformOnlyMixin:
    """Model pages follow the platform role, not Django's per-model permission flags."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return _platform_only(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _platform_only(request)


class PlatformEditableMixin(PlatformOnlyMixin):
    """The platform role adds and changes; nobody deletes (records stay for the audit trail)."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return _platform_only(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _platform_only(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class AuditedAdmin(PlatformEditableMixin, admin.ModelAdmin):
    """Saves through one transaction with an audit event naming the admin and the changed fields."""

    audit_fields: list[str] = []

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        with transaction.atomic():
            before = snapshot(type(obj).objects.get(pk=obj.pk), self.audit_fields) if change else None
            super().save_model(request, obj, form, change)
            record_event(actor=request.user, action=f"admin.{obj._meta.model_name}.{'change' if change else 'add'}",
                         obj=obj, before=before, after=snapshot(obj, self.audit_fields))


@admin.register(Organisation)
class OrganisationAdmin(AuditedAdmin):
    list_display = ["name", "kind", "region_code", "head_office", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "uscc", "region_code"]
    audit_fields = ["name", "kind", "region_code", "head_office_id", "uscc", "is_active"]


class RoleInline(admin.TabularInline):
    model = RoleAssignment
    extra = 0


@admin.register(User)
class UserAdmin(AuditedAdmin):
    list_display = ["username", "display_name", "organisation", "is_active", "last_login"]
    list_filter = ["organisation__kind", "is_active"]
    search_fields = ["username", "display_name", "organisation__name"]
    fields = ["username", "display_name", "organisation", "email", "phone", "is_active"]
    inlines = [RoleInline]
    audit_fields = ["username", "display_name", "organisation_id", "email", "is_active"]


class ReadOnlyAdmin(PlatformOnlyMixin, admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ["id", "created_at", "actor", "organisation", "action", "object_type", "object_id", "clause"]
    list_filter = ["action"]
    search_fields = ["action", "object_type", "object_id", "clause"]


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdmin):
    list_display = ["name", "user", "prefix", "created_at", "last_used_at", "revoked_at"]

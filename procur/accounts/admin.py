"""Organisations and users in the admin, and the organisation scoping every Procur admin uses."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.db.models import Model, QuerySet
from django.http import HttpRequest

from procur.accounts.models import Organisation, User
from procur.accounts.tenancy import scope_to_user

# How each model reaches its organisation: the lookup both row scoping and FK choices use.
ORGANISATION_PATHS: dict[str, str] = {
    "accounts.organisation": "",
    "accounts.user": "organisation",
    "vendors.supplier": "organisation",
    "negotiations.quote": "organisation",
    "negotiations.negotiation": "quote__organisation",
    "negotiations.message": "negotiation__quote__organisation",
    "negotiations.agentcall": "negotiation__quote__organisation",
}


def scope_for_admin(queryset: QuerySet, user) -> QuerySet:
    """All rows for a platform superuser; otherwise only the user's organisation's."""
    if user.is_superuser:
        return queryset
    path = ORGANISATION_PATHS[queryset.model._meta.label_lower]
    if not path:
        return queryset.filter(pk=user.organisation_id) if user.organisation_id else queryset.none()
    return scope_to_user(queryset, user, field=path)


class OrganisationScopedAdmin(admin.ModelAdmin):
    """Non-superuser staff see, and may link to, only their own organisation's rows.

    Every list, change page, action and foreign-key choice goes through ``scope_for_admin``; a
    filter on the organisation is offered to superusers only, since its choices name every
    organisation.
    """

    superuser_list_filter: tuple[str, ...] = ()

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return scope_for_admin(super().get_queryset(request), request.user)

    def get_list_filter(self, request: HttpRequest):
        filters = tuple(super().get_list_filter(request))
        if request.user.is_superuser:
            return self.superuser_list_filter + filters
        return filters

    def formfield_for_foreignkey(self, db_field, request: HttpRequest, **kwargs):
        related: type[Model] = db_field.related_model
        if related._meta.label_lower in ORGANISATION_PATHS and "queryset" not in kwargs:
            kwargs["queryset"] = scope_for_admin(related._default_manager.all(), request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request: HttpRequest, obj: Model, form, change: bool) -> None:
        # A blank organisation would hide the row from the staff member who just created it.
        if not request.user.is_superuser and any(
            f.name == "organisation" for f in obj._meta.concrete_fields
        ):
            obj.organisation_id = request.user.organisation_id
        super().save_model(request, obj, form, change)


@admin.register(Organisation)
class OrganisationAdmin(OrganisationScopedAdmin):
    list_display = ["name", "slug", "created_at"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    date_hierarchy = "created_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Customers are onboarded by the platform, never by another customer's staff.
        return request.user.is_superuser and super().has_add_permission(request)

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return request.user.is_superuser and super().has_delete_permission(request, obj)


@admin.register(User)
class ProcurUserAdmin(OrganisationScopedAdmin, UserAdmin):
    list_display = ["username", "email", "organisation", "is_staff", "is_superuser", "last_login"]
    list_filter = ["is_staff", "is_superuser", "is_active"]
    superuser_list_filter = ("organisation",)
    fieldsets = (*UserAdmin.fieldsets, ("Organisation", {"fields": ["organisation"]}))
    add_fieldsets = (*UserAdmin.add_fieldsets, ("Organisation", {"fields": ["organisation"]}))
    date_hierarchy = "date_joined"

    def get_readonly_fields(self, request: HttpRequest, obj=None):
        readonly = tuple(super().get_readonly_fields(request, obj))
        if request.user.is_superuser:
            return readonly
        # Staff manage their colleagues, but cannot grant powers beyond their own organisation.
        return (*readonly, "is_superuser", "groups", "user_permissions")

"""Organisations and users in the admin, and the organisation scoping every Procur admin uses."""

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import UserChangeForm
from django.contrib.auth.models import Permission
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
    "negotiations.notification": "quote__organisation",
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


# Awarding or closing a quote (negotiations.Quote's permission, named here by app and codename).
APPROVE_AWARDS = ("negotiations", "approve_awards")


def approve_awards_permission() -> Permission:
    app_label, codename = APPROVE_AWARDS
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


class ColleagueChangeForm(UserChangeForm):
    """A colleague's page as organisation staff see it: permissions stay the platform's, but the
    one power staff hand out themselves, approving awards, is a checkbox."""

    approve_awards = forms.BooleanField(
        required=False,
        label="Approve awards",
        help_text="May award a quote to a supplier or close it without award. Everyone in the "
        "organisation can watch negotiations and guide the agents.",
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["approve_awards"].initial = self.instance.user_permissions.filter(
                pk=approve_awards_permission().pk
            ).exists()


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
        # Staff manage their colleagues, but cannot grant powers beyond their own organisation,
        # nor approving awards unless they hold it themselves.
        readonly = (*readonly, "is_superuser", "groups", "user_permissions")
        if obj is None or not request.user.has_perm(".".join(APPROVE_AWARDS)):
            readonly = (*readonly, "approve_awards")
        return readonly

    def get_fieldsets(self, request: HttpRequest, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or request.user.is_superuser:  # superusers edit the permissions list
            return fieldsets
        return (*fieldsets, ("Approvals", {"fields": ["approve_awards"]}))

    def get_form(self, request: HttpRequest, obj=None, **kwargs):
        # The checkbox for staff who may grant it; other staff get the read-only display.
        if (
            obj is not None
            and not request.user.is_superuser
            and "approve_awards" not in self.get_readonly_fields(request, obj)
        ):
            kwargs["form"] = ColleagueChangeForm
        return super().get_form(request, obj, **kwargs)

    def save_related(self, request: HttpRequest, form, formsets, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        if "approve_awards" in form.fields and "approve_awards" in form.changed_data:
            permissions = form.instance.user_permissions
            if form.cleaned_data["approve_awards"]:
                permissions.add(approve_awards_permission())
            else:
                permissions.remove(approve_awards_permission())

    @admin.display(description="Approve awards", boolean=True)
    def approve_awards(self, obj: User) -> bool:
        """Shown read-only to staff who may not grant it."""
        return obj.user_permissions.filter(pk=approve_awards_permission().pk).exists()

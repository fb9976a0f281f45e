from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from procur.accounts.models import Organisation, User


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "created_at"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(User)
class ProcurUserAdmin(UserAdmin):
    list_display = ["username", "email", "organisation", "is_staff", "is_superuser"]
    list_filter = ["organisation", "is_staff", "is_superuser", "is_active"]
    fieldsets = (*UserAdmin.fieldsets, ("Organisation", {"fields": ["organisation"]}))
    add_fieldsets = (*UserAdmin.add_fieldsets, ("Organisation", {"fields": ["organisation"]}))

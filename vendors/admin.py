from django.contrib import admin

from procur.accounts.admin import OrganisationScopedAdmin
from vendors.models import Supplier


@admin.register(Supplier)
class SupplierAdmin(OrganisationScopedAdmin):
    list_display = [
        "name",
        "organisation",
        "temperament",
        "list_price",
        "cost_floor",
        "capacity",
        "reliability",
        "is_active",
        "updated_at",
    ]
    list_filter = ["temperament", "is_active", "currency"]
    superuser_list_filter = ("organisation",)
    list_select_related = ["organisation"]
    search_fields = ["name", "contact_name", "contact_email", "notes"]
    date_hierarchy = "created_at"

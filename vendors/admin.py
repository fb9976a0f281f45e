from django.contrib import admin

from vendors.models import Supplier


@admin.register(Supplier)
class SupplierAdmin(admin.ModelAdmin):
    list_display = ["name", "organisation", "temperament", "list_price", "cost_floor", "is_active"]
    list_filter = ["organisation", "temperament", "is_active"]
    search_fields = ["name", "contact_name", "contact_email"]

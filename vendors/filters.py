"""The supplier directory's search and filter (django-filter)."""

import django_filters
from django import forms
from django.db.models import Q, QuerySet

from vendors.models import Supplier


class SupplierFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        method="search",
        label="Search",
        widget=forms.TextInput(
            attrs={"placeholder": "Name, contact or category", "type": "search"}
        ),
    )
    is_active = django_filters.BooleanFilter(
        label="Active",
        widget=forms.Select(
            choices=[("", "Active or not"), ("true", "Active"), ("false", "Inactive")]
        ),
    )

    class Meta:
        model = Supplier
        fields: list[str] = []

    def search(self, queryset: QuerySet[Supplier], name: str, value: str) -> QuerySet[Supplier]:
        return queryset.filter(
            Q(name__icontains=value)
            | Q(contact_name__icontains=value)
            | Q(contact_email__icontains=value)
            | Q(categories__icontains=value)
        )

"""The dashboard's search and filters (django-filter): what a list of quotes can be narrowed by."""

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q, QuerySet

from negotiations.models import APPROVE_AWARDS, Negotiation, NegotiationStatus, Quote, QuoteStatus
from negotiations.selectors import unread_notifications

NEEDS_ME = "needs_me"
WAITING_FOR_SUPPLIER = NegotiationStatus.WAITING_FOR_SUPPLIER


def needs_attention(queryset: QuerySet[Quote], user) -> QuerySet[Quote]:
    """Quotes waiting on this user: a brand agent's open question to staff, notifications the
    user has not read, or, for a user who may approve awards, an outcome awaiting approval."""
    asking = Negotiation.objects.filter(
        quote=OuterRef("pk"), status=NegotiationStatus.WAITING_FOR_STAFF
    )
    unread = unread_notifications(user).filter(quote=OuterRef("pk"))
    waiting = Q(Exists(asking)) | Q(Exists(unread))
    if user.has_perm(APPROVE_AWARDS):
        waiting |= Q(status=QuoteStatus.AWAITING_APPROVAL)
    return queryset.filter(waiting)


class QuoteFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        method="search",
        label="Search",
        widget=forms.TextInput(attrs={"placeholder": "Product or supplier", "type": "search"}),
    )
    status = django_filters.ChoiceFilter(
        method="by_status",
        choices=[
            (NEEDS_ME, "Needs me"),
            *QuoteStatus.choices,
            (WAITING_FOR_SUPPLIER.value, "Waiting for a supplier's reply"),
        ],
        empty_label="Any status",
    )
    created_after = django_filters.DateFilter(
        field_name="created_at",
        lookup_expr="date__gte",
        label="Created from",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    created_before = django_filters.DateFilter(
        field_name="created_at",
        lookup_expr="date__lte",
        label="to",
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    class Meta:
        model = Quote
        fields: list[str] = []

    def search(self, queryset: QuerySet[Quote], name: str, value: str) -> QuerySet[Quote]:
        supplier = Negotiation.objects.filter(quote=OuterRef("pk"), supplier__name__icontains=value)
        return queryset.filter(Q(product__icontains=value) | Q(Exists(supplier)))

    def by_status(self, queryset: QuerySet[Quote], name: str, value: str) -> QuerySet[Quote]:
        if value == NEEDS_ME:
            return needs_attention(queryset, self.request.user)
        if value == WAITING_FOR_SUPPLIER:
            waiting = Negotiation.objects.filter(quote=OuterRef("pk"), status=WAITING_FOR_SUPPLIER)
            return queryset.filter(Exists(waiting))
        return queryset.filter(status=value)

"""Reads of the supplier directory."""

from django.db.models import Count, DecimalField, F, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.fields.json import KT
from django.db.models.functions import Cast

from negotiations.models import Negotiation, NegotiationStatus
from vendors.models import Supplier

_MONEY = DecimalField(max_digits=16, decimal_places=2)


def with_totals(suppliers: QuerySet[Supplier]) -> QuerySet[Supplier]:
    """Per supplier, by name: negotiations, deals reached, awards won and the spend awarded to
    it (agreed unit price x quantity of each quote it won)."""
    spend = (
        Negotiation.objects.filter(supplier=OuterRef("pk"), award_of__isnull=False)
        .annotate(price=Cast(KT("final_terms__unit_price"), _MONEY))
        .values("supplier")
        .annotate(total=Sum(F("price") * F("quote__quantity")))
        .values("total")
    )
    return suppliers.annotate(
        negotiation_count=Count("negotiations", distinct=True),
        deal_count=Count(
            "negotiations", filter=Q(negotiations__status=NegotiationStatus.AGREED), distinct=True
        ),
        award_count=Count(
            "negotiations", filter=Q(negotiations__award_of__isnull=False), distinct=True
        ),
        awarded_spend=Subquery(spend, output_field=_MONEY),
    ).order_by("name", "pk")

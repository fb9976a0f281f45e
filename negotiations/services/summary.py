"""A negotiation's summary figures, stored when it ends: its supplier's first offered unit price
(the baseline of "savings against the first offer"), the staff messages in it (guidance and
answers) and what its agent calls cost. Analytics sums these over many negotiations instead of
reading millions of messages and agent calls."""

from decimal import Decimal

from django.db.models import Count, DecimalField, OuterRef, QuerySet, Subquery, Sum
from django.db.models.fields.json import KT
from django.db.models.functions import Cast, Coalesce

from negotiations.models import AgentCall, Message, Negotiation, Quote, Sender
from negotiations.signals import quote_figures_changed

PRICE = DecimalField(max_digits=12, decimal_places=2)
COST = DecimalField(max_digits=12, decimal_places=6)


def first_offer_price() -> Subquery:
    """The negotiation's (``OuterRef("pk")``) first unit price offered by the supplier."""
    offers = Message.objects.filter(
        negotiation=OuterRef("pk"), sender=Sender.SUPPLIER, terms__has_key="unit_price"
    ).order_by("seq")
    return Subquery(offers.annotate(price=Cast(KT("terms__unit_price"), PRICE)).values("price")[:1])


def staff_message_count() -> Coalesce:
    staff = (
        Message.objects.filter(negotiation=OuterRef("pk"), sender=Sender.STAFF)
        .order_by()
        .values("negotiation")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(staff), 0)


def agent_call_cost() -> Coalesce:
    calls = (
        AgentCall.objects.filter(negotiation=OuterRef("pk"))
        .order_by()
        .values("negotiation")
        .annotate(cost=Sum("cost_usd"))
        .values("cost")
    )
    return Coalesce(Subquery(calls, output_field=COST), Decimal(0), output_field=COST)


def negotiations_summarise(negotiations: QuerySet[Negotiation]) -> int:
    """Store the summary figures of these negotiations, in one UPDATE however many."""
    return negotiations.update(
        first_offer_price=first_offer_price(),
        staff_messages=staff_message_count(),
        llm_cost_usd=agent_call_cost(),
    )


def figures_changed(quote: Quote) -> None:
    """Announce that the figures of ``quote`` or of its negotiations changed, inside the changing
    transaction (``records`` recomputes the analytics' daily summary of the quote's day)."""
    quote_figures_changed.send(sender=Quote, quote=quote)

"""Reads: querysets scoped to the user's organisation, with their relations already loaded."""

from collections.abc import Iterable
from decimal import Decimal

from django.db.models import DecimalField, F, Prefetch, QuerySet, Sum
from django.db.models.fields.json import KT
from django.db.models.functions import Coalesce

from negotiations.models import Message, Negotiation, Quote
from procur.accounts.tenancy import scope_to_user

_COST = DecimalField(max_digits=12, decimal_places=6)


def quotes_for_user(user) -> QuerySet[Quote]:
    return scope_to_user(Quote.objects.all(), user).prefetch_related("negotiations__supplier")


def negotiations_for_quote(quote: Quote) -> QuerySet[Negotiation]:
    """The quote's negotiations by slot, with supplier and LLM usage totals (sum of AgentCalls)."""
    return (
        Negotiation.objects.filter(quote=quote)
        .select_related("supplier")
        .annotate(
            llm_tokens=Coalesce(
                Sum(
                    F("agent_calls__input_tokens")
                    + F("agent_calls__output_tokens")
                    + F("agent_calls__cache_read_tokens")
                    + F("agent_calls__cache_write_tokens")
                ),
                0,
            ),
            llm_cost=Coalesce(Sum("agent_calls__cost_usd"), Decimal("0"), output_field=_COST),
        )
        .order_by("slot")
    )


def messages_after(negotiation_id: int, seq: int) -> QuerySet[Message]:
    """A negotiation's messages newer than ``seq``, in order (the live room's catch-up)."""
    return (
        Message.objects.filter(negotiation_id=negotiation_id, seq__gt=seq)
        .select_related("author")
        .order_by("seq")
    )


def offer_prices_for_quotes(quote_ids: Iterable[int]) -> QuerySet:
    """Every offered unit price in these quotes' negotiations, in order (charts, best offer):
    rows of ``negotiation_id``, ``sender``, ``round`` and ``unit_price`` (text), read from the
    terms column alone rather than whole messages."""
    return (
        Message.objects.filter(
            negotiation__quote_id__in=list(quote_ids), terms__has_key="unit_price"
        )
        .annotate(unit_price=KT("terms__unit_price"))
        .order_by("negotiation_id", "seq")
        .values_list("negotiation_id", "sender", "round", "unit_price", named=True)
    )


def quote_with_transcripts(quote_id: int) -> Quote:
    """A quote with its negotiations, suppliers and every message loaded in order."""
    return Quote.objects.prefetch_related(
        Prefetch(
            "negotiations",
            queryset=Negotiation.objects.select_related("supplier").prefetch_related(
                Prefetch("messages", queryset=Message.objects.order_by("seq"))
            ),
        )
    ).get(pk=quote_id)

"""Reads: querysets scoped to the user's organisation, with their relations already loaded, and
the read models built from them (the dashboard's rows, a negotiation's open question)."""

import operator
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from functools import reduce

from django.db.models import DecimalField, Exists, F, OuterRef, Prefetch, QuerySet, Sum
from django.db.models.fields.json import KT
from django.db.models.functions import Coalesce

from negotiations.engine import Action
from negotiations.models import (
    TOKEN_FIELDS,
    Message,
    Negotiation,
    NegotiationStatus,
    Notification,
    Quote,
    Sender,
)
from procur.accounts.tenancy import scope_to_user

_COST = DecimalField(max_digits=12, decimal_places=6)


def quotes_for_user(user) -> QuerySet[Quote]:
    return scope_to_user(Quote.objects.all(), user).prefetch_related("negotiations__supplier")


def quotes_for_dashboard(user) -> QuerySet[Quote]:
    """The user's quotes, each marked ``has_unread`` when it has notifications they have not
    read (the dashboard's marker)."""
    unread = unread_notifications(user).filter(quote=OuterRef("pk"))
    return quotes_for_user(user).annotate(has_unread=Exists(unread))


def unread_notifications(user) -> QuerySet[Notification]:
    return Notification.objects.filter(user=user, read_at__isnull=True)


# The badge counts up to this many ("99+" beyond): its query reads at most this many index rows.
UNREAD_BADGE_CAP = 100


def unread_notification_count(user) -> int:
    """The badge's count: the user's unread notifications, up to ``UNREAD_BADGE_CAP``."""
    return unread_notifications(user)[:UNREAD_BADGE_CAP].count()


def notifications_for_user(user) -> QuerySet[Notification]:
    """The user's notifications, newest first, with their quote and supplier loaded."""
    return (
        Notification.objects.filter(user=user)
        .select_related("quote", "negotiation__supplier")
        .order_by("-created_at", "-pk")
    )


def token_total(calls: str):
    """The tokens of the agent calls reached by the ``calls`` lookup, every kind summed."""
    return Sum(reduce(operator.add, (F(f"{calls}__{name}") for name in TOKEN_FIELDS)), default=0)


def negotiations_for_quote(quote: Quote) -> QuerySet[Negotiation]:
    """The quote's negotiations by slot, with supplier and LLM usage totals (sum of AgentCalls)."""
    return (
        Negotiation.objects.filter(quote=quote)
        .select_related("supplier")
        .annotate(
            llm_tokens=token_total("agent_calls"),
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


def open_question(negotiation: Negotiation) -> Message | None:
    """The brand agent's question to staff that nobody has answered yet, if any: its last
    agent (or staff) message is the question; staff guidance given meanwhile does not answer it.
    (A question the budget did not allow is stored without its text: nobody is asked.)"""
    last = (
        negotiation.messages.filter(sender__in=(Sender.BRAND, Sender.SUPPLIER, Sender.STAFF))
        .exclude(sender=Sender.STAFF, action=Message.GUIDANCE)
        .order_by("-seq")
        .first()
    )
    if last and last.sender == Sender.BRAND and last.action == Action.ASK_INFO and last.question:
        return last
    return None


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


@dataclass(frozen=True)
class QuoteRow:
    quote: Quote
    best_price: Decimal | None = None
    best_supplier: str = ""
    savings: Decimal | None = None

    @property
    def waiting_for_supplier(self) -> list[Negotiation]:
        """Its negotiations waiting on an invited supplier's reply, soonest deadline first
        (read from the prefetched negotiations: no query)."""
        waiting = [
            n
            for n in self.quote.negotiations.all()
            if n.status == NegotiationStatus.WAITING_FOR_SUPPLIER
        ]
        return sorted(waiting, key=lambda n: (n.reply_due_at is None, n.reply_due_at, n.slot))


def quote_rows(quotes: list[Quote]) -> list[QuoteRow]:
    """Each quote's best standing (or agreed) supplier price, and what it saves on that
    supplier's opening price over the quantity."""
    opening: dict[int, Decimal] = {}
    standing: dict[int, Decimal] = {}
    for offer in offer_prices_for_quotes(q.pk for q in quotes):
        if offer.sender == Sender.SUPPLIER:
            price = Decimal(str(offer.unit_price))
            opening.setdefault(offer.negotiation_id, price)
            standing[offer.negotiation_id] = price
    rows = []
    for quote in quotes:
        best: tuple[Decimal, Negotiation] | None = None
        for negotiation in quote.negotiations.all():
            if negotiation.final_terms:
                price = Decimal(str(negotiation.final_terms["unit_price"]))
            else:
                price = standing.get(negotiation.pk)
            if price is not None and (best is None or price < best[0]):
                best = (price, negotiation)
        if best is None:
            rows.append(QuoteRow(quote))
            continue
        price, negotiation = best
        first = opening.get(negotiation.pk, price)
        rows.append(
            QuoteRow(quote, price, negotiation.supplier.name, (first - price) * quote.quantity)
        )
    return rows

"""A started quote with three negotiations and a short transcript, for the room's tests."""

from dataclasses import dataclass

import pytest

from negotiations.models import Negotiation, NegotiationStatus, Quote, QuoteStatus, Sender
from tests.factories import MessageFactory, NegotiationFactory, QuoteFactory, SupplierFactory


@dataclass
class Started:
    quote: Quote
    negotiations: list[Negotiation]


def offer(negotiation: Negotiation, seq: int, price: str, *, sender: str = Sender.SUPPLIER):
    return MessageFactory(
        negotiation=negotiation,
        seq=seq,
        round=(seq + 1) // 2,
        sender=sender,
        action="counter" if seq > 1 else "propose",
        text=f"Offer at {price}",
        terms={
            "unit_price": price,
            "quantity": negotiation.quote.quantity,
            "lead_time_days": 21,
            "payment_terms_days": 30,
            "warranty_months": 12,
            "currency": "USD",
        },
    )


def ask(negotiation: Negotiation, seq: int, question: str) -> None:
    """The brand agent's question for staff, which the negotiation now waits on."""
    MessageFactory(
        negotiation=negotiation,
        seq=seq,
        sender=Sender.BRAND,
        action="ask_info",
        terms=None,
        text=f"Question for our team: {question}",
        question=question,
    )
    negotiation.status = NegotiationStatus.WAITING_FOR_STAFF
    negotiation.save(update_fields=["status"])


@pytest.fixture
def started(organisation, user) -> Started:
    quote = QuoteFactory(organisation=organisation, created_by=user, status=QuoteStatus.NEGOTIATING)
    negotiations = [
        NegotiationFactory(
            quote=quote, slot=slot, supplier=SupplierFactory(organisation=organisation)
        )
        for slot in (1, 2, 3)
    ]
    for negotiation in negotiations:
        offer(negotiation, 1, "2.50")
        offer(negotiation, 2, "2.00", sender=Sender.BRAND)
    return Started(quote, negotiations)

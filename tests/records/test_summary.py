"""A negotiation's summary figures are stored as it ends (what analytics sums)."""

from decimal import Decimal

import pytest

from negotiations import services
from negotiations.models import Message, Sender
from tests.factories import AgentCallFactory, NegotiationFactory, QuoteFactory
from tests.ui.conftest import offer

pytestmark = pytest.mark.django_db


def test_ending_a_negotiation_stores_its_first_offer_staff_messages_and_llm_cost(user):
    negotiation = NegotiationFactory(quote=QuoteFactory(status="negotiating"), slot=1)
    offer(negotiation, 1, "1.80", sender=Sender.BRAND)  # the brand's: not the baseline
    offer(negotiation, 2, "2.45")
    offer(negotiation, 3, "2.30")
    Message.objects.create(negotiation=negotiation, seq=4, sender=Sender.STAFF, text="Hold")
    AgentCallFactory(negotiation=negotiation, cost_usd=Decimal("0.012"))
    AgentCallFactory(negotiation=negotiation, cost_usd=Decimal("0.003"))
    assert negotiation.first_offer_price is None  # nothing stored while it runs

    services.negotiation_cancel(negotiation=negotiation, author=user)

    negotiation.refresh_from_db()
    assert negotiation.first_offer_price == Decimal("2.45")
    assert negotiation.staff_messages == 1
    assert negotiation.llm_cost_usd == Decimal("0.015")


def test_a_negotiation_without_offers_or_calls_summarises_to_zeros(user):
    negotiation = NegotiationFactory(quote=QuoteFactory(status="negotiating"), slot=1)
    services.negotiation_cancel(negotiation=negotiation, author=user)
    negotiation.refresh_from_db()
    assert negotiation.first_offer_price is None
    assert (negotiation.staff_messages, negotiation.llm_cost_usd) == (0, Decimal("0"))

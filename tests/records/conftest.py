"""An ended, awarded quote built through the real services and views, for the records' tests."""

from dataclasses import dataclass

import pytest
from django.contrib.auth.models import Permission
from django.utils import timezone

from negotiations import services
from negotiations.models import Negotiation, NegotiationStatus, Quote, QuoteStatus, Sender
from negotiations.services.summary import negotiations_summarise
from tests.factories import AgentCallFactory, MessageFactory, QuoteFactory, SupplierFactory
from tests.ui.conftest import ask, offer

HTMX = {"HTTP_HX_REQUEST": "true"}


@dataclass
class Ended:
    quote: Quote
    negotiations: list[Negotiation]
    winner: Negotiation


def terms(price: str) -> dict:
    return {
        "unit_price": price,
        "quantity": 5000,
        "lead_time_days": 21,
        "payment_terms_days": 30,
        "warranty_months": 12,
        "currency": "USD",
    }


@pytest.fixture
def ended(staff_client, organisation, user) -> Ended:
    """Three negotiations with offers, guidance and an answered question; two agree, one walks
    away; Procur evaluates and ``user`` (who may approve awards) awards the cheaper deal
    through the page."""
    user.user_permissions.add(
        Permission.objects.get(content_type__app_label="negotiations", codename="approve_awards")
    )
    quote = QuoteFactory(
        organisation=organisation,
        created_by=user,
        status=QuoteStatus.NEGOTIATING,
        started_at=timezone.now(),
    )
    names = ("Amber Glass Co", "=Bottles & Sons", "Vetro Nord")  # one name a spreadsheet would run
    negotiations = [
        Negotiation.objects.create(
            quote=quote,
            supplier=SupplierFactory(organisation=organisation, name=name),
            slot=slot,
            status=NegotiationStatus.ACTIVE,
        )
        for slot, name in enumerate(names, start=1)
    ]
    for negotiation in negotiations:
        offer(negotiation, 1, "2.50")
        offer(negotiation, 2, "1.90", sender=Sender.BRAND)
        offer(negotiation, 3, "2.30")
        AgentCallFactory(negotiation=negotiation, prompt={"system": "SECRET PROMPT"})
    staff_client.post(
        f"/negotiations/{negotiations[0].pk}/guide/", {"text": "Hold firm on price"}, **HTMX
    )
    ask(negotiations[1], 4, "Is a 25-day lead time acceptable?")
    staff_client.post(f"/negotiations/{negotiations[1].pk}/answer/", {"text": "Yes"}, **HTMX)
    staff_client.post(f"/negotiations/{negotiations[2].pk}/pause/", **HTMX)
    for negotiation, final in zip(negotiations, ("2.10", "2.05", None), strict=True):
        negotiation.refresh_from_db()
        seq = negotiation.messages.order_by("-seq").first().seq + 1
        negotiation.round = 3  # the turns service keeps it; these offers went three rounds
        if final:
            MessageFactory(
                negotiation=negotiation,
                seq=seq,
                round=3,
                sender=Sender.BRAND,
                action="accept",
                text=f"We accept {final}.",
                terms=terms(final),
                verdict="fair",
                strategies=["anchor", "concede slowly"],
            )
            negotiation.status, negotiation.final_terms = NegotiationStatus.AGREED, terms(final)
            negotiation.brand_utility = 0.7 if final == "2.05" else 0.6
        else:
            negotiation.status = NegotiationStatus.WALKED_AWAY
        negotiation.save()
    # What negotiation_ended stores as each ends (its statuses were set directly above).
    negotiations_summarise(Negotiation.objects.filter(quote=quote))
    quote.status = QuoteStatus.AWAITING_APPROVAL
    quote.save(update_fields=["status"])
    services.quote_evaluate(quote=quote)
    winner = negotiations[1]
    response = staff_client.post(f"/quotes/{quote.pk}/award/", {"negotiation": winner.pk}, **HTMX)
    assert response.status_code == 200
    quote.refresh_from_db()
    assert quote.status == QuoteStatus.AWARDED
    return Ended(quote, negotiations, winner)

"""The negotiation room page: columns, transcript, chart, question, outcome, usage totals."""

from decimal import Decimal

import pytest
from django.utils import timezone

from negotiations import services
from negotiations.models import NegotiationStatus, QuoteStatus
from tests.factories import AgentCallFactory, QuoteFactory
from tests.ui.conftest import ask, offer

pytestmark = pytest.mark.django_db


def test_it_shows_three_columns_with_their_transcripts(staff_client, started):
    page = staff_client.get(f"/quotes/{started.quote.pk}/").content.decode()
    for negotiation in started.negotiations:
        assert f'id="transcript-{negotiation.pk}"' in page
        assert f'id="msg-{negotiation.pk}-1"' in page
        assert f'id="msg-{negotiation.pk}-2"' in page
        assert negotiation.supplier.name in page
    assert f'ws-connect="/ws/quotes/{started.quote.pk}/"' in page
    assert "<svg" in page and "<polyline" in page


def test_messages_show_terms_as_chips_and_the_referee_verdict(staff_client, started):
    negotiation = started.negotiations[0]
    message = offer(negotiation, 3, "2.31")
    message.verdict = "neutral"
    message.strategies = ["anchor"]
    message.rationale = ["Holding near list price"]
    message.save()
    page = staff_client.get(f"/quotes/{started.quote.pk}/").content.decode()
    assert "2.31 USD/unit" in page
    assert "net 30" in page
    assert "NEUTRAL" in page
    assert "Holding near list price" in page
    assert 'class="msg msg-supplier"' in page and 'class="msg msg-brand"' in page


def test_it_shows_the_round_progress(staff_client, started):
    started.negotiations[0].round = 4
    started.negotiations[0].save()
    page = staff_client.get(f"/quotes/{started.quote.pk}/").content.decode()
    assert f"round 4 of {started.quote.max_rounds}" in page


def test_an_open_question_gets_an_answer_box(staff_client, started):
    negotiation = started.negotiations[1]
    ask(negotiation, 3, "Is 45-day payment acceptable?")
    page = staff_client.get(f"/quotes/{started.quote.pk}/").content.decode()
    assert "The brand agent asks:</strong> Is 45-day payment acceptable?" in page
    assert f'action="/negotiations/{negotiation.pk}/answer/"' in page


def test_it_totals_llm_usage_per_negotiation_and_per_quote(staff_client, started):
    first, second, _ = started.negotiations
    AgentCallFactory(negotiation=first, input_tokens=1000, output_tokens=200, cost_usd="0.01")
    AgentCallFactory(negotiation=first, input_tokens=500, output_tokens=100, cost_usd="0.005")
    AgentCallFactory(negotiation=second, input_tokens=100, output_tokens=0, cost_usd="0.001")
    response = staff_client.get(f"/quotes/{started.quote.pk}/")
    room = response.context["room"]
    usage = {
        c.negotiation.pk: (c.negotiation.llm_tokens, c.negotiation.llm_cost) for c in room.columns
    }
    assert usage[first.pk] == (1800, Decimal("0.015"))
    assert usage[second.pk] == (100, Decimal("0.001"))
    assert room.llm_tokens == 1900
    assert "1,900 tokens" in response.content.decode()


def test_the_outcome_shows_the_ranking_and_approve_buttons(staff_client, started):
    quote = started.quote
    winner = started.negotiations[0]
    quote.status = QuoteStatus.AWAITING_APPROVAL
    quote.recommendation = {
        "recommended_negotiation_id": winner.pk,
        "summary": "Award to the cheapest supplier.",
        "reasons": ["Lowest total cost"],
        "ranking": [
            {
                "negotiation_id": winner.pk,
                "supplier": winner.supplier.name,
                "status": "agreed",
                "terms": {
                    "unit_price": "2.05",
                    "lead_time_days": 21,
                    "payment_terms_days": 30,
                    "warranty_months": 12,
                    "currency": "USD",
                    "quantity": 5000,
                },
                "brand_utility": 0.8,
                "total_cost": "10250.00",
                "savings_vs_target": "-500.00",
                "savings_vs_opening": "2250.00",
                "score": 0.8,
            }
        ],
    }
    quote.save()
    page = staff_client.get(f"/quotes/{quote.pk}/").content.decode()
    assert "Award to the cheapest supplier." in page
    assert "Lowest total cost" in page
    assert f'name="negotiation" value="{winner.pk}"' in page
    assert f'action="/quotes/{quote.pk}/close/"' in page


def test_the_outcome_shows_the_money_each_deal_left_on_the_table(staff_client, started):
    quote = started.quote
    agreed, *others = started.negotiations
    offer(agreed, 3, "2.30")  # the supplier's second offer: 0.20 in one round
    agreed.status, agreed.final_terms = NegotiationStatus.AGREED, offer(agreed, 4, "2.20").terms
    agreed.save()
    for negotiation in others:
        negotiation.status = NegotiationStatus.WALKED_AWAY
        negotiation.save()
    quote.status, quote.started_at = QuoteStatus.AWAITING_APPROVAL, timezone.now()
    quote.save()
    services.quote_evaluate(quote=quote)
    quote.refresh_from_db()
    [entry] = [e for e in quote.recommendation["ranking"] if e["negotiation_id"] == agreed.pk]
    page = staff_client.get(f"/quotes/{quote.pk}/").content.decode()
    assert "Left on the table" in page and "Pareto gap" in page
    assert f"≈ {entry['left_on_table']}" in page
    assert "known: 2500.00" in page  # (2.20 - its 1.70 cost floor) x 5000
    assert f"{entry['pareto_distance']:.3f}" in page
    assert "Money left on the table (estimate)" in page
    assert "then the supplier&#x27;s name in alphabetical order" in page  # the ranking rule


def test_a_draft_quote_offers_to_start(staff_client, organisation):
    quote = QuoteFactory(organisation=organisation)
    page = staff_client.get(f"/quotes/{quote.pk}/").content.decode()
    assert f'action="/quotes/{quote.pk}/start/"' in page
    assert "ws-connect" not in page


def test_another_organisations_room_is_not_found(client, other_user, started):
    client.force_login(other_user)
    assert client.get(f"/quotes/{started.quote.pk}/").status_code == 404


def test_the_room_needs_a_login(client, started):
    response = client.get(f"/quotes/{started.quote.pk}/")
    assert response.status_code == 302 and "/login/" in response["Location"]

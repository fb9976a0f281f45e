"""The three-negotiation flow with PROCUR_LLM=anthropic, against the fake API, through the real
Celery worker on the real broker and database."""

from decimal import Decimal

import pytest

from negotiations import services
from negotiations.models import AgentCall, Negotiation, QuoteStatus
from tests.agents.llm import follow_engine
from tests.factories import QuoteFactory, SupplierFactory
from tests.orchestration.conftest import all_ended, wait_for
from vendors.models import Temperament

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.worker]


def test_three_negotiations_run_on_the_anthropic_voice(
    fake_anthropic, celery_worker, organisation, user
):
    fake_anthropic.default = follow_engine
    # No question budget: a question to staff would wait for a human answer.
    quote = QuoteFactory(
        organisation=organisation, created_by=user, max_rounds=6, question_budget=0
    )
    suppliers = [
        SupplierFactory(organisation=organisation, temperament=t)
        for t in (Temperament.HARDBALL, Temperament.BALANCED, Temperament.RELATIONSHIP)
    ]

    negotiations = services.quote_start(quote=quote, suppliers=suppliers)
    wait_for(lambda: all_ended(quote))

    quote.refresh_from_db()
    assert quote.status == QuoteStatus.AWAITING_APPROVAL
    calls = AgentCall.objects.filter(negotiation__quote=quote)
    assert calls.count() == len(fake_anthropic.requests) > 0
    assert set(calls.values_list("voice", flat=True)) == {"anthropic"}
    assert calls.filter(cache_read_tokens__gt=0).exists()
    assert all(c.cost_usd > 0 and c.input_tokens > 0 for c in calls)
    for negotiation in Negotiation.objects.filter(pk__in=[n.pk for n in negotiations]):
        agent_messages = negotiation.messages.filter(sender__in=["brand", "supplier"])
        assert agent_messages.count() == negotiation.turns_taken > 0
        assert all(m.text.startswith("LLM says:") for m in agent_messages)
        for message in agent_messages.filter(sender="brand").exclude(terms=None):
            assert Decimal(message.terms["unit_price"]) <= quote.max_price

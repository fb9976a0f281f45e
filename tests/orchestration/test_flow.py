"""The flow users pay for, through a real Celery worker on the real broker and database."""

import pytest

from negotiations import services
from negotiations.models import (
    ENDED_STATUSES,
    Negotiation,
    QuoteStatus,
)
from tests.orchestration.conftest import all_ended, wait_for

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.worker]


def test_a_quote_runs_three_negotiations_to_an_evaluated_end(celery_worker, quote, suppliers):
    negotiations = services.quote_start(quote=quote, suppliers=suppliers)
    assert [n.slot for n in negotiations] == [1, 2, 3]

    wait_for(lambda: all_ended(quote))
    quote.refresh_from_db()
    assert quote.status == QuoteStatus.AWAITING_APPROVAL
    for negotiation in Negotiation.objects.filter(quote=quote):
        seqs = list(negotiation.messages.values_list("seq", flat=True))
        assert seqs == list(range(1, len(seqs) + 1)), "seq has gaps or repeats"
        assert negotiation.status in ENDED_STATUSES
        assert (
            negotiation.turns_taken
            == negotiation.messages.filter(sender__in=["brand", "supplier"]).count()
        )
    ranking = quote.recommendation["ranking"]
    assert {entry["negotiation_id"] for entry in ranking} == {n.pk for n in negotiations}

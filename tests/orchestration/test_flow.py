"""The flow users pay for, through a real Celery worker on the real broker and database."""

import pytest

from negotiations import services
from negotiations.models import (
    ENDED_STATUSES,
    Message,
    Negotiation,
    NegotiationStatus,
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


def test_the_three_negotiations_progress_concurrently(celery_worker, quote, suppliers):
    quote.max_rounds = 12
    quote.save()
    services.quote_start(quote=quote, suppliers=suppliers)
    wait_for(lambda: all_ended(quote))
    spans = []
    for negotiation in Negotiation.objects.filter(quote=quote):
        stamps = list(negotiation.messages.order_by("seq").values_list("created_at", flat=True))
        spans.append((stamps[0], stamps[-1]))
    # Every negotiation had started before any of them finished: they overlapped in time.
    assert max(start for start, _ in spans) < min(end for _, end in spans)


def test_a_turn_delivered_twice_stores_one_message(celery_worker, quote, suppliers):
    from negotiations.tasks import negotiation_turn

    negotiation = services.quote_start(quote=quote, suppliers=suppliers)[0]
    for _ in range(3):
        negotiation_turn.delay(negotiation.pk, 1)
    wait_for(lambda: all_ended(quote))
    negotiation.refresh_from_db()
    seqs = list(negotiation.messages.values_list("seq", flat=True))
    assert seqs == list(range(1, len(seqs) + 1))
    assert negotiation.messages.filter(sender="brand", round=1).count() == 1


def _ended_answering_questions(negotiations, user) -> bool:
    """True once all have ended; answers any question they ask meanwhile (15% of suppliers ask)."""
    statuses = []
    for negotiation in negotiations:
        negotiation.refresh_from_db()
        if negotiation.status == NegotiationStatus.WAITING_FOR_STAFF:
            services.negotiation_answer(negotiation=negotiation, author=user, text="Yes.")
        statuses.append(negotiation.status)
    return all(status in ENDED_STATUSES for status in statuses)


def test_a_question_pauses_only_its_negotiation_and_the_answer_resumes_it(
    celery_worker, quote, suppliers, user
):
    short = suppliers[0]
    short.capacity = quote.quantity // 2
    short.save()
    quote.question_budget = 3
    quote.save()
    asking, *others = services.quote_start(quote=quote, suppliers=suppliers)
    wait_for(
        lambda: Negotiation.objects.get(pk=asking.pk).status == NegotiationStatus.WAITING_FOR_STAFF
    )
    # The other two go on to their ends while the question waits.
    wait_for(lambda: _ended_answering_questions(others, user))
    asking.refresh_from_db()
    assert asking.status == NegotiationStatus.WAITING_FOR_STAFF
    quote.refresh_from_db()
    assert quote.status == QuoteStatus.NEGOTIATING

    services.negotiation_answer(negotiation=asking, author=user, text="A partial order is fine.")
    wait_for(lambda: _ended_answering_questions([asking], user))
    quote.refresh_from_db()
    assert quote.status == QuoteStatus.AWAITING_APPROVAL
    answer = Message.objects.filter(negotiation=asking, sender="staff").earliest("seq")
    assert Message.objects.filter(negotiation=asking, seq__gt=answer.seq, sender="brand").exists()


def test_guidance_mid_run_changes_the_brands_next_move(
    celery_worker, settings, quote, suppliers, user
):
    settings.PROCUR_TURN_DELAY = 0.3  # time to intervene between turns
    quote.max_rounds = 12
    quote.save()
    negotiation = services.quote_start(quote=quote, suppliers=suppliers)[1]
    wait_for(lambda: negotiation.messages.filter(sender="supplier").exists())
    guidance = services.negotiation_guide(
        negotiation=negotiation, author=user, text="Walk away from this one."
    )
    wait_for(lambda: Negotiation.objects.get(pk=negotiation.pk).is_ended)
    negotiation.refresh_from_db()
    assert negotiation.status == NegotiationStatus.WALKED_AWAY
    next_brand = negotiation.messages.filter(seq__gt=guidance.seq, sender="brand").first()
    assert next_brand.action == "walk_away"


def test_approval_awards_the_winner_and_closes_the_others(
    celery_worker, quote, suppliers, approver
):
    quote.max_price = max(s.list_price for s in suppliers)  # room for every supplier to agree
    quote.save()
    services.quote_start(quote=quote, suppliers=suppliers)
    wait_for(lambda: all_ended(quote))
    quote.refresh_from_db()
    recommended = quote.recommendation["recommended_negotiation_id"]
    agreed = Negotiation.objects.filter(quote=quote, status=NegotiationStatus.AGREED)
    assert recommended in {n.pk for n in agreed}
    scores = [e["score"] for e in quote.recommendation["ranking"] if e["score"] is not None]
    assert scores == sorted(scores, reverse=True) and len(scores) == agreed.count()
    assert quote.recommendation["reasons"]

    winner = Negotiation.objects.get(pk=recommended)
    services.quote_award(quote=quote, negotiation=winner, author=approver)
    quote.refresh_from_db()
    assert quote.status == QuoteStatus.AWARDED and quote.awarded_negotiation_id == winner.pk
    assert quote.awarded_by == approver
    assert "awarding you this order" in winner.messages.latest("seq").text
    for loser in agreed.exclude(pk=winner.pk):
        assert "awarded this order to another supplier" in loser.messages.latest("seq").text
    with pytest.raises(services.ProcurError, match="not awaiting approval"):
        services.quote_award(quote=quote, negotiation=winner, author=approver)

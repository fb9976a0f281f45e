"""Negotiating with invited suppliers through a real Celery worker on the real broker and
database: the supplier's replies are the services the portal calls."""

import ast
import json
import time
from datetime import timedelta

import pytest
from django.utils import timezone

from negotiations import services
from negotiations.after_commit import TURN_TASK
from negotiations.models import Negotiation, NegotiationStatus, QuoteStatus, Sender
from negotiations.tasks import sweep_reply_deadlines
from procur import redis_client
from procur.celery import app as celery_app
from tests.mailbox import body_of
from tests.orchestration.conftest import wait_for
from tests.orchestration.invited import moves, offer, start_invited

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.worker]


def waiting_after(negotiation: Negotiation, messages: int) -> Negotiation:
    """Wait until the negotiation waits for its supplier after ``messages`` moves."""

    def ready():
        negotiation.refresh_from_db()
        return (
            negotiation.status == NegotiationStatus.WAITING_FOR_SUPPLIER
            and moves(negotiation).count() == messages
        )

    wait_for(ready)
    return negotiation


def seqs_in_order(negotiation: Negotiation) -> bool:
    seqs = list(negotiation.messages.order_by("seq").values_list("seq", flat=True))
    return seqs == list(range(1, len(seqs) + 1))


def test_the_brand_and_an_invited_supplier_take_turns_to_an_agreement(
    celery_worker, quote, suppliers
):
    negotiation = waiting_after(start_invited(quote, suppliers)[0], messages=1)

    services.supplier_counter(
        negotiation=negotiation, terms=offer("2.30"), text="Our best price.", client_id="c1"
    )
    negotiation = waiting_after(negotiation, messages=3)
    brand_reply = negotiation.messages.order_by("seq").last()
    assert brand_reply.sender == Sender.BRAND and brand_reply.round == 2
    assert negotiation.turns_taken == 3

    brand_offer = services.brand_standing_offer(negotiation)
    services.supplier_accept(negotiation=negotiation, text="Agreed.", client_id="c2")
    wait_for(lambda: Negotiation.objects.get(pk=negotiation.pk).status == "agreed")
    negotiation.refresh_from_db()
    assert negotiation.final_terms == brand_offer.to_dict()
    assert seqs_in_order(negotiation)
    # Nothing more is played once it is agreed.
    time.sleep(1)
    assert moves(negotiation).count() == 4


def test_an_invited_supplier_declines(celery_worker, quote, suppliers):
    negotiation = waiting_after(start_invited(quote, suppliers)[0], messages=1)

    services.supplier_decline(negotiation=negotiation, reason="Out of capacity.", client_id="d")

    negotiation.refresh_from_db()
    assert negotiation.status == NegotiationStatus.WALKED_AWAY
    with pytest.raises(services.ProcurError, match="has ended"):
        services.supplier_counter(
            negotiation=negotiation, terms=offer("2.00"), text="", client_id="e"
        )


def tasks_in_the_broker() -> list[tuple[str, tuple]]:
    """Every task queued, or held by a worker (delayed or running tasks sit in the "unacked"
    hash), with its arguments: other tests' late retries may be there, never one of ours."""
    broker = redis_client.client()
    messages = [json.loads(m) for m in broker.lrange(celery_app.conf.task_default_queue, 0, -1)]
    messages += [json.loads(held)[0] for held in broker.hvals("unacked")]
    return [(m["headers"]["task"], ast.literal_eval(m["headers"]["argsrepr"])) for m in messages]


def test_waiting_suppliers_leave_no_task_in_the_broker(celery_worker, quote, suppliers):
    negotiations = [waiting_after(n, messages=1) for n in start_invited(quote, suppliers)]
    time.sleep(2)  # what a stray enqueue would have left behind by now

    ours = {n.pk for n in negotiations}
    assert not [
        args for task, args in tasks_in_the_broker() if task == TURN_TASK and args[0] in ours
    ]
    for negotiation in negotiations:
        negotiation.refresh_from_db()
        assert moves(negotiation).count() == 1 and negotiation.turns_taken == 1


def test_a_missed_deadline_ends_the_negotiation_and_the_quote_is_evaluated(
    celery_worker, quote, suppliers
):
    quote.reply_window = timedelta(seconds=2)
    quote.save()
    invited, *simulated = start_invited(quote, suppliers, slots=(1,))
    waiting_after(invited, messages=1)
    wait_for(lambda: all(Negotiation.objects.get(pk=n.pk).is_ended for n in simulated))
    time.sleep(2)

    # Sent through the broker like beat sends it, and run by the real worker.
    sweep_reply_deadlines.delay()

    wait_for(lambda: Negotiation.objects.get(pk=invited.pk).status == NegotiationStatus.NO_REPLY)
    quote.refresh_from_db()
    wait_for(lambda: quote.__class__.objects.get(pk=quote.pk).status != QuoteStatus.NEGOTIATING)
    quote.refresh_from_db()
    assert quote.status == QuoteStatus.AWAITING_APPROVAL
    assert invited.pk in {entry["negotiation_id"] for entry in quote.recommendation["ranking"]}


def test_the_supplier_is_reminded_by_email_at_half_time(celery_worker, mailbox, quote, suppliers):
    # One invited supplier, and a window long enough that a loaded machine reaches the first
    # sweep before half time.
    quote.reply_window = timedelta(seconds=20)
    quote.save()
    negotiation = waiting_after(start_invited(quote, suppliers, slots=(1,))[0], messages=1)
    to = negotiation.supplier.contact_email
    mailbox.wait_for(count=1, to=to)  # the invitation
    assert services.sweep_reply_deadlines().reminded == 0  # before half time

    negotiation.refresh_from_db()
    time.sleep(max((negotiation.remind_at - timezone.now()).total_seconds(), 0) + 0.2)
    sweep_reply_deadlines.delay()

    (reminder,) = mailbox.wait_for(count=1, to=to, subject="Reminder")
    assert "/s/" in body_of(reminder)
    negotiation.refresh_from_db()
    assert negotiation.remind_at is None
    assert negotiation.status == NegotiationStatus.WAITING_FOR_SUPPLIER
    assert services.sweep_reply_deadlines().reminded == 0  # sent once
    time.sleep(1)
    assert len(mailbox.wait_for(count=2, to=to)) == 2  # the invitation and one reminder

"""An invited supplier's counter survives the worker being killed while the brand answers it:
the supplier gets exactly one reply, and the negotiation waits for it again."""

import os
import signal
import time

import pytest

from negotiations import services
from negotiations.models import Negotiation, NegotiationStatus, Sender
from tests.fake_anthropic import FakeAnthropic
from tests.faults.harness import (
    Responder,
    Sweeper,
    Worker,
    call_key,
    make_quote,
    wait_until,
    worker_env,
)
from tests.orchestration.invited import moves, offer, start_invited

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.faults]


def waits_after(negotiation: Negotiation, count: int) -> bool:
    negotiation.refresh_from_db()
    return (
        negotiation.status == NegotiationStatus.WAITING_FOR_SUPPLIER
        and moves(negotiation).count() == count
    )


def test_the_supplier_gets_one_reply_when_the_worker_dies_mid_answer(
    workers, organisation, user, settings
):
    settings.PROCUR_STALL_SECONDS = 16  # the sweep's threshold, as the worker env sets it
    responder = Responder()
    with FakeAnthropic(default=responder) as llm:
        worker = Worker(worker_env(llm.url), name="invited").start()
        workers.append(worker)
        worker.wait_ready()
        quote, suppliers = make_quote(organisation, user)
        negotiation = start_invited(quote, suppliers)[0]
        wait_until(lambda: waits_after(negotiation, 1), timeout=60)

        key = (negotiation.supplier.name, "brand", 3)

        def slow_answer(body):
            """The model takes two seconds over the brand's answer to the counter."""
            if call_key(body) == key:
                time.sleep(2)
            return responder(body)

        llm.default = slow_answer
        counter = services.supplier_counter(
            negotiation=negotiation, terms=offer("2.30"), text="Our best.", client_id="c1"
        )
        # The brand's answer has reached the model: kill the pool's processes there (the
        # worker's main process starts new ones, and the task comes back, its lease held).
        wait_until(lambda: key in map(call_key, llm.requests), timeout=30, interval=0.05)
        for child in worker.children():
            os.kill(child, signal.SIGKILL)
        sweeper = Sweeper()
        wait_until(lambda: waits_after(negotiation, 3), timeout=120, tick=sweeper.tick)

    replies = negotiation.messages.filter(seq__gt=counter.seq, sender=Sender.BRAND)
    assert replies.count() == 1
    seqs = list(negotiation.messages.order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, len(seqs) + 1))
    assert list(moves(negotiation).values_list("sender", flat=True)) == [
        "brand",
        "supplier",
        "brand",
    ]
    assert negotiation.turns_taken == 3 and negotiation.reply_due_at is not None
    # The killed delivery did reach the model: the reply came from a later delivery (on a
    # loaded machine a fresh pool child may also hit the harness's 5 s soft limit once).
    assert responder.call_counts()[key] >= 2

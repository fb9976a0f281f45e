"""Suite 5: the same intervention posted three times, across a reconnect and a worker kill,
is stored once and applied once."""

import pytest
from django.test import Client
from django.urls import reverse

from negotiations import services
from negotiations.models import Sender
from tests.fake_anthropic import FakeAnthropic
from tests.faults.harness import (
    Responder,
    Sweeper,
    Worker,
    assert_transcripts_sound,
    make_quote,
    quote_done,
    wait_until,
    worker_env,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.faults]

CLIENT_ID = "guide-7f3c1e"
GUIDANCE = "Push on lead time."


def post_guidance(user, negotiation) -> int:
    """One POST of the room's guidance form, from a fresh session (a reconnected page)."""
    client = Client()
    client.force_login(user)
    response = client.post(
        reverse("negotiation_guide", args=[negotiation.pk]),
        {"text": GUIDANCE, "client_id": CLIENT_ID},
        headers={"HX-Request": "true"},
    )
    return response.status_code


def test_an_intervention_sent_three_times_is_applied_once(workers, organisation, user, settings):
    settings.PROCUR_STALL_SECONDS = 16
    responder = Responder(latency=0.4)
    with FakeAnthropic(default=responder) as llm:
        worker = Worker(worker_env(llm.url), name="interventions").start()
        workers.append(worker)
        worker.wait_ready()
        quote, suppliers = make_quote(organisation, user, max_rounds=5)
        negotiation = services.quote_start(quote=quote, suppliers=suppliers)[0]  # hardball
        wait_until(lambda: negotiation.messages.count() >= 2, timeout=60)

        assert post_guidance(user, negotiation) == 200
        assert post_guidance(user, negotiation) == 200  # the page reconnected and re-sent
        worker.kill_main()  # mid-turn, most likely: the model takes 0.4 s a call
        worker.start()
        assert post_guidance(user, negotiation) == 200  # re-sent once more after the crash
        sweeper = Sweeper()
        wait_until(lambda: quote_done(quote), timeout=120, tick=sweeper.tick)

    negotiation.refresh_from_db()
    assert_transcripts_sound([negotiation])
    staff = negotiation.messages.filter(sender=Sender.STAFF)
    assert [(m.client_id, m.text) for m in staff] == [(CLIENT_ID, GUIDANCE)]
    assert staff.get().guidance["priority"] == "lead_time"
    # Applied once: one internal note beside the brand's next move says so, and no brand text.
    # (On a loaded machine the supplier may accept before the brand moves again: then none.)
    applied = negotiation.messages.filter(
        sender=Sender.SYSTEM, text__startswith="Staff guidance applied:"
    )
    moved_after = negotiation.messages.filter(sender=Sender.BRAND, seq__gt=staff.get().seq)
    assert applied.count() == (1 if moved_after.exists() else 0)
    if moved_after.exists():
        assert applied.get().seq == moved_after.earliest("seq").seq - 1
    assert not negotiation.messages.filter(sender=Sender.BRAND, text__icontains="staff").exists()
    print(f"\ninterventions: 3 posts, 1 stored, 1 applied; sweep requeues {len(sweeper.requeued)}")

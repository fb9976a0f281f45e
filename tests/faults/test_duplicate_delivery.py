"""Suite 2: every turn delivered more than once, by hand and by a visibility timeout of 1 s."""

import time
from collections import Counter

import pytest

from negotiations import services
from negotiations.models import ENDED_STATUSES, Negotiation
from negotiations.tasks import negotiation_turn
from tests.fake_anthropic import FakeAnthropic
from tests.faults.harness import (
    Responder,
    Worker,
    agent_call_rows_per_turn,
    assert_deals_within_limits,
    assert_quotes_evaluated,
    assert_transcripts_sound,
    make_quote,
    quote_done,
    redeliver_unacked,
    turn_outcomes,
    wait_until,
    worker_env,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.faults]

VISIBILITY_TIMEOUT = 1
LATENCY = 1.5  # every model call outlasts the visibility timeout


def test_turns_delivered_twice_run_once(workers, organisation, user):
    responder = Responder(latency=LATENCY)
    with FakeAnthropic(default=responder) as llm:
        env = worker_env(llm.url, PROCUR_VISIBILITY_TIMEOUT=VISIBILITY_TIMEOUT, LOG_FORMAT="json")
        # At INFO the worker logs each turn's outcome.
        worker = Worker(env, name="duplicates", loglevel="INFO").start()
        workers.append(worker)
        worker.wait_ready()
        quotes = [make_quote(organisation, user, max_rounds=2) for _ in range(2)]
        negotiations = []
        for quote, suppliers in quotes:
            negotiations += services.quote_start(quote=quote, suppliers=suppliers)
        enqueued = Counter()
        last_restore = 0.0

        def duplicate() -> None:
            """Enqueue each running negotiation's next turn again; redeliver unacked ones."""
            nonlocal last_restore
            for pk, turns in Negotiation.objects.exclude(status__in=ENDED_STATUSES).values_list(
                "pk", "turns_taken"
            ):
                negotiation_turn.delay(pk, turns + 1)
                enqueued["by hand"] += 1
            if time.monotonic() - last_restore > 5:
                last_restore = time.monotonic()
                redeliver_unacked(VISIBILITY_TIMEOUT)
                enqueued["restore scans"] += 1

        seconds = wait_until(
            lambda: all(quote_done(q) for q, _ in quotes), timeout=150, tick=duplicate, interval=1
        )

    assert_transcripts_sound(negotiations)
    assert_deals_within_limits(negotiations)
    assert_quotes_evaluated([q for q, _ in quotes])
    # One model call per turn, never two at once: no second copy got past the lease.
    calls = responder.call_counts()
    assert set(calls.values()) == {1}, calls
    assert not responder.overlapping()
    assert sum(calls.values()) == sum(n.turns_taken for n in negotiations)
    assert set(agent_call_rows_per_turn(negotiations).values()) == {1}
    results = turn_outcomes(worker)
    assert results["already done"] + results["busy"], results  # duplicates came, turned away
    print(
        f"\nduplicate delivery: {len(negotiations)} negotiations, "
        f"{sum(calls.values())} turns, duplicates {dict(enqueued)}, results {dict(results)}, "
        f"{seconds:.0f} s"
    )

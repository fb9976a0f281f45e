"""Suite 1: workers killed with SIGKILL at random moments while quotes negotiate."""

import random
import time
from collections import Counter

import pytest

from negotiations import services
from negotiations.models import Negotiation
from tests.fake_anthropic import FakeAnthropic
from tests.faults.harness import (
    Responder,
    Sweeper,
    Worker,
    agent_call_rows_per_turn,
    assert_deals_within_limits,
    assert_quotes_evaluated,
    assert_transcripts_sound,
    keys_of,
    live_leases,
    make_quote,
    quote_done,
    wait_until,
    worker_env,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.faults]

RUNS = 20  # quotes, three negotiations each
IN_FLIGHT = 8  # quotes negotiating at once
KILLS = 20
SEED = 1


def test_quotes_survive_workers_killed_at_random(workers, organisation, user, settings):
    settings.PROCUR_STALL_SECONDS = 16  # the sweep's threshold, as the worker env sets it
    rng = random.Random(SEED)
    responder = Responder(latency=0.2)
    with FakeAnthropic(default=responder) as llm:
        worker = Worker(worker_env(llm.url), name="crash").start()
        workers.append(worker)
        worker.wait_ready()
        sweeper = Sweeper()
        quotes, dead_leases, kills = [], set(), Counter()
        started = time.monotonic()
        next_kill = started + rng.uniform(1, 3)

        def step() -> None:
            """Keep IN_FLIGHT quotes running; kill at random moments until all are started."""
            nonlocal next_kill
            if worker.process.poll() is not None:
                # A child killed while the pool was starting stops the worker for good
                # ("Could not start worker processes"): the supervisor starts it again.
                kills["exits"] += 1
                worker.start().wait_ready()
            running = [q for q in quotes if not quote_done(q)]
            while len(quotes) < RUNS and len(running) < IN_FLIGHT:
                quote, suppliers = make_quote(organisation, user, max_rounds=2)
                services.quote_start(quote=quote, suppliers=suppliers)
                quotes.append(quote)
                running.append(quote)
            killing = len(quotes) < RUNS or kills["main"] + kills["child"] < KILLS
            if killing and time.monotonic() >= next_kill and worker.children():
                if rng.random() < 0.25:
                    worker.kill_main()
                    kills["main"] += 1
                    dead_leases.update(live_leases())
                    worker.start().wait_ready()
                else:
                    worker.kill_child(rng)
                    kills["child"] += 1
                    time.sleep(0.2)  # the child is gone: what it held is in the leases
                    dead_leases.update(live_leases())
                next_kill = time.monotonic() + rng.uniform(2, 5)
            sweeper.tick()

        seconds = wait_until(
            lambda: len(quotes) == RUNS and all(quote_done(q) for q in quotes),
            timeout=200,
            tick=step,
        )

    negotiations = list(Negotiation.objects.filter(quote__in=quotes).select_related("supplier"))
    assert len(negotiations) == 3 * RUNS
    assert_transcripts_sound(negotiations)
    assert_deals_within_limits(negotiations)
    assert_quotes_evaluated(quotes)

    # Completed turns are stored once and never redone; a killed turn is asked again at most
    # once per kill that caught it in flight (a lease held by the dead process).
    by_name = keys_of(negotiations)
    killed_turns = Counter((pk, turn) for pk, turn, _ in dead_leases)
    assert set(agent_call_rows_per_turn(negotiations).values()) == {1}
    repeated = 0
    for (supplier, _side, turn), calls in responder.call_counts().items():
        allowed = 1 + killed_turns[(by_name[supplier], turn)]
        assert calls <= allowed, (supplier, turn, calls, allowed)
        repeated += calls > 1
    assert kills["main"] and kills["child"]
    assert repeated, "no kill landed in the middle of a model call"
    print(
        f"\nworker crash: {RUNS} quotes, {len(negotiations)} negotiations, kills {dict(kills)}, "
        f"turns caught in flight {len(killed_turns)}, LLM calls repeated {repeated}, "
        f"sweep requeues {len(sweeper.requeued)}, "
        f"statuses {Counter(n.status for n in negotiations)}, {seconds:.0f} s"
    )

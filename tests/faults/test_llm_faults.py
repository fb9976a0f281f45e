"""Suite 4: the model answers 429, 529, 500, stalls, malformed or out-of-limit moves 30% of
the time; every negotiation still ends, none outside the quote's limits."""

from collections import Counter

import pytest

from negotiations import services
from negotiations.models import NegotiationStatus
from tests.fake_anthropic import FakeAnthropic
from tests.faults.harness import (
    FAULTS,
    Responder,
    Worker,
    assert_deals_within_limits,
    assert_quotes_evaluated,
    assert_transcripts_sound,
    make_quote,
    quote_done,
    wait_until,
    worker_env,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.faults]

QUOTES = 3
FAULT_RATE = 0.3
SEED = 4
ANTHROPIC_TIMEOUT = 1  # a stall (2 s) becomes a timeout the SDK retries


def test_negotiations_end_within_limits_whatever_the_model_does(workers, organisation, user):
    responder = Responder(latency=0.05, fault_rate=FAULT_RATE, seed=SEED, stall_seconds=2)
    with FakeAnthropic(default=responder) as llm:
        env = worker_env(llm.url, PROCUR_ANTHROPIC_TIMEOUT=ANTHROPIC_TIMEOUT)
        worker = Worker(env, name="llm-faults").start()
        workers.append(worker)
        worker.wait_ready()
        quotes, negotiations = [], []
        for _ in range(QUOTES):
            quote, suppliers = make_quote(organisation, user, max_rounds=3)
            negotiations += services.quote_start(quote=quote, suppliers=suppliers)
            quotes.append(quote)
        seconds = wait_until(lambda: all(quote_done(q) for q in quotes), timeout=150)

    assert_transcripts_sound(negotiations)
    assert_deals_within_limits(negotiations)
    assert_quotes_evaluated(quotes)
    statuses = Counter(n.status for n in negotiations)
    assert set(statuses) <= {
        NegotiationStatus.AGREED,
        NegotiationStatus.IMPASSE,
        NegotiationStatus.WALKED_AWAY,
        NegotiationStatus.FAILED,
    }
    # Every fault kind was served, and the out-of-limit answers were caught by the guardrails.
    assert set(responder.faults) == set(FAULTS), responder.faults
    violations = sum(n.messages.exclude(guardrail_violations=[]).count() for n in negotiations)
    assert violations
    print(
        f"\nLLM faults: {len(negotiations)} negotiations, "
        f"{sum(responder.call_counts().values())} calls, faults {dict(responder.faults)}, "
        f"guardrail replacements {violations}, statuses {dict(statuses)}, {seconds:.0f} s"
    )

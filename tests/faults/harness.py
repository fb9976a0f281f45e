"""Fault harness: real Celery worker processes, a fake LLM that keeps score, invariant checks.

The worker is ``celery -A procur worker --pool prefork`` as a subprocess on the test database
and the test Redis db (like tests/test_negotiate_demo.py), talking to the fake Anthropic server
of the test process. The fake's responder records every call per (negotiation, turn), which is
how the suites count LLM calls, including those of turns killed before they were stored.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import random
import re
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import redis
from django.conf import settings
from django.db.models import Count
from kombu import Connection

from negotiations.models import (
    ENDED_STATUSES,
    AgentCall,
    Negotiation,
    NegotiationStatus,
    Quote,
    QuoteStatus,
    Sender,
)
from negotiations.services.preferences import lead_time_limit_days
from procur.ops.services import stalled_negotiations_requeue
from tests.agents.llm import follow_engine
from tests.factories import QuoteFactory, SupplierFactory
from tests.fake_anthropic import Reply
from tests.test_negotiate_demo import database_url
from vendors.models import Temperament

ROOT = Path(__file__).resolve().parents[2]
LOG_DIR = Path(settings.VAR_DIR) / "faults"
TEMPERAMENTS = (Temperament.HARDBALL, Temperament.BALANCED, Temperament.FLEXIBLE)
# Small limits so a killed turn's lease (TURN_TIME_LIMIT + 5 s) and the stall threshold pass
# quickly; the settings module requires STALL > TURN_TIME_LIMIT and a soft limit above zero.
TURN_TIME_LIMIT = 15
STALL_SECONDS = 16


def flush_broker() -> None:
    """Empty the suite's own Redis db: no task of an earlier test reaches this one."""
    redis.Redis.from_url(settings.REDIS_URL).flushdb()


# --- Worker processes ----------------------------------------------------------------------------
def worker_env(llm_url: str, **overrides: Any) -> dict[str, str]:
    """The environment of a worker on the test database, the test broker and the fake LLM."""
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "REDIS_URL": settings.REDIS_URL,
        "PROCUR_LLM": "anthropic",
        "ANTHROPIC_API_KEY": "test-key",
        "ANTHROPIC_BASE_URL": llm_url,
        "PROCUR_ANTHROPIC_TIMEOUT": "5",
        "PROCUR_ANTHROPIC_MAX_RETRIES": "2",
        "PROCUR_TURN_TIME_LIMIT": str(TURN_TIME_LIMIT),
        "PROCUR_STALL_SECONDS": str(STALL_SECONDS),
        "PROCUR_VISIBILITY_TIMEOUT": "5",
        "PROCUR_TURN_DELAY": "0",
        "LOG_LEVEL": "WARNING",
        "LOG_FORMAT": "console",
    }
    env.update({k: str(v) for k, v in overrides.items()})
    return env


@dataclass
class Worker:
    """One ``celery worker`` process (prefork) and its pool children; restartable after a kill."""

    env: dict[str, str]
    name: str = "faults"
    concurrency: int = 2
    loglevel: str = "WARNING"  # Celery sets the root logger's level from it
    process: subprocess.Popen | None = None
    starts: int = 0
    groups: list[int] = field(default_factory=list)

    def start(self) -> Worker:
        self.starts += 1
        LOG_DIR.mkdir(parents=True, exist_ok=True)
        log = open(LOG_DIR / f"{self.name}-{self.starts}.log", "w")  # noqa: SIM115 (child's)
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "procur",
                "worker",
                "--pool",
                "prefork",
                "--concurrency",
                str(self.concurrency),
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "-n",
                f"{self.name}-{self.starts}@%h",
                "--loglevel",
                self.loglevel,
            ],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, so teardown reaches orphans too
        )
        log.close()
        self.groups.append(self.process.pid)
        return self

    def children(self) -> list[int]:
        """The pool children's pids (empty while the pool is starting or after a kill)."""
        pid = self.process.pid
        try:
            return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
        except (FileNotFoundError, ProcessLookupError):
            return []

    def wait_ready(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while len(self.children()) < self.concurrency:
            if self.process.poll() is not None:
                raise AssertionError(f"worker exited with {self.process.returncode}")
            if time.monotonic() > deadline:
                raise AssertionError("worker pool did not start")
            time.sleep(0.1)

    def kill_child(self, rng: random.Random) -> bool:
        """SIGKILL one pool child (the main process replaces it); False if none was up."""
        children = self.children()
        if not children:
            return False
        _kill(rng.choice(children))
        return True

    def kill_main(self) -> None:
        """SIGKILL the main process; its children are left to notice on their own."""
        _kill(self.process.pid)
        self.process.wait()

    def stop(self) -> None:
        """Kill every process this worker ever started (teardown: the database is flushed)."""
        for group in self.groups:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(group, signal.SIGKILL)
        if self.process is not None:
            self.process.wait()


def _kill(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)


# --- The fake LLM ------------------------------------------------------------------------------
_SUPPLIER = re.compile(r"the supplier (.+?), in |sales agent of the supplier (.+?)\. ")
_ENTRY = re.compile(r'<entry seq="\d+" round="\d+" from="(brand|supplier)"')

CallKey = tuple[str, str, int]  # (supplier name, side, turn)


def call_key(body: dict[str, Any]) -> CallKey:
    """Which negotiation (by its supplier's unique name), side and turn a request is for."""
    system = body["system"][0]["text"]
    match = _SUPPLIER.search(system)
    supplier = match.group(1) or match.group(2)
    side = "brand" if system.startswith("You are the procurement agent") else "supplier"
    blocks = body["messages"][0]["content"]
    agent_lines = sum(1 for b in blocks if _ENTRY.match(b.get("text", "")))
    return supplier, side, agent_lines + 1


FAULTS = ("429", "529", "500", "stall", "malformed", "over_limit")


@dataclass
class Responder:
    """Answers like a model that follows the engine, after ``latency`` seconds; with
    ``fault_rate`` it picks one of ``FAULTS`` instead (seeded, so a run can be replayed).
    Records every call's key and its start and end times."""

    latency: float = 0.0
    fault_rate: float = 0.0
    seed: int = 0
    stall_seconds: float = 3.0
    calls: dict[CallKey, list[tuple[float, float]]] = field(default_factory=dict)
    faults: Counter = field(default_factory=Counter)

    def __post_init__(self) -> None:
        self._rng = random.Random(self.seed)
        self._lock = threading.Lock()

    def __call__(self, body: dict[str, Any]) -> Reply:
        started = time.monotonic()
        key = call_key(body)
        with self._lock:
            fault = self._rng.choice(FAULTS) if self._rng.random() < self.fault_rate else None
            if fault:
                self.faults[fault] += 1
        time.sleep(self.latency)
        reply = self._reply(body, fault)
        with self._lock:
            self.calls.setdefault(key, []).append((started, time.monotonic()))
        return reply

    def _reply(self, body: dict[str, Any], fault: str | None) -> Reply:
        if fault in ("429", "529", "500"):
            return Reply("error", status=int(fault))
        if fault == "stall":
            return Reply("stall", seconds=self.stall_seconds)
        if fault == "malformed":
            return Reply("tool", {"terms": {"unit_price": "cheap"}, "message": ""})
        reply = follow_engine(body)
        if fault == "over_limit" and reply.content["terms"]:
            # A model that ignores its limits: accept a price ten times the advice, at once.
            terms = dict(reply.content["terms"])
            terms["unit_price"] = str(Decimal(terms["unit_price"]) * 10)
            terms["lead_time_days"] = 365
            reply.content.update(action="accept", terms=terms, message="Deal at this price!")
        return reply

    def call_counts(self) -> Counter:
        with self._lock:
            return Counter({key: len(spans) for key, spans in self.calls.items()})

    def overlapping(self) -> list[CallKey]:
        """Turns with two calls in flight at once (two copies of the turn running)."""
        with self._lock:
            items = [(k, sorted(v)) for k, v in self.calls.items()]
        return [k for k, spans in items if any(b[0] < a[1] for a, b in itertools.pairwise(spans))]


# --- Quotes ------------------------------------------------------------------------------------
def make_quote(organisation, user, *, max_rounds: int = 4) -> tuple[Quote, list]:
    """A draft quote with three fresh suppliers (unique names: the fake LLM tells them apart)."""
    quote = QuoteFactory(
        organisation=organisation, created_by=user, question_budget=0, max_rounds=max_rounds
    )
    suppliers = [
        SupplierFactory(organisation=organisation, temperament=temperament)
        for temperament in TEMPERAMENTS
    ]
    return quote, suppliers


def quote_done(quote: Quote) -> bool:
    statuses = Negotiation.objects.filter(quote=quote).values_list("status", flat=True)
    return bool(statuses) and all(s in ENDED_STATUSES for s in statuses)


@dataclass
class Sweeper:
    """The stalled-negotiation sweep (celery beat's task body), run every ``every`` seconds
    from the wait loop, with a count of the negotiations it requeued."""

    every: float = 2.0
    requeued: list[int] = field(default_factory=list)
    _last: float = 0.0

    def tick(self) -> None:
        if time.monotonic() - self._last >= self.every:
            self._last = time.monotonic()
            self.requeued += stalled_negotiations_requeue()


def wait_until(
    done: Callable[[], bool],
    *,
    timeout: float,
    tick: Callable[[], None] = lambda: None,
    interval: float = 0.25,
) -> float:
    """Poll ``done`` (running ``tick`` between polls); seconds taken, or fail with what hangs."""
    started = time.monotonic()
    while not done():
        if time.monotonic() - started > timeout:
            hanging = Negotiation.objects.exclude(status__in=ENDED_STATUSES).values_list(
                "pk", "status", "turns_taken", "turn_deliveries", "lease_expires_at"
            )
            raise AssertionError(f"not done within {timeout} s; still open: {list(hanging)}")
        tick()
        time.sleep(interval)
    return time.monotonic() - started


# --- Invariants --------------------------------------------------------------------------------
def assert_transcripts_sound(negotiations) -> None:
    """Ended; ``seq`` 1..n without gaps or repeats; one agent message per turn, the two sides
    alternating from the brand; one AgentCall turn number per stored turn, none beyond."""
    for negotiation in negotiations:
        negotiation.refresh_from_db()
        assert negotiation.status in ENDED_STATUSES, (negotiation.pk, negotiation.status)
        seqs = list(negotiation.messages.order_by("seq").values_list("seq", flat=True))
        assert seqs == list(range(1, len(seqs) + 1)), (negotiation.pk, seqs)
        senders = list(
            negotiation.messages.filter(sender__in=(Sender.BRAND, Sender.SUPPLIER))
            .order_by("seq")
            .values_list("sender", flat=True)
        )
        assert len(senders) == negotiation.turns_taken, (negotiation.pk, senders)
        assert senders == [("brand", "supplier")[i % 2] for i in range(len(senders))]
        turns = set(negotiation.agent_calls.values_list("turn", flat=True))
        assert turns == set(range(1, negotiation.turns_taken + 1)), (negotiation.pk, turns)
        if negotiation.status == NegotiationStatus.FAILED:
            assert negotiation.error
            assert negotiation.messages.filter(sender=Sender.SYSTEM, text__contains="failed")


def agent_call_rows_per_turn(negotiations) -> Counter:
    """Stored AgentCall rows per (negotiation id, turn)."""
    rows = (
        AgentCall.objects.filter(negotiation__in=negotiations)
        .values("negotiation_id", "turn")
        .annotate(n=Count("id"))
    )
    return Counter({(r["negotiation_id"], r["turn"]): r["n"] for r in rows})


def assert_deals_within_limits(negotiations) -> None:
    """Every agreement is at most the quote's max price, in time for the needed-by date, and
    for the full quantity."""
    for negotiation in negotiations:
        negotiation.refresh_from_db()
        if negotiation.status != NegotiationStatus.AGREED:
            continue
        quote, terms = negotiation.quote, negotiation.final_terms
        assert Decimal(terms["unit_price"]) <= quote.max_price, (negotiation.pk, terms)
        assert terms["lead_time_days"] <= lead_time_limit_days(quote), (negotiation.pk, terms)
        assert terms["quantity"] == quote.quantity, (negotiation.pk, terms)


def assert_quotes_evaluated(quotes) -> None:
    for quote in quotes:
        quote.refresh_from_db()
        assert quote.status == QuoteStatus.AWAITING_APPROVAL, (quote.pk, quote.status)
        assert quote.recommendation is not None


def keys_of(negotiations) -> dict[str, int]:
    """Supplier name -> negotiation id, to read the fake LLM's per-call keys."""
    return {n.supplier.name: n.pk for n in negotiations}


def live_leases() -> set[tuple[int, int, str]]:
    """(negotiation, turn, lease token) of every lease held now: after a kill, the turns the
    dead process may have been in the middle of."""
    return {
        (pk, turns + 1, token)
        for pk, turns, token in Negotiation.objects.exclude(lease_token="").values_list(
            "pk", "turns_taken", "lease_token"
        )
    }


def turn_outcomes(worker: Worker) -> Counter:
    """What the worker's turn tasks did, from its logs (``loglevel="INFO"``, ``LOG_FORMAT=json``):
    the turn task logs each outcome, since no result is stored."""
    outcomes: Counter = Counter()
    for start in range(1, worker.starts + 1):
        for line in (LOG_DIR / f"{worker.name}-{start}.log").read_text().splitlines():
            if line.startswith("{") and (record := json.loads(line)).get("event") == "turn outcome":
                outcomes[record["outcome"]] += 1
    return outcomes


def redeliver_unacked(visibility_timeout: float) -> None:
    """Put back on the queue every message delivered longer than ``visibility_timeout`` ago and
    not acknowledged: the restore scan any consumer of the broker runs (kombu throttles its
    own to every ~100 s; this makes the short visibility timeout bite within a test)."""
    with Connection(
        settings.REDIS_URL, transport_options={"visibility_timeout": visibility_timeout}
    ) as conn:
        conn.default_channel.qos.restore_visible(num=100, interval=1)

"""Orchestration benchmark: per-turn overhead, fan-out, live push, throughput, LLM tokens.

    .venv/bin/python -m bench            # full run (a few minutes)
    .venv/bin/python -m bench --quick    # a short run of every measurement

Needs PostgreSQL and Redis (``DATABASE_URL``, ``REDIS_URL``): use a database and a Redis DB of
its own, since it deletes and rebuilds the demo organisation's quotes and runs its own workers
on the broker. Every process listens on 127.0.0.1 only. Figures: docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import os
import statistics
import sys
import time
from collections import defaultdict
from dataclasses import dataclass

TARGETS = {"overhead_p50_ms": 20.0, "fan_out": 1.15, "push_p95_ms": 50.0, "hundred_quotes_s": 60.0}


@dataclass(frozen=True)
class Plan:
    max_rounds: int = 8
    latency: float = 0.2  # simulated LLM seconds per turn (overhead, fan-out, throughput)
    push_latency: float = 1.0  # slower, an LLM's pace, for the 200 viewers
    overhead_quotes: int = 4
    fan_out_quotes: int = 2
    viewers: int = 200
    quotes: int = 100
    throughput_workers: int = 2
    throughput_concurrency: int = 8
    timeout: float = 600.0


QUICK = Plan(overhead_quotes=1, fan_out_quotes=1, viewers=50, quotes=10)


def _setup_django() -> None:
    from bench.procs import app_env

    # The app's processes' own environment: the same SECRET_KEY signs the viewers' sessions.
    os.environ.update(app_env())
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")) or not os.environ.get("REDIS_URL"):
        sys.exit(
            "The bench runs on PostgreSQL and Redis: set DATABASE_URL=postgres://... and "
            "REDIS_URL=redis://127.0.0.1:6379/<n>, both used by nothing else."
        )
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "procur.settings")
    import django

    django.setup()


def _ensure_database() -> None:
    """Create the bench's database if it does not exist yet (a fresh machine has none)."""
    import psycopg
    from django.conf import settings
    from psycopg import sql

    db = settings.DATABASES["default"]
    params = {
        "dbname": "postgres",
        "user": db["USER"] or None,
        "password": db["PASSWORD"] or None,
        "host": db["HOST"] or None,
        "port": db["PORT"] or None,
    }
    with psycopg.connect(**params, autocommit=True) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [db["NAME"]]
        ).fetchone()
        if not exists:
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(db["NAME"])))
            print(f"Created database {db['NAME']}", flush=True)


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def ms(values: list[float]) -> str:
    return (
        f"p50 {pct(values, 50) * 1000:.1f} ms, p95 {pct(values, 95) * 1000:.1f} ms, "
        f"max {max(values) * 1000:.1f} ms (n={len(values)})"
    )


def verdict(ok: bool) -> str:
    return "OK" if ok else "MISSED"


# --- Measurements -------------------------------------------------------------------------------


def _stamps(key: str, *, clear: bool = False) -> list[dict]:
    """The stamps the bench workers have pushed to ``key`` so far; ``clear`` empties the list."""
    import redis
    from django.conf import settings

    client = redis.Redis.from_url(settings.REDIS_URL)
    records = [json.loads(r) for r in client.lrange(key, 0, -1)]
    if clear:
        client.delete(key)
    return records


def _timings(*, clear: bool = False) -> list[dict]:
    """The turn stamps (``bench.worker.TIMINGS_KEY``)."""
    from bench.worker import TIMINGS_KEY

    return _stamps(TIMINGS_KEY, clear=clear)


def integrity(quote_ids: list[int]) -> dict[str, int]:
    """Lost and duplicated agent messages, from the database: every turn taken must have
    exactly one agent message and one agent-call trace, seqs must run 1..n without a gap."""
    from django.db.models import Count

    from negotiations.models import AgentCall, Message, Negotiation, NegotiationStatus

    lost = duplicated = failed = 0
    for negotiation in Negotiation.objects.filter(quote_id__in=quote_ids):
        failed += negotiation.status == NegotiationStatus.FAILED
        seqs = list(negotiation.messages.order_by("seq").values_list("seq", flat=True))
        lost += len(set(range(1, (seqs[-1] if seqs else 0) + 1)) - set(seqs))
        agent = Message.objects.filter(negotiation=negotiation, sender__in=["brand", "supplier"])
        n = agent.count()
        lost += max(negotiation.turns_taken - n, 0)
        duplicated += max(n - negotiation.turns_taken, 0)
        traces = (
            AgentCall.objects.filter(negotiation=negotiation).values("turn").annotate(n=Count("id"))
        )
        duplicated += sum(t["n"] - 1 for t in traces)
        lost += negotiation.turns_taken - len(traces)
    return {"lost": lost, "duplicated": duplicated, "failed": failed}


def _overheads(records: list[dict], latency: float) -> tuple[list[float], list[float]]:
    """Per turn: the task's wall time less the LLM's, and the time from one turn's start to
    the next one's less the LLM's (the after-commit pushes and the broker hop included)."""
    done = [t for t in records if t["state"] == "SUCCESS"]
    by_negotiation: dict[int, dict[int, dict]] = defaultdict(dict)
    for t in done:
        by_negotiation[t["negotiation"]][t["turn"]] = t
    cadence = [
        turns[n + 1]["start"] - turns[n]["start"] - latency
        for turns in by_negotiation.values()
        for n in turns
        if n + 1 in turns
    ]
    return [t["end"] - t["start"] - latency for t in done], cadence


def _warm_up(organisation, user, timeout: float) -> None:
    """A short quote first, so each worker process has imported, connected and compiled its
    templates before anything is timed."""
    from bench import fixtures

    quote = fixtures.draft_quote(organisation, user, max_rounds=2)
    fixtures.start(quote, seed=1)
    fixtures.wait_ended([quote.pk], timeout)


def overhead_and_fan_out(plan: Plan, organisation, user) -> dict:
    """One worker process as in production (prefork, concurrency 3): quotes one at a time,
    then each negotiation of the first quotes alone, with the same supplier and seed."""
    from bench import fixtures, procs
    from negotiations.models import Negotiation

    together: list[tuple[float, int, list[Negotiation]]] = []
    with procs.workers(1, pool="prefork", concurrency=3, PROCUR_SIMULATED_LLM_LATENCY=plan.latency):
        _warm_up(organisation, user, plan.timeout)
        _timings(clear=True)
        for i in range(plan.overhead_quotes):
            quote = fixtures.draft_quote(organisation, user, max_rounds=plan.max_rounds)
            fixtures.start(quote, seed=1000 + i)
            fixtures.wait_ended([quote.pk], plan.timeout)
            quote.refresh_from_db()
            negotiations = list(quote.negotiations.select_related("supplier", "quote"))
            wall = max(n.ended_at for n in negotiations) - quote.started_at
            together.append((wall.total_seconds(), quote.pk, negotiations))
        timings = {"3 at once": _timings(clear=True)}
        alone = []
        for wall3, _, negotiations in together[: plan.fan_out_quotes]:
            walls = []
            for template in negotiations:
                single = fixtures.start_alone(template, organisation, user)
                fixtures.wait_ended([single.quote_id], plan.timeout)
                single.refresh_from_db()
                walls.append(((single.ended_at - single.quote.started_at).total_seconds(), single))
            alone.append((wall3, negotiations, walls))
        timings["alone"] = _timings()

    ratios, rows = [], []
    for wall3, negotiations, walls in alone:
        slowest, single = max(walls, key=lambda w: w[0])
        ratios.append(wall3 / slowest)
        turns3 = max(n.turns_taken for n in negotiations)
        rows.append(
            f"  quote: 3 together {wall3:.2f} s ({turns3} turns in the longest) vs the slowest "
            f"alone {slowest:.2f} s ({single.turns_taken} turns): {wall3 / slowest:.3f}x; "
            "alone: " + ", ".join(f"{w:.2f} s/{s.turns_taken}t" for w, s in walls)
        )
    quote_ids = [q for _, q, _ in together] + [s.quote_id for *_, ws in alone for _, s in ws]
    return {
        "overhead": {name: _overheads(records, plan.latency) for name, records in timings.items()},
        "fan_out": ratios,
        "fan_out_rows": rows,
        "integrity": integrity(quote_ids),
    }


def push_latency(plan: Plan, organisation, user) -> dict:
    """``plan.viewers`` websocket clients on one quote's room, through the web server as
    production runs it (``procur.web``)."""
    from django.contrib.auth import get_user_model
    from django.test import Client

    from bench import fixtures, procs
    from bench.viewers import watch_room
    from bench.worker import COMMITS_KEY
    from negotiations.models import ENDED_STATUSES, Message, Negotiation

    viewer_user = get_user_model().objects.get(pk=user.pk)
    keys = []
    for _ in range(plan.viewers):
        client = Client()
        client.force_login(viewer_user)
        keys.append(client.cookies["sessionid"].value)
    quote = fixtures.draft_quote(organisation, user, max_rounds=plan.max_rounds)

    def ended() -> bool:
        statuses = Negotiation.objects.filter(quote=quote).values_list("status", flat=True)
        return bool(statuses) and all(s in ENDED_STATUSES for s in statuses)

    with (
        procs.workers(
            1,
            pool="prefork",
            concurrency=3,
            PROCUR_SIMULATED_LLM_LATENCY=plan.push_latency,
            BENCH_STAMP_COMMITS=1,
        ),
        procs.web() as server,
    ):
        _warm_up(organisation, user, plan.timeout)
        _stamps(COMMITS_KEY, clear=True)
        clients_cpu = time.process_time()
        viewers = asyncio.run(
            watch_room(
                port=server.port,
                quote_id=quote.pk,
                session_keys=keys,
                until=ended,
                start=lambda: fixtures.start(quote, seed=2000),
                timeout=plan.timeout,
            )
        )
        clients_cpu = time.process_time() - clients_cpu
        daphne_cpu, web_processes = server.cpu_seconds(), len(server.children())
    commits = {c["message"]: c["commit"] for c in _stamps(COMMITS_KEY, clear=True)}
    messages = Message.objects.filter(negotiation__quote=quote)
    created = {(m.negotiation_id, m.seq): m.created_at.timestamp() for m in messages}
    # Every message the workers stored; one stored by the bench itself has no commit stamp.
    committed = {(m.negotiation_id, m.seq): commits[m.pk] for m in messages if m.pk in commits}
    latencies, from_insert, lost, duplicated = [], [], 0, 0
    receipts: dict[tuple[int, int], list[float]] = defaultdict(list)
    for viewer in viewers:
        seen: dict[tuple[int, int], float] = {}
        for negotiation, seq, t in viewer.received:
            if (negotiation, seq) in seen:
                duplicated += 1
            else:
                seen[negotiation, seq] = t
        lost += len(created.keys() - seen.keys())
        for key, t in seen.items():
            if key in committed:
                latencies.append(t - committed[key])
                from_insert.append(t - created[key])
                receipts[key].append(t)
    return {
        "latencies": latencies,
        "from_insert": from_insert,
        # Where the time goes: to the first socket (render, channel layer, daphne), then the
        # spread from the first socket to the last (daphne writing to each socket in turn).
        "first": [min(ts) - committed[key] for key, ts in receipts.items()],
        "spread": [max(ts) - min(ts) for ts in receipts.values()],
        "daphne_cpu": daphne_cpu,
        "web_processes": web_processes,
        "clients_cpu": clients_cpu,
        "messages": len(created),
        "frames": sum(v.frames for v in viewers),
        "lost": lost,
        "duplicated": duplicated,
        "integrity": integrity([quote.pk]),
    }


def throughput(plan: Plan, organisation, user) -> dict:
    """``plan.quotes`` quotes started at once on ``plan.throughput_workers`` worker processes."""
    from bench import fixtures, procs
    from negotiations.models import Message, Negotiation

    quotes = [
        fixtures.draft_quote(organisation, user, max_rounds=plan.max_rounds)
        for _ in range(plan.quotes)
    ]
    with procs.workers(
        plan.throughput_workers,
        pool="threads",
        concurrency=plan.throughput_concurrency,
        PROCUR_SIMULATED_LLM_LATENCY=plan.latency,
    ):
        _warm_up(organisation, user, plan.timeout)
        started = time.time()
        for i, quote in enumerate(quotes):
            fixtures.start(quote, seed=3000 + i)
        fixtures.wait_ended([q.pk for q in quotes], plan.timeout)
    ids = [q.pk for q in quotes]
    negotiations = Negotiation.objects.filter(quote_id__in=ids)
    last = max(n.ended_at for n in negotiations).timestamp()
    messages = Message.objects.filter(negotiation__quote_id__in=ids).count()
    turns = sum(n.turns_taken for n in negotiations)
    return {
        "wall": last - started,
        "negotiations": negotiations.count(),
        "messages": messages,
        "turns": turns,
        "integrity": integrity(ids),
    }


def tokens(plan: Plan, organisation, user) -> dict:
    """One quote on the anthropic voice against the local fake API, caching on, then off."""
    from bench import fixtures, procs
    from negotiations.models import AgentCall
    from tests.agents.llm import follow_engine
    from tests.fake_anthropic import FakeAnthropic

    by_round: dict[bool, dict[int, list[AgentCall]]] = {}
    for caching in (True, False):
        with (
            FakeAnthropic(default=follow_engine) as fake,
            procs.workers(
                1,
                pool="threads",
                concurrency=3,
                PROCUR_LLM="anthropic",
                ANTHROPIC_API_KEY="bench-key",
                ANTHROPIC_BASE_URL=fake.url,
                PROCUR_ANTHROPIC_PROMPT_CACHING=caching,
            ),
        ):
            quote = fixtures.draft_quote(organisation, user, max_rounds=plan.max_rounds)
            fixtures.start(quote, seed=4000)
            fixtures.wait_ended([quote.pk], plan.timeout)
        rounds: dict[int, list[AgentCall]] = defaultdict(list)
        for call in AgentCall.objects.filter(negotiation__quote=quote):
            rounds[call.engine_input["state"]["round"]].append(call)
        by_round[caching] = rounds
    return by_round


# --- Report -------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="a short run of every measurement")
    parser.add_argument(
        "--only",
        choices=["overhead", "push", "throughput", "tokens"],
        action="append",
        help="run only these measurements (repeatable)",
    )
    parser.add_argument("--viewers", type=int, help="websocket viewers (default 200; quick 50)")
    args = parser.parse_args(argv)
    plan = QUICK if args.quick else Plan()
    if args.viewers:
        plan = dataclasses.replace(plan, viewers=args.viewers)
    only = set(args.only or ["overhead", "push", "throughput", "tokens"])
    _setup_django()
    from django.core.management import call_command

    from bench import fixtures

    _ensure_database()
    call_command("migrate", verbosity=0)
    organisation, user = fixtures.reset()
    print(
        f"Procur orchestration bench ({'quick' if args.quick else 'full'}): max_rounds "
        f"{plan.max_rounds}, simulated LLM latency {plan.latency * 1000:.0f} ms "
        f"({plan.push_latency * 1000:.0f} ms for the viewers), PostgreSQL + Redis, "
        f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f} at the start",
        flush=True,
    )
    checks: list[bool] = []

    if "overhead" in only:
        r = overhead_and_fan_out(plan, organisation, user)
        p50 = pct(r["overhead"]["3 at once"][0], 50) * 1000
        fan = statistics.mean(r["fan_out"])
        checks += [p50 <= TARGETS["overhead_p50_ms"], fan <= TARGETS["fan_out"]]
        print("\nPer-turn orchestration overhead (1 worker, prefork, concurrency 3)")
        for name, (in_task, cadence) in r["overhead"].items():
            print(f"  {name}, in the task (turn wall - LLM): {ms(in_task)}")
            print(f"  {name}, turn start to next turn start - LLM: {ms(cadence)}")
        print(f"  [target p50 <= 20 ms (3 at once, in the task): {verdict(checks[-2])}]")
        print("Fan-out: one quote's three negotiations vs the slowest of them alone")
        print("\n".join(r["fan_out_rows"]))
        print(f"  mean {fan:.3f}x  [target <= 1.15x: {verdict(checks[-1])}]")
        print(f"  integrity: {r['integrity']}", flush=True)

    if "push" in only:
        r = push_latency(plan, organisation, user)
        p95 = pct(r["latencies"], 95) * 1000
        checks.append(p95 <= TARGETS["push_p95_ms"] and r["lost"] == r["duplicated"] == 0)
        print(
            f"\nCommit-to-browser latency, {plan.viewers} websocket viewers of one quote's room "
            f"({r['web_processes']} daphne processes)"
        )
        print(f"  {ms(r['latencies'])}  [target p95 <= 50 ms: {verdict(checks[-1])}]")
        print(f"  from the INSERT (before the commit): {ms(r['from_insert'])}")
        print(f"  commit to the first viewer: {ms(r['first'])}")
        print(
            f"  first to last viewer: {ms(r['spread'])}; CPU: daphne {r['daphne_cpu']:.1f} s, "
            f"the bench's clients {r['clients_cpu']:.1f} s"
        )
        print(
            f"  {r['messages']} messages x {plan.viewers} viewers, {r['frames']} frames; "
            f"lost {r['lost']}, duplicated {r['duplicated']}; integrity: {r['integrity']}",
            flush=True,
        )

    if "throughput" in only:
        r = throughput(plan, organisation, user)
        integ = r["integrity"]
        checks.append(
            r["wall"] <= TARGETS["hundred_quotes_s"] * plan.quotes / 100
            and integ["lost"] == integ["duplicated"] == integ["failed"] == 0
        )
        print(
            f"\n{plan.quotes} quotes ({r['negotiations']} negotiations) on "
            f"{plan.throughput_workers} worker processes (threads, concurrency "
            f"{plan.throughput_concurrency} each)"
        )
        print(
            f"  {r['wall']:.1f} s, {r['turns']} turns, {r['messages']} messages, "
            f"{r['messages'] / r['wall']:.0f} messages/s; lost {integ['lost']}, duplicated "
            f"{integ['duplicated']}, failed {integ['failed']}  "
            f"[target 100 quotes <= 60 s: {verdict(checks[-1])}]",
            flush=True,
        )

    if "tokens" in only:
        from negotiations.agents.pricing import CACHE_READ_FACTOR, CACHE_WRITE_FACTOR

        by_round = tokens(plan, organisation, user)
        print("\nLLM input tokens per turn by round (anthropic voice, fake API's usage figures)")
        print(
            "  round | caching on: uncached + cache write + cache read = total, billed as | "
            "caching off"
        )
        rounds = sorted(set(by_round[True]) | set(by_round[False]))
        for n in rounds:
            on, off = by_round[True].get(n, []), by_round[False].get(n, [])
            line = f"  {n:>5} |"
            if on:
                fresh = statistics.mean(c.input_tokens for c in on)
                write = statistics.mean(c.cache_write_tokens for c in on)
                read = statistics.mean(c.cache_read_tokens for c in on)
                total = fresh + write + read
                line += f" {fresh:6.0f} + {write:6.0f} + {read:6.0f} = {total:6.0f} |"
                billed = fresh + float(CACHE_WRITE_FACTOR) * write + float(CACHE_READ_FACTOR) * read
                line += f" billed as {billed:6.0f} |"
            if off:
                line += f" {statistics.mean(c.input_tokens for c in off):6.0f}"
            print(line)
        for caching in (True, False):
            calls = [c for cs in by_round[caching].values() for c in cs]
            cost = sum(c.cost_usd for c in calls)
            print(
                f"  caching {'on ' if caching else 'off'}: {len(calls)} calls, "
                f"${cost:.4f} for the quote"
            )

    print(f"\n{'All targets met.' if all(checks) else 'Some targets missed.'}")

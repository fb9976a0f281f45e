"""Invited suppliers waiting: 9,999 negotiations (3,333 quotes of three) waiting for their
supplier's reply on PostgreSQL. The reply-deadline sweep's time with nothing due and with some
due, the query plans of its two questions (the partial indexes), and the memory of a running
worker (with beat) and of the web server while they wait, with the broker's queue.

    DATABASE_URL=postgres://.../procur_waiting_bench REDIS_URL=redis://127.0.0.1:6379/<n> \\
        .venv/bin/python -m bench.waiting_suppliers
    ... -m bench.waiting_suppliers --waiting 1000 --seconds 10     # a quick run

Use a database and a Redis DB of its own: it is migrated and its bench organisation's quotes are
rebuilt at every run (rows generated inside PostgreSQL), beside as many ended negotiations as
waiting ones (the partial indexes leave them out). Figures: docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "procur.settings")
django.setup()

import redis  # noqa: E402
from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from bench.procs import ROOT, app_env, web  # noqa: E402
from bench.sql import bench_suppliers, insert_select  # noqa: E402
from negotiations.models import Invitation, Message, Negotiation, Quote  # noqa: E402
from negotiations.services import reply_deadlines  # noqa: E402
from procur.accounts.models import Organisation, User  # noqa: E402
from procur.celery import app as celery_app  # noqa: E402

ORGANISATION = "Waiting suppliers bench"
SUPPLIERS = 30
SWEEP_RUNS = 20


def fill(waiting: int) -> Organisation:
    """``waiting`` negotiations waiting for their invited supplier (a brand opening each, due in
    one to two days) and as many ended ones, in quotes of three."""
    organisation, _ = Organisation.objects.get_or_create(name=ORGANISATION, slug="waiting-bench")
    ours = Negotiation.objects.filter(quote__organisation=organisation)
    Invitation.objects.filter(negotiation__in=ours).delete()
    Message.objects.filter(negotiation__in=ours).delete()
    ours.delete()
    Quote.objects.filter(organisation=organisation).delete()
    user, _ = User.objects.get_or_create(username="waiting-bench", organisation=organisation)
    suppliers = bench_suppliers(organisation, SUPPLIERS, with_email=True)
    quotes = 2 * waiting // 3
    insert_select(
        Quote,
        Quote(
            organisation=organisation,
            created_by=user,
            product="Bench bottle",
            quantity=1000,
            target_price="2.00",
            max_price="2.40",
            needed_by=date.today() + timedelta(days=60),
        ),
        # The first half negotiate (with their suppliers waiting), the others are closed.
        {
            "status": f"CASE WHEN g <= {waiting // 3} THEN 'negotiating' ELSE 'closed' END",
            "created_at": "now()",
            "started_at": "now()",
        },
        f"FROM generate_series(1, {quotes}) g",
    )
    insert_select(
        Negotiation,
        Negotiation(quote_id=0, supplier=suppliers[0], slot=1),
        {
            "quote_id": "q.id",
            "slot": "s",
            "supplier_id": f"{suppliers[0].pk} + ((q.id * 3 + s) % {SUPPLIERS})",
            "supplier_mode": "'invited'",
            "round": "1",
            "turns_taken": "1",
            "status": "CASE WHEN q.status = 'negotiating' THEN 'waiting_for_supplier' "
            "ELSE 'walked_away' END",
            # Due in one to two days, spread over the minutes; the reminder at half time.
            "reply_due_at": "CASE WHEN q.status = 'negotiating' THEN now() + interval '1 day' "
            "+ ((q.id * 3 + s) % 1440) * interval '1 minute' END",
            "remind_at": "CASE WHEN q.status = 'negotiating' THEN now() + interval '12 hours' "
            "+ ((q.id * 3 + s) % 1440) * interval '30 seconds' END",
            "last_activity_at": "now()",
            "created_at": "now()",
        },
        f"FROM negotiations_quote q CROSS JOIN generate_series(1, 3) s "
        f"WHERE q.organisation_id = {organisation.pk}",
    )
    insert_select(
        Message,
        Message(negotiation_id=0, seq=1, round=1, sender="brand", action="propose", text="Hi."),
        {
            "negotiation_id": "n.id",
            "audience": "'shared'",
            "created_at": "now()",
            "terms": "jsonb_build_object('unit_price', '1.90', 'quantity', 1000, "
            "'lead_time_days', 30, 'payment_terms_days', 30, 'warranty_months', 12)",
        },
        f"FROM negotiations_negotiation n JOIN negotiations_quote q ON q.id = n.quote_id "
        f"WHERE q.organisation_id = {organisation.pk}",
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE negotiations_negotiation")
        cursor.execute("ANALYZE negotiations_message")
    return organisation


def time_sweeps(runs: int) -> list[float]:
    """Milliseconds per sweep (nothing due)."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        result = reply_deadlines.sweep_reply_deadlines()
        times.append((time.perf_counter() - started) * 1000)
        assert result == reply_deadlines.SweepResult(0, 0), result
    return times


def make_due(organisation: Organisation, due: int, field: str) -> None:
    """Move ``field`` of ``due`` waiting negotiations into the past."""
    ids = list(
        reply_deadlines.waiting()
        .filter(quote__organisation=organisation)
        .order_by("?")
        .values_list("pk", flat=True)[:due]
    )
    Negotiation.objects.filter(pk__in=ids).update(**{field: timezone.now() - timedelta(seconds=1)})


def explain(organisation: Organisation, due: int) -> dict[str, str]:
    """The plans of the sweep's two locking queries with ``due`` rows due for each (made due,
    run, then rolled back: the negotiations go on waiting)."""
    plans = {}
    with transaction.atomic():
        make_due(organisation, due, "reply_due_at")
        make_due(organisation, due, "remind_at")
        now = timezone.now()
        for name, query in (
            ("missed deadlines", reply_deadlines._overdue(now)),
            ("reminders", reply_deadlines._reminder_due(now)),
        ):
            locking = query.select_for_update(skip_locked=True)[: reply_deadlines.BATCH]
            plans[name] = locking.explain(analyze=True, buffers=True)
        transaction.set_rollback(True)
    return plans


def rss_kib(pid: int) -> int:
    """Resident memory of ``pid`` and its descendants (Linux /proc)."""
    total = 0
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1])
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except FileNotFoundError:
        return 0
    return total + sum(rss_kib(int(child)) for child in children)


def worker_with_beat(scratch: Path, sweep_seconds: float) -> subprocess.Popen:
    """``celery worker --beat`` in a session of its own (beat runs in a child process: stopping
    the group stops it too), its log in ``scratch``."""
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "procur",
            "worker",
            "--beat",
            f"--schedule={scratch / 'beat-schedule'}",
            "--pool=prefork",
            "--concurrency=2",
            "--loglevel=INFO",  # "received" lines count the sweeps beat sent
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ],
        cwd=ROOT,
        env=app_env(
            PROCUR_REPLY_SWEEP_SECONDS=sweep_seconds,
            EMAIL_URL="consolemail://",
            LOG_LEVEL="INFO",
            LOG_FORMAT="console",
        ),
        stdout=subprocess.DEVNULL,
        stderr=open(scratch / "worker.log", "w"),
        start_new_session=True,
    )


def watch(seconds: float, sweep_seconds: float) -> dict:
    """RSS of a worker with beat and of the web server, sampled every 5 s while the
    negotiations wait, with the broker's queue and unacknowledged tasks."""
    broker = redis.Redis.from_url(settings.REDIS_URL)
    queue = celery_app.conf.task_default_queue
    samples = []
    with tempfile.TemporaryDirectory() as scratch, web() as server:
        worker = worker_with_beat(Path(scratch), sweep_seconds)
        try:
            deadline = time.monotonic() + 60
            while not celery_app.control.ping(timeout=0.5):
                if time.monotonic() > deadline or worker.poll() is not None:
                    raise RuntimeError("the worker did not start")
            time.sleep(5)  # the pool's children settle, beat ticks
            started = time.monotonic()
            while (elapsed := time.monotonic() - started) <= seconds:
                samples.append(
                    {
                        "t": round(elapsed),
                        "worker_kib": rss_kib(worker.pid),
                        "web_kib": rss_kib(server.process.pid),
                        "queued": broker.llen(queue),
                        "unacked": broker.hlen("unacked"),
                    }
                )
                time.sleep(5)
        finally:
            os.killpg(worker.pid, signal.SIGTERM)
            worker.wait(timeout=60)
        log = (Path(scratch) / "worker.log").read_text()
    received = [line for line in log.splitlines() if "received" in line]
    sweeps = sum("negotiations.tasks.sweep_reply_deadlines" in line for line in received)
    turns = sum("negotiations.tasks.negotiation_turn" in line for line in received)
    return {"samples": samples, "sweeps": sweeps, "turns": turns}


def _ms(times: list[float]) -> str:
    ordered = sorted(times)
    p95 = ordered[max(0, round(0.95 * len(ordered)) - 1)]
    return f"p50 {statistics.median(ordered):.1f} ms, p95 {p95:.1f} ms, max {ordered[-1]:.1f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--waiting", type=int, default=10_000)
    parser.add_argument("--due", type=int, default=100)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--sweep-seconds", type=float, default=2.0)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        raise SystemExit("Run it on PostgreSQL: set DATABASE_URL to a database of its own.")
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    call_command("migrate", verbosity=0)
    redis.Redis.from_url(settings.REDIS_URL).flushdb()  # the bench's own Redis DB

    started = time.perf_counter()
    organisation = fill(args.waiting)
    waiting = reply_deadlines.waiting().filter(quote__organisation=organisation).count()
    print(f"filled: {waiting:,} waiting negotiations in {time.perf_counter() - started:.1f} s")
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")

    print(f"sweep, nothing due ({SWEEP_RUNS} runs): {_ms(time_sweeps(SWEEP_RUNS))}")
    for field, what in (("remind_at", "reminders"), ("reply_due_at", "deadlines")):
        make_due(organisation, args.due, field)
        started = time.perf_counter()
        result = reply_deadlines.sweep_reply_deadlines()
        elapsed = (time.perf_counter() - started) * 1000
        print(f"sweep, {args.due} {what} due: {elapsed:.0f} ms ({result})")
    for name, plan in explain(organisation, args.due).items():
        print(f"\nEXPLAIN (ANALYZE, BUFFERS) {name} ({args.due} due):\n{plan}")

    print(
        f"\nmemory while {waiting - args.due:,} wait ({args.seconds:.0f} s, sweep every "
        f"{args.sweep_seconds:g} s):"
    )
    watched = watch(args.seconds, args.sweep_seconds)
    print(f"{'t s':>5} {'worker+beat MiB':>16} {'web MiB':>8} {'queued':>7} {'unacked':>8}")
    for s in watched["samples"]:
        print(
            f"{s['t']:>5} {s['worker_kib'] / 1024:>16.1f} {s['web_kib'] / 1024:>8.1f} "
            f"{s['queued']:>7} {s['unacked']:>8}"
        )
    print(f"sweeps run by beat: {watched['sweeps']}; turn tasks run: {watched['turns']}")
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
